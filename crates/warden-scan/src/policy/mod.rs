//! The gate: severity thresholds, `--ignore-unfixed`, ignore files and VEX, compiled once into an
//! immutable [`Policy`] and applied with [`Policy::evaluate`].
//!
//! Policy sources are listed in [`SOURCES`], one parser per file. A suppressed finding is never
//! dropped: it stays in the [`Evaluation`] with the [`Suppression`] that names its rule.

mod openvex;
mod trivyignore;
mod trivyignore_yaml;
mod warden_ignore;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::Date;
use warden_core::{Finding, FixStatus, Severity};

use crate::error::{read_text, ScanError};
use crate::util::{fmt_date, glob_match, purl_covers};

/// The kinds of policy file warden reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Trivy's `.trivyignore`: one ID a line, `exp:YYYY-MM-DD`, `#` comments.
    TrivyIgnore,
    /// Trivy's `.trivyignore.yaml`: `vulnerabilities[]` with `id`, `paths`, `purls`,
    /// `statement`, `expired_at`.
    TrivyIgnoreYaml,
    /// warden's own ignore file: `ignores[]`, each with a mandatory `reason`.
    WardenIgnore,
    /// An OpenVEX document.
    Openvex,
}

/// A parser of one policy source: file label and text in, rules out.
type Parser = fn(&str, &str) -> Result<Vec<Rule>, ScanError>;

/// Every policy source, with its name and parser. Adding a source means adding a file and a row.
pub const SOURCES: &[(SourceKind, &str)] = &[
    (SourceKind::TrivyIgnore, ".trivyignore"),
    (SourceKind::TrivyIgnoreYaml, ".trivyignore.yaml"),
    (SourceKind::WardenIgnore, "warden-ignore.yaml"),
    (SourceKind::Openvex, "openvex"),
];

const PARSERS: &[(SourceKind, Parser)] = &[
    (SourceKind::TrivyIgnore, trivyignore::parse),
    (SourceKind::TrivyIgnoreYaml, trivyignore_yaml::parse),
    (SourceKind::WardenIgnore, warden_ignore::parse),
    (SourceKind::Openvex, openvex::parse),
];

impl SourceKind {
    /// The name used in messages and in JSON output.
    pub fn name(self) -> &'static str {
        SOURCES
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, n)| *n)
            .unwrap_or("policy")
    }

    /// Guesses the kind from a file name: `*trivyignore`, `*trivyignore.yaml`/`.yml`,
    /// `*warden*ignore*.yaml`/`.yml`, and `*.json` (OpenVEX, checked when parsed).
    pub fn detect(path: &Path) -> Option<SourceKind> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if name.contains("trivyignore") {
            return Some(if yaml {
                SourceKind::TrivyIgnoreYaml
            } else {
                SourceKind::TrivyIgnore
            });
        }
        if yaml && name.contains("warden") {
            return Some(SourceKind::WardenIgnore);
        }
        if name.ends_with(".json") {
            return Some(SourceKind::Openvex);
        }
        None
    }

    fn suppressed_by(self) -> SuppressedBy {
        match self {
            SourceKind::TrivyIgnore => SuppressedBy::TrivyIgnore,
            SourceKind::TrivyIgnoreYaml => SuppressedBy::TrivyIgnoreYaml,
            SourceKind::WardenIgnore => SuppressedBy::WardenIgnore,
            SourceKind::Openvex => SuppressedBy::Openvex,
        }
    }
}

/// OpenVEX statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// The product is not affected: suppresses.
    NotAffected,
    /// The product contains a fix: suppresses.
    Fixed,
    /// The product is affected: never suppresses.
    Affected,
    /// Still being investigated: never suppresses.
    UnderInvestigation,
}

impl VexStatus {
    /// The OpenVEX spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

/// What a VEX statement said, kept on the rule it became.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VexInfo {
    pub status: VexStatus,
    pub justification: Option<String>,
    /// The statement's timestamp (or the document's), RFC 3339; the latest statement wins.
    pub timestamp: String,
}

