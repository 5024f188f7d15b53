//! DL3043: ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3043",
    level: Level::Error,
    message: "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
    doc: "## What it does\nFlags `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.\n\n## Why\nBuildKit refuses them.\n\n## Example\n```dockerfile\nONBUILD FROM debian:12\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Onbuild(inner) = &i.kind {
            if matches!(
                inner.kind,
                Kind::Onbuild(_) | Kind::From(_) | Kind::Maintainer(_)
            ) {
                out.at(i);
            }
        }
    }
}
