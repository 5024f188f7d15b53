//! DL3062: pin versions in go install / get / run.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3062",
    level: Level::Warning,
    message: "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
    doc: "## What it does\nFlags `go install`, `go get` and `go run` of remote packages without `@version` (or with `@latest`); local paths are accepted.\n\n## Why\nUnpinned tools make builds change silently.\n\n## Example\n```dockerfile\nRUN go install golang.org/x/tools/gopls@v0.15.2\n```",
    family: Family::Hadolint,
    check,
};

fn pinned(p: &str) -> bool {
    if p.starts_with('.') || p.starts_with('/') {
        return true;
    }
    match p.rsplit_once('@') {
        Some((_, v)) => !v.is_empty() && v != "latest",
        None => false,
    }
}

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            if c.name != "go" {
                return false;
            }
            let args = c.args_no_flags();
            match args.first() {
                Some(&"install") | Some(&"get") => args[1..].iter().any(|p| !pinned(p)),
                Some(&"run") => args.get(1).is_some_and(|p| !pinned(p)),
                _ => false,
            }
        })
    });
}
