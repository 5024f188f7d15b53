//! `warden lint`: hadolint-compatible Dockerfile linting plus warden's security rules.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use warden_lint::format::{self, FileReport, Format};
use warden_lint::{Config, Level};

use super::Globals;
use crate::exit;

const EXAMPLES: &str = "\
Examples:
  warden lint Dockerfile                         lint one file (tty output with code frames)
  warden lint .                                  every Dockerfile, *.Dockerfile, Containerfile below .
  warden lint -f sarif -o lint.sarif app/        SARIF 2.1.0 for code scanning
  warden lint -f json Dockerfile | jq .          hadolint's JSON shape
  cat Dockerfile | warden lint -                 read stdin
  warden lint --ignore DL3008 -t warning Dockerfile
  warden lint --explain WD1007                   what a rule checks and why
  warden lint --image myapp:1.4                  check a built image (daemon): root user, secrets
                                                 in Env/Labels, setuid, world-writable, keys and
                                                 credential files in any layer (WD2001-WD2008)
  warden lint --image docker-archive:app.tar -f sarif    also oci-dir:, oci-archive:, registry:, dir:
  warden lint --image app:1 Dockerfile           the Dockerfile and the image it built, one report

Config: --config FILE (hadolint keys at the top level, or a warden.yaml with a `lint:` section);
otherwise .hadolint.yaml is looked up as hadolint does ($PWD, $XDG_CONFIG_HOME, ~/.config,
~/.hadolint/, ~) and the `lint:` section of warden.yaml is applied on top. Command-line flags win.
Pragmas: `# hadolint ignore=DL3008`, `# hadolint global ignore=…`, `# hadolint stage ignore=…`,
`# hadolint shell=powershell`, `# warden ignore=WD1001 reason=\"…\"`.
ShellCheck results are cached per RUN script (keyed by script text and shellcheck binary) under
$WARDEN_CACHE_DIR/shellcheck (default ~/.cache/warden); --no-cache skips the cache.
Image findings are located at REF (config) or REF:/path (files); the message names the layer.
Exit: 0 clean, 1 a finding at or above the failure threshold (default info) or a parse error,
64 bad usage or config, 65 a file could not be read, 67 an image could not be opened.";

/// Arguments of `warden lint`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct LintArgs {
    /// Dockerfiles or directories to search; `-` reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format: tty, json, sarif, checkstyle, gnu, gitlab, codeclimate.
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write the report to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not report RULE (repeatable; replaces the config's list).
    #[arg(long, value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Report RULE as an error (repeatable).
    #[arg(long, value_name = "RULE")]
    pub error: Vec<String>,
    /// Report RULE as a warning (repeatable).
    #[arg(long, value_name = "RULE")]
    pub warning: Vec<String>,
    /// Report RULE as info (repeatable).
    #[arg(long, value_name = "RULE")]
    pub info: Vec<String>,
    /// Report RULE as style (repeatable).
    #[arg(long, value_name = "RULE")]
    pub style: Vec<String>,
    /// Allowed registry for FROM (repeatable; enables DL3026).
    #[arg(long = "trusted-registry", value_name = "REGISTRY")]
    pub trusted_registry: Vec<String>,
    /// Required label and its type, `name:type` (text, url, semver, hash, rfc3339, spdx, email).
    #[arg(long = "require-label", value_name = "NAME:TYPE")]
    pub require_label: Vec<String>,
    /// Report labels outside the schema (DL3050).
    #[arg(long)]
    pub strict_labels: bool,
    /// Ignore `# hadolint ignore=` pragmas.
    #[arg(long)]
    pub disable_ignore_pragma: bool,
    /// Lowest level that fails the run: error, warning, info, style, ignore, none.
    #[arg(short = 't', long, value_name = "LEVEL")]
    pub failure_threshold: Option<String>,
    /// Always exit 0 on findings.
    #[arg(long)]
    pub no_fail: bool,
    /// No colour in tty output.
    #[arg(long)]
    pub no_color: bool,
    /// Do not run the external `shellcheck` on RUN scripts.
    #[arg(long)]
    pub no_shellcheck: bool,
    /// Do not read or write the ShellCheck result cache or, for --image, the verified
    /// layer-digest cache ($WARDEN_CACHE_DIR, else $XDG_CACHE_HOME/warden, else ~/.cache/warden).
    #[arg(long)]
    pub no_cache: bool,
    /// Trust each layer's diff ID as the image config states it instead of hashing the layer
    /// (what Syft and Trivy do): faster on a first read of large uncompressed layers, but a
    /// corrupt or tampered layer goes unnoticed. Manifests and configs are still verified.
    #[arg(long)]
    pub skip_layer_verify: bool,
    /// Path printed for stdin input.
    #[arg(long, value_name = "PATH")]
    pub file_path_in_report: Option<String>,
    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "paths")]
    pub explain: Option<String>,
    /// List every rule with its level and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Check a built image (Dockle-style, rules WD2001-WD2008): a daemon name, docker-archive:,
    /// oci-dir:, oci-archive:, registry: or dir: reference (repeatable).
    #[arg(long, value_name = "REF")]
    pub image: Vec<String>,
    /// `os/arch[/variant]` to pick from a multi-platform image index (--image).
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Allow plain-HTTP registries on loopback (--image registry:...).
    #[arg(long)]
    pub insecure: bool,
}

