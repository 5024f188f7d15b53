//! The Dockerfile parser and its rules.
//!
//! [`parser::parse`] turns text into an [`ast::Dockerfile`] with exact positions (BuildKit's
//! syntax: directives, both escapes, heredocs, flags, JSON and shell forms). [`lint`] runs every
//! rule of [`rules::RULES`] — hadolint's DL rules with their IDs, levels and messages, and
//! warden's WD security rules — applies pragmas and the [`Config`], and returns sorted
//! [`Finding`]s. A file that does not parse yields one `DL1000` finding with the position.
//!
//! ```
//! let cfg = warden_lint::Config { shellcheck: false, ..Default::default() };
//! let found = warden_lint::lint(b"FROM debian\nRUN cd /tmp\n", &cfg, None);
//! assert!(found.iter().any(|f| f.code == "DL3006"));
//! assert!(found.iter().any(|f| f.code == "DL3003" && f.span.start.line == 2));
//! ```
#![deny(missing_docs)]

pub mod ast;
pub mod config;
pub mod context;
pub mod discover;
pub mod expand;
pub mod format;
pub mod image;
pub mod parser;
pub mod pragma;
pub mod rules;
pub mod shell;
pub mod shellcheck;

use std::collections::BTreeSet;
use std::path::Path;

pub use config::{Config, ConfigError, LabelType};
pub use parser::{parse, parse_bytes, ParseError};
pub use rules::{Family, Finding, Level, Rule, RULES};

use ast::{Kind, Pos, Span};
use pragma::Pragma;

/// The code of parse errors.
pub const PARSE_ERROR: &str = "DL1000";

/// Lints Dockerfile bytes. `shellcheck` is the binary to run for SC findings (see
/// [`shellcheck::find_binary`]); `None` skips them.
pub fn lint(src: &[u8], config: &Config, shellcheck: Option<&Path>) -> Vec<Finding> {
    let df = match parser::parse_bytes(src) {
        Ok(df) => df,
        Err(e) => return vec![parse_error_finding(&e)],
    };
    lint_parsed(&df, config, shellcheck)
}

/// The DL1000 finding for a parse error.
pub fn parse_error_finding(e: &ParseError) -> Finding {
    let pos = Pos {
        line: e.line,
        column: e.column,
    };
    Finding {
        code: PARSE_ERROR.into(),
        level: Level::Error,
        message: e.message.clone(),
        span: Span {
            start: pos,
            end: pos,
        },
    }
}

/// Lints an already parsed Dockerfile.
pub fn lint_parsed(
    df: &ast::Dockerfile,
    config: &Config,
    shellcheck: Option<&Path>,
) -> Vec<Finding> {
    let cx = context::Ctx::new(df, config);
    let mut found = Vec::new();
    for rule in RULES {
        let level = cx.level_of(rule.code, rule.level);
        if level == Level::Ignore || config.ignored.iter().any(|c| c == rule.code) {
            continue;
        }
        let mut out = rules::Out {
            code: rule.code,
            message: rule.message,
            found: Vec::new(),
        };
        (rule.check)(&cx, &mut out);
        for (span, msg) in out.found {
            found.push(Finding {
                code: rule.code.into(),
                level,
                message: msg.unwrap_or_else(|| rule.message.into()),
                span,
            });
        }
    }
    if config.shellcheck {
        if let Some(bin) = shellcheck {
            for mut f in shellcheck::run_cached(&cx, bin, config.shellcheck_cache.as_ref()) {
                if config.ignored.contains(&f.code) {
                    continue;
                }
                f.level = cx.level_of(&f.code, f.level);
                if f.level != Level::Ignore {
                    found.push(f);
                }
            }
        }
    }
    if !config.disable_ignore_pragma {
        apply_pragmas(df, &mut found);
    }
    found.sort_by(|a, b| {
        (a.span.start.line, a.span.start.column, &a.code, &a.message).cmp(&(
            b.span.start.line,
            b.span.start.column,
            &b.code,
            &b.message,
        ))
    });
    found.dedup();
    found
}

fn apply_pragmas(df: &ast::Dockerfile, found: &mut Vec<Finding>) {
    let mut line_ignores: Vec<(u32, Vec<String>)> = Vec::new();
    let mut global: BTreeSet<String> = BTreeSet::new();
    let mut stage_ranges: Vec<(u32, u32, Vec<String>)> = Vec::new();
    let from_lines: Vec<u32> = df
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::From(_)))
        .map(|i| i.line())
        .collect();
    for c in &df.comments {
        let line = c.span.start.line;
        match pragma::parse(&c.text) {
            Some(Pragma::Ignore { codes, .. }) => line_ignores.push((line + 1, codes)),
            Some(Pragma::GlobalIgnore { codes }) => global.extend(codes),
            Some(Pragma::StageIgnore { codes }) => {
                if let Some(start) = from_lines.iter().copied().find(|&l| l > line) {
                    let end = from_lines
                        .iter()
                        .copied()
                        .find(|&l| l > start)
                        .unwrap_or(u32::MAX);
                    stage_ranges.push((start, end, codes));
                }
            }
            _ => {}
        }
    }
    found.retain(|f| {
        let line = f.span.start.line;
        f.code == PARSE_ERROR
            || !(global.contains(&f.code)
                || line_ignores
                    .iter()
                    .any(|(l, codes)| *l == line && codes.contains(&f.code))
                || stage_ranges
                    .iter()
                    .any(|(s, e, codes)| line >= *s && line < *e && codes.contains(&f.code)))
    });
}

/// Whether any finding reaches the failure threshold.
pub fn fails(findings: &[Finding], config: &Config) -> bool {
    if config.no_fail {
        return false;
    }
    findings.iter().any(|f| {
        f.code == PARSE_ERROR || config.failure_threshold.is_some_and(|t| f.level.reaches(t))
    })
}

/// The outcome of linting one file from disk.
#[derive(Debug)]
pub struct FileOutcome {
    /// The path as given.
    pub path: std::path::PathBuf,
    /// The text and findings, or why the file could not be read.
    pub result: Result<(String, Vec<Finding>), std::io::Error>,
}

/// Lints files in parallel; results come back in the order of `files`.
pub fn lint_files(
    files: &[std::path::PathBuf],
    config: &Config,
    shellcheck: Option<&Path>,
) -> Vec<FileOutcome> {
    use rayon::prelude::*;
    let one = |p: &std::path::PathBuf| {
        let result = std::fs::read(p).map(|bytes| {
            let found = lint(&bytes, config, shellcheck);
            (String::from_utf8_lossy(&bytes).into_owned(), found)
        });
        FileOutcome {
            path: p.clone(),
            result,
        }
    };
    // A single file gains nothing from the pool, and starting rayon's global pool (reading the
    // cgroup CPU quota, spawning a thread per core) is a measurable part of `warden lint FILE`.
    if files.len() <= 1 {
        return files.iter().map(one).collect();
    }
    files.par_iter().map(one).collect()
}
