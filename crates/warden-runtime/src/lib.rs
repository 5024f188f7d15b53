//! The eBPF runtime sensor of `warden watch`: CO-RE BPF programs (`src/bpf/`) report syscalls
//! through a ring buffer; [`decode`] checks and types the records; [`proctree`], [`cgroup`]
//! and [`container`] enrich them; [`mapper`] turns them into the rule engine's
//! [`warden_rules::Event`]; [`pipeline`] evaluates the rules and sends alerts to the
//! [`output`] sinks; [`live`] ties the [`sensor`] to the pipeline.
//!
//! Only the syscalls the loaded rules need are loaded into the kernel, and kernel drops are
//! counted, exported in [`metrics`] and raised as alerts.
#![deny(missing_docs)]

pub mod cgroup;
pub mod container;
pub mod cri;
pub mod decode;
pub mod live;
pub mod mapper;
pub mod metrics;
pub mod output;
pub mod pipeline;
pub mod proctree;
pub mod render;
pub mod rules;
pub mod sensor;

#[allow(
    unsafe_code,
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    dead_code
)]
mod skel {
    include!(concat!(env!("OUT_DIR"), "/sensor.skel.rs"));
}

pub use decode::Kind;
pub use output::FalcoAlert;
pub use pipeline::{Evaluator, Pipeline};
pub use rules::RulesEvaluator;
pub use sensor::{Sensor, SensorConfig, SensorError};
