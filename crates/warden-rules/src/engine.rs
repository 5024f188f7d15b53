//! The evaluator: rules compiled once, bucketed by event type, evaluated per event with fields
//! extracted only when a check needs them.

use std::collections::{BTreeSet, HashMap};

use crate::compiler::Node;
use crate::event::Event;
use crate::fields::Ctx;
use crate::hash::FnvBuild;
use crate::loader::{Priority, Rule};
use crate::output::{self, Alert};

/// Which rules fire when several match one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Matching {
    /// Only the first matching rule in file order (Falco's default `rule_matching: first`).
    #[default]
    First,
    /// Every matching rule (`rule_matching: all`).
    All,
}

/// A loaded ruleset ready to evaluate events.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    /// Per event type: the candidate rules in file order, each with its condition specialised
    /// for that type (`None` = the rule is always true for it).
    by_type: HashMap<String, Vec<(usize, Option<Node>)>, FnvBuild>,
    any_type: Vec<usize>,
    hostname: String,
    matching: Matching,
    min_priority: Priority,
}

impl Engine {
    /// Builds the engine from compiled rules; disabled rules are dropped.
    pub fn new(rules: Vec<Rule>, hostname: impl Into<String>) -> Engine {
        let rules: Vec<Rule> = rules.into_iter().filter(|r| r.enabled).collect();
        let mut any_type = Vec::new();
        let mut typed: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            match &r.event_types {
                None => any_type.push(i),
                Some(ts) => {
                    for t in ts {
                        typed.entry(t.clone()).or_default().push(i);
                    }
                }
            }
        }
        // Each bucket holds its own rules and the any-type rules merged in file order, so one
        // lookup gives the whole candidate list.
        let by_type = typed
            .into_iter()
            .map(|(t, mut v)| {
                v.extend(&any_type);
                v.sort_unstable();
                v.dedup();
                let spec = v
                    .into_iter()
                    .filter_map(|i| match rules[i].node.specialize(&t) {
                        Ok(n) => Some((i, Some(n))),
                        Err(true) => Some((i, None)),
                        Err(false) => None,
                    })
                    .collect();
                (t, spec)
            })
            .collect();
        Engine {
            rules,
            by_type,
            any_type,
            hostname: hostname.into(),
            matching: Matching::First,
            min_priority: Priority::Debug,
        }
    }

    /// Sets the matching mode.
    pub fn with_matching(mut self, m: Matching) -> Engine {
        self.matching = m;
        self
    }

    /// Drops alerts less severe than `p`.
    pub fn with_min_priority(mut self, p: Priority) -> Engine {
        self.min_priority = p;
        self
    }

    /// The enabled rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Event types some rule needs, or `None` when a rule needs every type; the sensor uses
    /// this to select syscalls in the kernel.
    pub fn event_types(&self) -> Option<BTreeSet<String>> {
        if !self.any_type.is_empty() {
            return None;
        }
        let mut s: BTreeSet<String> = self.by_type.keys().cloned().collect();
        s.retain(|t| !self.by_type[t].is_empty());
        Some(s)
    }

    /// Indices (into [`Engine::rules`]) of the rules that match `ev`, in file order.
    pub fn matches(&self, ev: &Event, out: &mut Vec<usize>) {
        out.clear();
        let ctx = Ctx::new(ev, &self.hostname);
        let first = self.matching == Matching::First;
        if let Some(cand) = self.by_type.get(ev.evt_type.as_str()) {
            for (i, node) in cand {
                if self.rules[*i].priority > self.min_priority {
                    continue;
                }
                if node.as_ref().is_none_or(|n| n.eval(&ctx)) {
                    out.push(*i);
                    if first {
                        return;
                    }
                }
            }
            return;
        }
        for &i in &self.any_type {
            let r = &self.rules[i];
            if r.priority > self.min_priority {
                continue;
            }
            if r.node.eval(&ctx) {
                out.push(i);
                if first {
                    return;
                }
            }
        }
    }

    /// Evaluates an event and renders the alerts it raises.
    pub fn evaluate(&self, ev: &Event) -> Vec<Alert> {
        let mut idx = Vec::new();
        self.matches(ev, &mut idx);
        let ctx = Ctx::new(ev, &self.hostname);
        idx.into_iter()
            .map(|i| {
                let r = &self.rules[i];
                output::alert(&r.name, r.priority, &r.tags, &r.source, &r.output, &ctx)
            })
            .collect()
    }
}
