//! DL3014: `apt-get install -y`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3014",
    level: Level::Warning,
    message: "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
    doc: "## What it does\nFlags `apt-get install` without `-y`, `--yes`, `--assume-yes` or `-qq`.\n\n## Why\nWithout it the build stops at a prompt.\n\n## Example\n```dockerfile\nRUN apt-get install -y curl\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            cmd_has_args(c, "apt-get", &["install"])
                && !c.has_any_flag(&["y", "yes", "assume-yes"])
                && c.flags()
                    .iter()
                    .filter(|f| *f == "q" || *f == "quiet")
                    .count()
                    < 2
                && !c
                    .args
                    .iter()
                    .any(|a| a.value == "--quiet=2" || a.value == "-q=2")
        })
    });
}
