//! WD1001: the final stage runs as root.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1001",
    level: Level::Warning,
    message: "The final stage runs as root: add a USER with a non-root numeric UID",
    doc: "## What it does\nFlags the final stage when its effective USER (its own, or inherited from the stage it builds on) is root, or when no USER is set at all.\n\nhadolint's DL3002 only looks at an explicit `USER root`; most images that run as root simply never set USER.\n\n## Why\nA process running as root in a container is one kernel bug away from root on the host, and can rewrite its own binaries.\n\n## Example\n```dockerfile\nFROM debian:12-slim\nRUN useradd -u 10001 app\nUSER 10001\n```",
    family: Family::Warden,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let Some(last) = cx.stages.len().checked_sub(1) else {
        return;
    };
    if cx.stages[last].image == "scratch" {
        return;
    }
    let mut chain = vec![last];
    while let Some(p) = chain.last().and_then(|&s| cx.stages[s].parent) {
        if chain.contains(&p) {
            break;
        }
        chain.push(p);
    }
    // The innermost stage that sets USER decides.
    for &s in &chain {
        let user = cx
            .instructions()
            .filter(|(i, _)| cx.stage_of[*i] == Some(s))
            .filter_map(|(_, inst)| match &inst.kind {
                Kind::User(u) => Some((inst, u.value.clone())),
                _ => None,
            })
            .last();
        if let Some((inst, u)) = user {
            if super::dl3002::is_root(&u) {
                out.at(inst);
            }
            return;
        }
    }
    out.msg(
        &cx.df.instructions[cx.stages[last].from],
        "The final stage sets no USER, so it runs as root: add a USER with a non-root numeric UID"
            .into(),
    );
}
