//! The condition parser and compiler must never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(ast) = warden_rules::parser::parse(s) {
            let _ = ast.to_string();
            let _ = warden_rules::compiler::compile(&ast, &[]);
        }
    }
});
