//! DL3015: `--no-install-recommends`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3015",
    level: Level::Info,
    message: "Avoid additional packages by specifying `--no-install-recommends`",
    doc: "## What it does\nFlags `apt-get install` without `--no-install-recommends` (or `-o APT::Install-Recommends=false`).\n\n## Why\nRecommended packages bloat the image and widen the attack surface.\n\n## Example\n```dockerfile\nRUN apt-get install -y --no-install-recommends curl\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            cmd_has_args(c, "apt-get", &["install"])
                && !c.has_flag("no-install-recommends")
                && !c
                    .args
                    .iter()
                    .any(|a| a.value.contains("APT::Install-Recommends=false"))
        })
    });
}
