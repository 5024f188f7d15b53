//! DL3011: ports must be 0–65535.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3011",
    level: Level::Error,
    message: "Valid UNIX ports range from 0 to 65535",
    doc: "## What it does\nFlags EXPOSE of a port above 65535 (ranges are checked at both ends; variables skipped).\n\n## Why\nSuch a port cannot exist; it is a typo.\n\n## Example\n```dockerfile\nEXPOSE 80000\n```",
    family: Family::Hadolint,
    check,
};

fn bad(p: &str) -> bool {
    let p = p.split('/').next().unwrap_or(p);
    let p = p.rsplit(':').next().unwrap_or(p);
    p.split('-')
        .any(|n| n.parse::<u64>().is_ok_and(|n| n > 65535))
}

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Expose(ports) = &unwrap_onbuild(i).kind {
            if ports.iter().any(|p| bad(&p.value)) {
                out.at(i);
            }
        }
    }
}
