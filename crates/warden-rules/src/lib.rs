//! Falco-compatible rules: YAML loader, condition language, compiler and evaluator.
//!
//! The pipeline is [`lexer`] → [`parser`] (an [`ast`] over byte spans) → [`loader`] (rules
//! YAML: lists, macros, rules, exceptions, overrides) → [`compiler`] (macros and lists
//! expanded, fields resolved through the one [`fields`] table, operator/type pairs checked) →
//! [`engine`] (rules indexed by event type, fields extracted lazily) → [`output`] (templates and
//! Falco-shaped alert JSON), with [`ratelimit`] for the alert layer.
#![deny(missing_docs)]

pub mod ast;
pub mod compiler;
pub mod defaults;
pub mod engine;
pub mod event;
mod fast;
pub mod fields;
pub mod hash;
pub mod lexer;
pub mod loader;
pub mod output;
pub mod parser;
pub mod ratelimit;
pub mod value;

pub use engine::{Engine, Matching};
pub use event::Event;
pub use loader::{LoadReport, Loader, Location, Message, Priority, Rule};
pub use output::Alert;
