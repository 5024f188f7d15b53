//! WD2003: setuid or setgid files.
use super::{Facts, ImageOut};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2003",
    level: Level::Info,
    message: "A setuid or setgid file is in the image",
    doc: "## What it does\nLists every regular file of the final filesystem with the setuid (`04000`) or setgid (`02000`) bit. Directories are not reported: setgid on a directory only makes new files inherit its group.\n\n**Dockle:** CIS-DI-0008 (\"Confirm safety of setuid/setgid files\"), level INFO like Dockle's.\n\n## Why\nA setuid-root binary is a privilege-escalation path for anyone who gets code execution in the container; most containers need none (`su`, `passwd`, `mount` come with base images).\n\n## Example\n```dockerfile\nRUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

/// `setuid`, `setgid` or `setuid and setgid`, for a file mode with either bit.
pub(super) fn special(mode: u32) -> Option<&'static str> {
    match (mode & 0o4000 != 0, mode & 0o2000 != 0) {
        (true, true) => Some("setuid and setgid"),
        (true, false) => Some("setuid"),
        (false, true) => Some("setgid"),
        (false, false) => None,
    }
}

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    for e in f.entries.iter().filter(|e| !e.dir) {
        if let Some(what) = special(e.mode) {
            out.path(
                &e.path,
                format!(
                    "A {what} file (mode {:04o}) is in the image, from {}",
                    e.mode,
                    super::layer_name(f, e.layer)
                ),
            );
        }
    }
}
