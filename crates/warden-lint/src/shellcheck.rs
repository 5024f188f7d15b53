//! ShellCheck findings (SCxxxx) from an external `shellcheck` binary, run the way hadolint runs
//! its built-in ShellCheck: one script per shell-form RUN, prefixed with a shebang for the
//! current SHELL and `export` lines for the ARG/ENV names in scope.
//!
//! ShellCheck dominates a single-file run (tens of milliseconds of Haskell analysis per script,
//! against ~3 ms for everything else), and a RUN script rarely changes between commits, so its
//! results can be kept in a [`Cache`]: one small file per script, keyed by the script text, the
//! arguments and the identity of the binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

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

#[derive(serde::Deserialize, serde::Serialize)]
struct ScComment {
    // Only the temp file's name; a cached entry belongs to one script, so it is not stored.
    #[serde(default, skip_serializing)]
    file: String,
    code: u32,
    level: String,
    message: String,
}

/// Bumped whenever the stored entry format or the way scripts are built changes.
const CACHE_FORMAT: &str = "warden-shellcheck-cache-1";

/// A directory of ShellCheck results, one JSON file per script.
///
/// The key covers the script text, the fixed arguments and the binary's path, size and
/// modification time, so upgrading ShellCheck starts a fresh set of entries instead of serving
/// the old version's findings. Entries are written to a temp file and renamed, so concurrent
/// runs (one per CI job, or `warden lint DIR` in parallel) never read half an entry; an entry
/// that does not parse is treated as a miss and rewritten.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache stored under `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The default location: `$WARDEN_CACHE_DIR`, else `$XDG_CACHE_HOME/warden`, else
    /// `~/.cache/warden`, with a `shellcheck` directory below it. `None` without a home.
    pub fn default_dir() -> Option<PathBuf> {
        warden_core::cache_dir("shellcheck")
    }

    /// The directory entries live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn binary_id(binary: &Path) -> String {
        let meta = std::fs::metadata(binary).ok();
        let len = meta.as_ref().map_or(0, |m| m.len());
        let mtime = meta
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        format!("{}\0{len}\0{mtime}", binary.display())
    }

    fn entry(&self, binary_id: &str, script: &str) -> PathBuf {
        let mut h = Sha256::new();
        for part in [CACHE_FORMAT, binary_id, EXCLUDED, script] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let key = hex::encode(h.finalize());
        self.dir.join(&key[..2]).join(&key[2..])
    }

    fn load(path: &Path) -> Option<Vec<ScComment>> {
        let bytes = std::fs::read(path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::debug!(entry = %path.display(), error = %e, "unreadable shellcheck cache entry; re-running");
                None
            }
        }
    }

    fn store(path: &Path, comments: &[&ScComment]) {
        let write = || -> std::io::Result<()> {
            let parent = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(parent)?;
            let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
            tmp.write_all(&serde_json::to_vec(comments).unwrap_or_default())?;
            tmp.persist(path).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(e) = write() {
            tracing::debug!(entry = %path.display(), error = %e, "could not write shellcheck cache entry");
        }
    }
}

/// Runs ShellCheck over every shell-form RUN of `cx`.
pub fn run(cx: &Ctx, binary: &std::path::Path) -> Vec<Finding> {
    run_cached(cx, binary, None)
}

/// [`run`], answering unchanged scripts from `cache` and running ShellCheck only on the rest.
pub fn run_cached(cx: &Ctx, binary: &Path, cache: Option<&Cache>) -> Vec<Finding> {
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
        script.push_str(&script_text(r));
        script.push('\n');
        scripts.push((script, r.outer.span));
    }
    if scripts.is_empty() {
        return out;
    }
    let texts: Vec<&str> = scripts.iter().map(|(s, _)| s.as_str()).collect();
    for (idx, c) in check_with_cache(binary, &texts, cache) {
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

/// The shell script BuildKit would run for a shell-form RUN. `RUN <<EOF` alone runs the heredoc
/// body as the script, so that body is what ShellCheck must see; with a command in front
/// (`RUN python3 <<EOF`) the body is that command's stdin, so the script keeps the command and a
/// complete heredoc, terminator included (without it ShellCheck stops at SC1044).
fn script_text(r: &crate::context::RunInfo) -> String {
    let Kind::Run(crate::ast::Arguments::Shell { text, .. }) = &r.run.kind else {
        return r.text.clone();
    };
    let heredocs = &r.run.heredocs;
    if heredocs.is_empty() {
        return text.clone();
    }
    let only_markers = text.split_whitespace().all(|w| {
        w.trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with("<<")
    });
    if only_markers {
        return heredocs[0].content.clone();
    }
    let mut out = text.clone();
    for h in heredocs {
        out.push('\n');
        out.push_str(&h.content);
        if !h.content.ends_with('\n') && !h.content.is_empty() {
            out.push('\n');
        }
        out.push_str(&h.name);
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

/// The comments for every script, from `cache` where present; the misses go to one shellcheck
/// run and are stored (including scripts with no comment, the common case).
fn check_with_cache(
    binary: &Path,
    scripts: &[&str],
    cache: Option<&Cache>,
) -> Vec<(usize, ScComment)> {
    let Some(cache) = cache else {
        return check_scripts(binary, scripts).unwrap_or_default();
    };
    let id = Cache::binary_id(binary);
    let mut out = Vec::new();
    let mut misses: Vec<(usize, PathBuf)> = Vec::new();
    for (i, s) in scripts.iter().enumerate() {
        let entry = cache.entry(&id, s);
        match Cache::load(&entry) {
            Some(comments) => out.extend(comments.into_iter().map(|c| (i, c))),
            None => misses.push((i, entry)),
        }
    }
    if misses.is_empty() {
        return out;
    }
    let texts: Vec<&str> = misses.iter().map(|(i, _)| scripts[*i]).collect();
    // A failed run (no output, unreadable JSON) is not cached: the next run tries again.
    let Some(found) = check_scripts(binary, &texts) else {
        return out;
    };
    for (k, (_, entry)) in misses.iter().enumerate() {
        let mine: Vec<&ScComment> = found
            .iter()
            .filter(|(j, _)| *j == k)
            .map(|(_, c)| c)
            .collect();
        Cache::store(entry, &mine);
    }
    out.extend(found.into_iter().map(|(k, c)| (misses[k].0, c)));
    out
}

/// Runs one shellcheck over all scripts (written to a private temp dir); returns each comment
/// with the index of its script, or `None` when shellcheck could not be run or answered
/// something unreadable.
// One shellcheck process per Dockerfile: its start-up costs more than checking a script.
fn check_scripts(binary: &std::path::Path, scripts: &[&str]) -> Option<Vec<(usize, ScComment)>> {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "no temp dir for shellcheck scripts");
            return None;
        }
    };
    let mut paths = Vec::new();
    for (i, s) in scripts.iter().enumerate() {
        let p = dir.path().join(format!("{i}.sh"));
        if std::fs::write(&p, s).is_err() {
            return None;
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
        return None;
    };
    let parsed: Json1 = match serde_json::from_slice(&output.stdout) {
        Ok(j) => j,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable shellcheck output");
            return None;
        }
    };
    let found = parsed
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
        .collect();
    Some(found)
}

/// The span type re-exported for callers that build SC findings.
pub type RunSpan = Span;
