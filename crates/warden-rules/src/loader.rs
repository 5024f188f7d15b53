//! Falco rules YAML: lists, macros and rules with exceptions, `override`/`append`, `enabled`,
//! `priority`, `tags`, `source`, `required_engine_version` (and `required_plugin_versions`,
//! accepted and ignored because the container fields are built in).
//!
//! Files are read in order and later items change earlier ones, across files, exactly as Falco
//! does. Problems are collected, never thrown: every error and warning names the file, the item
//! (`rule 'X'`, `macro 'Y'`, `list 'Z'`) and the line, so `warden rules check` can print them
//! all at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use serde_yaml::Value;

use crate::ast::{quote_value, Expr, Op, Rhs};
use crate::compiler::{self, Node};
use crate::fields::FieldDef;
use crate::output::Template;
use crate::parser;

/// The engine version warden's loader implements, for `required_engine_version`.
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 57, 0);

/// Rule priority, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// EMERGENCY
    Emergency,
    /// ALERT
    Alert,
    /// CRITICAL
    Critical,
    /// ERROR
    Error,
    /// WARNING
    Warning,
    /// NOTICE
    Notice,
    /// INFORMATIONAL (alias INFO)
    Informational,
    /// DEBUG
    Debug,
}

impl Priority {
    /// Parses a priority name, case-insensitively.
    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" => Priority::Warning,
            "notice" => Priority::Notice,
            "informational" | "info" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// Falco's spelling in alerts (`Warning`, `Notice`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

/// Where an item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name as given to the loader.
    pub file: String,
    /// 1-based line (0 when the problem concerns the whole file).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// `rule`, `macro`, `list`, `required_engine_version` or `file`.
    pub kind: &'static str,
    /// Item name.
    pub name: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if !self.name.is_empty() {
            write!(f, ": {} '{}'", self.kind, self.name)?;
        }
        Ok(())
    }
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Falco's code (`LOAD_ERR_COMPILE_CONDITION`, `LOAD_UNKNOWN_KEY`...).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub location: Location,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.location, self.message, self.code)
    }
}

#[derive(Debug, Clone)]
struct Exception {
    name: String,
    fields: Option<Value>,
    comps: Option<Value>,
    values: Vec<Value>,
}

#[derive(Debug, Clone)]
struct RuleDef {
    name: String,
    desc: String,
    condition: String,
    output: String,
    priority: Priority,
    tags: Vec<String>,
    enabled: bool,
    source: String,
    exceptions: Vec<Exception>,
    warn_evttypes: bool,
    skip_if_unknown_filter: bool,
    loc: Location,
}

#[derive(Debug, Clone)]
struct ListDef {
    items: Vec<String>,
}

#[derive(Debug, Clone)]
struct MacroDef {
    condition: String,
    loc: Location,
    order: usize,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Tags, in file order.
    pub tags: Vec<String>,
    /// Event source (`syscall`).
    pub source: String,
    /// Enabled.
    pub enabled: bool,
    /// The expanded condition as libsinsp's `as_string` renders it.
    pub condition: String,
    /// The evaluation tree.
    pub node: Node,
    /// Event types the rule can match; `None` = every type.
    pub event_types: Option<BTreeSet<String>>,
    /// Output template.
    pub output: Template,
    /// Where it was defined.
    pub location: Location,
}

/// The result of loading: the rules (when there was no error), and every error and warning.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Compiled rules in definition order (disabled ones included, flagged).
    pub rules: Vec<Rule>,
    /// Errors. Non-empty means the rules must not be used.
    pub errors: Vec<Message>,
    /// Warnings.
    pub warnings: Vec<Message>,
    /// Whether every item matched Falco's rules schema.
    pub schema_ok: bool,
}

impl LoadReport {
    /// Whether loading succeeded.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Reads rules files in order, then compiles them.
#[derive(Debug, Default)]
pub struct Loader {
    lists: HashMap<String, ListDef>,
    macros: HashMap<String, MacroDef>,
    rules: Vec<RuleDef>,
    errors: Vec<Message>,
    warnings: Vec<Message>,
    schema_failed: bool,
    extra_fields: &'static [FieldDef],
}

const RULE_KEYS: &[&str] = &[
    "rule",
    "desc",
    "condition",
    "output",
    "priority",
    "tags",
    "enabled",
    "source",
    "exceptions",
    "append",
    "override",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "capture",
    "capture_duration",
];
const LIST_KEYS: &[&str] = &["list", "items", "append", "override"];
const MACRO_KEYS: &[&str] = &["macro", "condition", "append", "override"];
const APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "capture",
    "capture_duration",
    "tags",
    "exceptions",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
];
const APPEND_WARNING: &str = "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

fn valid_name(n: &str) -> bool {
    let b = n.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn get<'a>(m: &'a serde_yaml::Mapping, k: &str) -> Option<&'a Value> {
    m.get(Value::String(k.to_string()))
}

