//! Java archives (jar, war, ear...), inspected while their layer streams by: one package per
//! `pom.properties`, the manifest as a fallback, nested archives followed within limits.

use warden_core::{Ecosystem, Location, Package};
use warden_image::{EntryMeta, InspectedFile, Interest};

use crate::parse::java_archive::{is_java_archive, scan_archive, Evidence, JavaLimits};
use crate::{CatalogError, Cataloger, Found};

/// The Java archive cataloger.
pub struct JavaArchive;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

impl Cataloger for JavaArchive {
    fn id(&self) -> &'static str {
        "java-archive"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if is_java_archive(e.path) && e.head.starts_with(ZIP_MAGIC) {
            Interest::Inspect
        } else {
            Interest::Skip
        }
    }

    fn inspect(&self, file: &InspectedFile<'_>, out: &mut Found) -> Result<(), CatalogError> {
        if !is_java_archive(file.path) || !file.data.starts_with(ZIP_MAGIC) {
            return Ok(());
        }
        let layer = (!file.diff_id.is_empty()).then_some(file.diff_id);
        let scan = scan_archive(file.path, file.data, &JavaLimits::default())
            .map_err(|e| CatalogError::parse(file.path, layer, format!("java archive: {e}")))?;
        for (at, why) in scan.skipped {
            out.skip(at, why);
        }
        for j in scan.packages {
            let name = if j.group_id.is_empty() {
                j.artifact_id.clone()
            } else {
                format!("{}:{}", j.group_id, j.artifact_id)
            };
            let mut p = Package::new(Ecosystem::Maven, name, &j.version);
            p.licenses = j.licenses;
            p.found_by = self.id().to_string();
            p.locations.push(Location {
                path: j.archive.clone(),
                layer: layer.map(str::to_string),
            });
            p.metadata.insert("artifactId".into(), j.artifact_id);
            if !j.group_id.is_empty() {
                p.metadata.insert("groupId".into(), j.group_id);
            }
            let evidence = match j.evidence {
                Evidence::PomProperties => j.pom_path.unwrap_or_default(),
                Evidence::Manifest => "META-INF/MANIFEST.MF".into(),
            };
            p.metadata.insert("evidence".into(), evidence);
            out.add(p);
        }
        Ok(())
    }
}
