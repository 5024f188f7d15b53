//! DL3041: pin versions in dnf install.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3041",
    level: Level::Warning,
    message: "Specify version with `dnf install -y <package>-<version>`.",
    doc: "## What it does\nFlags `dnf`/`microdnf install` of packages without `-version` (`.rpm` files accepted; `dnf module install` needs `:stream`).\n\n## Why\nUnpinned packages make builds change silently.\n\n## Example\n```dockerfile\nRUN dnf install -y httpd-2.4.46\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        let env = cx.env_at(r.index);
        any_cmd(r, |c| {
            if !matches!(c.name.as_str(), "dnf" | "microdnf") {
                return false;
            }
            let c = c.drop_flag_arg(&[
                "c",
                "config",
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
                "repo",
                "repoid",
            ]);
            let args = c.args_no_flags();
            if args.first() == Some(&"module") {
                return args.get(1) == Some(&"install")
                    && args[2..].iter().any(|p| !p.contains(':'));
            }
            if !matches!(args.first(), Some(&"install") | Some(&"in")) {
                return false;
            }
            args[1..].iter().any(|p| !rpm_pinned(&substitute(p, &env)))
        })
    });
}