/// One compiled ignore entry or VEX statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub kind: SourceKind,
    pub file: String,
    /// 1-based line of the entry, 0 when unknown.
    pub line: usize,
    /// The vulnerability ID and, for VEX, its aliases.
    pub ids: Vec<String>,
    pub reason: Option<String>,
    /// First day on which the rule no longer applies (Trivy's meaning of `exp:`).
    pub expires: Option<Date>,
    /// Package names (any matches).
    pub packages: Vec<String>,
    /// Purl patterns (any covers the package purl).
    pub purls: Vec<String>,
    /// Path globs (any matches a package location).
    pub paths: Vec<String>,
    pub vex: Option<VexInfo>,
}

impl Rule {
    pub(crate) fn new(kind: SourceKind, file: &str, line: usize, id: &str) -> Rule {
        Rule {
            kind,
            file: file.to_string(),
            line,
            ids: vec![id.trim().to_string()],
            reason: None,
            expires: None,
            packages: Vec::new(),
            purls: Vec::new(),
            paths: Vec::new(),
            vex: None,
        }
    }

    fn at(&self) -> String {
        if self.line > 0 {
            format!("{}:{}", self.file, self.line)
        } else {
            self.file.clone()
        }
    }

    fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today >= e)
    }

    fn matches(&self, f: &Finding) -> bool {
        let v = &f.vulnerability;
        let id_hit = self.ids.iter().any(|r| {
            r.eq_ignore_ascii_case(&v.id) || v.aliases.iter().any(|a| r.eq_ignore_ascii_case(a))
        });
        id_hit
            && (self.packages.is_empty()
                || self
                    .packages
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(&f.package.name)))
            && (self.purls.is_empty() || self.purls.iter().any(|p| purl_covers(p, &f.package.purl)))
            && (self.paths.is_empty()
                || self
                    .paths
                    .iter()
                    .any(|g| f.package.locations.iter().any(|l| glob_match(g, &l.path))))
    }

    fn suppression(&self) -> Suppression {
        Suppression {
            by: self.kind.suppressed_by(),
            rule: self.at(),
            reason: self.reason.clone(),
            expires: self.expires.map(fmt_date),
            vex_status: self.vex.as_ref().map(|v| v.status),
            vex_justification: self.vex.as_ref().and_then(|v| v.justification.clone()),
        }
    }
}

/// What suppressed a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressedBy {
    /// An entry of a `.trivyignore`.
    TrivyIgnore,
    /// An entry of a `.trivyignore.yaml`.
    TrivyIgnoreYaml,
    /// An entry of warden's ignore file.
    WardenIgnore,
    /// An OpenVEX `not_affected` or `fixed` statement.
    Openvex,
    /// `--ignore-unfixed`: no fixed version is published.
    IgnoreUnfixed,
    /// The severity is not in `--severity`.
    SeverityFilter,
}

/// Why a finding does not count towards the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The mechanism.
    pub by: SuppressedBy,
    /// The rule: `file:line` for file entries, the flag for command-line options.
    pub rule: String,
    /// The reason or statement given with the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule's expiry date (`YYYY-MM-DD`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The VEX status, for VEX suppressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vex_status: Option<VexStatus>,
    /// The VEX justification, when the statement gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vex_justification: Option<String>,
}

/// A finding with the policy's verdict on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluatedFinding {
    /// The finding, unchanged.
    #[serde(flatten)]
    pub finding: Finding,
    /// Set when the finding does not count towards the gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

impl EvaluatedFinding {
    /// A finding nothing suppressed.
    pub fn active(finding: Finding) -> Self {
        EvaluatedFinding {
            finding,
            suppressed: None,
        }
    }

    /// Whether the finding counts towards the gate.
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }

    /// Whether a fixed version is known.
    pub fn is_fixable(&self) -> bool {
        is_fixable(&self.finding)
    }
}

/// Trivy's rule: a finding is fixable when a fixed version is known or the status says fixed.
fn is_fixable(f: &Finding) -> bool {
    !f.fixed_versions.is_empty() || f.status == FixStatus::Fixed
}

