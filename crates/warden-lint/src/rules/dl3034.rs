//! DL3034: non-interactive zypper.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3034",
    level: Level::Warning,
    message: "Non-interactive switch missing from `zypper` command: `zypper install -y`",
    doc: "## What it does\nFlags zypper installs/removals without `-y`, `--no-confirm` or `-n`.\n\n## Why\nWithout it the build stops at a prompt.\n\n## Example\n```dockerfile\nRUN zypper install -y httpd=2.4.46 && zypper clean\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            c.name == "zypper"
                && c.args_no_flags().iter().any(|a| {
                    matches!(
                        *a,
                        "install" | "in" | "remove" | "rm" | "source-install" | "si" | "patch"
                    )
                })
                && !c.has_any_flag(&["no-confirm", "y", "n", "non-interactive"])
        })
    });
}
