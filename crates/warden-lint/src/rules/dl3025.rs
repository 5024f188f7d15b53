//! DL3025: JSON form for CMD and ENTRYPOINT.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3025",
    level: Level::Warning,
    message: "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
    doc: "## What it does\nFlags CMD and ENTRYPOINT in shell form.\n\n## Why\nShell form runs under `/bin/sh -c`, so the process is not PID 1 and gets no signals.\n\n## Example\n```dockerfile\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        match &unwrap_onbuild(i).kind {
            Kind::Cmd(Arguments::Shell { .. })
            | Kind::Entrypoint(Arguments::Shell { .. })
            | Kind::Healthcheck(Healthcheck::Cmd(Arguments::Shell { .. })) => out.at(i),
            _ => {}
        }
    }
}
