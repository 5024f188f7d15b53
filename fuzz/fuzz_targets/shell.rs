//! The RUN shell reader must never panic or loop, whatever the script.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let script = warden_lint::shell::parse(s);
        for c in &script.commands {
            let _ = (c.flags(), c.args_no_flags(), c.drop_flag_arg(&["t", "o"]));
        }
    }
});
