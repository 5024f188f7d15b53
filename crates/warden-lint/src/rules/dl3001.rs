//! DL3001: commands that make no sense in a container.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3001",
    level: Level::Info,
    message: "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
    doc: "## What it does\nFlags RUN commands such as `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`.\n\n## Why\nThey are interactive or act on a running system; in a build they do nothing useful.\n\n## Example\n```dockerfile\nRUN service nginx start\n```",
    family: Family::Hadolint,
    check,
};

const INVALID: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| INVALID.contains(&c.name.as_str()))
    });
}
