//! DL3066: non-numeric USER.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3066",
    level: Level::Info,
    message: "Non-numeric user-id may not be resolvable by host system",
    doc: "## What it does\nFlags USER with a name instead of a numeric UID (a variable from a declared ARG or ENV is accepted).\n\n## Why\nKubernetes `runAsNonRoot` can only verify numeric UIDs.\n\n## Example\n```dockerfile\nUSER 10001:10001\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let mut declared: Vec<String> = Vec::new();
    for (_, i) in cx.instructions() {
        match &unwrap_onbuild(i).kind {
            Kind::Arg(a) => declared.extend(a.iter().map(|a| a.name.clone())),
            Kind::Env(kvs) => declared.extend(kvs.iter().map(|k| k.key.clone())),
            Kind::User(u) => {
                let ok = u.value.split(':').all(|part| {
                    if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
                        return true;
                    }
                    let vars = super::dl3044::vars_in(part);
                    !vars.is_empty() && vars.iter().all(|v| declared.contains(v))
                });
                if !ok {
                    out.at(i);
                }
            }
            _ => {}
        }
    }
}
