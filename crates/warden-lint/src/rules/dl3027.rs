//! DL3027: use apt-get, not apt.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3027",
    level: Level::Warning,
    message: "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
    doc: "## What it does\nFlags `apt` in RUN.\n\n## Why\n`apt` has no stable CLI for scripts and warns about it.\n\n## Example\n```dockerfile\nRUN apt-get install -y curl\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| any_cmd(r, |c| c.name == "apt"));
}