/// An ignore entry whose date has passed: it no longer suppresses anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredRule {
    /// The kind of file.
    pub kind: SourceKind,
    /// `file:line`.
    pub rule: String,
    /// The vulnerability ID it names.
    pub id: String,
    /// The date it expired (`YYYY-MM-DD`).
    pub expired_on: String,
    /// Its reason, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How many findings it would still have suppressed.
    pub would_match: usize,
}

/// The gate's decision. The CLI maps it to the process exit status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateOutcome {
    /// Whether the gate failed.
    pub failed: bool,
    /// The exit status to use: 0 on pass, the `--exit-code` value or 2 (`--fail-on`) on failure.
    pub exit_code: i32,
    /// How many active findings tripped the gate.
    pub blocking: usize,
    /// One sentence saying why.
    pub reason: String,
}

/// The result of applying a [`Policy`] to findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Every finding, suppressed or not, sorted by package then severity (most severe first).
    pub findings: Vec<EvaluatedFinding>,
    /// Ignore entries that have expired, sorted by file and line.
    pub expired: Vec<ExpiredRule>,
    /// The gate decision.
    pub gate: GateOutcome,
    /// Policy warnings (from compilation and evaluation), sorted.
    pub warnings: Vec<String>,
}

/// Sorts findings the way every report shows them: by package, then most severe first, then ID.
pub fn sort_findings(findings: &mut [EvaluatedFinding]) {
    findings.sort_by(|a, b| {
        let (pa, pb) = (&a.finding.package, &b.finding.package);
        (pa.ecosystem, &pa.name, &a.finding.installed_version, &pa.id)
            .cmp(&(pb.ecosystem, &pb.name, &b.finding.installed_version, &pb.id))
            .then(
                b.finding
                    .vulnerability
                    .severity
                    .cmp(&a.finding.vulnerability.severity),
            )
            .then(a.finding.vulnerability.id.cmp(&b.finding.vulnerability.id))
    });
}

/// Parses a Trivy-style severity list (`HIGH,CRITICAL`), case-insensitively.
pub fn parse_severity_list(list: &str) -> Result<Vec<Severity>, ScanError> {
    let mut out = BTreeSet::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let s = part.parse::<Severity>().map_err(|e| ScanError::Usage {
            what: "--severity",
            message: e.to_string(),
        })?;
        out.insert(s);
    }
    if out.is_empty() {
        return Err(ScanError::Usage {
            what: "--severity",
            message: "empty severity list".into(),
        });
    }
    Ok(out.into_iter().collect())
}

enum Input {
    File(Option<SourceKind>, PathBuf),
    Text(SourceKind, String, String),
}

/// Collects the gate options and policy files; [`PolicyBuilder::build`] reads and compiles them.
#[derive(Default)]
pub struct PolicyBuilder {
    severities: Option<Vec<Severity>>,
    exit_code: i32,
    fail_on: Option<Severity>,
    ignore_unfixed: bool,
    inputs: Vec<Input>,
}

impl PolicyBuilder {
    /// Trivy's `--severity`: only these severities are reported and counted; the others are
    /// kept as suppressed by [`SuppressedBy::SeverityFilter`].
    pub fn severities(mut self, list: &[Severity]) -> Self {
        self.severities = Some(list.to_vec());
        self
    }

    /// Trivy's `--exit-code N`: the exit status when any finding remains active (0 disables it).
    pub fn exit_code(mut self, code: i32) -> Self {
        self.exit_code = code;
        self
    }

    /// Grype's `--fail-on SEVERITY`: exit 2 when an active finding is at least this severe.
    pub fn fail_on(mut self, severity: Severity) -> Self {
        self.fail_on = Some(severity);
        self
    }

    /// `--ignore-unfixed`: findings without a fixed version are suppressed.
    pub fn ignore_unfixed(mut self, yes: bool) -> Self {
        self.ignore_unfixed = yes;
        self
    }

