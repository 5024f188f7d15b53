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
