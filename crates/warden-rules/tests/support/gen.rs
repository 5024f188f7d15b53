//! Deterministic generation helpers shared by the rule engine's tests and `rules_bench`
//! (included with `#[path]`, so each keeps its own crate root).
#![allow(dead_code)]

use warden_rules::event::EventArg;

/// xorshift64*: deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

/// The shared data directory: `$WARDEN_SHARED` when set (a worktree outside the repository's
/// parent cannot reach `../shared`), else `../shared` next to the repository.
pub fn shared_dir() -> std::path::PathBuf {
    match std::env::var_os("WARDEN_SHARED") {
        Some(d) => d.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// An event argument as the sensor decodes it.
pub fn arg(name: &str, value: &str, raw: Option<i64>) -> EventArg {
    EventArg {
        name: name.into(),
        value: value.into(),
        raw,
    }
}

/// The rules a straightforward tree walk matches for `ev`: the reference the optimised engine
/// must agree with.
pub fn plain_matches(engine: &warden_rules::Engine, ev: &warden_rules::event::Event) -> Vec<usize> {
    let ctx = warden_rules::fields::Ctx::new(ev, "test-host");
    engine
        .rules()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.node.eval(&ctx))
        .map(|(i, _)| i)
        .collect()
}