/// Runs `warden lint`.
pub fn run(args: &LintArgs, g: &Globals) -> anyhow::Result<ExitCode> {
    if let Some(code) = &args.explain {
        let Some(rule) = warden_lint::rules::find(code) else {
            return Err(exit::fail(
                exit::USAGE,
                format!("unknown rule '{code}' (see `warden lint --list-rules`)"),
            ));
        };
        let text = format!(
            "{} ({}): {}\n\n{}\n",
            rule.code, rule.level, rule.message, rule.doc
        );
        crate::output::write_output(None, text.as_bytes())?;
        return Ok(ExitCode::from(exit::OK));
    }
    if args.list_rules {
        let mut text = String::new();
        for r in warden_lint::RULES
            .iter()
            .copied()
            .chain(warden_lint::image::rules())
        {
            text.push_str(&format!("{}\t{}\t{}\n", r.code, r.level, r.message));
        }
        crate::output::write_output(None, text.as_bytes())?;
        return Ok(ExitCode::from(exit::OK));
    }
    if args.paths.is_empty() && args.image.is_empty() {
        return Err(exit::fail(
            exit::USAGE,
            "no Dockerfile or image given (try `warden lint Dockerfile`, `warden lint .` or `warden lint --image REF`)",
        ));
    }
    let config = load_config(args, g)?;
    let format = match args
        .format
        .as_deref()
        .or(config.formats.first().map(String::as_str))
    {
        Some(f) => f
            .parse::<Format>()
            .map_err(|e| exit::fail(exit::USAGE, e))?,
        None => Format::Tty,
    };
    let shellcheck = if config.shellcheck && !args.no_shellcheck {
        warden_lint::shellcheck::find_binary()
    } else {
        None
    };
    let mut config = config;
    if args.no_shellcheck {
        config.shellcheck = false;
    }
    if !args.no_cache {
        config.shellcheck_cache =
            warden_lint::shellcheck::Cache::default_dir().map(warden_lint::shellcheck::Cache::new);
    }

    let mut files = Vec::new();
    let mut unreadable = 0usize;
    let mut stdin_text: Option<String> = None;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| exit::fail(exit::INPUT, format!("reading stdin: {e}")))?;
            stdin_text = Some(String::from_utf8_lossy(&buf).into_owned());
            files.push(p.clone());
        } else if p.is_dir() {
            let (found, errors) = warden_lint::discover::find(p);
            for (d, e) in errors {
                crate::messages::warn(&format!("{}: {e}", d.display()));
                unreadable += 1;
            }
            if found.is_empty() {
                crate::messages::warn(&format!("{}: no Dockerfile found", p.display()));
            }
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let images = lint_images(args, &config, g)?;
    let disk: Vec<PathBuf> = files
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let outcomes = warden_lint::lint_files(&disk, &config, shellcheck.as_deref());
    let mut reports = Vec::new();
    let mut disk_iter = outcomes.into_iter();
    for p in &files {
        if p.as_os_str() == "-" {
            let text = stdin_text.clone().unwrap_or_default();
            let findings = warden_lint::lint(text.as_bytes(), &config, shellcheck.as_deref());
            let path = args
                .file_path_in_report
                .clone()
                .unwrap_or_else(|| "-".into());
            reports.push(FileReport {
                path,
                findings,
                source: Some(text),
            });
            continue;
        }
        let Some(o) = disk_iter.next() else { break };
        match o.result {
            Ok((text, findings)) => reports.push(FileReport {
                path: display(&o.path),
                findings,
                source: Some(text),
            }),
            Err(e) => {
                crate::messages::error(&format!("{}: {e}", o.path.display()));
                unreadable += 1;
            }
        }
    }
    reports.extend(images);
    let color = format == Format::Tty
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && args.output.is_none()
        && std::io::stdout().is_terminal();
    let text = format::render(format, &reports, color);
    crate::output::write_output(args.output.as_deref(), text.as_bytes())?;
    if unreadable > 0 {
        return Err(exit::fail(
            exit::INPUT,
            format!("{unreadable} path(s) could not be read"),
        ));
    }
    let all: Vec<_> = reports
        .iter()
        .flat_map(|r| r.findings.iter().cloned())
        .collect();
    // Code Climate consumers treat a non-zero exit as a crashed engine (hadolint does the same).
    if format == Format::Codeclimate {
        return Ok(ExitCode::from(exit::OK));
    }
    Ok(ExitCode::from(if warden_lint::fails(&all, &config) {
        exit::FINDINGS
    } else {
        exit::OK
    }))
}

