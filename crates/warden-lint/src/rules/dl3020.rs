//! DL3020: COPY instead of ADD for files.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3020",
    level: Level::Error,
    message: "Use COPY instead of ADD for files and folders",
    doc: "## What it does\nFlags ADD whose sources are not all archives or URLs.\n\n## Why\nADD's extra behaviour (extraction, downloads) surprises; COPY says what it does.\n\n## Example\n```dockerfile\nADD app /opt/app    # bad\nCOPY app /opt/app   # good\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Add(a) = &unwrap_onbuild(i).kind {
            if !a
                .sources
                .iter()
                .all(|s| is_archive(&s.value) || is_url(&s.value) || s.value.starts_with("<<"))
            {
                out.at(i);
            }
        }
    }
}
