//! WD1009: SSH server in the image.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1009",
    level: Level::Warning,
    message: "An SSH server is installed or port 22 exposed; use `docker exec`/`kubectl exec` instead",
    doc: "## What it does\nFlags installing `openssh-server`, `dropbear` or `openssh` and `EXPOSE 22`.\n\n## Why\nAn SSH daemon is one more network service with credentials to manage and attack, and it bypasses the orchestrator's access control and audit.\n\n## Example\n```console\nkubectl exec -it pod/app -- sh\n```",
    family: Family::Warden,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Expose(ports) = &unwrap_onbuild(i).kind {
            if ports
                .iter()
                .any(|p| p.value.split('/').next() == Some("22"))
            {
                out.at(i);
            }
        }
    }
    each_run(cx, out, |r| {
        installed_packages(r).iter().any(|p| {
            let n = p.split(['=', ':']).next().unwrap_or(p);
            matches!(n, "openssh-server" | "dropbear" | "openssh" | "ssh-server")
        })
    });
}
