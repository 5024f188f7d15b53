//! DL3067: do not copy a whole filesystem from a stage.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3067",
    level: Level::Warning,
    message: "Do not copy an entire filesystem from another stage",
    doc: "## What it does\nFlags `COPY --from=x / /`.\n\n## Why\nIt drags the whole build stage (compilers, caches) into the image.\n\n## Example\n```dockerfile\nCOPY --from=build /out/app /usr/local/bin/app\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Copy(c) = &i.kind {
            if i.flag("from").is_some()
                && c.sources.iter().any(|s| s.value == "/")
                && c.dest.as_ref().is_some_and(|d| d.value == "/")
            {
                out.at(i);
            }
        }
    }
}
