use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use warden_core::{Inventory, Severity};

use crate::policy::{EvaluatedFinding, Evaluation, ExpiredRule, GateOutcome};

/// Everything a report shows: what was scanned, every finding with its verdict, and the gate.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanReport {
    /// The scanned target's inventory (image, OS, packages).
    pub inventory: Inventory,
    /// Every finding, suppressed ones included, in report order.
    pub findings: Vec<EvaluatedFinding>,
    /// Ignore entries that expired.
    pub expired: Vec<ExpiredRule>,
    /// The gate decision.
    pub gate: GateOutcome,
    /// Warnings to show with the report (end-of-life distro, stale DB, expired ignores...).
    pub warnings: Vec<String>,
}

impl ScanReport {
    /// A report from an inventory and a policy evaluation.
    pub fn new(inventory: Inventory, evaluation: Evaluation) -> Self {
        ScanReport {
            inventory,
            findings: evaluation.findings,
            expired: evaluation.expired,
            gate: evaluation.gate,
            warnings: evaluation.warnings,
        }
    }

    /// Adds a warning, keeping the list sorted and free of duplicates.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
        self.warnings.sort();
        self.warnings.dedup();
    }

    /// Findings that count towards the gate.
    pub fn active(&self) -> impl Iterator<Item = &EvaluatedFinding> {
        self.findings.iter().filter(|f| f.is_active())
    }

    /// Counts per severity.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for sev in Severity::ALL {
            s.by_severity.insert(sev, SeverityCount::default());
        }
        for f in &self.findings {
            s.total += 1;
            if !f.is_active() {
                s.suppressed += 1;
                continue;
            }
            s.active += 1;
            let c = s
                .by_severity
                .entry(f.finding.vulnerability.severity)
                .or_default();
            c.active += 1;
            if f.is_fixable() {
                c.fixable += 1;
                s.fixable += 1;
            }
        }
        s
    }

    /// The name shown for the target: the image reference, else the target as given.
    pub fn target_name(&self) -> String {
        match &self.inventory.image {
            Some(i) if !i.reference.is_empty() => i.reference.clone(),
            _ if !self.inventory.target.is_empty() => self.inventory.target.clone(),
            _ => "unknown".into(),
        }
    }

    /// `debian 12`, or `None` when no OS was detected.
    pub fn os_name(&self) -> Option<String> {
        self.inventory
            .os
            .as_ref()
            .map(|o| format!("{} {}", o.id, o.version_id).trim().to_string())
    }
}

/// Active findings of one severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCount {
    /// Active findings.
    pub active: usize,
    /// Of those, how many have a fixed version.
    pub fixable: usize,
}

/// Counts over a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Every finding.
    pub total: usize,
    /// Findings that count towards the gate.
    pub active: usize,
    /// Findings suppressed by a rule or filter.
    pub suppressed: usize,
    /// Active findings with a fixed version.
    pub fixable: usize,
    /// Active findings per severity (every severity present, zero or not).
    pub by_severity: BTreeMap<Severity, SeverityCount>,
}

/// How to render: the caller decides colour and passes the clock, so output is reproducible.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// The output is a terminal: the table may use colour.
    pub tty: bool,
    /// The tool version written into reports.
    pub tool_version: String,
    /// The scan time written into reports (never read from the clock here).
    pub timestamp: OffsetDateTime,
    /// Also list suppressed findings in the table and Markdown outputs.
    pub show_suppressed: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            tty: false,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: OffsetDateTime::UNIX_EPOCH,
            show_suppressed: false,
        }
    }
}