/// Opens each `--image` (before any output, so a missing image fails cleanly with 67) and runs
/// the image rules with the same config as the Dockerfile rules.
fn lint_images(args: &LintArgs, config: &Config, g: &Globals) -> anyhow::Result<Vec<FileReport>> {
    let opts = warden_image::OpenOptions {
        platform: args.platform.clone(),
        insecure: args.insecure,
        digest_cache: warden_image::DigestCache::unless(args.no_cache),
        verify_layers: !args.skip_layer_verify,
        ..Default::default()
    };
    let mut reports = Vec::new();
    for reference in &args.image {
        let progress = crate::messages::LayerProgress::new(g.args.quiet);
        let collected = warden_lint::image::open::collect(reference, &opts, &progress)
            .map_err(|e| exit::fail(exit::IMAGE, format!("{reference}: {e}")))?;
        progress.finish();
        for note in &collected.skipped {
            tracing::info!(at = %note.at, reason = %note.reason, "skipped");
        }
        if !collected.skipped.is_empty() {
            tracing::warn!(
                image = %reference,
                count = collected.skipped.len(),
                "entries were skipped; -v lists them"
            );
        }
        let found = warden_lint::image::check(&collected.facts, config);
        reports.extend(warden_lint::image::reports(&found));
    }
    Ok(reports)
}

fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// hadolint's lookup order for its config file.
fn discover_hadolint() -> Option<PathBuf> {
    let mut c = vec![
        PathBuf::from(".hadolint.yaml"),
        PathBuf::from(".hadolint.yml"),
    ];
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from) {
        c.push(x.join("hadolint.yaml"));
        c.push(x.join("hadolint.yml"));
    }
    if let Some(h) = std::env::var_os("HOME").map(PathBuf::from) {
        c.push(h.join(".config/hadolint.yaml"));
        for n in ["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"] {
            c.push(h.join(".hadolint").join(n));
        }
        c.push(h.join(".hadolint.yaml"));
        c.push(h.join(".hadolint.yml"));
    }
    c.into_iter().find(|p| p.is_file())
}

fn usage(e: impl std::fmt::Display) -> anyhow::Error {
    exit::fail(exit::USAGE, e.to_string())
}