    /// A policy file whose kind is detected from its name (see [`SourceKind::detect`]).
    pub fn ignore_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(Input::File(None, path.into()));
        self
    }

    /// A policy file of a given kind.
    pub fn ignore_file_as(mut self, kind: SourceKind, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(Input::File(Some(kind), path.into()));
        self
    }

    /// An OpenVEX document (`--vex`).
    pub fn vex(self, path: impl Into<PathBuf>) -> Self {
        self.ignore_file_as(SourceKind::Openvex, path)
    }

    /// Policy text already in memory; `label` names it in messages.
    pub fn ignore_text(
        mut self,
        kind: SourceKind,
        label: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        self.inputs
            .push(Input::Text(kind, label.into(), text.into()));
        self
    }

    /// Reads and parses every source; the first error names its file and line.
    pub fn build(self) -> Result<Policy, ScanError> {
        let mut rules = Vec::new();
        for input in self.inputs {
            let (kind, label, text) = match input {
                Input::Text(k, l, t) => (k, l, t),
                Input::File(k, path) => {
                    let label = path.display().to_string();
                    let kind = match k.or_else(|| SourceKind::detect(&path)) {
                        Some(k) => k,
                        None => {
                            return Err(ScanError::Unsupported {
                                file: label,
                                message: "cannot tell the policy file kind from its name (expected .trivyignore, .trivyignore.yaml, *warden*.yaml or an OpenVEX .json)".into(),
                            })
                        }
                    };
                    (kind, label, read_text(&path)?)
                }
            };
            let parse = PARSERS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
            if let Some(parse) = parse {
                let parsed = parse(&label, &text)?;
                tracing::debug!(file = %label, kind = kind.name(), rules = parsed.len(), "policy source compiled");
                rules.extend(parsed);
            }
        }
        let mut severities = self.severities;
        if let Some(s) = &mut severities {
            s.sort();
            s.dedup();
        }
        Ok(Policy {
            severities,
            exit_code: self.exit_code,
            fail_on: self.fail_on,
            ignore_unfixed: self.ignore_unfixed,
            rules,
        })
    }
}

/// A compiled, immutable policy.
#[derive(Debug, Clone)]
pub struct Policy {
    severities: Option<Vec<Severity>>,
    exit_code: i32,
    fail_on: Option<Severity>,
    ignore_unfixed: bool,
    rules: Vec<Rule>,
}

impl Policy {
    /// Starts a policy: no gate, no ignores.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// How many ignore entries and VEX statements were compiled.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Applies the policy. `today` decides which ignore entries have expired; pass it in so
    /// results are reproducible.
    pub fn evaluate(&self, findings: Vec<Finding>, today: Date) -> Evaluation {
        let mut expired: Vec<ExpiredRule> = self
            .rules
            .iter()
            .filter(|r| r.expired(today))
            .map(|r| ExpiredRule {
                kind: r.kind,
                rule: r.at(),
                id: r.ids.first().cloned().unwrap_or_default(),
                expired_on: r.expires.map(fmt_date).unwrap_or_default(),
                reason: r.reason.clone(),
                would_match: 0,
            })
            .collect();
        let mut out = Vec::with_capacity(findings.len());
        for f in findings {
            let mut suppressed = self.vex_verdict(&f);
            for r in self
                .rules
                .iter()
                .filter(|r| r.vex.is_none() && r.matches(&f))
            {
                if r.expired(today) {
                    if let Some(e) = expired
                        .iter_mut()
                        .find(|e| e.rule == r.at() && e.kind == r.kind)
                    {
                        e.would_match += 1;
                    }
                } else if suppressed.is_none() {
                    suppressed = Some(r.suppression());
                }
            }
            if suppressed.is_none() && self.ignore_unfixed && !is_fixable(&f) {
                suppressed = Some(Suppression {
                    by: SuppressedBy::IgnoreUnfixed,
                    rule: "--ignore-unfixed".into(),
                    reason: Some(format!("no fixed version ({})", status_name(f.status))),
                    expires: None,
                    vex_status: None,
                    vex_justification: None,
                });
            }
            if let (true, Some(list)) = (suppressed.is_none(), &self.severities) {
                let sev = f.vulnerability.severity;
                if !list.contains(&sev) {
                    suppressed = Some(Suppression {
                        by: SuppressedBy::SeverityFilter,
                        rule: "--severity".into(),
                        reason: Some(format!("{sev} is not in {}", join_sev(list))),
                        expires: None,
                        vex_status: None,
                        vex_justification: None,
                    });
                }
            }
            out.push(EvaluatedFinding {
                finding: f,
                suppressed,
            });
        }
        sort_findings(&mut out);
        expired.sort_by(|a, b| (&a.rule, &a.id).cmp(&(&b.rule, &b.id)));
        let mut warnings: Vec<String> = expired
            .iter()
            .map(|e| {
                format!(
                    "ignore entry for {} at {} expired on {} and no longer suppresses ({} finding{})",
                    e.id,
                    e.rule,
                    e.expired_on,
                    e.would_match,
                    if e.would_match == 1 { "" } else { "s" }
                )
            })
            .collect();
        warnings.sort();
        let gate = self.gate(&out);
        Evaluation {
            findings: out,
            expired,
            gate,
            warnings,
        }
    }

