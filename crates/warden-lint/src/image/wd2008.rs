//! WD2008: package-manager caches left in the image.
use std::collections::BTreeMap;

use super::{Facts, ImageOut};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2008",
    level: Level::Info,
    message: "A package-manager cache is left in the image",
    doc: "## What it does\nReports, once per cache, package-manager caches that still hold files in the final filesystem: apt lists (`/var/lib/apt/lists`, `lock` and `auxfiles` aside) and downloaded `.deb`s (`/var/cache/apt`), `/var/cache/apk`, `/var/cache/yum`, `/var/cache/dnf`, `/var/cache/zypp`, pip's `~/.cache/pip`, npm's `~/.npm/_cacache` and yarn's `.cache/yarn`, with the file count and size.\n\n**Dockle:** DKL-DI-0005 (\"Clear apt-get caches\") and DKL-DI-0004 (\"Use apk add with --no-cache\"), which Dockle infers from the history's command lines; warden looks at the files themselves, so it also sees caches a `COPY` brought in, and does not flag a RUN that cleaned up.\n\n## Why\nCaches make images bigger and slower to pull and scan, and stale package indexes invite `apt-get install` at runtime.\n\n## Example\n```dockerfile\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

/// Cache directories: a path prefix (or `/`-bounded fragment) and the cache's name.
const CACHES: &[(&str, &str)] = &[
    ("/var/lib/apt/lists/", "apt package lists"),
    ("/var/cache/apt/", "apt package cache"),
    ("/var/cache/apk/", "apk package cache"),
    ("/var/cache/yum/", "yum cache"),
    ("/var/cache/dnf/", "dnf cache"),
    ("/var/cache/zypp/", "zypper cache"),
    ("/.cache/pip/", "pip cache"),
    ("/.npm/_cacache/", "npm cache"),
    ("/.cache/yarn/", "yarn cache"),
];

/// The cache directory (`/var/lib/apt/lists`, `/root/.cache/pip`) a file belongs to, and its name.
pub(super) fn cache_of(path: &str) -> Option<(&str, &'static str)> {
    if path == "/var/lib/apt/lists/lock" || path.starts_with("/var/lib/apt/lists/auxfiles/") {
        return None;
    }
    CACHES.iter().find_map(|&(frag, name)| {
        let at = if frag.starts_with("/var/") {
            path.starts_with(frag).then_some(0)?
        } else {
            path.find(frag)?
        };
        Some((&path[..at + frag.len() - 1], name))
    })
}

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    let mut caches: BTreeMap<&str, (&str, u64, u64)> = BTreeMap::new();
    for e in f.entries.iter().filter(|e| !e.dir) {
        if let Some((dir, name)) = cache_of(&e.path) {
            let c = caches.entry(dir).or_insert((name, 0, 0));
            c.1 += 1;
            c.2 += e.size;
        }
    }
    for (dir, (name, files, bytes)) in caches {
        out.path(
            dir,
            format!(
                "Left in the image: the {name} ({files} file{}, {bytes} bytes); remove it in the RUN that filled it",
                if files == 1 { "" } else { "s" }
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_are_found_by_directory() {
        assert_eq!(
            cache_of("/var/lib/apt/lists/deb.debian.org_InRelease"),
            Some(("/var/lib/apt/lists", "apt package lists"))
        );
        assert_eq!(cache_of("/var/lib/apt/lists/lock"), None);
        assert_eq!(
            cache_of("/root/.cache/pip/http/a/b"),
            Some(("/root/.cache/pip", "pip cache"))
        );
        assert_eq!(
            cache_of("/home/app/.npm/_cacache/index-v5/x"),
            Some(("/home/app/.npm/_cacache", "npm cache"))
        );
        assert_eq!(cache_of("/srv/var/cache/apk/x"), None);
        assert_eq!(cache_of("/usr/lib/python3/pip/x"), None);
    }
}