/// Start lines (1-based) of the top-level sequence items of a YAML text. serde_yaml keeps no
/// positions, so items are found by their `- ` at the outermost indentation.
fn item_lines(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let is_item = |l: &str| {
        let t = l.trim_start();
        (t.starts_with("- ") || t == "-") && !l.starts_with('#')
    };
    let indent = lines
        .iter()
        .filter(|l| is_item(l))
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_item(l) && l.len() - l.trim_start().len() == indent)
        .map(|(i, _)| i + 1)
        .collect()
}

fn key_line(text: &str, from: usize, to: usize, key: &str) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .take(to.saturating_sub(from) + 1)
        .find_map(|(i, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(&format!("{key}:"))
                .then(|| (i + 1, l.len() - t.len() + 1))
        })
}

impl Loader {
    /// A loader with the built-in field table only.
    pub fn new() -> Self {
        Loader::default()
    }

    /// A loader that also knows `extra` fields (as a Falco plugin adds fields).
    pub fn with_extra_fields(extra: &'static [FieldDef]) -> Self {
        Loader {
            extra_fields: extra,
            ..Loader::default()
        }
    }

    /// Reads one rules file from disk.
    pub fn add_file(&mut self, path: &Path) {
        match std::fs::read_to_string(path) {
            Ok(t) => self.add_str(&path.display().to_string(), &t),
            Err(e) => self.errors.push(Message {
                code: "LOAD_ERR_FILE_READ",
                message: format!("could not read rules file: {e}"),
                location: file_loc(&path.display().to_string()),
            }),
        }
    }

    fn error(&mut self, code: &'static str, loc: &Location, m: impl Into<String>) {
        self.errors.push(Message {
            code,
            message: m.into(),
            location: loc.clone(),
        });
    }

    fn warn(&mut self, code: &'static str, loc: &Location, m: impl Into<String>) {
        self.warnings.push(Message {
            code,
            message: m.into(),
            location: loc.clone(),
        });
    }

