//! DL4000: MAINTAINER is deprecated.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL4000",
    level: Level::Error,
    message: "MAINTAINER is deprecated",
    doc: "## What it does\nFlags MAINTAINER.\n\n## Why\nIt is deprecated; use a label.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.authors=ops@example.com\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Maintainer(_) = unwrap_onbuild(i).kind {
            out.at(i);
        }
    }
}
