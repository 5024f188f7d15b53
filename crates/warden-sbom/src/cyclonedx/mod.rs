//! CycloneDX JSON: [`write`] emits 1.6, [`read`] accepts 1.4 to 1.7.

pub(crate) mod read;
pub(crate) mod write;
