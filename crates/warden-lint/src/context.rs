//! What rules see: the parsed file plus stages, RUN scripts and the config, computed once.

use std::collections::BTreeMap;

use crate::ast::{Arguments, Dockerfile, Instruction, Kind};
use crate::config::Config;
use crate::rules::Level;
use crate::shell::{self, Script};

/// A build stage: one FROM and the instructions up to the next.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Index of the FROM instruction.
    pub from: usize,
    /// Stage name (`AS x`), lower-cased as BuildKit compares them.
    pub alias: Option<String>,
    /// The base image as written.
    pub image: String,
    /// The earlier stage this one builds on (`FROM builder`).
    pub parent: Option<usize>,
}

/// A RUN (plain or `ONBUILD RUN`) with its parsed shell script.
#[derive(Debug)]
pub struct RunInfo<'a> {
    /// Index of the (outer) instruction.
    pub index: usize,
    /// The outer instruction (ONBUILD for `ONBUILD RUN`); findings are reported here.
    pub outer: &'a Instruction,
    /// The RUN instruction itself (flags live here).
    pub run: &'a Instruction,
    /// Shell form text plus heredoc bodies; `None` for exec form.
    pub script: Option<Script>,
    /// The shell-form text (with heredoc bodies) or the joined exec form.
    pub text: String,
    /// Whether it is exec form.
    pub exec: bool,
    /// The stage it belongs to.
    pub stage: Option<usize>,
    /// Wrapped in ONBUILD.
    pub onbuild: bool,
}

impl RunInfo<'_> {
    /// `--mount` flag values of this RUN.
    pub fn mounts(&self) -> Vec<BTreeMap<String, String>> {
        self.run
            .flags
            .iter()
            .filter(|f| f.name == "mount")
            .filter_map(|f| f.value.as_deref())
            .map(|v| {
                v.split(',')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
                        None => (kv.trim().to_ascii_lowercase(), String::new()),
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether a cache or tmpfs mount targets `path` (`target`, `dst` or `destination`).
    pub fn has_cache_mount(&self, path: &str) -> bool {
        self.mounts().iter().any(|m| {
            let typ = m.get("type").map(String::as_str).unwrap_or("bind");
            let target = m
                .get("target")
                .or_else(|| m.get("dst"))
                .or_else(|| m.get("destination"));
            matches!(typ, "cache" | "tmpfs")
                && target.is_some_and(|t| t.trim_end_matches('/') == path.trim_end_matches('/'))
        })
    }

    /// The commands hadolint's rules see (not those inside `sh -c` strings).
    pub fn commands(&self) -> impl Iterator<Item = &shell::Command> {
        self.script.iter().flat_map(|s| s.plain())
    }
}

/// Everything a rule may look at.
pub struct Ctx<'a> {
    /// The parsed file.
    pub df: &'a Dockerfile,
    /// The stages in order.
    pub stages: Vec<Stage>,
    /// For each instruction, its stage (`None` before the first FROM).
    pub stage_of: Vec<Option<usize>>,
    /// Every RUN and ONBUILD RUN.
    pub runs: Vec<RunInfo<'a>>,
    /// The effective config.
    pub config: &'a Config,
}

impl<'a> Ctx<'a> {
    /// Computes stages and parses every RUN's shell once.
    pub fn new(df: &'a Dockerfile, config: &'a Config) -> Ctx<'a> {
        let mut stages: Vec<Stage> = Vec::new();
        let mut stage_of = Vec::with_capacity(df.instructions.len());
        let mut runs = Vec::new();
        for (i, inst) in df.instructions.iter().enumerate() {
            if let Kind::From(f) = &inst.kind {
                let image = f.image.value.clone();
                let lower = image.to_ascii_lowercase();
                let parent = stages
                    .iter()
                    .position(|s| s.alias.as_deref() == Some(lower.as_str()));
                stages.push(Stage {
                    from: i,
                    alias: f.alias.as_ref().map(|a| a.value.to_ascii_lowercase()),
                    image,
                    parent,
                });
            }
            let stage = stages.len().checked_sub(1);
            stage_of.push(stage);
            let (run, onbuild) = match &inst.kind {
                Kind::Run(_) => (inst, false),
                Kind::Onbuild(inner) if matches!(inner.kind, Kind::Run(_)) => (&**inner, true),
                _ => continue,
            };
            let Kind::Run(args) = &run.kind else { continue };
            let (script, text, exec) = match args {
                Arguments::Shell { text, .. } => {
                    let mut full = text.clone();
                    for h in &run.heredocs {
                        full.push('\n');
                        full.push_str(&h.content);
                    }
                    (Some(shell::parse(&full)), full, false)
                }
                Arguments::Exec(v) => (None, v.join(" "), true),
            };
            runs.push(RunInfo {
                index: i,
                outer: inst,
                run,
                script,
                text,
                exec,
                stage,
                onbuild,
            });
        }
        Ctx {
            df,
            stages,
            stage_of,
            runs,
            config,
        }
    }

    /// Instructions with their index, ONBUILD ones unwrapped when `unwrap_onbuild`.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> {
        self.df.instructions.iter().enumerate()
    }

    /// Whether stage `s` is the last one or is used later by name or index (`FROM s`,
    /// `COPY --from=s`): the stages whose contents end up somewhere.
    pub fn stage_is_used(&self, s: usize) -> bool {
        if s + 1 == self.stages.len() {
            return true;
        }
        let alias = self.stages[s].alias.clone();
        let idx = s.to_string();
        self.df
            .instructions
            .iter()
            .skip(self.stages[s].from + 1)
            .any(|inst| match &inst.kind {
                Kind::From(f) => {
                    alias.as_deref() == Some(f.image.value.to_ascii_lowercase().as_str())
                }
                Kind::Copy(_) => inst
                    .flag("from")
                    .and_then(|f| f.value.as_deref())
                    .is_some_and(|v| {
                        let v = v.to_ascii_lowercase();
                        Some(v.as_str()) == alias.as_deref() || v == idx
                    }),
                _ => false,
            })
    }

    /// ENV values visible at instruction `index` (from its stage, the stages it builds on and the
    /// global scope) plus every ARG default declared before it, which is how hadolint resolves
    /// versions in package names. Later definitions win.
    pub fn env_at(&self, index: usize) -> BTreeMap<String, String> {
        let mut chain = Vec::new();
        let mut s = self.stage_of.get(index).copied().flatten();
        while let Some(x) = s {
            if chain.contains(&x) {
                break;
            }
            chain.push(x);
            s = self.stages[x].parent;
        }
        let mut env = BTreeMap::new();
        for (i, inst) in self.df.instructions.iter().enumerate().take(index) {
            let here = match self.stage_of[i] {
                Some(x) => chain.contains(&x),
                None => true,
            };
            match &inst.kind {
                Kind::Env(kvs) if here => {
                    for kv in kvs {
                        env.insert(kv.key.clone(), kv.value.clone());
                    }
                }
                Kind::Arg(args) => {
                    for a in args {
                        if let Some(d) = &a.default {
                            env.insert(a.name.clone(), d.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        env
    }

    /// The level a rule ends up with after config overrides.
    pub fn level_of(&self, code: &str, default: Level) -> Level {
        self.config.overrides.get(code).copied().unwrap_or(default)
    }
}