fn load_config(args: &LintArgs, g: &Globals) -> anyhow::Result<Config> {
    let mut config = Config::default();
    // An explicit --config that has no `lint:` section is a hadolint config (keys at the top).
    let explicit_hadolint = match (&g.args.config, g.config.raw_section("lint")) {
        (Some(p), None) => Some(p.clone()),
        _ => None,
    };
    let hadolint_file = explicit_hadolint.or_else(|| {
        if g.args.config.is_none() {
            discover_hadolint()
        } else {
            None
        }
    });
    apply_env(&mut config)?;
    if let Some(p) = hadolint_file {
        let text = std::fs::read_to_string(&p)
            .map_err(|e| usage(format!("reading {}: {e}", p.display())))?;
        let value: serde_yaml::Value = serde_yaml::from_str(&text)
            .map_err(|e| usage(format!("config file {}: {e}", p.display())))?;
        config
            .merge_value(&value, &p.display().to_string())
            .map_err(usage)?;
        tracing::info!(path = %p.display(), "loaded hadolint config");
    }
    if let Some(section) = g.config.raw_section("lint") {
        let name = format!(
            "{} (lint:)",
            g.config
                .path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
        config.merge_value(section, &name).map_err(usage)?;
    }
    if !args.ignore.is_empty() {
        config.ignored = args.ignore.clone();
    }
    for (lvl, list) in [
        (Level::Error, &args.error),
        (Level::Warning, &args.warning),
        (Level::Info, &args.info),
        (Level::Style, &args.style),
    ] {
        for code in list {
            config.overrides.insert(code.clone(), lvl);
        }
    }
    config
        .trusted_registries
        .extend(args.trusted_registry.iter().cloned());
    for spec in &args.require_label {
        let (name, typ) = spec.split_once(':').unwrap_or((spec.as_str(), "text"));
        let yaml = format!("label-schema:\n  {name:?}: {typ:?}\n");
        let one = Config::from_yaml(&yaml, "--require-label").map_err(usage)?;
        config.label_schema.extend(one.label_schema);
    }
    if args.strict_labels {
        config.strict_labels = true;
    }
    if args.disable_ignore_pragma {
        config.disable_ignore_pragma = true;
    }
    if let Some(t) = &args.failure_threshold {
        config.failure_threshold = warden_lint::config::parse_threshold(t)
            .map_err(|e| usage(format!("--failure-threshold: {e}")))?;
    }
    if args.no_fail {
        config.no_fail = true;
    }
    Ok(config)
}

/// hadolint's environment variables (lowest precedence after defaults).
fn apply_env(config: &mut Config) -> anyhow::Result<()> {
    let truthy = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes");
    let list = |v: &str| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    if let Ok(v) = std::env::var("HADOLINT_IGNORE") {
        config.ignored.extend(list(&v));
    }
    if let Ok(v) = std::env::var("HADOLINT_TRUSTED_REGISTRIES") {
        config.trusted_registries.extend(list(&v));
    }
    for (var, lvl) in [
        ("HADOLINT_OVERRIDE_ERROR", Level::Error),
        ("HADOLINT_OVERRIDE_WARNING", Level::Warning),
        ("HADOLINT_OVERRIDE_INFO", Level::Info),
        ("HADOLINT_OVERRIDE_STYLE", Level::Style),
    ] {
        if let Ok(v) = std::env::var(var) {
            for c in list(&v) {
                config.overrides.insert(c, lvl);
            }
        }
    }
    if let Ok(v) = std::env::var("HADOLINT_FAILURE_THRESHOLD") {
        config.failure_threshold = warden_lint::config::parse_threshold(&v)
            .map_err(|e| usage(format!("HADOLINT_FAILURE_THRESHOLD: {e}")))?;
    }
    if std::env::var("HADOLINT_NOFAIL").is_ok_and(|v| truthy(&v)) {
        config.no_fail = true;
    }
    if std::env::var("HADOLINT_STRICT_LABELS").is_ok_and(|v| truthy(&v)) {
        config.strict_labels = true;
    }
    if std::env::var("HADOLINT_DISABLE_IGNORE_PRAGMA").is_ok_and(|v| truthy(&v)) {
        config.disable_ignore_pragma = true;
    }
    if let Ok(v) = std::env::var("HADOLINT_REQUIRE_LABELS") {
        for spec in list(&v) {
            let (name, typ) = spec.split_once(':').unwrap_or((spec.as_str(), "text"));
            let one = Config::from_yaml(
                &format!("label-schema:\n  {name:?}: {typ:?}\n"),
                "HADOLINT_REQUIRE_LABELS",
            )
            .map_err(usage)?;
            config.label_schema.extend(one.label_schema);
        }
    }
    Ok(())
}
