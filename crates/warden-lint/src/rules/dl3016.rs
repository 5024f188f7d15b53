//! DL3016: pin versions in npm.
use super::prelude::*;
use crate::shell::Command;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3016",
    level: Level::Warning,
    message: "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
    doc: "## What it does\nFlags `npm install <pkg>` without `@version` (package.json installs, tarballs, folders and git URLs with a `#ref` are accepted).\n\n## Why\nUnpinned packages make builds change silently.\n\n## Example\n```dockerfile\nRUN npm install -g typescript@5.4.2\n```",
    family: Family::Hadolint,
    check,
};

fn pinned(p: &str) -> bool {
    let p = drop_quotes(p);
    if ["git://", "git+ssh://", "git+http://", "git+https://"]
        .iter()
        .any(|g| p.starts_with(g))
    {
        return p.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"].iter().any(|s| p.ends_with(s)) {
        return true;
    }
    if ["/", "./", "../", "~/"].iter().any(|s| p.starts_with(s)) {
        return true;
    }
    if let Some(rest) = p.strip_prefix('@') {
        return rest.contains('@');
    }
    p.contains('@')
}

fn unpinned(c: &Command) -> bool {
    if c.name != "npm" {
        return false;
    }
    let c = c.drop_flag_arg(&[
        "prefix",
        "registry",
        "cache",
        "userconfig",
        "loglevel",
        "C",
        "w",
        "workspace",
    ]);
    let args = c.args_no_flags();
    if !args
        .first()
        .is_some_and(|a| matches!(*a, "install" | "i" | "add"))
    {
        return false;
    }
    args[1..].iter().any(|p| !pinned(p))
}

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| any_cmd(r, unpinned));
}
