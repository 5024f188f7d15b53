//! DL3037: pin versions in zypper install.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3037",
    level: Level::Warning,
    message: "Specify version with `zypper install -y <package>=<version>`.",
    doc: "## What it does\nFlags `zypper install` of packages without a version (`=`, `>=`, `<`… or `.rpm`).\n\n## Why\nUnpinned packages make builds change silently.\n\n## Example\n```dockerfile\nRUN zypper install -y httpd=2.4.46\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            if c.name != "zypper" {
                return false;
            }
            let c = c.drop_flag_arg(&["t", "type", "r", "repo", "from"]);
            let args = c.args_no_flags();
            let Some(i) = args.iter().position(|a| *a == "install" || *a == "in") else {
                return false;
            };
            args[i + 1..].iter().any(|p| {
                !(p.contains('=') || p.contains('>') || p.contains('<') || p.ends_with(".rpm"))
            })
        })
    });
}