    /// The latest matching VEX statement decides (statement timestamp, then document order).
    fn vex_verdict(&self, f: &Finding) -> Option<Suppression> {
        let mut best: Option<&Rule> = None;
        for r in self
            .rules
            .iter()
            .filter(|r| r.vex.is_some() && r.matches(f))
        {
            let newer = match best {
                None => true,
                Some(b) => {
                    r.vex.as_ref().map(|v| &v.timestamp) >= b.vex.as_ref().map(|v| &v.timestamp)
                }
            };
            if newer {
                best = Some(r);
            }
        }
        let r = best?;
        r.vex
            .as_ref()
            .filter(|v| v.status.suppresses())
            .map(|_| r.suppression())
    }

    fn gate(&self, findings: &[EvaluatedFinding]) -> GateOutcome {
        let active: Vec<&EvaluatedFinding> = findings.iter().filter(|f| f.is_active()).collect();
        let scope = match &self.severities {
            Some(list) => format!(" of severity {}", join_sev(list)),
            None => String::new(),
        };
        if self.exit_code != 0 && !active.is_empty() {
            return GateOutcome {
                failed: true,
                exit_code: self.exit_code,
                blocking: active.len(),
                reason: format!(
                    "{} vulnerabilit{}{scope} found (--exit-code {})",
                    active.len(),
                    plural_y(active.len()),
                    self.exit_code
                ),
            };
        }
        if let Some(threshold) = self.fail_on {
            let n = active
                .iter()
                .filter(|f| f.finding.vulnerability.severity >= threshold)
                .count();
            if n > 0 {
                return GateOutcome {
                    failed: true,
                    exit_code: 2,
                    blocking: n,
                    reason: format!(
                        "{n} vulnerabilit{} at or above {threshold} found (--fail-on {})",
                        plural_y(n),
                        threshold.as_str().to_ascii_lowercase()
                    ),
                };
            }
        }
        let reason = match (self.exit_code != 0, self.fail_on) {
            (false, None) => format!(
                "no gate configured; {} active finding{}",
                active.len(),
                if active.len() == 1 { "" } else { "s" }
            ),
            (_, Some(t)) if self.exit_code == 0 || active.is_empty() => {
                format!("no active vulnerability at or above {t}")
            }
            _ => format!("no active vulnerability{scope}"),
        };
        GateOutcome {
            failed: false,
            exit_code: 0,
            blocking: 0,
            reason,
        }
    }
}

fn plural_y(n: usize) -> &'static str {
    if n == 1 {
        "y"
    } else {
        "ies"
    }
}

fn join_sev(list: &[Severity]) -> String {
    list.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn status_name(s: FixStatus) -> &'static str {
    match s {
        FixStatus::Fixed => "fixed",
        FixStatus::Affected => "affected",
        FixStatus::WillNotFix => "will_not_fix",
        FixStatus::FixDeferred => "fix_deferred",
        FixStatus::Unknown => "unknown",
    }
}
