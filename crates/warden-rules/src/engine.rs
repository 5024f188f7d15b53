//! The evaluator: rules compiled once, bucketed by event type, evaluated per event with fields
//! extracted only when a check needs them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ast::Op;
use crate::compiler::{COperand, CRhs, Lit, Node};
use crate::event::Event;
use crate::fast::{self, Leaf};
use crate::fields::{Ctx, FieldArg};
use crate::hash::FxBuild;
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
///
/// Each rule's condition is compiled once per event type it can match (see
/// [`Node::specialize`]) into a [`Tree`] whose leaves are the distinct checks of the whole
/// ruleset. Many rules share checks (`container.id != host`, `proc.name in (shell_binaries)`,
/// the `open_read` macro...), so a leaf is evaluated at most once per event and its result is
/// remembered for every later rule that reaches it. Falco's filter predicates are pure functions
/// of the event, so remembering a result cannot change what a rule decides.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    /// Event type name to its bucket in `buckets`.
    type_ids: HashMap<String, u32, FxBuild>,
    /// Per event type: the candidate rules in file order, each with the entry of its condition
    /// (specialised for that type) in `steps`, or a terminal when the rule is constant for it.
    buckets: Vec<Vec<(usize, u32)>>,
    /// Per bucket: the event's memory blocks some check of that bucket reads (`fast::T_*`),
    /// touched together before evaluation.
    touch: Vec<u16>,
    /// Every specialised condition, flattened into short-circuit jumps over the leaves.
    steps: Vec<Step>,
    /// The distinct checks every step refers to by index.
    leaves: Vec<Leaf>,
    any_type: Vec<usize>,
    hostname: String,
    matching: Matching,
    min_priority: Priority,
}

/// A rule condition over shared leaves, before it is flattened into [`Step`]s.
#[derive(Debug)]
enum Tree {
    And(Box<[Tree]>),
    Or(Box<[Tree]>),
    Not(Box<Tree>),
    Leaf(u32),
}

/// One check of a flattened condition: evaluate `leaf`, then continue at `on_true` or
/// `on_false`, an index into the steps or one of the terminals [`YES`] and [`NO`]. `and`, `or`
/// and `not` become jump targets, so evaluating a rule is a loop without recursion.
#[derive(Debug, Clone, Copy)]
struct Step {
    leaf: u32,
    on_true: u32,
    on_false: u32,
}

/// The condition holds.
const YES: u32 = u32::MAX;
/// The condition does not hold.
const NO: u32 = u32::MAX - 1;

/// Flattens `t` into `steps` so that it continues at `yes` when it holds and at `no` when it
/// does not; returns its entry. Children are emitted last first so each knows where its
/// successor starts; the evaluation order is the tree's.
fn emit(t: &Tree, yes: u32, no: u32, steps: &mut Vec<Step>) -> u32 {
    match t {
        Tree::Leaf(l) => {
            steps.push(Step {
                leaf: *l,
                on_true: yes,
                on_false: no,
            });
            (steps.len() - 1) as u32
        }
        Tree::Not(k) => emit(k, no, yes, steps),
        Tree::And(k) => k.iter().rev().fold(yes, |next, c| emit(c, next, no, steps)),
        Tree::Or(k) => k.iter().rev().fold(no, |next, c| emit(c, yes, next, steps)),
    }
}

/// Leaves whose result is remembered per event; the few beyond this (none with the default
/// rules) are simply evaluated each time they are reached, so the memo never allocates.
const MEMO_LEAVES: usize = 1024;

/// Per-event leaf results: bit `i` of `known` says leaf `i` was evaluated, bit `i` of `val`
/// holds its result.
struct Memo {
    known: [u64; MEMO_LEAVES / 64],
    val: [u64; MEMO_LEAVES / 64],
}

impl Memo {
    fn new() -> Memo {
        Memo {
            known: [0; MEMO_LEAVES / 64],
            val: [0; MEMO_LEAVES / 64],
        }
    }
}

