//! DL3061: the file must begin with FROM or ARG.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3061",
    level: Level::Error,
    message: "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
    doc: "## What it does\nFlags instructions other than ARG before the first FROM.\n\n## Why\nBuildKit refuses them.\n\n## Example\n```dockerfile\nARG VERSION=1\nFROM app:${VERSION}\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (i, inst) in cx.instructions() {
        if cx.stage_of[i].is_none() && !matches!(inst.kind, Kind::Arg(_)) {
            out.at(inst);
        }
    }
}
