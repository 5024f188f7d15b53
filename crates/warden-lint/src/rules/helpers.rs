//! Small predicates several rules share.

use crate::ast::{Instruction, Kind};
use crate::context::{Ctx, RunInfo};
use crate::shell::Command;

/// Archive extensions hadolint recognises (DL3010, DL3020).
pub const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar", ".z", ".bz2", ".gz", ".lz", ".lzma", ".tz", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];

/// Whether a path names an archive by its extension.
pub fn is_archive(path: &str) -> bool {
    let p = path
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    ARCHIVE_EXTENSIONS.iter().any(|e| p.ends_with(e))
}

/// Whether a source is a remote URL.
pub fn is_url(s: &str) -> bool {
    let s = s.trim_matches(|c| c == '"' || c == '\'');
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@")
}

/// Strips one layer of matching quotes.
pub fn drop_quotes(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Every RUN in the file, with its commands; `f` gets each run and returns whether it fails.
pub fn each_run(cx: &Ctx, out: &mut super::Out, mut f: impl FnMut(&RunInfo) -> bool) {
    for r in &cx.runs {
        if f(r) {
            out.at(r.outer);
        }
    }
}

/// Whether any command of a RUN satisfies `f`.
pub fn any_cmd(r: &RunInfo, f: impl Fn(&Command) -> bool) -> bool {
    r.commands().any(f)
}

/// Whether a command is `name` with every one of `args` among its arguments.
pub fn cmd_has_args(c: &Command, name: &str, args: &[&str]) -> bool {
    c.name == name && args.iter().all(|a| c.args.iter().any(|x| x.value == *a))
}

/// `pip`, `pip3`, `pip3.11`, or `python -m pip` doing `install`.
pub fn is_pip_install(c: &Command) -> bool {
    let n = c.base_name();
    let pip = n == "pip"
        || (n.starts_with("pip") && n[3..].chars().all(|ch| ch.is_ascii_digit() || ch == '.'));
    if pip {
        return c.args.iter().any(|a| a.value == "install");
    }
    let py = n.starts_with("python");
    if py {
        let v = c.arg_values();
        return v.windows(2).any(|w| w[0] == "-m" && w[1] == "pip") && v.contains(&"install");
    }
    false
}

/// The inner instruction of ONBUILD, or the instruction itself.
pub fn unwrap_onbuild(i: &Instruction) -> &Instruction {
    match &i.kind {
        Kind::Onbuild(inner) => inner,
        _ => i,
    }
}

/// Package arguments: arguments that are not flags, with the subcommand words removed.
pub fn packages<'a>(c: &'a Command, subcommands: &[&str]) -> Vec<&'a str> {
    let mut seen_sub = false;
    c.args_no_flags()
        .into_iter()
        .filter(|a| {
            if !seen_sub && subcommands.contains(a) {
                seen_sub = true;
                return false;
            }
            true
        })
        .collect()
}

/// Names a RUN installs with a package manager, for the build-tools and SSH rules.
pub fn installed_packages(r: &RunInfo) -> Vec<String> {
    let mut out = Vec::new();
    for c in r.script.iter().flat_map(|s| s.commands.iter()) {
        let n = c.base_name();
        let sub: &[&str] = match n {
            "apt-get" | "apt" | "aptitude" | "yum" | "dnf" | "microdnf" | "zypper" | "tdnf" => {
                &["install", "in"]
            }
            "apk" => &["add"],
            _ => continue,
        };
        if !c.args_no_flags().first().is_some_and(|s| sub.contains(s)) {
            continue;
        }
        let c = c.drop_flag_arg(&["t", "target-release", "virtual", "repository", "X"]);
        out.extend(packages(&c, sub).into_iter().map(|p| p.to_string()));
    }
    out
}

/// Whether a command matching `install` runs and is not followed, later in the same RUN, by a
/// command matching `clean` (cleaning first and installing afterwards still leaves a cache).
pub fn installs_without_cleanup(
    r: &RunInfo,
    install: impl Fn(&Command) -> bool,
    clean: impl Fn(&Command, &Command) -> bool,
) -> bool {
    let cmds: Vec<&Command> = r.commands().collect();
    let Some(last) = cmds.iter().rposition(|c| install(c)) else {
        return false;
    };
    let inst = cmds[last];
    !cmds[last + 1..].iter().any(|c| clean(inst, c))
}

/// `${name}` / `$name` replaced from `env` (unknown variables are kept).
pub fn substitute(s: &str, env: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let braced = b.get(i + 1) == Some(&b'{');
            let start = if braced { i + 2 } else { i + 1 };
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let name = &s[start..j];
            let end = if braced {
                if b.get(j) == Some(&b'}') {
                    j + 1
                } else {
                    usize::MAX
                }
            } else {
                j
            };
            if !name.is_empty() && end != usize::MAX {
                if let Some(v) = env.get(name) {
                    out.push_str(v);
                    i = end;
                    continue;
                }
            }
        }
        let l = s[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&s[i..i + l]);
        i += l;
    }
    out
}

/// Whether an rpm package argument carries a version (`name-1.2`) or is an rpm file.
pub fn rpm_pinned(p: &str) -> bool {
    p.ends_with(".rpm")
        || p.as_bytes()
            .windows(2)
            .any(|w| w[0] == b'-' && w[1].is_ascii_digit())
}