/// Rough relative cost of evaluating a leaf. Only used to move clearly expensive checks (ones
/// that build a string or run a regex) behind cheap ones inside one `and`/`or`, which cannot
/// change the result: the children are pure and total, and `and`/`or` of them commute.
fn leaf_cost(n: &Node) -> u32 {
    fn operand(o: &COperand) -> u32 {
        match o {
            COperand::Field(d, arg) => match (d.name, arg) {
                ("proc.args" | "proc.cmdline" | "proc.pcmdline" | "proc.acmdline", _)
                | ("evt.args" | "evt.time" | "container.mounts" | "k8s.pod.labels", _)
                | ("proc.env", FieldArg::None) => 8,
                ("proc.aname" | "proc.aexe" | "proc.aexepath" | "proc.apid", FieldArg::None)
                | ("fd.ip" | "fd.net" | "fd.port", _) => 4,
                _ => 1,
            },
            _ => 16,
        }
    }
    match n {
        Node::Exists(o) => operand(o),
        Node::Check(c) => {
            let rhs = match &c.rhs {
                CRhs::One(Lit::Regex(_)) => 16,
                CRhs::List(l, _) if l.iter().any(|x| matches!(x, Lit::Regex(_))) => 16,
                CRhs::Operand(o) => operand(o),
                _ => 0,
            };
            operand(&c.lhs) + rhs
        }
        Node::And(k) | Node::Or(k) => k.iter().map(leaf_cost).sum(),
        Node::Not(k) => leaf_cost(k),
    }
}

/// Interns the leaves of `n` into `leaves` (by their canonical text) and builds its tree.
fn build(n: &Node, leaves: &mut Vec<Node>, index: &mut HashMap<String, u32>) -> (Tree, u32) {
    match n {
        Node::And(k) | Node::Or(k) => {
            let mut kids: Vec<(Tree, u32)> = k.iter().map(|x| build(x, leaves, index)).collect();
            let cost = kids.iter().map(|(_, c)| *c).sum();
            // Stable: cheap children keep their written order, expensive ones keep theirs.
            kids.sort_by_key(|(_, c)| u32::from(*c >= 8));
            let kids: Box<[Tree]> = kids.into_iter().map(|(t, _)| t).collect();
            let t = if matches!(n, Node::And(_)) {
                Tree::And(kids)
            } else {
                Tree::Or(kids)
            };
            (t, cost)
        }
        Node::Not(k) => {
            let (t, c) = build(k, leaves, index);
            (Tree::Not(Box::new(t)), c)
        }
        leaf => {
            let key = leaf.to_string();
            let id = *index.entry(key).or_insert_with(|| {
                leaves.push(leaf.clone());
                (leaves.len() - 1) as u32
            });
            (Tree::Leaf(id), leaf_cost(leaf))
        }
    }
}

impl Engine {
    /// Runs the flattened condition starting at `pc` on one event.
    #[inline]
    fn run(&self, mut pc: u32, c: &Ctx<'_>, memo: &mut Memo) -> bool {
        while pc < NO {
            let s = self.steps[pc as usize];
            let i = s.leaf as usize;
            // One call site, so the leaf evaluation is inlined here once.
            let (w, b) = ((i / 64) % (MEMO_LEAVES / 64), 1u64 << (i % 64));
            let memoised = i < MEMO_LEAVES;
            let r = if memoised && memo.known[w] & b != 0 {
                memo.val[w] & b != 0
            } else {
                let r = self.leaves[i].eval(c);
                if memoised {
                    memo.known[w] |= b;
                    if r {
                        memo.val[w] |= b;
                    }
                }
                r
            };
            pc = if r { s.on_true } else { s.on_false };
        }
        pc == YES
    }
}

