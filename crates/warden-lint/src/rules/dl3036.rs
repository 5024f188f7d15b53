//! DL3036: `zypper clean` after zypper.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3036",
    level: Level::Warning,
    message: "`zypper clean` missing after zypper use.",
    doc: "## What it does\nFlags `zypper install` without `zypper clean`/`zypper cc` in the same RUN (a cache mount on /var/cache/zypp is accepted).\n\n## Why\nThe package cache stays in the layer.\n\n## Example\n```dockerfile\nRUN zypper install -y httpd=2.4.46 && zypper clean\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        !r.has_cache_mount("/var/cache/zypp")
            && installs_without_cleanup(
                r,
                |c| {
                    c.name == "zypper"
                        && c.args_no_flags()
                            .iter()
                            .any(|a| *a == "install" || *a == "in")
                },
                |_, c| {
                    c.name == "zypper"
                        && c.args_no_flags()
                            .iter()
                            .any(|a| *a == "clean" || *a == "cc")
                },
            )
    });
}
