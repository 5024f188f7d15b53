//! A Markdown summary for merge-request comments: gate verdict, counts per severity with
//! fixable counts, the active findings (capped, so the comment stays postable), and the
//! suppressed ones folded away with the rule that suppressed them.

use std::fmt::Write;

use warden_core::Severity;

use super::{advisory_url, fixed, Report, SEV_ORDER};
use crate::error::ScanError;
use crate::report::{RenderOptions, ScanReport};

pub(super) struct Markdown;

/// Rows per table; GitLab and GitHub cap comments near 1 MB and long tables are unreadable.
const MAX_ROWS: usize = 100;

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

impl Report for Markdown {
    fn render(&self, r: &ScanReport, _opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let mut o = String::new();
        let s = r.summary();
        let _ = writeln!(o, "### warden scan: `{}`\n", esc(&r.target_name()));
        let verdict = if r.gate.failed {
            format!("**Gate failed** (exit {})", r.gate.exit_code)
        } else {
            "**Gate passed**".to_string()
        };
        let _ = writeln!(o, "{verdict}: {}\n", esc(&r.gate.reason));
        let _ = writeln!(
            o,
            "| Severity | Findings | Fixable |\n| --- | ---: | ---: |"
        );
        for sev in SEV_ORDER {
            let c = s.by_severity.get(&sev).copied().unwrap_or_default();
            if sev == Severity::Negligible && c.active == 0 {
                continue;
            }
            let _ = writeln!(o, "| {sev} | {} | {} |", c.active, c.fixable);
        }
        let _ = writeln!(o, "| **Total** | **{}** | **{}** |\n", s.active, s.fixable);
        if s.suppressed > 0 {
            let _ = writeln!(
                o,
                "{} suppressed finding{} not counted.\n",
                s.suppressed,
                if s.suppressed == 1 { "" } else { "s" }
            );
        }
        for w in &r.warnings {
            let _ = writeln!(o, "> **Warning:** {}", esc(w));
        }
        if !r.warnings.is_empty() {
            o.push('\n');
        }
        // A reviewer reads the worst first; ties keep the package order of the report.
        let mut active: Vec<_> = r.active().collect();
        active.sort_by_key(|e| std::cmp::Reverse(e.finding.vulnerability.severity));
        if !active.is_empty() {
            let _ = writeln!(o, "| Severity | Vulnerability | Package | Installed | Fixed in |\n| --- | --- | --- | --- | --- |");
            for e in active.iter().take(MAX_ROWS) {
                let f = &e.finding;
                let _ = writeln!(
                    o,
                    "| {} | [{}]({}) | {} | {} | {} |",
                    f.vulnerability.severity,
                    esc(&f.vulnerability.id),
                    advisory_url(f),
                    esc(&f.package.name),
                    esc(&f.installed_version),
                    esc(&fixed(f))
                );
            }
            if active.len() > MAX_ROWS {
                let _ = writeln!(
                    o,
                    "\n…and {} more; see the full report.",
                    active.len() - MAX_ROWS
                );
            }
            o.push('\n');
        }
        let suppressed: Vec<_> = r.findings.iter().filter(|e| !e.is_active()).collect();
        if !suppressed.is_empty() {
            let _ = writeln!(
                o,
                "<details><summary>Suppressed ({})</summary>\n",
                suppressed.len()
            );
            let _ = writeln!(
                o,
                "| Vulnerability | Package | Rule | Reason |\n| --- | --- | --- | --- |"
            );
            for e in suppressed.iter().take(MAX_ROWS) {
                let sup = e.suppressed.as_ref();
                let _ = writeln!(
                    o,
                    "| {} | {} {} | {} | {} |",
                    esc(&e.finding.vulnerability.id),
                    esc(&e.finding.package.name),
                    esc(&e.finding.installed_version),
                    esc(sup.map(|x| x.rule.as_str()).unwrap_or("")),
                    esc(sup.and_then(|x| x.reason.as_deref()).unwrap_or(""))
                );
            }
            let _ = writeln!(o, "\n</details>\n");
        }
        if !r.expired.is_empty() {
            let _ = writeln!(o, "Expired ignore entries (no longer suppressing):\n");
            for e in &r.expired {
                let _ = writeln!(
                    o,
                    "- `{}` at `{}` expired {}",
                    esc(&e.id),
                    esc(&e.rule),
                    e.expired_on
                );
            }
        }
        Ok(o.into_bytes())
    }
}
