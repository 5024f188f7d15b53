//! WD2007: the image's only tag is `latest`.
use super::{Facts, ImageOut};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2007",
    level: Level::Warning,
    message: "The image is tagged only `latest`",
    doc: "## What it does\nFlags an image whose recorded tags (`RepoTags` from the daemon or a `docker save` archive, the tag of a registry reference) are all `latest`. Images without recorded tags (OCI layouts, `dir:`) are not judged.\n\n**Dockle:** DKL-DI-0006 (\"Avoid latest tag\"), level WARN like Dockle's. The Dockerfile counterpart is DL3007.\n\n## Why\n`latest` moves: a deployment that names it cannot be reproduced or rolled back, and two hosts can run different code under the same name.\n\n## Example\n```console\n$ docker build -t registry.example/app:1.4.2 .\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

fn tag_of(repo_tag: &str) -> &str {
    match repo_tag.rsplit_once(':') {
        Some((_, tag)) if !tag.contains('/') => tag,
        _ => "latest",
    }
}

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    if !f.repo_tags.is_empty() && f.repo_tags.iter().all(|t| tag_of(t) == "latest") {
        out.config(format!(
            "The image is tagged only `latest` ({}): tag it with a version",
            f.repo_tags.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_latest_fires() {
        let fires = |tags: &[&str]| {
            let f = Facts {
                repo_tags: tags.iter().map(|t| t.to_string()).collect(),
                ..Default::default()
            };
            let mut o = ImageOut { found: Vec::new() };
            check(&f, &mut o);
            !o.found.is_empty()
        };
        assert!(fires(&["app:latest"]));
        assert!(fires(&["localhost:5000/app:latest", "app:latest"]));
        assert!(fires(&["localhost:5000/app"]));
        assert!(!fires(&["app:latest", "app:1.2"]));
        assert!(!fires(&["localhost:5000/app:1"]));
        assert!(!fires(&[]));
    }
}
