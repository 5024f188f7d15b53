//! Human-readable output: hadolint's `FILE:LINE CODE LEVEL: MESSAGE` line, followed by a code
//! frame showing the source line with a caret under the start column.

use super::FileReport;
use crate::rules::Level;

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

pub(super) fn render(reports: &[FileReport], color: bool) -> String {
    let mut s = String::new();
    for r in reports {
        let lines: Vec<&str> = r
            .source
            .as_deref()
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        for f in &r.findings {
            let lvl = match f.level {
                Level::Error => paint("error", "1;31", color),
                Level::Warning => paint("warning", "1;33", color),
                Level::Info => paint("info", "1;32", color),
                Level::Style | Level::Ignore => paint("style", "1;37", color),
            };
            s.push_str(&format!(
                "{}:{} {} {}: {}\n",
                r.path,
                f.span.start.line,
                paint(&f.code, "1", color),
                lvl,
                f.message
            ));
            let idx = f.span.start.line as usize;
            if let Some(text) = idx.checked_sub(1).and_then(|i| lines.get(i)) {
                let num = idx.to_string();
                let pad = " ".repeat(num.len());
                let shown: String = text.chars().take(160).collect();
                s.push_str(&format!("  {num} | {shown}\n"));
                let caret_at = (f.span.start.column as usize)
                    .saturating_sub(1)
                    .min(shown.chars().count());
                let width = if f.span.end.line == f.span.start.line
                    && f.span.end.column >= f.span.start.column
                {
                    (f.span.end.column - f.span.start.column + 1) as usize
                } else {
                    shown.chars().count().saturating_sub(caret_at).max(1)
                };
                let carets = "^".repeat(width.clamp(1, 160));
                s.push_str(&format!(
                    "  {pad} | {}{}\n",
                    " ".repeat(caret_at),
                    paint(&carets, "1;34", color)
                ));
            }
        }
    }
    s
}
