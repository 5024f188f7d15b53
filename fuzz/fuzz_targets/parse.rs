//! The Dockerfile parser must never panic, and every position it reports must lie in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(df) = warden_lint::parse_bytes(data) {
        let lines = data.split(|b| *b == b'\n').count() as u32;
        for i in &df.instructions {
            assert!(i.span.start.line >= 1 && i.span.end.line <= lines, "span outside input");
            for f in &i.flags {
                assert!(f.span.start.line <= lines);
            }
        }
    }
});