    /// Reads rules from text; `file` names it in messages.
    pub fn add_str(&mut self, file: &str, text: &str) {
        let doc: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                let loc = Location {
                    line,
                    column,
                    ..file_loc(file)
                };
                self.error("LOAD_ERR_YAML_PARSE", &loc, format!("invalid yaml: {e}"));
                return;
            }
        };
        let items = match doc {
            Value::Null => return,
            Value::Sequence(s) => s,
            _ => {
                let loc = Location {
                    line: 1,
                    column: 1,
                    ..file_loc(file)
                };
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    &loc,
                    "rules content is not yaml array of objects",
                );
                return;
            }
        };
        let starts = item_lines(text);
        for (i, item) in items.iter().enumerate() {
            let start = starts.get(i).copied().unwrap_or(0);
            let end = starts.get(i + 1).map_or(usize::MAX / 2, |n| n - 1);
            let mut loc = Location {
                line: start,
                column: 1,
                ..file_loc(file)
            };
            let Value::Mapping(m) = item else {
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    &loc,
                    "unexpected element type. Each element should be a yaml associative array",
                );
                continue;
            };
            let ctx = ItemCtx { text, start, end };
            if let Some(v) = get(m, "required_engine_version") {
                loc.kind = "required_engine_version";
                self.engine_version(v, &loc);
            } else if get(m, "required_plugin_versions").is_some() {
                tracing::debug!(
                    file,
                    "required_plugin_versions ignored: container fields are built in"
                );
            } else if let Some(n) = get(m, "list") {
                loc.kind = "list";
                loc.name = scalar(n).unwrap_or_default();
                self.list(m, &loc);
            } else if let Some(n) = get(m, "macro") {
                loc.kind = "macro";
                loc.name = scalar(n).unwrap_or_default();
                self.macro_item(m, &loc, &ctx);
            } else if let Some(n) = get(m, "rule") {
                loc.kind = "rule";
                loc.name = scalar(n).unwrap_or_default();
                self.rule_item(m, &loc, &ctx);
            } else {
                self.warn("LOAD_UNKNOWN_ITEM", &loc, "unknown top level item");
                self.schema_failed = true;
            }
        }
    }

    fn engine_version(&mut self, v: &Value, loc: &Location) {
        let want = match v {
            Value::Number(n) => n.as_u64().map(|m| (0, m, 0)),
            Value::String(s) => {
                let p: Vec<Option<u64>> = s.trim().split('.').map(|x| x.parse().ok()).collect();
                match p.as_slice() {
                    [Some(a), Some(b), Some(c)] => Some((*a, *b, *c)),
                    [Some(m)] => Some((0, *m, 0)),
                    _ => None,
                }
            }
            _ => None,
        };
        match want {
            None => self.error(
                "LOAD_ERR_VALUE",
                loc,
                format!(
                    "Unable to parse engine version '{}'",
                    scalar(v).unwrap_or_default()
                ),
            ),
            Some(w) if w > ENGINE_VERSION => self.error(
                "LOAD_ERR_VALUE",
                loc,
                format!(
                    "Rules require engine version {}.{}.{}, but engine version is {}.{}.{}",
                    w.0, w.1, w.2, ENGINE_VERSION.0, ENGINE_VERSION.1, ENGINE_VERSION.2
                ),
            ),
            Some(_) => {}
        }
    }

    fn unknown_keys(&mut self, m: &serde_yaml::Mapping, allowed: &[&str], loc: &Location) {
        for k in m.keys() {
            let k = scalar(k).unwrap_or_default();
            if !allowed.contains(&k.as_str()) {
                let any = RULE_KEYS.contains(&k.as_str())
                    || LIST_KEYS.contains(&k.as_str())
                    || MACRO_KEYS.contains(&k.as_str());
                if !any {
                    self.schema_failed = true;
                }
                self.warn(
                    "LOAD_UNKNOWN_KEY",
                    loc,
                    format!("Unknown key '{k}'. The key will be ignored"),
                );
            }
        }
    }

    /// Reads `append:` and `override:`; returns (legacy append, override map) or `None` on error.
    fn overrides(
        &mut self,
        m: &serde_yaml::Mapping,
        loc: &Location,
        allowed_append: &[&str],
        allowed_replace: &[&str],
    ) -> Option<(bool, BTreeMap<String, String>)> {
        let append = match get(m, "append") {
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.error("LOAD_ERR_VALUE", loc, "'append' must be a boolean");
                return None;
            }
            None => false,
        };
        if append {
            self.warn("LOAD_DEPRECATED_ITEM", loc, APPEND_WARNING);
        }
        let mut ov = BTreeMap::new();
        if let Some(o) = get(m, "override") {
            if append {
                self.error(
                    "LOAD_ERR_OVERRIDE_APPEND",
                    loc,
                    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
                );
                return None;
            }
            let Value::Mapping(om) = o else {
                self.error(
                    "LOAD_ERR_VALUE",
                    loc,
                    "'override' must be a mapping of key: append|replace",
                );
                return None;
            };
            for (k, v) in om {
                let k = scalar(k).unwrap_or_default();
                let v = scalar(v).unwrap_or_default();
                match v.as_str() {
                    "append" if allowed_append.contains(&k.as_str()) => {}
                    "append" if allowed_replace.contains(&k.as_str()) => {
                        self.error(
                            "LOAD_ERR_VALUE",
                            loc,
                            format!("Key '{k}' cannot be appended to, use 'replace' instead"),
                        );
                        return None;
                    }
                    "replace" if allowed_replace.contains(&k.as_str()) => {}
                    "append" | "replace" => {
                        self.error(
                            "LOAD_ERR_VALUE",
                            loc,
                            format!("Key '{k}' cannot be overridden"),
                        );
                        return None;
                    }
                    _ => {
                        self.error(
                            "LOAD_ERR_VALUE",
                            loc,
                            format!(
                                "Invalid override value '{v}' for key '{k}': use append or replace"
                            ),
                        );
                        return None;
                    }
                }
                if get(m, &k).is_none() {
                    self.error(
                        "LOAD_ERR_VALUE",
                        loc,
                        format!("An {v} override for '{k}' was specified but '{k}' is not defined"),
                    );
                    return None;
                }
                ov.insert(k, v);
            }
        }
        Some((append, ov))
    }

    fn list(&mut self, m: &serde_yaml::Mapping, loc: &Location) {
        self.unknown_keys(m, LIST_KEYS, loc);
        if !valid_name(&loc.name) {
            self.warn(
                "LOAD_INVALID_LIST_NAME",
                loc,
                "List has an invalid name. List names should match a regular expression: ^[a-zA-Z_][a-zA-Z0-9_]*$",
            );
        }
        let Some((append, ov)) = self.overrides(m, loc, &["items"], &["items"]) else {
            return;
        };
        let items = match get(m, "items") {
            Some(Value::Sequence(s)) => s.iter().filter_map(scalar).collect::<Vec<_>>(),
            Some(Value::Null) => Vec::new(),
            Some(_) => {
                self.error("LOAD_ERR_VALUE", loc, "'items' must be a sequence");
                return;
            }
            None => {
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    loc,
                    "Item has no mapping for key 'items'",
                );
                return;
            }
        };
        let is_append = append || ov.get("items").is_some_and(|v| v == "append");
        if is_append {
            match self.lists.get_mut(&loc.name) {
                Some(l) => l.items.extend(items),
                None => self.error(
                    "LOAD_ERR_VALIDATE",
                    loc,
                    "List uses 'append' or 'override.items: append' but no list by that name already exists",
                ),
            }
        } else {
            self.lists.insert(loc.name.clone(), ListDef { items });
        }
    }

    fn macro_item(&mut self, m: &serde_yaml::Mapping, loc: &Location, ctx: &ItemCtx<'_>) {
        self.unknown_keys(m, MACRO_KEYS, loc);
        if !valid_name(&loc.name) {
            self.warn(
                "LOAD_INVALID_MACRO_NAME",
                loc,
                "Macro has an invalid name. Macro names should match a regular expression: ^[a-zA-Z_][a-zA-Z0-9_]*$",
            );
        }
        let Some((append, ov)) = self.overrides(m, loc, &["condition"], &["condition"]) else {
            return;
        };
        let Some(cond) = get(m, "condition").and_then(scalar) else {
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                loc,
                "Item has no mapping for key 'condition'",
            );
            return;
        };
        let cloc = ctx.key_loc(loc, "condition");
        let is_append = append || ov.get("condition").is_some_and(|v| v == "append");
        if is_append {
            match self.macros.get_mut(&loc.name) {
                Some(prev) => {
                    prev.condition = format!("{} {}", prev.condition, cond);
                }
                None => self.error(
                    "LOAD_ERR_VALIDATE",
                    loc,
                    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
                ),
            }
        } else {
            let order = self
                .macros
                .get(&loc.name)
                .map_or(self.macros.len(), |m| m.order);
            self.macros.insert(
                loc.name.clone(),
                MacroDef {
                    condition: cond,
                    loc: cloc,
                    order,
                },
            );
        }
    }

    fn exceptions(
        &mut self,
        v: Option<&Value>,
        loc: &Location,
        partial: bool,
    ) -> Option<Vec<Exception>> {
        let Some(v) = v else { return Some(Vec::new()) };
        let Value::Sequence(seq) = v else {
            self.error("LOAD_ERR_VALUE", loc, "'exceptions' must be a sequence");
            return None;
        };
        let mut out: Vec<Exception> = Vec::new();
        for e in seq {
            let Value::Mapping(em) = e else {
                self.error("LOAD_ERR_VALUE", loc, "each exception must be a mapping");
                return None;
            };
            for k in em.keys() {
                let k = scalar(k).unwrap_or_default();
                if !["name", "fields", "comps", "values"].contains(&k.as_str()) {
                    self.schema_failed = true;
                    self.warn(
                        "LOAD_UNKNOWN_KEY",
                        loc,
                        format!("Unknown key '{k}' in exception"),
                    );
                }
            }
            let Some(name) = get(em, "name").and_then(scalar) else {
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    loc,
                    "Item has no mapping for key 'name'",
                );
                return None;
            };
            let fields = get(em, "fields").cloned();
            if fields.is_none() && !partial {
                self.error(
                    "LOAD_ERR_YAML_VALIDATE",
                    loc,
                    "Item has no mapping for key 'fields'",
                );
                return None;
            }
            let values = match get(em, "values") {
                Some(Value::Sequence(s)) => s.clone(),
                Some(Value::Null) | None => Vec::new(),
                Some(_) => {
                    self.error(
                        "LOAD_ERR_VALUE",
                        loc,
                        format!("exception '{name}': 'values' must be a sequence"),
                    );
                    return None;
                }
            };
            if partial && values.is_empty() {
                self.warn(
                    "LOAD_EXCEPTION_NO_VALUES",
                    loc,
                    format!("Overriding/appending exception with no values: '{name}'"),
                );
            }
            if out.iter().any(|x| x.name == name) {
                self.warn(
                    "LOAD_EXCEPTION_NAME_NOT_UNIQUE",
                    loc,
                    format!("Multiple definitions of exception '{name}' in the same rule"),
                );
            }
            out.push(Exception {
                name,
                fields,
                comps: get(em, "comps").cloned(),
                values,
            });
        }
        Some(out)
    }

    fn rule_item(&mut self, m: &serde_yaml::Mapping, loc: &Location, ctx: &ItemCtx<'_>) {
        self.unknown_keys(m, RULE_KEYS, loc);
        let Some((append, ov)) = self.overrides(m, loc, APPENDABLE, REPLACEABLE) else {
            return;
        };
        let source = match get(m, "source") {
            None | Some(Value::Null) => "syscall".to_string(),
            Some(v) => scalar(v)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "syscall".into()),
        };
        if let Some(cd) = get(m, "capture_duration") {
            if cd.as_u64().is_none() {
                self.error(
                    "LOAD_ERR_VALUE",
                    loc,
                    "'capture_duration' must be a non-negative integer",
                );
                return;
            }
        }
        if get(m, "capture").is_some_and(|c| !c.is_bool()) {
            self.schema_failed = true;
        }
        let prev = self.rules.iter().position(|r| r.name == loc.name);
        if let Some(p) = prev {
            if (append || !ov.is_empty() || get(m, "source").is_some())
                && self.rules[p].source != source
            {
                self.error(
                    "LOAD_ERR_VALIDATE",
                    loc,
                    "Rule has been re-defined with a different source",
                );
                return;
            }
        }
        let str_of = |k: &str| get(m, k).and_then(scalar);
        if !ov.is_empty() || append {
            // Every key other than rule/override must be covered by an override entry.
            if !ov.is_empty() {
                for k in m.keys() {
                    let k = scalar(k).unwrap_or_default();
                    if !["rule", "override", "source"].contains(&k.as_str()) && !ov.contains_key(&k)
                    {
                        self.error(
                            "LOAD_ERR_VALIDATE",
                            loc,
                            format!("Unexpected key '{k}': an 'override' entry is required to change it"),
                        );
                        return;
                    }
                }
            }
            let Some(p) = prev else {
                let any_append = append || ov.values().any(|v| v == "append");
                let msg = if any_append {
                    "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
                } else {
                    "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists"
                };
                self.error("LOAD_ERR_VALIDATE", loc, msg);
                return;
            };
            let mode = |k: &str| -> Option<&str> {
                if append {
                    APPENDABLE
                        .contains(&k)
                        .then_some("append")
                        .filter(|_| get(m, k).is_some())
                } else {
                    ov.get(k).map(String::as_str)
                }
            };
            let partial_exc = mode("exceptions") == Some("append");
            let exc = match mode("exceptions") {
                Some(_) => match self.exceptions(get(m, "exceptions"), loc, partial_exc) {
                    Some(e) => Some(e),
                    None => return,
                },
                None => None,
            };
            let priority = match (mode("priority"), str_of("priority")) {
                (Some(_), Some(p)) => match Priority::parse(&p) {
                    Some(p) => Some(p),
                    None => {
                        self.error(
                            "LOAD_ERR_VALUE",
                            loc,
                            format!("Invalid priority level: {p}"),
                        );
                        return;
                    }
                },
                _ => None,
            };
            let r = &mut self.rules[p];
            for k in ["condition", "output", "desc"] {
                let (Some(md), Some(v)) = (mode(k), str_of(k)) else {
                    continue;
                };
                let slot = match k {
                    "condition" => &mut r.condition,
                    "output" => &mut r.output,
                    _ => &mut r.desc,
                };
                if md == "append" {
                    *slot = format!("{slot} {v}");
                } else {
                    *slot = v;
                }
            }
            if let Some(p) = priority {
                r.priority = p;
            }
            if let (Some(md), Some(Value::Sequence(t))) = (mode("tags"), get(m, "tags")) {
                let t: Vec<String> = t.iter().filter_map(scalar).collect();
                if md == "append" {
                    r.tags.extend(t);
                } else {
                    r.tags = t;
                }
            }
            if !append {
                if let (Some(_), Some(Value::Bool(b))) = (mode("enabled"), get(m, "enabled")) {
                    r.enabled = *b;
                }
            }
            if let (Some(_), Some(Value::Bool(b))) =
                (mode("warn_evttypes"), get(m, "warn_evttypes"))
            {
                r.warn_evttypes = *b;
            }
            if let (Some(_), Some(Value::Bool(b))) = (
                mode("skip-if-unknown-filter"),
                get(m, "skip-if-unknown-filter"),
            ) {
                r.skip_if_unknown_filter = *b;
            }
            if let Some(exc) = exc {
                if partial_exc {
                    for e in exc {
                        match r.exceptions.iter_mut().find(|x| x.name == e.name) {
                            Some(x) => x.values.extend(e.values),
                            None => r.exceptions.push(e),
                        }
                    }
                } else {
                    r.exceptions = exc;
                }
            }
            return;
        }
        // A standalone `enabled:` toggles an existing rule.
        let only_enabled = m
            .keys()
            .all(|k| matches!(scalar(k).as_deref(), Some("rule" | "enabled")));
        if only_enabled && get(m, "enabled").is_some() {
            self.warn(
                "LOAD_DEPRECATED_ITEM",
                loc,
                "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').",
            );
            match prev {
                Some(p) => {
                    self.rules[p].enabled =
                        get(m, "enabled").and_then(Value::as_bool).unwrap_or(true)
                }
                None => self.error(
                    "LOAD_ERR_VALIDATE",
                    loc,
                    "Rule has 'enabled' key but no rule by that name already exists",
                ),
            }
            return;
        }
        let mut missing = None;
        for k in ["condition", "output", "desc", "priority"] {
            if str_of(k).is_none() {
                missing = Some(k);
                break;
            }
        }
        if let Some(k) = missing {
            self.error(
                "LOAD_ERR_YAML_VALIDATE",
                loc,
                format!("Item has no mapping for key '{k}'"),
            );
            return;
        }
        let pr = str_of("priority").unwrap_or_default();
        let Some(priority) = Priority::parse(&pr) else {
            self.error(
                "LOAD_ERR_VALUE",
                loc,
                format!("Invalid priority level: {pr}"),
            );
            return;
        };
        let Some(exceptions) = self.exceptions(get(m, "exceptions"), loc, false) else {
            return;
        };
        let cloc = ctx.key_loc(loc, "condition");
        let def = RuleDef {
            name: loc.name.clone(),
            desc: str_of("desc").unwrap_or_default(),
            condition: str_of("condition").unwrap_or_default(),
            output: str_of("output").unwrap_or_default(),
            priority,
            tags: match get(m, "tags") {
                Some(Value::Sequence(t)) => t.iter().filter_map(scalar).collect(),
                _ => Vec::new(),
            },
            enabled: get(m, "enabled").and_then(Value::as_bool).unwrap_or(true),
            source,
            exceptions,
            warn_evttypes: get(m, "warn_evttypes")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            skip_if_unknown_filter: get(m, "skip-if-unknown-filter")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            loc: cloc,
        };
        match prev {
            Some(p) => self.rules[p] = def,
            None => self.rules.push(def),
        }
    }

    /// Compiles every rule and returns the report.
    pub fn finish(mut self) -> LoadReport {
        // Macros are checked in their final form: a later `override: replace` may fix an
        // earlier definition.
        let mut macros: Vec<(usize, String, String, Location)> = self
            .macros
            .iter()
            .map(|(n, m)| (m.order, n.clone(), m.condition.clone(), m.loc.clone()))
            .collect();
        macros.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        for (_, _, cond, cloc) in macros {
            if let Err(e) = parser::parse(&cond) {
                let (l, c) = e.line_col(&cond);
                let at = Location {
                    line: cloc.line + l - 1,
                    column: if l == 1 {
                        cloc.column + c + "condition: ".len() - 1
                    } else {
                        c
                    },
                    ..cloc
                };
                self.error(
                    "LOAD_ERR_COMPILE_CONDITION",
                    &at,
                    format!("syntax error in condition: {}", e.message),
                );
            }
        }
        let mut rules = Vec::new();
        let defs = std::mem::take(&mut self.rules);
        for def in &defs {
            if def.source != "syscall" {
                self.warn(
                    "LOAD_UNSUPPORTED_SOURCE",
                    &def.loc,
                    format!(
                        "rule source '{}' is not supported by warden; the rule is skipped",
                        def.source
                    ),
                );
                continue;
            }
            let before = self.errors.len();
            let compiled = self.compile_rule(def);
            if !def.enabled && self.errors.len() > before {
                // Falco does not compile disabled rules; report their problems without failing.
                let demoted: Vec<Message> = self.errors.drain(before..).collect();
                for mut m in demoted {
                    m.message = format!("disabled rule not compiled: {}", m.message);
                    self.warnings.push(m);
                }
            }
            if let Some(r) = compiled {
                rules.push(r);
            }
        }
        LoadReport {
            rules,
            errors: self.errors,
            warnings: self.warnings,
            schema_ok: !self.schema_failed,
        }
    }

    fn exception_expr(&mut self, def: &RuleDef) -> Result<Vec<String>, ()> {
        let loc = &def.loc;
        let mut clauses = Vec::new();
        for e in &def.exceptions {
            let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let check_comp = |c: &str| -> bool {
                let parts: Vec<&str> = c.split(' ').collect();
                match parts.as_slice() {
                    [op] => Op::from_name(op).is_some(),
                    [op, m] => {
                        matches!(*m, "oneof" | "anyof" | "allof")
                            && Op::from_name(op).is_some_and(|o| {
                                !o.is_list() && !matches!(o, Op::Lt | Op::Le | Op::Gt | Op::Ge)
                            })
                    }
                    _ => false,
                }
            };
            let render_val = |v: &Value, listy: bool| -> String {
                match v {
                    Value::Sequence(s) => format!(
                        "({})",
                        s.iter()
                            .filter_map(scalar)
                            .map(|x| quote_value(&x))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    other => {
                        let s = quote_value(&scalar(other).unwrap_or_default());
                        if listy {
                            format!("({s})")
                        } else {
                            s
                        }
                    }
                }
            };
            let listy = |c: &str| c.contains(' ') || Op::from_name(c).is_some_and(Op::is_list);
            match &e.fields {
                Some(Value::Sequence(fields)) => {
                    let fields: Vec<String> = fields.iter().filter_map(scalar).collect();
                    let comps: Vec<String> = match &e.comps {
                        None => vec!["=".to_string(); fields.len()],
                        Some(Value::Sequence(c)) => {
                            c.iter().filter_map(scalar).map(|c| norm(&c)).collect()
                        }
                        Some(other) => vec![norm(&scalar(other).unwrap_or_default())],
                    };
                    if comps.len() != fields.len() {
                        self.error(
                            "LOAD_ERR_VALIDATE",
                            loc,
                            format!(
                                "exception '{}': Fields and comps lists must have equal length",
                                e.name
                            ),
                        );
                        return Err(());
                    }
                    for c in &comps {
                        if !check_comp(c) {
                            self.error(
                                "LOAD_ERR_VALIDATE",
                                loc,
                                format!("'{c}' is not a supported comparison operator"),
                            );
                            return Err(());
                        }
                    }
                    let mut tuples = Vec::new();
                    for v in &e.values {
                        let Value::Sequence(vals) = v else {
                            self.error(
                                "LOAD_ERR_VALIDATE",
                                loc,
                                format!(
                                    "exception '{}': each value must be a list matching the fields",
                                    e.name
                                ),
                            );
                            return Err(());
                        };
                        if vals.len() != fields.len() {
                            self.error("LOAD_ERR_VALIDATE", loc, format!("exception '{}': Fields and values lists must have equal length", e.name));
                            return Err(());
                        }
                        let parts: Vec<String> = fields
                            .iter()
                            .zip(&comps)
                            .zip(vals)
                            .map(|((f, c), v)| format!("{f} {c} {}", render_val(v, listy(c))))
                            .collect();
                        tuples.push(if parts.len() == 1 {
                            parts[0].clone()
                        } else {
                            format!("({})", parts.join(" and "))
                        });
                    }
                    if !tuples.is_empty() {
                        clauses.push(if tuples.len() == 1 {
                            tuples.remove(0)
                        } else {
                            format!("({})", tuples.join(" or "))
                        });
                    }
                }
                Some(f) => {
                    let field = scalar(f).unwrap_or_default();
                    let comp = e
                        .comps
                        .as_ref()
                        .and_then(scalar)
                        .map_or_else(|| "in".to_string(), |c| norm(&c));
                    let ok = matches!(comp.as_str(), "in" | "pmatch" | "intersects")
                        || (comp.contains(' ') && check_comp(&comp));
                    if !ok {
                        self.error(
                            "LOAD_ERR_VALIDATE",
                            loc,
                            format!("exception '{}': When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator, not '{comp}'", e.name),
                        );
                        return Err(());
                    }
                    if !e.values.is_empty() {
                        let vals: Vec<String> = e
                            .values
                            .iter()
                            .filter_map(scalar)
                            .map(|x| quote_value(&x))
                            .collect();
                        clauses.push(format!("{field} {comp} ({})", vals.join(", ")));
                    }
                }
                None => {
                    self.error(
                        "LOAD_ERR_YAML_VALIDATE",
                        loc,
                        "Item has no mapping for key 'fields'",
                    );
                    return Err(());
                }
            }
        }
        Ok(clauses)
    }

    fn compile_rule(&mut self, def: &RuleDef) -> Option<Rule> {
        let loc = def.loc.clone();
        let cond_err = |this: &mut Self, text: &str, e: &parser::ParseError| {
            let (l, c) = e.line_col(text);
            let at = Location {
                line: loc.line + l - 1,
                column: if l == 1 {
                    loc.column + c + "condition: ".len() - 1
                } else {
                    c
                },
                ..loc.clone()
            };
            this.error(
                "LOAD_ERR_COMPILE_CONDITION",
                &at,
                format!("syntax error in condition: {}", e.message),
            );
        };
        let mut ast = match parser::parse(&def.condition) {
            Ok(a) => a,
            Err(e) => {
                cond_err(self, &def.condition, &e);
                return None;
            }
        };
        let clauses = self.exception_expr(def).ok()?;
        if !clauses.is_empty() {
            let mut kids = vec![ast];
            for c in &clauses {
                match parser::parse(c) {
                    Ok(x) => kids.push(Expr::Not(Box::new(x), Default::default())),
                    Err(e) => {
                        self.error(
                            "LOAD_ERR_COMPILE_CONDITION",
                            &loc,
                            format!("exception condition '{c}': {}", e.message),
                        );
                        return None;
                    }
                }
            }
            ast = Expr::And(kids, Default::default());
        }
        let mut stack = Vec::new();
        let expanded = match self.expand(ast, &mut stack) {
            Ok(e) => e,
            Err(m) => {
                self.error("LOAD_ERR_COMPILE_CONDITION", &loc, m);
                return None;
            }
        };
        let condition = expanded.to_string();
        if condition.contains("evt.dir") {
            self.warn(
                "LOAD_DEPRECATED_FIELD",
                &loc,
                "usage of deprecated field 'evt.dir' has been detected in the rule condition: every event is an exit event",
            );
        }
        let (node, warnings) = match compiler::compile(&expanded, self.extra_fields) {
            Ok(x) => x,
            Err(errs) => {
                let unknown = errs.iter().all(|e| e.message.contains("nonexistent field"));
                if def.skip_if_unknown_filter && unknown {
                    self.warn(
                        "LOAD_UNKNOWN_FILTER",
                        &loc,
                        format!("rule skipped: {}", errs[0].message),
                    );
                } else {
                    for e in errs {
                        self.error("LOAD_ERR_COMPILE_CONDITION", &loc, e.message);
                    }
                }
                return None;
            }
        };
        for w in warnings {
            self.warn("LOAD_COMPILE_CONDITION", &loc, w.message);
        }
        let event_types = node.event_types();
        if event_types.is_none() && def.warn_evttypes {
            self.warn(
                "WARNING_NO_EVTTYPE",
                &loc,
                "Rule matches too many evt.type values (WARNING_NO_EVTTYPE). This has a significant performance penalty.",
            );
        }
        let output = match Template::compile(&def.output, self.extra_fields) {
            Ok(t) => t,
            Err(e) => {
                self.error("LOAD_ERR_COMPILE_OUTPUT", &loc, e);
                return None;
            }
        };
        if output.uses_field("evt.dir") {
            self.warn(
                "LOAD_DEPRECATED_FIELD",
                &loc,
                "usage of deprecated field 'evt.dir' has been detected in the rule output",
            );
        }
        Some(Rule {
            name: def.name.clone(),
            desc: def.desc.clone(),
            priority: def.priority,
            tags: def.tags.clone(),
            source: def.source.clone(),
            enabled: def.enabled,
            condition,
            node,
            event_types,
            output,
            location: def.loc.clone(),
        })
    }

    fn list_items(&self, name: &str, depth: usize, out: &mut Vec<String>) {
        match self.lists.get(name) {
            Some(l) if depth < 32 => {
                for it in &l.items {
                    self.list_items(it, depth + 1, out);
                }
            }
            _ => {
                // Falco splices list items into the condition text, so an item written with
                // quotes ('"10.0.0.0/8"') is a quoted token.
                let b = name.as_bytes();
                let quoted =
                    b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0];
                match quoted.then(|| crate::lexer::unescape(name)).flatten() {
                    Some(v) => out.push(v),
                    None => out.push(name.to_string()),
                }
            }
        }
    }

    /// Replaces macro references by their (parsed) conditions and list names by their items.
    fn expand(&self, e: Expr, stack: &mut Vec<String>) -> Result<Expr, String> {
        Ok(match e {
            Expr::And(k, s) => Expr::And(
                k.into_iter()
                    .map(|x| self.expand(x, stack))
                    .collect::<Result<_, _>>()?,
                s,
            ),
            Expr::Or(k, s) => Expr::Or(
                k.into_iter()
                    .map(|x| self.expand(x, stack))
                    .collect::<Result<_, _>>()?,
                s,
            ),
            Expr::Not(k, s) => Expr::Not(Box::new(self.expand(*k, stack)?), s),
            Expr::Ident(name, _) => {
                let Some(m) = self.macros.get(&name) else {
                    return Err(format!("undefined macro '{name}' used in filter"));
                };
                if stack.contains(&name) {
                    return Err(format!("macro '{name}' references itself"));
                }
                let parsed = parser::parse(&m.condition).map_err(|e| {
                    format!("macro '{name}' ({}): syntax error: {}", m.loc, e.message)
                })?;
                stack.push(name);
                let r = self.expand(parsed, stack);
                stack.pop();
                r?
            }
            Expr::Binary(mut b) => {
                b.rhs = match b.rhs {
                    Rhs::List(vals, s) => {
                        let mut out = Vec::new();
                        for v in vals {
                            self.list_items(&v, 0, &mut out);
                        }
                        Rhs::List(out, s)
                    }
                    Rhs::ListRef(n, s) => {
                        let mut out = Vec::new();
                        self.list_items(&n, 0, &mut out);
                        Rhs::List(out, s)
                    }
                    other => other,
                };
                Expr::Binary(b)
            }
            other => other,
        })
    }
}

fn file_loc(file: &str) -> Location {
    Location {
        file: file.to_string(),
        line: 0,
        column: 0,
        kind: "file",
        name: String::new(),
    }
}

struct ItemCtx<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

impl ItemCtx<'_> {
    fn key_loc(&self, item: &Location, key: &str) -> Location {
        match key_line(self.text, self.start, self.end, key) {
            Some((line, column)) => Location {
                line,
                column,
                ..item.clone()
            },
            None => item.clone(),
        }
    }
}

/// Loads rules from files in order and compiles them.
pub fn load_files(paths: &[&Path]) -> LoadReport {
    let mut l = Loader::new();
    for p in paths {
        l.add_file(p);
    }
    l.finish()
}
