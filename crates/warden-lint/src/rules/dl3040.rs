//! DL3040: `dnf clean all` after dnf.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3040",
    level: Level::Warning,
    message: "`dnf clean all` missing after dnf command.",
    doc: "## What it does\nFlags `dnf`/`microdnf install` without `dnf clean all` (or removing /var/cache/dnf, or a cache mount) in the same RUN.\n\n## Why\nThe dnf cache stays in the layer.\n\n## Example\n```dockerfile\nRUN dnf install -y httpd-2.4.46 && dnf clean all\n```",
    family: Family::Hadolint,
    check,
};

/// dnf subcommands that download packages into the cache.
const INSTALLS: &[&str] = &[
    "install",
    "in",
    "groupinstall",
    "localinstall",
    "upgrade",
    "up",
    "update",
    "upgrade-minimal",
    "up-min",
    "reinstall",
    "rei",
    "downgrade",
    "dg",
];

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        let mounted = ["/var/cache/libdnf5", "/var/cache/dnf", "/var/cache/yum"]
            .iter()
            .any(|p| r.has_cache_mount(p));
        !mounted
            && installs_without_cleanup(
                r,
                |c| {
                    matches!(c.name.as_str(), "dnf" | "microdnf")
                        && c.args_no_flags()
                            .first()
                            .is_some_and(|a| INSTALLS.contains(a))
                },
                |inst, c| {
                    (c.name == inst.name && cmd_has_args(c, &c.name, &["clean", "all"]))
                        || (c.name == "rm"
                            && c.args.iter().any(|a| {
                                a.value.starts_with("/var/cache/dnf")
                                    || a.value.starts_with("/var/cache/yum")
                                    || a.value.starts_with("/var/cache/libdnf5")
                            }))
                },
            )
    });
}
