//! WD2004: world-writable files and directories.
use super::{Facts, ImageOut};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2004",
    level: Level::Warning,
    message: "A world-writable file or directory is in the image",
    doc: "## What it does\nLists regular files of the final filesystem writable by others (`o+w`), and directories writable by others without the sticky bit (`/tmp`'s `1777` is fine: only a file's owner can delete it there). Symlinks (always `0777`) and device nodes are not reported.\n\n**Dockle:** no counterpart; it is the CIS Linux benchmarks' \"no world-writable files\" and \"sticky bit on world-writable directories\" items applied to the image. The Dockerfile counterpart is WD1008 (`chmod 777`).\n\n## Why\nAny user in the container, including one an attacker gets, can replace a world-writable file (a script root runs later, a config) or swap files in a world-writable directory.\n\n## Example\n```dockerfile\nRUN mkdir -p /data && chown 10001:10001 /data && chmod 0750 /data\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

/// Whether an entry is world-writable in the sense of this rule.
pub(super) fn world_writable(dir: bool, mode: u32) -> bool {
    mode & 0o002 != 0 && !(dir && mode & 0o1000 != 0)
}

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    for e in &f.entries {
        if world_writable(e.dir, e.mode) {
            let what = if e.dir {
                "directory without the sticky bit"
            } else {
                "file"
            };
            out.path(
                &e.path,
                format!(
                    "A world-writable {what} (mode {:04o}) is in the image, from {}",
                    e.mode,
                    super::layer_name(f, e.layer)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticky_dirs_are_fine() {
        assert!(world_writable(true, 0o777));
        assert!(!world_writable(true, 0o1777));
        assert!(world_writable(false, 0o666));
        assert!(world_writable(false, 0o1777));
        assert!(!world_writable(false, 0o775));
        assert!(!world_writable(true, 0o2775));
    }
}
