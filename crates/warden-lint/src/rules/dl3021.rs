//! DL3021: COPY of several sources needs a directory destination.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3021",
    level: Level::Error,
    message: "COPY with more than 2 arguments requires the last argument to end with /",
    doc: "## What it does\nFlags COPY with several sources whose destination does not end in `/`.\n\n## Why\nBuildKit refuses it.\n\n## Example\n```dockerfile\nCOPY a b /dest/\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Copy(c) = &unwrap_onbuild(i).kind {
            if c.sources.len() > 1
                && !c
                    .dest
                    .as_ref()
                    .is_some_and(|d| drop_quotes(&d.value).ends_with('/'))
            {
                out.at(i);
            }
        }
    }
}
