//! DL3026: only trusted registries.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3026",
    level: Level::Error,
    message: "Use only an allowed registry in the FROM image",
    doc: "## What it does\nWith `trustedRegistries` set, flags FROM images from other registries (`*` and `*.host` globs; no registry means docker.io).\n\n## Why\nPulling from unknown registries is a supply-chain risk.\n\n## Example\n```yaml\ntrustedRegistries: [registry.example.com, \"*.gcr.io\"]\n```",
    family: Family::Hadolint,
    check,
};

/// Whether `registry` matches one of the trusted patterns.
pub fn trusted(registry: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p == registry
            || p.strip_prefix("*.")
                .is_some_and(|suffix| registry.ends_with(&format!(".{suffix}")))
    })
}

fn check(cx: &Ctx, out: &mut Out) {
    let pats = &cx.config.trusted_registries;
    if pats.is_empty() {
        return;
    }
    for (si, st) in cx.stages.iter().enumerate() {
        let inst = &cx.df.instructions[st.from];
        let Kind::From(f) = &inst.kind else { continue };
        let lower = st.image.to_ascii_lowercase();
        if st.image == "scratch"
            || cx.stages[..si]
                .iter()
                .any(|s| s.alias.as_deref() == Some(lower.as_str()))
        {
            continue;
        }
        let ok = match f.image_parts().registry {
            Some(r) => trusted(&r, pats),
            None => trusted("docker.io", pats) || trusted("hub.docker.com", pats),
        };
        if !ok {
            out.at(inst);
        }
    }
    // Images named by `COPY --from=` and `RUN --mount=from=` must be trusted too.
    for (i, inst) in cx.instructions() {
        let inner = unwrap_onbuild(inst);
        let mut refs: Vec<String> = Vec::new();
        if matches!(inner.kind, Kind::Copy(_)) {
            refs.extend(inner.flag("from").and_then(|f| f.value.clone()));
        }
        if matches!(inner.kind, Kind::Run(_)) {
            for f in inner.flags.iter().filter(|f| f.name == "mount") {
                for kv in f.value.as_deref().unwrap_or("").split(',') {
                    if let Some(v) = kv.strip_prefix("from=") {
                        refs.push(v.to_string());
                    }
                }
            }
        }
        let n = cx.stage_of[i].map(|s| s + 1).unwrap_or(0);
        for r in refs {
            let lower = r.to_ascii_lowercase();
            let is_stage = cx.stages[..n]
                .iter()
                .any(|s| s.alias.as_deref() == Some(lower.as_str()))
                || r.parse::<usize>().is_ok();
            if is_stage || !(r.contains('/') || r.contains(':')) {
                continue;
            }
            let ok = match crate::ast::ImageRef::parse(&r).registry {
                Some(reg) => trusted(&reg, pats),
                None => trusted("docker.io", pats) || trusted("hub.docker.com", pats),
            };
            if !ok {
                out.at(inst);
            }
        }
    }
}
