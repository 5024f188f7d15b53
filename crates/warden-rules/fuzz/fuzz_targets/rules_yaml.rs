//! Loading arbitrary rules YAML must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let mut l = warden_rules::Loader::new();
        l.add_str("fuzz.yaml", s);
        let _ = l.finish();
    }
});
