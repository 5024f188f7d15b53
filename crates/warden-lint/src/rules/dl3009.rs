//! DL3009: delete the apt lists after installing.
use super::prelude::*;
use crate::context::RunInfo;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3009",
    level: Level::Info,
    message: "Delete the apt lists (/var/lib/apt/lists) after installing something",
    doc: "## What it does\nFlags `apt-get update` without `rm -rf /var/lib/apt/lists/*` in the same RUN, in stages that end up in the image. Cache or tmpfs mounts on the lists, and `apt-get dist-clean` (apt 2.7+), are accepted. Unlike hadolint, an unrelated `rm -rf` is not.\n\n## Why\nThe package lists add tens of MB to the layer.\n\n## Example\n```dockerfile\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n```",
    family: Family::Hadolint,
    check,
};

fn forgot(r: &RunInfo) -> bool {
    let update = any_cmd(r, |c| {
        matches!(c.name.as_str(), "apt-get" | "apt" | "aptitude")
            && c.args.iter().any(|a| a.value == "update")
    });
    // `apt-get dist-clean` (apt >= 2.7, Debian 13) removes the lists itself. hadolint 2.15.1
    // does not know it, and it takes any `rm -rf` as cleanup (its cmdHasArgs matches either
    // argument); warden wants the lists actually gone.
    let cleanup = any_cmd(r, |c| {
        (c.name == "rm"
            && c.args
                .iter()
                .any(|a| a.value.starts_with("/var/lib/apt/lists")))
            || (matches!(c.name.as_str(), "apt-get" | "apt")
                && c.args.iter().any(|a| a.value == "dist-clean"))
    });
    let mounted = r.has_cache_mount("/var/lib/apt/lists")
        || (r.has_cache_mount("/var/lib/apt") && r.has_cache_mount("/var/cache/apt"));
    update && !cleanup && !mounted
}

fn check(cx: &Ctx, out: &mut Out) {
    for r in &cx.runs {
        let used = r.onbuild || r.stage.is_none_or(|s| stage_reaches_image(cx, s));
        if used && forgot(r) {
            out.at(r.outer);
        }
    }
}

/// The last stage, or a stage another stage is built `FROM`.
fn stage_reaches_image(cx: &Ctx, s: usize) -> bool {
    s + 1 == cx.stages.len() || cx.stages.iter().skip(s + 1).any(|o| o.parent == Some(s))
}

#[cfg(test)]
mod tests {
    fn dl3009(src: &str) -> bool {
        let cfg = crate::Config {
            shellcheck: false,
            ..Default::default()
        };
        crate::lint(src.as_bytes(), &cfg, None)
            .iter()
            .any(|f| f.code == "DL3009")
    }

    #[test]
    fn only_removing_the_lists_counts_as_cleanup() {
        let run =
            "FROM debian:13\nRUN apt-get update && apt-get install -y --no-install-recommends g=1";
        assert!(dl3009(run));
        assert!(!dl3009(&format!("{run} && rm -rf /var/lib/apt/lists/*")));
        assert!(!dl3009(&format!("{run} && apt-get dist-clean")));
        assert!(
            dl3009(&format!("{run} && apt-get clean")),
            "clean keeps the lists"
        );
        assert!(
            dl3009(&format!("{run} && rm -rf /tmp/build")),
            "hadolint accepts this; the lists stay"
        );
    }
}
