//! DL4005: use SHELL instead of linking /bin/sh.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL4005",
    level: Level::Warning,
    message: "Use SHELL to change the default shell",
    doc: "## What it does\nFlags `ln ... /bin/sh`.\n\n## Why\nReplacing /bin/sh affects every script in the image; SHELL affects only the build.\n\n## Example\n```dockerfile\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            c.name == "ln" && c.args.iter().any(|a| a.value == "/bin/sh")
        })
    });
}
