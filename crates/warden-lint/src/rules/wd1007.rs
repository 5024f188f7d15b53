//! WD1007: piping a download into a shell.
use super::prelude::*;
use crate::shell::Origin;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1007",
    level: Level::Error,
    message: "A download is piped into a shell (`curl … | sh`); download, verify a checksum, then run",
    doc: "## What it does\nFlags `curl … | sh`, `wget -O- … | bash` and `sh -c \"$(curl …)\"`, including inside `sh -c` strings.\n\n## Why\nThe script runs unverified as root in the build; a compromised server or a truncated download runs arbitrary code.\n\n## Example\n```dockerfile\nRUN curl -fsSLo install.sh https://example.com/install.sh \\\n && echo \"<sha256>  install.sh\" | sha256sum -c - \\\n && sh install.sh\n```",
    family: Family::Warden,
    check,
};

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python3", "perl", "ruby", "node",
];

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        let Some(s) = &r.script else { return false };
        let cmds = &s.commands;
        let piped = cmds.windows(2).any(|w| {
            let dl = matches!(w[0].base_name(), "curl" | "wget") && w[0].piped;
            let target = if w[1].base_name() == "sudo" {
                w[1].args
                    .first()
                    .map(|a| a.value.rsplit('/').next().unwrap_or(""))
                    .unwrap_or("")
            } else {
                w[1].base_name()
            };
            dl && w[1].piped && SHELLS.contains(&target)
        });
        let substituted = cmds.iter().enumerate().any(|(i, c)| {
            SHELLS.contains(&c.base_name())
                && c.args.iter().any(|a| {
                    a.raw.contains("$(curl")
                        || a.raw.contains("$(wget")
                        || a.raw.contains("`curl")
                        || a.raw.contains("`wget")
                })
                && cmds.get(i + 1).is_some_and(|n| n.origin != Origin::Top)
        });
        piped || substituted
    });
}
