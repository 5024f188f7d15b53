//! Image sources turned into a layered filesystem view, read once and streamed.
//!
//! [`open`] takes a reference in the spellings Trivy and Syft users know (`docker-archive:`,
//! `oci-dir:`, `oci-archive:`, `registry:`, `dir:`, a daemon image name, or a bare path that is
//! sniffed), reads every layer exactly once as a stream, and returns the merged view with
//! whiteouts and opaque directories applied. File contents are never kept unless the
//! [`Selector`] asks for them, and nothing from the image is ever written to disk by its own path.
//!
//! ```no_run
//! use warden_image::{open, EntryMeta, InspectedFile, Interest, NoProgress, OpenOptions, Selector};
//! struct OsRelease;
//! impl Selector for OsRelease {
//!     fn select(&self, e: &EntryMeta<'_>) -> Interest {
//!         if e.path.ends_with("/os-release") { Interest::Keep } else { Interest::Skip }
//!     }
//!     fn inspect(&self, _: &InspectedFile<'_>) {}
//! }
//! let image = open("docker-archive:img.tar", &OpenOptions::default(), &OsRelease, &NoProgress)?;
//! println!("{:?}", image.fs.read("/etc/os-release").map(<[u8]>::len));
//! # Ok::<(), warden_image::ImageError>(())
//! ```
#![deny(missing_docs)]

mod cache;
mod error;
mod hash;
mod limits;
mod manifest;
mod mapped;
mod source;
mod view;
mod walk;
mod whiteout;

use std::path::PathBuf;
use std::sync::Mutex;

pub use cache::DigestCache;
pub use error::ImageError;
pub use limits::Limits;
pub use view::Filesystem;
pub use warden_core::SkipNote;

/// What the walker tells a selector about one regular file before reading its content.
#[derive(Debug, Clone, Copy)]
pub struct EntryMeta<'a> {
    /// Absolute, normalised, inside the image root: `/usr/lib/os-release`.
    pub path: &'a str,
    /// Size in bytes (the apparent size for sparse files).
    pub size: u64,
    /// Permission bits (`0o755`...).
    pub mode: u32,
    /// The first `min(size, 64)` bytes, for magic sniffing.
    pub head: &'a [u8],
}

/// What a selector wants done with a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Not wanted: the content is not kept (the index still records the path).
    Skip,
    /// Keep the bytes in the index: small metadata files read after the walk.
    Keep,
    /// Hand the bytes to [`Selector::inspect`] now, then drop them (jars, binaries).
    Inspect,
}

/// A file handed to [`Selector::inspect`].
#[derive(Debug, Clone, Copy)]
pub struct InspectedFile<'a> {
    /// Absolute normalised path.
    pub path: &'a str,
    /// Index into `ImageMeta.layers` (0 for `dir:` sources).
    pub layer: usize,
    /// `sha256:...` of the layer (`""` for `dir:` sources).
    pub diff_id: &'a str,
    /// The whole content.
    pub data: &'a [u8],
}

/// Decides, per regular file, whether its content is wanted. Implemented by the catalogers.
pub trait Selector: Sync {
    /// Called once per regular file of every layer, before its content is read.
    fn select(&self, entry: &EntryMeta<'_>) -> Interest;
    /// Called from the walker (possibly from several threads, one file per call).
    fn inspect(&self, file: &InspectedFile<'_>);
}

/// One surviving regular file of the merged view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// Absolute normalised path (after symlinks, for [`Filesystem::info`]).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Permission bits.
    pub mode: u32,
    /// The layer that brought this file (index into `ImageMeta.layers`).
    pub layer: usize,
    /// That layer's diff ID (`""` for `dir:` sources).
    pub diff_id: String,
}

/// An opened image: its metadata, its merged file index and what was passed over.
#[derive(Debug)]
pub struct Image {
    /// Facts about the image.
    pub meta: warden_core::ImageMeta,
    /// The merged view after every layer.
    pub fs: Filesystem,
    /// Entries passed over (escaping paths, oversized wanted files...), with reasons, sorted.
    pub skipped: Vec<SkipNote>,
}

/// Credentials given explicitly (they win over `~/.docker/config.json`).
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP basic, also used to obtain bearer tokens from the registry's token service.
    Basic {
        /// User name.
        username: String,
        /// Password or access token.
        password: String,
    },
    /// A ready bearer token.
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credentials::Bearer(_) => write!(f, "Bearer(***)"),
        }
    }
}

