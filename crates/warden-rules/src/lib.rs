//! Falco-compatible rules: YAML loader, condition language, compiler and evaluator.
