//! The rule engine (`warden-rules`) behind the pipeline's [`Evaluator`] interface, and rule
//! loading for `warden watch`.

use std::path::{Path, PathBuf};

use warden_rules::engine::{Engine, Matching};
use warden_rules::loader::{LoadReport, Loader, Message};
use warden_rules::Event;

use crate::output::FalcoAlert;
use crate::pipeline::Evaluator;

/// A compiled ruleset.
pub struct RulesEvaluator {
    engine: Engine,
}

/// Rules that did not load. Each message names the file, item and line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct RulesError {
    /// Every error.
    pub errors: Vec<Message>,
}

impl RulesEvaluator {
    fn from_report(
        report: LoadReport,
        all: bool,
    ) -> Result<(RulesEvaluator, Vec<Message>), RulesError> {
        if !report.ok() {
            return Err(RulesError {
                errors: report.errors,
            });
        }
        let mut engine = Engine::new(report.rules, crate::output::hostname());
        if all {
            engine = engine.with_matching(Matching::All);
        }
        Ok((RulesEvaluator { engine }, report.warnings))
    }

    /// Falco's stable rules and warden's own, as `warden watch` loads with no `--rules`.
    /// Returns the load warnings alongside.
    pub fn defaults(all: bool) -> Result<(RulesEvaluator, Vec<Message>), RulesError> {
        RulesEvaluator::from_report(warden_rules::defaults::load(), all)
    }

    /// The given rules files, in order (later files override earlier ones).
    pub fn from_files(
        files: &[PathBuf],
        all: bool,
    ) -> Result<(RulesEvaluator, Vec<Message>), RulesError> {
        let mut l = Loader::new();
        for f in files {
            l.add_file(Path::new(f));
        }
        RulesEvaluator::from_report(l.finish(), all)
    }

    /// Rules from YAML text (tests).
    pub fn from_yaml(
        name: &str,
        yaml: &str,
        all: bool,
    ) -> Result<(RulesEvaluator, Vec<Message>), RulesError> {
        let mut l = Loader::new();
        l.add_str(name, yaml);
        RulesEvaluator::from_report(l.finish(), all)
    }

    /// Number of enabled rules.
    pub fn len(&self) -> usize {
        self.engine.rules().len()
    }

    /// Whether no rule is enabled.
    pub fn is_empty(&self) -> bool {
        self.engine.rules().is_empty()
    }
}

impl Evaluator for RulesEvaluator {
    fn event_types(&self) -> Option<Vec<String>> {
        self.engine.event_types().map(|s| s.into_iter().collect())
    }

    fn needs_read_only_opens(&self) -> bool {
        self.engine.needs_read_only_opens()
    }

    fn evaluate(&mut self, ev: &Event, _hostname: &str, out: &mut Vec<FalcoAlert>) {
        for a in self.engine.evaluate(ev) {
            out.push(FalcoAlert {
                hostname: a.hostname,
                output: a.output,
                output_fields: a.output_fields,
                priority: a.priority,
                rule: a.rule,
                source: a.source,
                tags: a.tags,
                time: a.time,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(yaml: &str) -> bool {
        let (r, _) = RulesEvaluator::from_yaml("t.yaml", yaml, false).expect("rules load");
        r.needs_read_only_opens()
    }

    fn rule(cond: &str) -> String {
        format!("- rule: r\n  desc: d\n  condition: {cond}\n  output: o\n  priority: WARNING\n")
    }

    #[test]
    fn only_rules_proven_to_need_write_access_let_read_only_opens_go() {
        // Write opens only: reads can go.
        assert!(!needs(&rule(
            "evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.name startswith /etc"
        )));
        assert!(!needs(&rule(
            "evt.type = openat and evt.is_open_write != false"
        )));
        // No open rule at all.
        assert!(!needs(&rule("evt.type = execve and proc.name = sh")));
        // Any open, failed opens, a read test, a negation: reads are needed.
        assert!(needs(&rule("evt.type = openat and fd.name = /etc/shadow")));
        assert!(needs(&rule(
            "evt.type = openat and evt.is_open_read = true"
        )));
        assert!(needs(&rule(
            "evt.type = openat and not evt.is_open_write = false"
        )));
        assert!(needs(&rule(
            "evt.type = openat and (evt.is_open_write = true or fd.num = -1)"
        )));
        // A rule for every type sees opens too.
        assert!(needs(&rule("proc.name = sh")));
        // One branch for execve, one for write opens: reads can go.
        assert!(!needs(&rule(
            "(evt.type = execve and proc.name = sh) or (evt.type = openat and evt.is_open_write = true)"
        )));
    }

    #[test]
    fn the_benchmarks_write_only_rules_let_read_only_opens_go() {
        let f = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/overhead/write_rules.yaml");
        let (r, _) = RulesEvaluator::from_files(&[f], false).expect("write_rules.yaml loads");
        assert_eq!(r.len(), 2);
        assert!(!r.needs_read_only_opens());
    }

    #[test]
    fn the_default_rules_need_read_only_opens() {
        let (r, _) = RulesEvaluator::defaults(false).expect("default rules");
        assert!(r.needs_read_only_opens());
    }
}