impl Engine {
    /// Builds the engine from compiled rules; disabled rules are dropped.
    pub fn new(rules: Vec<Rule>, hostname: impl Into<String>) -> Engine {
        let rules: Vec<Rule> = rules.into_iter().filter(|r| r.enabled).collect();
        let mut any_type = Vec::new();
        let mut typed: BTreeMap<String, Vec<usize>> = BTreeMap::new();
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
        let mut leaves = Vec::new();
        let mut index = HashMap::new();
        let mut steps = Vec::new();
        // Where each bucket's steps start, and whether `Ctx::new` reads its open flags.
        let mut touch_from = Vec::new();
        let mut steps_from = 0;
        let mut type_ids = HashMap::default();
        let mut buckets = Vec::with_capacity(typed.len());
        // Each bucket holds its own rules and the any-type rules merged in file order, so one
        // lookup gives the whole candidate list.
        for (t, mut v) in typed {
            v.extend(&any_type);
            v.sort_unstable();
            v.dedup();
            let spec = v
                .into_iter()
                .filter_map(|i| match rules[i].node.specialize(&t) {
                    Ok(n) => {
                        let tree = build(&n, &mut leaves, &mut index).0;
                        Some((i, emit(&tree, YES, NO, &mut steps)))
                    }
                    Err(true) => Some((i, YES)),
                    Err(false) => None,
                })
                .collect();
            let open = matches!(
                t.as_str(),
                "open" | "openat" | "openat2" | "open_by_handle_at" | "creat"
            );
            touch_from.push((steps_from, open));
            steps_from = steps.len();
            type_ids.insert(t, buckets.len() as u32);
            buckets.push(spec);
        }
        let any_bucket = any_type
            .iter()
            .map(|&i| {
                let tree = build(&rules[i].node, &mut leaves, &mut index).0;
                (i, emit(&tree, YES, NO, &mut steps))
            })
            .collect();
        buckets.push(any_bucket);
        touch_from.push((steps_from, false));
        let touch: Vec<u16> = touch_from
            .iter()
            .enumerate()
            .map(|(b, &(from, open))| {
                let to = touch_from.get(b + 1).map_or(steps.len(), |x| x.0);
                let mut names = Vec::new();
                for s in &steps[from..to] {
                    fast::leaf_fields(&leaves[s.leaf as usize], &mut names);
                }
                let bits = names.iter().fold(0, |m, n| m | fast::touch_bits(n));
                if open {
                    bits | fast::T_ARGS
                } else {
                    bits
                }
            })
            .collect();
        let leaves = leaves.iter().map(Leaf::new).collect();
        Engine {
            rules,
            type_ids,
            buckets,
            touch,
            steps,
            leaves,
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
        Some(
            self.type_ids
                .iter()
                .filter(|(_, &b)| !self.buckets[b as usize].is_empty())
                .map(|(t, _)| t.clone())
                .collect(),
        )
    }

    /// Whether some rule can match an `open`/`openat`/`openat2` that does not request write
    /// access. When none can, the sensor drops such opens in the kernel; the analysis errs
    /// towards keeping events (see `false_without_write`).
    pub fn needs_read_only_opens(&self) -> bool {
        needs_read_only_opens(&self.rules)
    }

    /// Number of distinct checks across all rules after sharing (for tools and tests).
    pub fn distinct_checks(&self) -> usize {
        self.leaves.len()
    }

    /// Indices (into [`Engine::rules`]) of the rules that match `ev`, in file order.
    pub fn matches(&self, ev: &Event, out: &mut Vec<usize>) {
        out.clear();
        // Types no rule names share the last bucket: the rules that apply to every type.
        let b = self
            .type_ids
            .get(ev.evt_type.as_str())
            .map_or(self.buckets.len() - 1, |&b| b as usize);
        let cand = &self.buckets[b];
        if cand.is_empty() {
            return;
        }
        // Only the blocks this type's rules read: the type is stored inline in the event's
        // first line, so looking it up first costs no extra miss, and an open does not pull
        // in the argument list of its process or its ancestry when no open rule reads them.
        std::hint::black_box(fast::touch(ev, self.touch[b]));
        let ctx = Ctx::new(ev, &self.hostname);
        let first = self.matching == Matching::First;
        let mut memo = Memo::new();
        for &(i, entry) in cand {
            if self.rules[i].priority > self.min_priority {
                continue;
            }
            if self.run(entry, &ctx, &mut memo) {
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
/// The open syscalls the kernel can drop on their access mode.
const OPEN_TYPES: [&str; 3] = ["open", "openat", "openat2"];

/// Whether some rule can match an open whose access mode gives `evt.is_open_write` false.
/// Each rule's condition is specialised to each open type; a rule that cannot be shown false
/// for every such open counts as needing them, so the answer errs towards keeping events.
fn needs_read_only_opens(rules: &[Rule]) -> bool {
    rules.iter().any(|r| {
        OPEN_TYPES.iter().any(|t| match r.node.specialize(t) {
            Err(constant) => constant,
            Ok(n) => !false_without_write(&n),
        })
    })
}

/// Whether `n` is false on every open that does not request write access. Proven only
/// through a conjunct `evt.is_open_write = true` (or `!= false`); anything else (negations,
/// other fields, flags tested as text) is taken as possibly true.
fn false_without_write(n: &Node) -> bool {
    match n {
        Node::And(k) => k.iter().any(false_without_write),
        Node::Or(k) => k.iter().all(false_without_write),
        Node::Not(_) | Node::Exists(_) => false,
        Node::Check(ch) => {
            let COperand::Field(def, FieldArg::None) = &ch.lhs else {
                return false;
            };
            def.name == "evt.is_open_write"
                && ch.modifier.is_none()
                && matches!(
                    (ch.op, &ch.rhs),
                    (Op::Eq, CRhs::One(Lit::Bool(true))) | (Op::Ne, CRhs::One(Lit::Bool(false)))
                )
        }
    }
}
