//! Parser plus every rule (no ShellCheck): no panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = warden_lint::Config { shellcheck: false, ..Default::default() };
    let _ = warden_lint::lint(data, &cfg, None);
});
