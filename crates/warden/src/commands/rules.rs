//! `warden rules`: validate Falco-compatible rules files (`check`) and list what they define
//! (`list`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use warden_rules::{defaults, LoadReport, Loader, Message};

use super::Globals;
use crate::exit;

/// Arguments of `warden rules`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  warden rules check my_rules.yaml             validate like `falco --validate`
  warden rules check falco_rules.yaml local.yaml --format json
  warden rules check                           check the default rules
  warden rules list                            list the default rules and their event types")]
pub struct RulesArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// `warden rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rules files the way Falco's `--validate` does: every error and warning with its
    /// file, item and line. Files load in order, so later files may override earlier ones.
    ///
    /// Exit code 0 when the rules load (warnings allowed), 65 when any file has an error.
    #[command(
        after_help = "Examples:\n  warden rules check /etc/falco/falco_rules.yaml my_rules.yaml\n  warden rules check --format json rules.yaml\n  warden rules check            # the built-in default rules"
    )]
    Check(CheckArgs),
    /// List the rules that the files (or the defaults) define, with priority, state and the
    /// event types each rule is evaluated on.
    List(CheckArgs),
}

/// Arguments of `warden rules check` and `warden rules list`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rules files, loaded in order. Without files, the built-in defaults (Falco's stable rules
    /// and warden's rules).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output format of `warden rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Falco-style text.
    Text,
    /// One JSON document in the shape of Falco's `json_output` validation results.
    Json,
}

/// Runs `warden rules`.
pub fn run(args: &RulesArgs, _g: &Globals) -> anyhow::Result<ExitCode> {
    match &args.command {
        RulesCommand::Check(a) => check(a),
        RulesCommand::List(a) => list(a),
    }
}

struct Loaded {
    /// (display name, text) per file, in load order.
    files: Vec<(String, String)>,
    report: LoadReport,
}

fn load(a: &CheckArgs) -> Loaded {
    let mut files = Vec::new();
    let mut loader = Loader::new();
    if a.files.is_empty() {
        for (name, text) in [
            ("falco_rules.yaml", defaults::FALCO_RULES),
            ("warden_rules.yaml", defaults::WARDEN_RULES),
        ] {
            loader.add_str(name, text);
            files.push((name.to_string(), text.to_string()));
        }
    } else {
        for p in &a.files {
            let name = p.display().to_string();
            match std::fs::read(p) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    loader.add_str(&name, &text);
                    files.push((name, text));
                }
                Err(_) => {
                    // The loader reports the read error with its file name.
                    loader.add_file(p);
                    files.push((name, String::new()));
                }
            }
        }
    }
    Loaded {
        files,
        report: loader.finish(),
    }
}

fn code_desc(code: &str) -> &'static str {
    match code {
        "LOAD_ERR_FILE_READ" => "Could not read file",
        "LOAD_ERR_YAML_PARSE" => "Invalid yaml",
        "LOAD_ERR_YAML_VALIDATE" => "Invalid rules content",
        "LOAD_ERR_COMPILE_CONDITION" => "Error compiling condition",
        "LOAD_ERR_COMPILE_OUTPUT" => "Error compiling output",
        "LOAD_ERR_VALIDATE" => "Error validating rule/macro/list/exception objects",
        "LOAD_ERR_VALUE" => "Invalid value",
        "LOAD_ERR_OVERRIDE_APPEND" => "Invalid use of append with override",
        "LOAD_UNKNOWN_KEY" => "Unknown object key",
        "LOAD_UNKNOWN_ITEM" => "Unknown top level item",
        "LOAD_UNUSED_MACRO" => "Unused macro",
        "LOAD_UNUSED_LIST" => "Unused list",
        "LOAD_DEPRECATED_ITEM" => "Deprecated item",
        "LOAD_DEPRECATED_FIELD" => "Deprecated field",
        "WARNING_NO_EVTTYPE" => "Condition has no event-type restriction",
        "LOAD_COMPILE_CONDITION" => "Condition has ambiguous values",
        "LOAD_EXCEPTION_NO_VALUES" => "Exception without values",
        "LOAD_EXCEPTION_NAME_NOT_UNIQUE" => "Exception names are not unique",
        "LOAD_INVALID_MACRO_NAME" => "Invalid macro name",
        "LOAD_INVALID_LIST_NAME" => "Invalid list name",
        "LOAD_UNSUPPORTED_SOURCE" => "Unsupported event source",
        "LOAD_UNKNOWN_FILTER" => "Unknown filter field",
        _ => "Rules loading problem",
    }
}

fn snippet(files: &[(String, String)], m: &Message) -> Option<String> {
    let text = &files.iter().find(|(n, _)| *n == m.location.file)?.1;
    let line = text.lines().nth(m.location.line.checked_sub(1)?)?;
    let caret = " ".repeat(m.location.column.saturating_sub(1));
    Some(format!("{line}\n{caret}^"))
}

