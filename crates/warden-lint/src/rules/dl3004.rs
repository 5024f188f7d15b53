//! DL3004: do not use sudo.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3004",
    level: Level::Error,
    message: "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
    doc: "## What it does\nFlags `sudo` in RUN.\n\n## Why\nBuilds run as root already; sudo has unpredictable TTY and signal behaviour. Use USER or gosu.\n\n## Example\n```dockerfile\nRUN sudo apt-get install -y x\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| any_cmd(r, |c| c.name == "sudo"));
}
