//! The human table: findings grouped by package, counts per severity with fixable counts.
//! Colour only when the caller says the output is a terminal.

use std::fmt::Write;

use warden_core::Severity;

use super::{fixed, pkg_path, SEV_ORDER};
use crate::error::ScanError;
use crate::policy::{status_name, EvaluatedFinding};
use crate::report::{RenderOptions, ScanReport};

pub(super) struct Table;

fn colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
        _ => "\x1b[2m",
    }
}

const RESET: &str = "\x1b[0m";

fn cell(s: &str, max: usize) -> String {
    let one_line = s.lines().next().unwrap_or("");
    if one_line.chars().count() <= max {
        one_line.to_string()
    } else {
        let mut t: String = one_line.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

impl super::Report for Table {
    fn render(&self, r: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let paint = |s: Severity, text: &str| {
            if opts.tty {
                format!("{}{text}{RESET}", colour(s))
            } else {
                text.to_string()
            }
        };
        let mut o = String::new();
        let title = match r.os_name() {
            Some(os) => format!("{} ({os})", r.target_name()),
            None => r.target_name(),
        };
        let _ = writeln!(o, "{title}");
        let _ = writeln!(o, "{}", "=".repeat(title.chars().count()));
        let s = r.summary();
        let counts: Vec<String> = SEV_ORDER
            .iter()
            .filter(|sev| {
                **sev != Severity::Negligible
                    || s.by_severity.get(sev).is_some_and(|c| c.active > 0)
            })
            .map(|sev| {
                let c = s.by_severity.get(sev).copied().unwrap_or_default();
                paint(
                    *sev,
                    &format!("{sev}: {} ({} fixable)", c.active, c.fixable),
                )
            })
            .collect();
        let _ = writeln!(o, "Total: {} ({})", s.active, counts.join(", "));
        let _ = writeln!(o, "Fixable: {}, suppressed: {}", s.fixable, s.suppressed);
        for w in &r.warnings {
            let _ = writeln!(o, "WARNING: {w}");
        }
        let shown: Vec<&EvaluatedFinding> = r
            .findings
            .iter()
            .filter(|e| e.is_active() || opts.show_suppressed)
            .collect();
        let header = [
            "VULNERABILITY",
            "SEVERITY",
            "STATUS",
            "FIXED VERSION",
            "TITLE",
        ];
        let rows: Vec<[String; 5]> = shown
            .iter()
            .map(|e| {
                let f = &e.finding;
                let status = match &e.suppressed {
                    Some(sup) => format!("suppressed ({})", sup.rule),
                    None => status_name(f.status).to_string(),
                };
                let title = if f.vulnerability.title.is_empty() {
                    &f.vulnerability.description
                } else {
                    &f.vulnerability.title
                };
                [
                    f.vulnerability.id.clone(),
                    f.vulnerability.severity.to_string(),
                    status,
                    cell(&fixed(f), 40),
                    cell(title, 60),
                ]
            })
            .collect();
        let mut w = header.map(|h| h.chars().count());
        for row in &rows {
            for (i, c) in row.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String; 5], sev: Option<Severity>| {
            let mut l = String::from("  ");
            for (i, c) in cells.iter().enumerate() {
                let pad = w[i].saturating_sub(c.chars().count());
                let text = match (i, sev) {
                    (1, Some(s)) => paint(s, c),
                    _ => c.clone(),
                };
                l.push_str(&text);
                if i + 1 < cells.len() {
                    l.push_str(&" ".repeat(pad + 2));
                }
            }
            l.trim_end().to_string()
        };
        let mut last_pkg: Option<&str> = None;
        for (e, row) in shown.iter().zip(&rows) {
            let f = &e.finding;
            if last_pkg != Some(f.package.id.as_str()) {
                last_pkg = Some(f.package.id.as_str());
                let _ = writeln!(o);
                let path = pkg_path(f).map(|p| format!("  {p}")).unwrap_or_default();
                let _ = writeln!(
                    o,
                    "{} {} ({}){path}",
                    f.package.name, f.installed_version, f.package.ecosystem
                );
                let _ = writeln!(o, "{}", line(&header.map(str::to_string), None));
            }
            let _ = writeln!(o, "{}", line(row, Some(f.vulnerability.severity)));
        }
        if shown.is_empty() {
            let _ = writeln!(o, "\nNo vulnerabilities to show.");
        }
        let _ = writeln!(
            o,
            "\nGate: {} ({})",
            if r.gate.failed { "FAILED" } else { "passed" },
            r.gate.reason
        );
        Ok(o.into_bytes())
    }
}
