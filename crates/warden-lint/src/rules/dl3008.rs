//! DL3008: pin versions in `apt-get install`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3008",
    level: Level::Warning,
    message: "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`",
    doc: "## What it does\nFlags `apt-get install` of packages without `=version` (a `/release` or a `.deb` file counts as pinned).\n\n## Why\nUnpinned packages make builds change without a Dockerfile change.\n\n## Example\n```dockerfile\nRUN apt-get install -y curl=7.88.1-10+deb12u5\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            if !cmd_has_args(c, "apt-get", &["install"]) {
                return false;
            }
            let c = c.drop_flag_arg(&["t", "target-release"]);
            c.args_no_flags()
                .into_iter()
                .filter(|a| *a != "install")
                .any(|p| !(p.contains('=') || p.contains('/') || p.ends_with(".deb")))
        })
    });
}
