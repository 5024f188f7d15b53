//! WD2001: the image runs as root.
use super::{Facts, ImageOut};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2001",
    level: Level::Warning,
    message: "The image runs as root: set a non-root USER",
    doc: "## What it does\nFlags an image whose config `User` is empty (the default: root), `root`, `0`, or `root`/`0` with any group (`0:0`, `root:staff`), and a named user whose UID in the image's `/etc/passwd` is 0.\n\n**Dockle:** CIS-DI-0001 (\"Create a user for the container\"), which flags only an empty `User` and `root`. The Dockerfile counterpart is WD1001.\n\n## Why\nA process running as root in a container is one kernel bug away from root on the host, and can rewrite its own binaries. The config's `User` is what `docker run` uses unless overridden.\n\n## Example\n```dockerfile\nFROM debian:12-slim\nRUN useradd -u 10001 app\nUSER 10001\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

/// The UID of `name` in an `/etc/passwd` text.
fn uid_of(passwd: &str, name: &str) -> Option<String> {
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then(|| f.nth(1).map(str::to_string))?
    })
}

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    let user = f.user.trim();
    let name = user.split(':').next().unwrap_or(user);
    if name.is_empty() {
        out.config(
            "The image config sets no User, so the container runs as root: set a non-root USER"
                .into(),
        );
    } else if name == "root" || name.trim_start_matches('0').is_empty() {
        out.config(format!(
            "The image runs as root (User \"{user}\"): set a non-root USER"
        ));
    } else if name.parse::<u32>().is_err() {
        let uid = f.passwd.as_deref().and_then(|p| uid_of(p, name));
        if uid
            .as_deref()
            .is_some_and(|u| u.trim_start_matches('0').is_empty())
        {
            out.config(format!(
                "The image runs as root: User \"{user}\" has UID 0 in /etc/passwd"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(user: &str, passwd: Option<&str>) -> bool {
        let f = Facts {
            user: user.into(),
            passwd: passwd.map(str::to_string),
            ..Default::default()
        };
        let mut o = ImageOut { found: Vec::new() };
        check(&f, &mut o);
        !o.found.is_empty()
    }

    #[test]
    fn root_spellings() {
        for u in [
            "",
            "root",
            "0",
            "0:0",
            "root:root",
            "00",
            "0:1000",
            " root ",
        ] {
            assert!(fires(u, None), "{u:?}");
        }
        for u in ["10001", "10001:0", "app", "nobody:nogroup", "1000:1000"] {
            assert!(!fires(u, None), "{u:?}");
        }
        let passwd = "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n";
        assert!(fires("toor", Some(passwd)));
        assert!(!fires("app", Some(passwd)));
        assert!(!fires("ghost", Some(passwd)));
    }
}
