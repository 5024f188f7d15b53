//! DL3003: use WORKDIR instead of `cd`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3003",
    level: Level::Warning,
    message: "Use WORKDIR to switch to a directory",
    doc: "## What it does\nFlags `cd` in RUN.\n\n## Why\n`cd` only lasts for one RUN; WORKDIR is explicit and persists.\n\n## Example\n```dockerfile\nRUN cd /app && make   # bad\nWORKDIR /app\nRUN make              # good\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| any_cmd(r, |c| c.name == "cd"));
}
