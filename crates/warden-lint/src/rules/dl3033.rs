//! DL3033: pin versions in yum install.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3033",
    level: Level::Warning,
    message: "Specify version with `yum install -y <package>-<version>`.",
    doc: "## What it does\nFlags `yum install` of packages without `-version` (`.rpm` files accepted).\n\n## Why\nUnpinned packages make builds change silently.\n\n## Example\n```dockerfile\nRUN yum install -y httpd-2.4.6\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        let env = cx.env_at(r.index);
        any_cmd(r, |c| {
            if c.name != "yum" {
                return false;
            }
            let c = c.drop_flag_arg(&[
                "c",
                "config",
                "R",
                "randomwait",
                "d",
                "debuglevel",
                "e",
                "errorlevel",
                "installroot",
                "releasever",
                "enablerepo",
                "disablerepo",
                "x",
                "exclude",
                "setopt",
            ]);
            let args = c.args_no_flags();
            if args.first() == Some(&"module") {
                return args.get(1) == Some(&"install")
                    && args[2..].iter().any(|p| !p.contains(':'));
            }
            if args.first() != Some(&"install") {
                return false;
            }
            args[1..].iter().any(|p| !rpm_pinned(&substitute(p, &env)))
        })
    });
}
