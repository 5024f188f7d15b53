//! WD1010: no HEALTHCHECK in the final image.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1010",
    level: Level::Info,
    message: "The final stage has no HEALTHCHECK",
    doc: "## What it does\nFlags a final stage with no HEALTHCHECK, neither its own nor one inherited through stage names. `HEALTHCHECK NONE` counts as a decision.\n\n## Why\nWithout one, Docker and Swarm cannot tell a hung service from a healthy one. (Kubernetes ignores it and uses probes; silence it there with `ignored: [WD1010]`.)\n\n## Example\n```dockerfile\nHEALTHCHECK --interval=30s CMD [\"/app\", \"healthcheck\"]\n```",
    family: Family::Warden,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let Some(last) = cx.stages.len().checked_sub(1) else {
        return;
    };
    let mut s = Some(last);
    let mut hops = 0;
    while let Some(x) = s {
        if cx
            .instructions()
            .any(|(i, inst)| cx.stage_of[i] == Some(x) && matches!(inst.kind, Kind::Healthcheck(_)))
        {
            return;
        }
        hops += 1;
        if hops > cx.stages.len() {
            break;
        }
        s = cx.stages[x].parent;
    }
    out.at(&cx.df.instructions[cx.stages[last].from]);
}
