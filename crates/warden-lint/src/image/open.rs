//! Fills [`Facts`] from a real image through `warden-image`: every layer is read once, streamed,
//! with its hostile-layer limits; only [`candidates`](super::candidates) have their content read,
//! and each is classified in the layer that holds it, so files deleted by later layers count too.

use std::sync::Mutex;

use warden_image::{
    EntryMeta, Image, ImageError, InspectedFile, Interest, OpenOptions, Progress, Selector,
};

use super::candidates::{self, Want};
use super::{Facts, FsEntry, LayerFile};

/// The selector that asks for candidates and keeps what they hold (never their bytes).
#[derive(Default)]
struct Collector {
    found: Mutex<Vec<LayerFile>>,
}

impl Selector for Collector {
    fn select(&self, e: &EntryMeta<'_>) -> Interest {
        match candidates::select(e.path, e.size, e.head) {
            Want::Skip => Interest::Skip,
            Want::Inspect => Interest::Inspect,
            Want::Keep => Interest::Keep,
        }
    }

    fn inspect(&self, f: &InspectedFile<'_>) {
        if let Some(kind) = candidates::classify(f.path, f.data) {
            if let Ok(mut found) = self.found.lock() {
                found.push(LayerFile {
                    path: f.path.to_string(),
                    layer: f.layer,
                    kind,
                    survives: false,
                });
            }
        }
    }
}

/// What [`collect`] read: the facts for the rules, and the opened image's metadata and skip notes.
#[derive(Debug)]
pub struct Collected {
    /// What the image rules look at.
    pub facts: Facts,
    /// The image's metadata.
    pub meta: warden_core::ImageMeta,
    /// Entries the walker passed over (escaping paths, limits), with reasons.
    pub skipped: Vec<warden_core::SkipNote>,
}

/// Opens `reference` (any source `warden-image` reads: daemon, `docker-archive:`, `oci-dir:`,
/// `oci-archive:`, `registry:`, `dir:`) and gathers the facts the image rules need.
pub fn collect(
    reference: &str,
    opts: &OpenOptions,
    progress: &dyn Progress,
) -> Result<Collected, ImageError> {
    let collector = Collector::default();
    let image = warden_image::open(reference, opts, &collector, progress)?;
    let found = collector.found.into_inner().unwrap_or_default();
    Ok(facts_of(reference, image, found))
}

fn facts_of(reference: &str, image: Image, mut found: Vec<LayerFile>) -> Collected {
    let fs = &image.fs;
    for lf in &mut found {
        lf.survives = fs.survives(&lf.path, lf.layer);
    }
    // The inspect callback may run on several threads: order by layer then path.
    found.sort_by(|a, b| (a.layer, &a.path).cmp(&(b.layer, &b.path)));
    found.dedup();
    let mut entries: Vec<FsEntry> = fs
        .files()
        .map(|i| (i, false))
        .chain(fs.dirs().map(|i| (i, true)))
        .filter(|(i, dir)| super::wants_entry(&i.path, *dir, i.mode))
        .map(|(i, dir)| FsEntry {
            path: i.path,
            dir,
            mode: i.mode,
            size: i.size,
            layer: i.layer,
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let meta = image.meta;
    let facts = Facts {
        reference: reference.to_string(),
        user: meta.user.clone(),
        env: meta.env.clone(),
        labels: meta.labels.clone(),
        repo_tags: meta.repo_tags.clone(),
        layers: meta.layers.iter().map(|l| l.diff_id.clone()).collect(),
        passwd: fs
            .read("/etc/passwd")
            .map(|b| String::from_utf8_lossy(b).into_owned()),
        entries,
        layer_files: found,
    };
    Collected {
        facts,
        meta,
        skipped: image.skipped,
    }
}
