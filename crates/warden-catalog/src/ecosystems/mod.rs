//! Thin adapters from parsed records to [`warden_core::Package`]s: path patterns, purl shapes
//! and relationships, one file per ecosystem.

pub mod apk;
pub mod binary;
pub mod dotnet;
pub mod dpkg;
pub mod go;
pub mod java;
pub mod npm;
pub mod os;
pub mod php;
pub mod python;
pub mod rpm;
pub mod ruby;
pub mod rust;

use warden_core::OsInfo;

/// `debian-12`, `alpine-3.20.3`: the `distro` purl qualifier Syft writes.
pub(crate) fn distro_qualifier(os: Option<&OsInfo>) -> String {
    match os {
        Some(o) if !o.version_id.is_empty() => format!("{}-{}", o.id, o.version_id),
        Some(o) => o.id.clone(),
        None => String::new(),
    }
}

/// The last path component.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Everything before the last `/` (`""` for a top-level name).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}
