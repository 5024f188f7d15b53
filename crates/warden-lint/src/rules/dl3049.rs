//! DL3049: a required label is missing.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3049",
    level: Level::Info,
    message: "Label `<label>` is missing.",
    doc: "## What it does\nWith `label-schema` set, flags each stage that ends up in an image (not one only copied from) and lacks a schema label, taking labels of parent and child stages into account.\n\n## Why\nRequired metadata (owner, source, version) lets tools trace images back.\n\n## Example\n```yaml\nlabel-schema: {org.opencontainers.image.source: url}\n```",
    family: Family::Hadolint,
    check,
};

/// Labels set in each stage.
pub fn stage_sets<T: Clone + Ord>(
    cx: &Ctx,
    pick: impl Fn(&Instruction) -> Vec<T>,
) -> Vec<std::collections::BTreeSet<T>> {
    let mut sets = vec![std::collections::BTreeSet::new(); cx.stages.len()];
    for (i, inst) in cx.instructions() {
        if let Some(s) = cx.stage_of[i] {
            sets[s].extend(pick(inst));
        }
    }
    sets
}

/// Whether stage `s`, an ancestor or a descendant has `has(stage)`.
pub fn in_family(cx: &Ctx, s: usize, has: &dyn Fn(usize) -> bool) -> bool {
    let mut a = Some(s);
    let mut hops = 0;
    while let Some(x) = a {
        if has(x) {
            return true;
        }
        hops += 1;
        if hops > cx.stages.len() {
            break;
        }
        a = cx.stages[x].parent;
    }
    let mut frontier = vec![s];
    let mut seen = vec![false; cx.stages.len()];
    while let Some(x) = frontier.pop() {
        for (c, st) in cx.stages.iter().enumerate() {
            if st.parent == Some(x) && !seen[c] {
                seen[c] = true;
                if has(c) {
                    return true;
                }
                frontier.push(c);
            }
        }
    }
    false
}

/// Stages that only feed `COPY --from` (their contents do not become an image).
pub fn copied_from(cx: &Ctx, s: usize) -> bool {
    let alias = cx.stages[s].alias.clone();
    cx.df.instructions.iter().any(|inst| {
        matches!(inst.kind, Kind::Copy(_))
            && inst
                .flag("from")
                .and_then(|f| f.value.as_deref())
                .is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    Some(v.as_str()) == alias.as_deref() || v == s.to_string()
                })
    })
}

fn check(cx: &Ctx, out: &mut Out) {
    if cx.config.label_schema.is_empty() {
        return;
    }
    let sets = stage_sets(cx, |inst| match &unwrap_onbuild(inst).kind {
        Kind::Label(kvs) => kvs.iter().map(|k| k.key.clone()).collect(),
        _ => Vec::new(),
    });
    for (s, st) in cx.stages.iter().enumerate() {
        if copied_from(cx, s) {
            continue;
        }
        for label in cx.config.label_schema.keys() {
            if !in_family(cx, s, &|x| sets[x].contains(label)) {
                out.msg(
                    &cx.df.instructions[st.from],
                    format!("Label `{label}` is missing."),
                );
            }
        }
    }
}
