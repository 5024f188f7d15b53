//! DL3042: `pip install --no-cache-dir`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3042",
    level: Level::Warning,
    message: "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
    doc: "## What it does\nFlags `pip install` without `--no-cache-dir` (PIP_NO_CACHE_DIR in ENV or ARG, and a cache mount on /root/.cache/pip, are accepted).\n\n## Why\nThe wheel cache stays in the layer.\n\n## Example\n```dockerfile\nRUN pip install --no-cache-dir flask==3.0.2\n```",
    family: Family::Hadolint,
    check,
};

fn truthy(v: &str) -> bool {
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "0" | "false" | "off" | "no"
    )
}

/// The last PIP_NO_CACHE_DIR set by ENV in this stage or the stages it builds on.
fn env_disables_cache(cx: &Ctx, stage: Option<usize>, upto: usize) -> bool {
    let mut chain = Vec::new();
    let mut s = stage;
    while let Some(x) = s {
        if chain.contains(&x) {
            break;
        }
        chain.push(x);
        s = cx.stages[x].parent;
    }
    let mut value: Option<bool> = None;
    for (i, inst) in cx.df.instructions[..upto].iter().enumerate() {
        let in_chain = match cx.stage_of[i] {
            Some(x) => chain.contains(&x),
            None => stage.is_none(),
        };
        if let (true, Kind::Env(kvs)) = (in_chain, &inst.kind) {
            for kv in kvs.iter().filter(|kv| kv.key == "PIP_NO_CACHE_DIR") {
                value = Some(truthy(&kv.value));
            }
        }
    }
    value.unwrap_or(false)
}

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        if r.has_cache_mount("/root/.cache/pip")
            || r.has_cache_mount("/root/.cache")
            || env_disables_cache(cx, r.stage, r.index)
        {
            return false;
        }
        let exported = any_cmd(r, |c| {
            c.name == "export"
                && c.args.iter().any(|a| {
                    a.value
                        .strip_prefix("PIP_NO_CACHE_DIR=")
                        .is_some_and(truthy)
                })
        });
        if exported {
            return false;
        }
        any_cmd(r, |c| {
            is_pip_install(c)
                && !c.has_flag("no-cache-dir")
                && !c
                    .env
                    .iter()
                    .any(|(k, v)| k == "PIP_NO_CACHE_DIR" && truthy(v))
        })
    });
}
