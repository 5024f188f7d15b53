//! Catalogers: one module per ecosystem behind one trait.
//!
//! Each [`Cataloger`] declares which files it wants ([`Cataloger::interest`]): small metadata
//! files are *kept* by the image walker and read after the walk ([`Cataloger::collect`]); large
//! files (jars, executables) are *inspected* while the layer streams by and then dropped
//! ([`Cataloger::inspect`]). The [`Dispatcher`] implements [`warden_image::Selector`] over the
//! one explicit [`CATALOGERS`] table, so each layer is read once for every ecosystem.
//!
//! Parsing is split from cataloguing: `parse::<format>` are pure bytes → records functions
//! tested on real fixtures; `ecosystems::<eco>` adapt records to [`warden_core::Package`]s.
//!
//! ```no_run
//! use warden_image::{NoProgress, OpenOptions};
//! let inv = warden_catalog::catalog_image("docker-archive:img.tar", &OpenOptions::default(), &NoProgress)?;
//! for p in &inv.packages {
//!     println!("{} {} {}", p.ecosystem, p.name, p.version);
//! }
//! # Ok::<(), warden_catalog::CatalogError>(())
//! ```
#![deny(missing_docs)]

mod dispatch;
pub mod ecosystems;
mod lockfiles;
pub mod parse;

use warden_core::{Location, Package, SkipNote};
use warden_image::{EntryMeta, Filesystem, InspectedFile, Interest};

pub use dispatch::{catalog_filesystem, catalog_image, Dispatcher};
pub use lockfiles::catalog_lockfiles;

/// Why cataloguing failed. Per-file problems never fail a run: they become
/// [`SkipNote`]s in the inventory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The image could not be opened or read.
    #[error(transparent)]
    Image(#[from] warden_image::ImageError),
    /// A file's content could not be understood.
    #[error("{path}{}: {reason}", layer_suffix(.layer))]
    Parse {
        /// The file inside the image.
        path: String,
        /// The layer diff ID that brought it, when known.
        layer: Option<String>,
        /// What is wrong.
        reason: String,
    },
}

fn layer_suffix(layer: &Option<String>) -> String {
    layer
        .as_deref()
        .map(|l| format!(" (layer {l})"))
        .unwrap_or_default()
}

impl CatalogError {
    /// A parse error for `path`.
    pub fn parse(path: &str, layer: Option<&str>, reason: impl std::fmt::Display) -> Self {
        CatalogError::Parse {
            path: path.to_string(),
            layer: layer.map(str::to_string),
            reason: reason.to_string(),
        }
    }
}

/// What catalogers hand back: packages, relationships between them, the files OS packages own,
/// and what was passed over.
#[derive(Debug, Default)]
pub struct Found {
    /// Packages, with locations set.
    pub packages: Vec<Package>,
    /// `(from, to)` indices into `packages`: `from` depends on `to`.
    pub relationships: Vec<(usize, usize)>,
    /// Absolute paths owned by OS packages (dpkg lists, apk `R:` lines, rpm file lists).
    pub owned_files: Vec<String>,
    /// Files or records passed over, with the reason.
    pub skipped: Vec<SkipNote>,
}

impl Found {
    /// Adds a package and returns its index for relationships.
    pub fn add(&mut self, p: Package) -> usize {
        self.packages.push(p);
        self.packages.len() - 1
    }

    /// Records that package `from` depends on package `to`.
    pub fn relate(&mut self, from: usize, to: usize) {
        if from != to {
            self.relationships.push((from, to));
        }
    }

    /// Records something passed over.
    pub fn skip(&mut self, at: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(SkipNote {
            at: at.into(),
            reason: reason.into(),
        });
    }

    /// Appends another result, shifting its relationship indices.
    pub fn append(&mut self, other: Found) {
        let base = self.packages.len();
        self.packages.extend(other.packages);
        self.relationships.extend(
            other
                .relationships
                .into_iter()
                .map(|(a, b)| (a + base, b + base)),
        );
        self.owned_files.extend(other.owned_files);
        self.skipped.extend(other.skipped);
    }
}

/// What a cataloger sees after the walk: the merged view and the detected OS.
pub struct Context<'a> {
    /// The merged filesystem; only Kept files have content.
    pub fs: &'a Filesystem,
    /// The operating system, when one was detected (OS package purls need it).
    pub os: Option<&'a warden_core::OsInfo>,
}

impl Context<'_> {
    /// A location for a Kept file, with the diff ID of the layer that brought it.
    pub fn location(&self, path: &str) -> Location {
        let layer = self
            .fs
            .info(path)
            .map(|i| i.diff_id)
            .filter(|d| !d.is_empty());
        Location {
            path: path.to_string(),
            layer,
        }
    }

    /// The Kept files whose path satisfies `pred`, in path order.
    pub fn kept_where<'s>(
        &'s self,
        pred: impl Fn(&str) -> bool + 's,
    ) -> impl Iterator<Item = (&'s str, &'s [u8])> + 's {
        self.fs.kept().filter(move |(p, _)| pred(p))
    }
}

/// One ecosystem's cataloger. Implementations are unit structs listed in [`CATALOGERS`].
pub trait Cataloger: Sync {
    /// Stable identifier (`dpkg-db`, `java-archive`...), recorded as `Package::found_by`.
    fn id(&self) -> &'static str;
    /// Bumped whenever the output for the same input changes (part of any cache key).
    fn version(&self) -> u32;
    /// What to do with one file of a layer. Called for every regular file: must be cheap.
    fn interest(&self, e: &EntryMeta<'_>) -> Interest;
    /// Catalogs a file while its layer streams by (only for files this cataloger inspects).
    /// Locations are set by the dispatcher; set only nested parts (`outer.jar!/inner.jar`).
    fn inspect(&self, file: &InspectedFile<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let _ = (file, out);
        Ok(())
    }
    /// Catalogs Kept files after the walk.
    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let _ = (ctx, out);
        Ok(())
    }
}

/// Every cataloger, sorted by id. Adding an ecosystem means adding one file and one line here.
pub const CATALOGERS: &[&dyn Cataloger] = &[
    &ecosystems::apk::ApkDb,
    &ecosystems::binary::BinaryClassifier,
    &ecosystems::dotnet::DotnetDeps,
    &ecosystems::dpkg::DpkgDb,
    &ecosystems::go::GoBinary,
    &ecosystems::java::JavaArchive,
    &ecosystems::npm::NpmPackages,
    &ecosystems::php::ComposerInstalled,
    &ecosystems::python::PythonInstalled,
    &ecosystems::rpm::RpmDb,
    &ecosystems::ruby::RubyGemspec,
    &ecosystems::rust::CargoAuditable,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cataloger_ids_are_unique_and_sorted() {
        let ids: Vec<_> = CATALOGERS.iter().map(|c| c.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert!(CATALOGERS.iter().all(|c| c.version() >= 1));
    }
}
