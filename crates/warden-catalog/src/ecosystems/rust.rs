//! Rust executables built with `cargo auditable`: the embedded dependency tree.

use warden_core::{Ecosystem, Location, Package};
use warden_image::{EntryMeta, InspectedFile, Interest};

use super::go::wants_executable;
use crate::parse::cargo_auditable::parse_auditable_binary;
use crate::parse::go_buildinfo::is_executable;
use crate::{CatalogError, Cataloger, Found};

/// The cargo-auditable cataloger.
pub struct CargoAuditable;

impl Cataloger for CargoAuditable {
    fn id(&self) -> &'static str {
        "rust-cargo-auditable"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if wants_executable(e) {
            Interest::Inspect
        } else {
            Interest::Skip
        }
    }

    fn inspect(&self, file: &InspectedFile<'_>, out: &mut Found) -> Result<(), CatalogError> {
        if !is_executable(file.data) {
            return Ok(());
        }
        let layer = (!file.diff_id.is_empty()).then(|| file.diff_id.to_string());
        let tree = match parse_auditable_binary(file.data) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(CatalogError::parse(
                    file.path,
                    layer.as_deref(),
                    format!("cargo-auditable: {e}"),
                ))
            }
        };
        let location = Location {
            path: file.path.to_string(),
            layer,
        };
        let mut idx = vec![None; tree.len()];
        for (k, c) in tree.iter().enumerate() {
            // Build-time dependencies (build scripts, proc macros) are not in the executable.
            if c.kind.as_deref() == Some("build") {
                continue;
            }
            let mut p = Package::new(Ecosystem::Cargo, &c.name, &c.version);
            p.found_by = self.id().to_string();
            p.locations.push(location.clone());
            if !c.source.is_empty() {
                p.metadata.insert("source".into(), c.source.clone());
            }
            if c.root {
                p.metadata.insert("root".into(), "true".into());
            }
            idx[k] = Some(out.add(p));
        }
        for (k, c) in tree.iter().enumerate() {
            for d in &c.dependencies {
                if let (Some(a), Some(b)) = (idx[k], idx.get(*d).copied().flatten()) {
                    out.relate(a, b);
                }
            }
        }
        Ok(())
    }
}
