//! Output templates (`%proc.name`, `%proc.aname[2]`, `%tolower(fd.name)`) and alerts in
//! Falco's JSON shape.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::compiler::{self, COperand};
use crate::fields::{Ctx, FieldDef};
use crate::lexer;
use crate::loader::Priority;
use crate::parser::{self, TRANSFORMERS};
use crate::value::{FieldType, Val, Vals};

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Field {
        key: String,
        op: COperand,
        ty: FieldType,
    },
}

/// A compiled output template.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
}

/// The Falco-shaped alert: one JSON line per alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Event time, RFC 3339 with nanoseconds, UTC.
    pub time: String,
    /// Rule name.
    pub rule: String,
    /// Priority (`Warning`, `Notice`...).
    pub priority: String,
    /// `HH:MM:SS.nnnnnnnnn: Priority message`, as Falco prints it.
    pub output: String,
    /// The values of the fields named in the template, by field name (sorted).
    pub output_fields: BTreeMap<String, serde_json::Value>,
    /// Rule tags, sorted.
    pub tags: Vec<String>,
    /// Host name.
    pub hostname: String,
    /// Event source.
    pub source: String,
}

/// Scans one `%token` at the start of `s` (after the `%`): a field with optional `[arg]`, or a
/// transformer call. Returns its length.
fn token_len(s: &[u8]) -> usize {
    for t in TRANSFORMERS {
        if s.starts_with(t.as_bytes()) && s.get(t.len()) == Some(&b'(') {
            let mut depth = 0usize;
            for (i, c) in s.iter().enumerate() {
                match c {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
            }
            return 0;
        }
    }
    let mut n = lexer::field_name(s);
    if n > 0 && s.get(n) == Some(&b'[') {
        if let Some(close) = s[n..].iter().position(|c| *c == b']') {
            n += close + 1;
        }
    }
    n
}

impl Template {
    /// Compiles a template, resolving every field through the field table.
    pub fn compile(text: &str, extra: &[FieldDef]) -> Result<Template, String> {
        let text = text.trim_end();
        let text = text.strip_prefix('*').unwrap_or(text);
        let b = text.as_bytes();
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let n = token_len(&b[j..]);
                if n > 0 {
                    let key = &text[j..j + n];
                    if key == "container.info" {
                        // Deprecated by Falco: replaced by nothing.
                        i = j + n;
                        continue;
                    }
                    let (op, ty) = match parser::parse(&format!("{key} exists")) {
                        Ok(crate::ast::Expr::Exists(o, _)) => compiler::compile_operand(&o, extra)
                            .map_err(|e| {
                                format!(
                                    "invalid output field '%{key}': {}",
                                    e.first().map_or("", |d| d.message.as_str())
                                )
                            })?,
                        _ => return Err(format!("invalid output token '%{key}'")),
                    };
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Field {
                        key: key.to_string(),
                        op,
                        ty,
                    });
                    i = j + n;
                    continue;
                }
            }
            let ch = text[i..].chars().next().unwrap_or(' ');
            lit.push(ch);
            i += ch.len_utf8();
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Template { parts })
    }

    /// Whether the template names `field`.
    pub fn uses_field(&self, field: &str) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Field { key, .. } if key == field))
    }

    /// Renders the message and the output fields.
    pub fn render(&self, c: &Ctx<'_>) -> (String, BTreeMap<String, serde_json::Value>) {
        let mut out = String::new();
        let mut fields = BTreeMap::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Field { key, op, ty } => {
                    let v = op.extract(c);
                    out.push_str(&v.render());
                    fields.insert(key.clone(), json_value(&v, *ty));
                }
            }
        }
        (out, fields)
    }
}

fn json_value(v: &Vals<'_>, ty: FieldType) -> serde_json::Value {
    match v {
        Vals::None => serde_json::Value::Null,
        Vals::One(Val::Num(n)) if ty.is_numeric() => serde_json::Value::from(*n),
        Vals::One(Val::Bool(b)) => serde_json::Value::Bool(*b),
        other => serde_json::Value::String(other.render()),
    }
}

/// Formats ns since the epoch as RFC 3339 UTC with nanoseconds.
pub fn rfc3339(ns: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let d = t.date();
    let tm = t.time();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        tm.hour(),
        tm.minute(),
        tm.second(),
        tm.nanosecond()
    )
}

/// Builds the alert for a rule that matched.
pub fn alert(
    rule: &str,
    priority: Priority,
    tags: &[String],
    source: &str,
    tpl: &Template,
    c: &Ctx<'_>,
) -> Alert {
    let (msg, output_fields) = tpl.render(c);
    let ts = c.ev.ts;
    let day = (ts / 1_000_000_000) % 86_400;
    let output = format!(
        "{:02}:{:02}:{:02}.{:09}: {} {}",
        day / 3600,
        (day / 60) % 60,
        day % 60,
        ts % 1_000_000_000,
        priority.as_str(),
        msg
    );
    let mut tags = tags.to_vec();
    tags.sort();
    tags.dedup();
    Alert {
        time: rfc3339(ts),
        rule: rule.to_string(),
        priority: priority.as_str().to_string(),
        output,
        output_fields,
        tags,
        hostname: c.hostname.to_string(),
        source: source.to_string(),
    }
}
