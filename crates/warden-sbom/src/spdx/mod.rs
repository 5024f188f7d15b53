//! SPDX JSON: [`write`] emits 2.3, [`read`] accepts 2.2 and 2.3.

pub(crate) mod read;
pub(crate) mod write;
