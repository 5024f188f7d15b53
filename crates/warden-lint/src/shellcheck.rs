//! ShellCheck findings (SCxxxx) from an external `shellcheck` binary, run the way hadolint runs
//! its built-in ShellCheck: one script per shell-form RUN, prefixed with a shebang for the
//! current SHELL and `export` lines for the ARG/ENV names in scope.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::ast::{Kind, Span};
use crate::context::Ctx;
use crate::rules::{Finding, Level};

/// Codes hadolint excludes (ash-specific, and `source` following).
const EXCLUDED: &str = "SC2187,SC1090,SC1091";
const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The `shellcheck` on PATH (or `$SHELLCHECK`), if any.
pub fn find_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHELLCHECK") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("shellcheck"))
        .find(|p| p.is_file())
}

#[derive(serde::Deserialize)]
struct Json1 {
    comments: Vec<ScComment>,
}

#[derive(serde::Deserialize)]
struct ScComment {
    file: String,
    code: u32,
    level: String,
    message: String,
}

/// Runs ShellCheck over every shell-form RUN of `cx`.
pub fn run(cx: &Ctx, binary: &std::path::Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let pragma = crate::pragma::shell_pragma(cx.df);
    if pragma.as_deref().is_some_and(non_posix) {
        return out;
    }
    let mut vars: Vec<String> = Vec::new();
    let mut shell = "/bin/sh".to_string();
    let mut stage_state: Vec<(Vec<String>, String)> = Vec::new();
    let mut scripts: Vec<(String, Span)> = Vec::new();
    for (i, inst) in cx.df.instructions.iter().enumerate() {
        match &inst.kind {
            Kind::From(_) => {
                let parent = cx.stage_of[i].and_then(|s| cx.stages[s].parent);
                (vars, shell) = match parent.and_then(|p| stage_state.get(p)) {
                    Some((v, s)) => (v.clone(), s.clone()),
                    None => (Vec::new(), "/bin/sh".to_string()),
                };
            }
            Kind::Arg(a) => vars.extend(a.iter().map(|a| a.name.clone())),
            Kind::Env(kvs) => vars.extend(kvs.iter().map(|k| k.key.clone())),
            Kind::Shell(args) => shell = args.first().cloned().unwrap_or_default(),
            _ => {}
        }
        if let Some(s) = cx.stage_of[i] {
            if stage_state.len() <= s {
                stage_state.resize(s + 1, (Vec::new(), String::new()));
            }
            stage_state[s] = (vars.clone(), shell.clone());
        }
        let Some(r) = cx.runs.iter().find(|r| r.index == i) else {
            continue;
        };
        // hadolint checks ONBUILD RUN with a fresh state: default shell, no ARG/ENV in scope.
        let (shell, vars) = if r.onbuild {
            ("/bin/sh".to_string(), Vec::new())
        } else {
            (shell.clone(), vars.clone())
        };
        if r.exec || non_posix(&shell) {
            continue;
        }
        let mut script_shell = shell.clone();
        if let Some(h) = r.run.heredocs.first() {
            if let Some(bang) = h.content.lines().next().and_then(|l| l.strip_prefix("#!")) {
                let b = bang.trim().rsplit('/').next().unwrap_or("").to_string();
                if !matches!(
                    b.split_whitespace().last().unwrap_or(""),
                    "sh" | "bash" | "ksh" | "dash"
                ) {
                    continue;
                }
                script_shell = bang.trim().to_string();
            }
        }
        let mut script = format!(
            "#!{}\n",
            script_shell.split_whitespace().next().unwrap_or("/bin/sh")
        );
        let mut names: Vec<&str> = vars
            .iter()
            .map(String::as_str)
            .chain(PROXY_VARS.iter().copied())
            .collect();
        names.sort();
        names.dedup();
        for v in names {
            if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !v.is_empty() {
                script.push_str(&format!("export {v}=1\n"));
            }
        }
        script.push_str(&r.text);
        script.push('\n');
        scripts.push((script, r.outer.span));
    }
    if scripts.is_empty() {
        return out;
    }
    // One shellcheck process per Dockerfile: its start-up costs more than checking a script.
    let texts: Vec<&str> = scripts.iter().map(|(s, _)| s.as_str()).collect();
    for (idx, c) in check_scripts(binary, &texts) {
        if let Some((_, span)) = scripts.get(idx) {
            out.push(Finding {
                code: format!("SC{}", c.code),
                level: sc_level(&c.level),
                message: c.message,
                span: *span,
            });
        }
    }
    out
}

fn non_posix(shell: &str) -> bool {
    let l = shell.to_ascii_lowercase();
    ["pwsh", "powershell", "cmd"].iter().any(|p| l.contains(p))
}

fn sc_level(l: &str) -> Level {
    match l {
        "error" => Level::Error,
        "warning" => Level::Warning,
        "info" => Level::Info,
        _ => Level::Style,
    }
}

/// Runs one shellcheck over all scripts (written to a private temp dir); returns each comment
/// with the index of its script.
fn check_scripts(binary: &std::path::Path, scripts: &[&str]) -> Vec<(usize, ScComment)> {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "no temp dir for shellcheck scripts");
            return Vec::new();
        }
    };
    let mut paths = Vec::new();
    for (i, s) in scripts.iter().enumerate() {
        let p = dir.path().join(format!("{i}.sh"));
        if std::fs::write(&p, s).is_err() {
            return Vec::new();
        }
        paths.push(p);
    }
    let output = Command::new(binary)
        .args(["-f", "json1", "-e", EXCLUDED, "-S", "style"])
        .args(&paths)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output();
    let Ok(output) = output else {
        tracing::warn!(binary = %binary.display(), "could not start shellcheck");
        return Vec::new();
    };
    let parsed: Json1 = match serde_json::from_slice(&output.stdout) {
        Ok(j) => j,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable shellcheck output");
            return Vec::new();
        }
    };
    parsed
        .comments
        .into_iter()
        .filter_map(|c| {
            let idx = std::path::Path::new(&c.file)
                .file_stem()?
                .to_str()?
                .parse::<usize>()
                .ok()?;
            Some((idx, c))
        })
        .collect()
}

/// The span type re-exported for callers that build SC findings.
pub type RunSpan = Span;