/// How to open an image.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// `os/arch[/variant]` to pick from a multi-platform index (default: the host's, on linux).
    pub platform: Option<String>,
    /// Allow plain HTTP to a loopback registry (and invalid TLS certificates elsewhere).
    pub insecure: bool,
    /// A wanted file larger than this is skipped with a note (default 512 MiB).
    pub max_file_size: u64,
    /// The other bounds.
    pub limits: Limits,
    /// Registry credentials; when `None`, the docker config and its helpers are asked.
    pub credentials: Option<Credentials>,
    /// Directory holding the docker `config.json` (default: `$DOCKER_CONFIG`, then `~/.docker`).
    pub docker_config_dir: Option<PathBuf>,
    /// Where the tool's own temporary files go (default: the system temp dir).
    pub temp_dir: Option<PathBuf>,
    /// Verified layer digests of local files, so an unchanged file is not hashed again (see
    /// [`DigestCache`]); `None` (the default) hashes every layer every time.
    pub digest_cache: Option<DigestCache>,
    /// Hash every layer and compare it with the config's diff ID and the manifest's digest (the
    /// default). Off, those are trusted as written, which is what Syft and Trivy do: a cold read
    /// of a large uncompressed layer then skips its SHA-256 (~0.2 s per 350 MB here), but a
    /// corrupt or tampered layer goes unnoticed. Manifests and configs are always verified.
    pub verify_layers: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            platform: None,
            insecure: false,
            max_file_size: 512 << 20,
            limits: Limits::default(),
            credentials: None,
            docker_config_dir: None,
            temp_dir: None,
            digest_cache: None,
            verify_layers: true,
        }
    }
}

/// Progress of pulls and layer reads. Every method has an empty default.
pub trait Progress: Sync {
    /// Layer `index` of `count` starts; `size` is the stored blob size when known.
    fn layer_started(&self, index: usize, count: usize, size: Option<u64>) {
        let _ = (index, count, size);
    }
    /// `n` more stored (possibly compressed) bytes were read.
    fn bytes(&self, n: u64) {
        let _ = n;
    }
    /// Layer `index` is fully indexed.
    fn layer_done(&self, index: usize) {
        let _ = index;
    }
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// Opens `reference` (docker daemon name, `docker-archive:`, `oci-dir:`, `oci-archive:`,
/// `registry:`, `dir:`, or auto-detect), walks it once and returns the merged view.
/// Blocking: network sources run their own runtime inside.
pub fn open(
    reference: &str,
    opts: &OpenOptions,
    selector: &dyn Selector,
    progress: &dyn Progress,
) -> Result<Image, ImageError> {
    // A caller inside a tokio runtime cannot block on ours in the same thread.
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|s| {
            s.spawn(|| source::open(reference, opts, selector, progress))
                .join()
                .unwrap_or_else(|_| {
                    Err(ImageError::Reference {
                        reference: reference.to_string(),
                        reason: "the reader thread panicked".into(),
                    })
                })
        });
    }
    source::open(reference, opts, selector, progress)
}

/// Reads a docker-save tar from a stream (a pipe from `docker save`, stdin...), in one pass:
/// layers are indexed as they arrive, files to inspect wait in a temp spool until the manifest
/// (usually last) gives their layer, then everything is merged in the manifest's order.
/// `name` names the image in errors and in `ImageMeta.reference`.
pub fn open_archive_stream(
    name: &str,
    reader: impl std::io::Read,
    opts: &OpenOptions,
    selector: &dyn Selector,
    progress: &dyn Progress,
) -> Result<Image, ImageError> {
    source::open_stream(name, reader, opts, selector, progress)
}

/// Collects skip notes, bounded by [`Limits::max_skip_notes`].
#[derive(Debug, Default)]
pub(crate) struct Notes {
    inner: Mutex<(Vec<SkipNote>, usize)>,
    max: usize,
}

impl Notes {
    pub(crate) fn new(max: usize) -> Self {
        Notes {
            inner: Mutex::new((Vec::new(), 0)),
            max,
        }
    }

    pub(crate) fn add(&self, at: impl Into<String>, reason: impl Into<String>) {
        let Ok(mut g) = self.inner.lock() else { return };
        if g.0.len() < self.max {
            let note = SkipNote {
                at: at.into(),
                reason: reason.into(),
            };
            tracing::debug!(at = %note.at, reason = %note.reason, "skipped");
            g.0.push(note);
        } else {
            g.1 += 1;
        }
    }

    pub(crate) fn finish(self) -> Vec<SkipNote> {
        let (mut notes, dropped) = self.inner.into_inner().unwrap_or_default();
        notes.sort();
        if dropped > 0 {
            notes.push(SkipNote {
                at: "(image)".into(),
                reason: format!("{dropped} more entries skipped (note limit reached)"),
            });
        }
        notes
    }
}