fn text_block(out: &mut String, files: &[(String, String)], m: &Message) {
    let l = &m.location;
    if l.name.is_empty() {
        out.push_str(&format!(
            "In rules content: ({}:{}:{})\n",
            l.file, l.line, l.column
        ));
    } else {
        out.push_str(&format!(
            "In {} '{}': ({}:{}:{})\n",
            l.kind, l.name, l.file, l.line, l.column
        ));
    }
    if let Some(s) = snippet(files, m) {
        out.push_str(&format!("------\n{s}\n------\n"));
    }
    out.push_str(&format!(
        "{} ({}): {}\n",
        m.code,
        code_desc(m.code),
        m.message
    ));
}

fn by_file<'a>(
    files: &[(String, String)],
    msgs: &'a [Message],
) -> BTreeMap<usize, Vec<&'a Message>> {
    let mut map: BTreeMap<usize, Vec<&Message>> = BTreeMap::new();
    for m in msgs {
        let i = files
            .iter()
            .position(|(n, _)| *n == m.location.file)
            .unwrap_or(0);
        map.entry(i).or_default().push(m);
    }
    for v in map.values_mut() {
        v.sort_by_key(|m| (m.location.line, m.location.column));
    }
    map
}

fn check(a: &CheckArgs) -> anyhow::Result<ExitCode> {
    let Loaded { files, report } = load(a);
    let errors = by_file(&files, &report.errors);
    let warnings = by_file(&files, &report.warnings);
    let mut out = String::new();
    match a.format {
        Format::Text => {
            for (i, (name, _)) in files.iter().enumerate() {
                let es = errors.get(&i).map_or(&[][..], Vec::as_slice);
                let ws = warnings.get(&i).map_or(&[][..], Vec::as_slice);
                let status = match (es.is_empty(), ws.is_empty()) {
                    (false, _) => "Invalid",
                    (true, false) => "Ok, with warnings",
                    (true, true) => "Ok",
                };
                out.push_str(&format!("{name}: {status}\n"));
                if !es.is_empty() {
                    out.push_str(&format!("{} Errors:\n", es.len()));
                    for m in es {
                        text_block(&mut out, &files, m);
                    }
                }
                if !ws.is_empty() {
                    out.push_str(&format!("{} Warnings:\n", ws.len()));
                    for m in ws {
                        text_block(&mut out, &files, m);
                    }
                }
            }
            if report.ok() {
                let enabled = report.rules.iter().filter(|r| r.enabled).count();
                out.push_str(&format!(
                    "{} rules loaded, {enabled} enabled\n",
                    report.rules.len()
                ));
            }
        }
        Format::Json => {
            let item = |m: &Message| {
                serde_json::json!({
                    "code": m.code,
                    "codedesc": code_desc(m.code),
                    "message": m.message,
                    "context": {
                        "locations": [{
                            "item_type": m.location.kind,
                            "item_name": m.location.name,
                            "position": {"name": m.location.file, "line": m.location.line, "column": m.location.column},
                        }],
                        "snippet": snippet(&files, m),
                    },
                })
            };
            let results: Vec<serde_json::Value> = files
                .iter()
                .enumerate()
                .map(|(i, (name, _))| {
                    let es: Vec<_> = errors.get(&i).map_or(Vec::new(), |v| v.iter().map(|m| item(m)).collect());
                    let ws: Vec<_> = warnings.get(&i).map_or(Vec::new(), |v| v.iter().map(|m| item(m)).collect());
                    serde_json::json!({"name": name, "successful": es.is_empty(), "errors": es, "warnings": ws})
                })
                .collect();
            let doc = serde_json::json!({
                "falco_load_results": results,
                "successful": report.ok(),
                "rules": report.rules.len(),
                "enabled_rules": report.rules.iter().filter(|r| r.enabled).count(),
            });
            out.push_str(&serde_json::to_string_pretty(&doc)?);
            out.push('\n');
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    if report.ok() {
        Ok(ExitCode::from(exit::OK))
    } else {
        Ok(ExitCode::from(exit::INPUT))
    }
}

fn list(a: &CheckArgs) -> anyhow::Result<ExitCode> {
    let Loaded { report, .. } = load(a);
    if !report.ok() {
        let first = report
            .errors
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(exit::fail(
            exit::INPUT,
            format!(
                "rules do not load ({} errors; run `warden rules check`): {first}",
                report.errors.len()
            ),
        ));
    }
    let mut out = String::new();
    match a.format {
        Format::Text => {
            for r in &report.rules {
                let types = r.event_types.as_ref().map_or_else(
                    || "*".to_string(),
                    |t| t.iter().cloned().collect::<Vec<_>>().join(","),
                );
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    r.name,
                    r.priority.as_str(),
                    if r.enabled { "enabled" } else { "disabled" },
                    types
                ));
            }
        }
        Format::Json => {
            let v: Vec<_> = report
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "priority": r.priority.as_str(),
                        "enabled": r.enabled,
                        "tags": r.tags,
                        "source": r.source,
                        "event_types": r.event_types,
                        "condition": r.condition,
                        "file": r.location.file,
                        "line": r.location.line,
                    })
                })
                .collect();
            out.push_str(&serde_json::to_string_pretty(&v)?);
            out.push('\n');
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::from(exit::OK))
}
