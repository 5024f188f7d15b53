//! The Dockerfile parser and its rules.
