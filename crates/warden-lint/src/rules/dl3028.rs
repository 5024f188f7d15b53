//! DL3028: pin versions in gem install.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3028",
    level: Level::Warning,
    message: "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
    doc: "## What it does\nFlags `gem install <gem>` without `:version` or `-v`.\n\n## Why\nUnpinned gems make builds change silently.\n\n## Example\n```dockerfile\nRUN gem install bundler:2.5.6\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            if c.name != "gem"
                || !c
                    .args_no_flags()
                    .first()
                    .is_some_and(|s| *s == "install" || *s == "i")
            {
                return false;
            }
            if c.has_any_flag(&["v", "version"]) {
                return false;
            }
            const WITH_VALUE: &[&str] = &[
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "--source",
                "-g",
                "--file",
                "--platform",
                "-P",
                "--trust-policy",
            ];
            let mut pkgs = Vec::new();
            let mut it = c
                .args
                .iter()
                .skip_while(|a| a.value != "install" && a.value != "i")
                .skip(1);
            while let Some(a) = it.next() {
                let v = a.value.as_str();
                if v == "--" {
                    break;
                }
                if v.starts_with('-') {
                    if !pkgs.is_empty() {
                        // Flags after the gems belong to the gems' build (`--use-system-libraries true`).
                        break;
                    }
                    if WITH_VALUE.contains(&v) {
                        it.next();
                    }
                    continue;
                }
                pkgs.push(v);
            }
            pkgs.iter().any(|p| !p.contains(':'))
        })
    });
}
