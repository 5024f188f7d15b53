//! DL3000: WORKDIR must be absolute.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3000",
    level: Level::Error,
    message: "Use absolute WORKDIR",
    doc: "## What it does\nFlags a WORKDIR that is a relative path.\n\n## Why\nA relative WORKDIR depends on the previous WORKDIR, which may change in the base image.\n\n## Example\n```dockerfile\nWORKDIR usr/src/app   # bad\nWORKDIR /usr/src/app  # good\n```",
    family: Family::Hadolint,
    check,
};

/// `/x`, `$VAR`, `C:\x` and `C:/x` count as absolute.
pub fn is_absolute(p: &str) -> bool {
    let p = drop_quotes(p);
    let b = p.as_bytes();
    p.starts_with('/')
        || p.starts_with('$')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Workdir(w) = &unwrap_onbuild(i).kind {
            if !is_absolute(&w.raw) && !is_absolute(&w.value) {
                out.at(i);
            }
        }
    }
}
