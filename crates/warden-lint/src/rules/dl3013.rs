//! DL3013: pin versions in pip.
use super::prelude::*;
use crate::shell::Command;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3013",
    level: Level::Warning,
    message: "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`",
    doc: "## What it does\nFlags `pip install` of packages without a version specifier (requirement files, constraints, local paths, wheels, archives and pinned VCS URLs are accepted).\n\n## Why\nUnpinned packages make builds change silently.\n\n## Example\n```dockerfile\nRUN pip install --no-cache-dir flask==3.0.2\n```",
    family: Family::Hadolint,
    check,
};

const FLAGS_WITH_ARGS: &[&str] = &[
    "abi",
    "b",
    "build",
    "e",
    "editable",
    "extra-index-url",
    "f",
    "find-links",
    "i",
    "index-url",
    "implementation",
    "no-binary",
    "only-binary",
    "platform",
    "prefix",
    "progress-bar",
    "proxy",
    "python-version",
    "root",
    "src",
    "t",
    "target",
    "trusted-host",
    "upgrade-strategy",
    "c",
    "constraint",
    "cert",
    "client-cert",
    "log",
    "timeout",
    "retries",
    "exists-action",
    "r",
    "requirement",
    "python",
    "report",
    "config-settings",
    "C",
    "root-user-action",
];
const VERSION_SYMBOLS: &[&str] = &["==", ">=", "<=", ">", "<", "!=", "~=", "===", "@"];

fn pinned(p: &str) -> bool {
    let p = drop_quotes(p);
    if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|v| p.starts_with(v))
    {
        // A VCS URL is pinned by `@ref` in its path (not the `user@` of the host part).
        let path = p.split_once("://").map(|(_, r)| r).unwrap_or(p);
        let path = path.split_once('/').map(|(_, r)| r).unwrap_or("");
        return path.split('#').next().unwrap_or("").contains('@');
    }
    VERSION_SYMBOLS.iter().any(|s| p.contains(s))
        || p.starts_with('.')
        || p.contains('/')
        || p.starts_with('$')
        || p.ends_with(".whl")
        || p.ends_with(".tar.gz")
        || p.ends_with(".zip")
}

/// Whether a pip command installs something unpinned.
pub fn unpinned(c: &Command) -> bool {
    let pipx = c.base_name() == "pipx" && c.args.first().is_some_and(|a| a.value == "install");
    if !is_pip_install(c) && !pipx {
        return false;
    }
    if c.has_any_flag(&["r", "requirement", "c", "constraint", "e", "editable"]) {
        return false;
    }
    let c = c.drop_flag_arg(FLAGS_WITH_ARGS);
    let mut args = c.args_no_flags();
    if c.base_name().starts_with("python") {
        // `python -m pip install`: drop everything up to `install`.
        if let Some(i) = args.iter().position(|a| *a == "install") {
            args.drain(..=i);
        }
    } else if let Some(i) = args.iter().position(|a| *a == "install") {
        args.remove(i);
    }
    args.into_iter().any(|p| !pinned(p))
}

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| any_cmd(r, unpinned));
}
