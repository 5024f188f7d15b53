//! DL3038: `dnf install -y`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3038",
    level: Level::Warning,
    message: "Use the -y switch to avoid manual input `dnf install -y <package>`",
    doc: "## What it does\nFlags `dnf`/`microdnf install` without `-y`/`--assumeyes`.\n\n## Why\nWithout it the build stops at a prompt.\n\n## Example\n```dockerfile\nRUN dnf install -y httpd-2.4.46 && dnf clean all\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            matches!(c.name.as_str(), "dnf" | "microdnf")
                && c.args_no_flags()
                    .iter()
                    .any(|a| matches!(*a, "install" | "groupinstall" | "localinstall"))
                && !c.has_any_flag(&["y", "assumeyes"])
        })
    });
}
