//! DL3032: `yum clean all` after yum.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3032",
    level: Level::Warning,
    message: "`yum clean all` missing after yum command.",
    doc: "## What it does\nFlags `yum install` without `yum clean all` (or removing /var/cache/yum) in the same RUN.\n\n## Why\nThe yum cache stays in the layer.\n\n## Example\n```dockerfile\nRUN yum install -y httpd-2.4.6 && yum clean all\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        !r.has_cache_mount("/var/cache/yum")
            && installs_without_cleanup(
                r,
                |c| {
                    c.name == "yum"
                        && c.args_no_flags()
                            .iter()
                            .any(|a| matches!(*a, "install" | "groupinstall" | "localinstall"))
                },
                |_, c| {
                    cmd_has_args(c, "yum", &["clean", "all"])
                        || (c.name == "rm"
                            && c.args.iter().any(|a| a.value.starts_with("/var/cache/yum")))
                },
            )
    });
}
