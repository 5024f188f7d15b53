//! DL3030: `yum install -y`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3030",
    level: Level::Warning,
    message: "Use the -y switch to avoid manual input `yum install -y <package>`",
    doc: "## What it does\nFlags `yum install` without `-y`/`--assumeyes`.\n\n## Why\nWithout it the build stops at a prompt.\n\n## Example\n```dockerfile\nRUN yum install -y httpd-2.4.6 && yum clean all\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            c.name == "yum"
                && c.args_no_flags()
                    .iter()
                    .any(|a| matches!(*a, "install" | "groupinstall" | "localinstall"))
                && !c.has_any_flag(&["y", "assumeyes"])
        })
    });
}
