//! Image sources, one per file, and the parts they share: the reference syntax, auto-detection
//! and the OCI manifest → config → layers pipeline.

mod archive;
mod daemon;
mod oci_layout;
mod registry;
mod rootfs;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::cache::{CachedPool, RangeId};
use crate::hash::RangeJob;
use crate::manifest::{pick_platform, verify_digest, Config, Document};
use crate::mapped::Blob;
use crate::view::{Filesystem, LayerIndex};
use crate::walk::{index_layer, index_mapped, is_compressed, InspectTo, Totals, WalkCtx};
use crate::{Image, ImageError, Notes, OpenOptions, Progress, Selector};

/// A parsed reference: which source, and what it names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Source<'a> {
    Daemon(&'a str),
    DockerArchive(&'a str),
    OciDir(&'a str),
    OciArchive(&'a str),
    Registry(&'a str),
    Dir(&'a str),
    Auto(&'a str),
}

type Make<'r> = fn(&'r str) -> Source<'r>;

pub(crate) fn parse<'r>(reference: &'r str) -> Source<'r> {
    let schemes: [(&str, Make<'r>); 9] = [
        ("docker:", Source::Daemon),
        ("docker-daemon:", Source::Daemon),
        ("docker-archive:", Source::DockerArchive),
        ("oci-dir:", Source::OciDir),
        ("oci:", Source::OciDir),
        ("oci-archive:", Source::OciArchive),
        ("registry:", Source::Registry),
        ("dir:", Source::Dir),
        ("rootfs:", Source::Dir),
    ];
    for (prefix, make) in schemes {
        if let Some(rest) = reference.strip_prefix(prefix) {
            return make(rest);
        }
    }
    Source::Auto(reference)
}

/// Everything one `open` call shares across its layers.
pub(crate) struct Session<'a> {
    pub(crate) reference: &'a str,
    pub(crate) opts: &'a OpenOptions,
    pub(crate) selector: &'a dyn Selector,
    pub(crate) progress: &'a dyn Progress,
    pub(crate) notes: Notes,
    pub(crate) totals: Totals,
    /// Digests hashed in this session, recorded in the digest cache by [`Session::finish`],
    /// which only runs once every digest has been checked.
    pub(crate) fresh: std::sync::Mutex<Vec<(RangeId, [u8; 32])>>,
}

impl<'a> Session<'a> {
    pub(crate) fn ctx(&self) -> WalkCtx<'_> {
        WalkCtx {
            image: self.reference,
            selector: self.selector,
            opts: self.opts,
            progress: self.progress,
            notes: &self.notes,
            totals: &self.totals,
        }
    }

    pub(crate) fn finish(
        self,
        meta: warden_core::ImageMeta,
        blobs: Vec<LayerIndex>,
        positions: Vec<u32>,
    ) -> Image {
        if let Some(cache) = &self.opts.digest_cache {
            for (id, digest) in self
                .fresh
                .lock()
                .map(|mut g| std::mem::take(&mut *g))
                .unwrap_or_default()
            {
                cache.record(&id, &digest);
            }
        }
        let fs = Filesystem::merge(blobs, positions, self.opts.limits.max_symlink_hops);
        tracing::debug!(
            image = self.reference,
            entries = fs.len(),
            index_bytes = fs.index_bytes(),
            "image indexed"
        );
        Image {
            meta,
            fs,
            skipped: self.notes.finish(),
        }
    }
}

pub(crate) fn open_stream(
    name: &str,
    reader: impl Read,
    opts: &OpenOptions,
    selector: &dyn Selector,
    progress: &dyn Progress,
) -> Result<Image, ImageError> {
    let s = Session {
        reference: name,
        opts,
        selector,
        progress,
        notes: Notes::new(opts.limits.max_skip_notes),
        totals: Totals::default(),
        fresh: Default::default(),
    };
    archive::read_stream(s, reader, None)
}

pub(crate) fn open(
    reference: &str,
    opts: &OpenOptions,
    selector: &dyn Selector,
    progress: &dyn Progress,
) -> Result<Image, ImageError> {
    let s = Session {
        reference,
        opts,
        selector,
        progress,
        notes: Notes::new(opts.limits.max_skip_notes),
        totals: Totals::default(),
        fresh: Default::default(),
    };
    match parse(reference) {
        Source::Daemon(name) => daemon::open(s, name),
        Source::DockerArchive(path) => archive::open_docker(s, Path::new(path)),
        Source::OciArchive(path) => archive::open_oci(s, Path::new(path)),
        Source::OciDir(path) => oci_layout::open(s, path),
        Source::Registry(r) => registry::open(s, r),
        Source::Dir(path) => rootfs::open(s, Path::new(path)),
        Source::Auto(r) => auto(s, r),
    }
}

/// No scheme: an existing path is an OCI layout, a rootfs or an archive (sniffed); otherwise
/// the daemon is asked, then the registry.
fn auto(s: Session<'_>, r: &str) -> Result<Image, ImageError> {
    let path = Path::new(r);
    if let Ok(md) = std::fs::metadata(path) {
        if md.is_dir() {
            if path.join("oci-layout").is_file() && path.join("index.json").is_file() {
                return oci_layout::open(s, r);
            }
            return rootfs::open(s, path);
        }
        return match archive::sniff(r, path)? {
            archive::Kind::Docker => archive::open_docker(s, path),
            archive::Kind::Oci => archive::open_oci(s, path),
        };
    }
    let daemon_err = match daemon::has_image(r) {
        Ok(true) => return daemon::open(s, r),
        Ok(false) => format!("docker engine: no image '{r}'"),
        Err(e) => format!("docker engine: {e}"),
    };
    match registry::open(s, r) {
        Ok(img) => Ok(img),
        Err(e) => Err(ImageError::NotFound {
            reference: r.to_string(),
            tried: format!("not a path; {daemon_err}; registry: {e}"),
        }),
    }
}

/// Where the OCI pipeline gets blobs from.
pub(crate) trait BlobSource {
    /// A blob's bytes, refused above `max` bytes. Not verified here.
    fn read_small(&self, digest: &str, max: u64) -> Result<Vec<u8>, ImageError>;
    /// A blob as a stream.
    fn open_blob(&self, digest: &str) -> Result<Box<dyn Read + '_>, ImageError>;
    /// A blob in memory, when the source holds it in a regular file that can be mapped;
    /// `Ok(None)` streams it through [`BlobSource::open_blob`] instead.
    fn map_blob(&self, digest: &str) -> Result<Option<Blob>, ImageError> {
        let _ = digest;
        Ok(None)
    }
    /// A manifest or index by digest (registries serve these apart from blobs).
    fn read_manifest(&self, digest: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        self.read_small(digest, max)
    }
}

/// Reads a small blob and checks its digest.
pub(crate) fn fetch_verified(
    s: &Session<'_>,
    src: &dyn BlobSource,
    digest: &str,
) -> Result<Vec<u8>, ImageError> {
    let bytes = src.read_small(digest, s.opts.limits.max_metadata_size)?;
    verify_digest(s.reference, digest, &bytes)?;
    Ok(bytes)
}

/// Follows an index (possibly nested) down to one image manifest; returns its bytes and digest.
pub(crate) fn resolve_manifest(
    s: &Session<'_>,
    src: &dyn BlobSource,
    mut bytes: Vec<u8>,
    mut digest: String,
) -> Result<(Vec<u8>, String), ImageError> {
    for _ in 0..4 {
        let doc: Document = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::meta(s.reference, format!("manifest {digest}"), e))?;
        if !doc.is_index() {
            return Ok((bytes, digest));
        }
        let manifests = doc.manifests.unwrap_or_default();
        let d = pick_platform(s.reference, &manifests, s.opts.platform.as_deref())?;
        digest = d.digest.clone();
        bytes = src.read_manifest(&digest, s.opts.limits.max_metadata_size)?;
        verify_digest(s.reference, &digest, &bytes)?;
    }
    Err(ImageError::meta(
        s.reference,
        "index",
        "indexes nested more than 4 deep",
    ))
}

/// The OCI pipeline: manifest → config → each layer once, in order.
pub(crate) fn read_manifest(
    s: Session<'_>,
    src: &dyn BlobSource,
    manifest: &[u8],
    manifest_digest: &str,
) -> Result<Image, ImageError> {
    let doc: Document = serde_json::from_slice(manifest)
        .map_err(|e| ImageError::meta(s.reference, format!("manifest {manifest_digest}"), e))?;
    let config_desc = doc.config.ok_or_else(|| {
        ImageError::meta(
            s.reference,
            format!("manifest {manifest_digest}"),
            "no config descriptor",
        )
    })?;
    let layers = doc.layers.unwrap_or_default();
    let config_bytes = fetch_verified(&s, src, &config_desc.digest)?;
    let config = Config::parse(s.reference, &config_bytes)?;
    let mut meta = config.to_meta(s.reference, &config_bytes);
    meta.manifest_digest = Some(manifest_digest.to_string());
    let diff_ids = config.diff_ids();
    if layers.len() != diff_ids.len() {
        return Err(ImageError::meta(
            s.reference,
            format!("manifest {manifest_digest}"),
            format!(
                "{} layers but the config lists {} diff IDs",
                layers.len(),
                diff_ids.len()
            ),
        ));
    }
    if layers.len() > s.opts.limits.max_layers {
        return Err(ImageError::LimitExceeded {
            image: s.reference.to_string(),
            what: "layer count".into(),
            limit: format!("{} layers", s.opts.limits.max_layers),
        });
    }
    let mut plans: Vec<BlobPlan<'_>> = Vec::new();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut positions = Vec::with_capacity(layers.len());
    for (i, desc) in layers.iter().enumerate() {
        meta.layers[i].digest = Some(desc.digest.clone());
        meta.layers[i].size = Some(desc.size);
        if let Some(&b) = seen.get(desc.digest.as_str()) {
            positions.push(b);
            continue;
        }
        seen.insert(&desc.digest, plans.len() as u32);
        positions.push(plans.len() as u32);
        plans.push(BlobPlan {
            label: format!("{i} ({})", desc.digest),
            layer: i,
            size: Some(desc.size),
            diff_id: &diff_ids[i],
            mapped: src.map_blob(&desc.digest)?,
        });
    }
    let firsts: Vec<usize> = plans.iter().map(|p| p.layer).collect();
    let blobs = index_blobs(&s, plans, layers.len(), |k| {
        src.open_blob(&layers[firsts[k]].digest)
    })?;
    for (i, desc) in layers.iter().enumerate() {
        let index = &blobs[positions[i] as usize];
        if let Some((actual, _)) = index.digest.as_ref().filter(|_| s.opts.verify_layers) {
            if *actual != desc.digest {
                return Err(ImageError::DigestMismatch {
                    image: s.reference.to_string(),
                    expected: desc.digest.clone(),
                    actual: actual.clone(),
                });
            }
        }
        check_diff_id(&s, i, &diff_ids[i], &index.diff_id)?;
    }
    Ok(s.finish(meta, blobs, positions))
}

/// One distinct layer blob to index, listed at its first position in the image.
pub(crate) struct BlobPlan<'d> {
    /// Names the blob in errors and notes.
    pub(crate) label: String,
    /// The first layer position that uses it (inspected files are reported there).
    pub(crate) layer: usize,
    /// Stored size, for progress.
    pub(crate) size: Option<u64>,
    /// The diff ID the config promises for it.
    pub(crate) diff_id: &'d str,
    /// The blob in memory, when it could be mapped.
    pub(crate) mapped: Option<Blob>,
}

/// Indexes distinct layer blobs in order and fills in their `diff_id` and `digest`.
///
/// Mapped blobs are hashed by a [`HashPool`] while they are walked: an uncompressed one in place
/// (its diff ID and stored digest are the same hash), a compressed one through its decompressor
/// (the diff ID is hashed on the way, the stored digest by the pool). The others are streamed
/// through `open(k)`. Checking the digests against the manifest and config is the caller's job.
/// When layers are not verified (`OpenOptions::verify_layers`), nothing is hashed and each blob
/// carries the diff ID its plan was given.
pub(crate) fn index_blobs<'r>(
    s: &Session<'_>,
    plans: Vec<BlobPlan<'_>>,
    layer_count: usize,
    mut open: impl FnMut(usize) -> Result<Box<dyn Read + 'r>, ImageError>,
) -> Result<Vec<LayerIndex>, ImageError> {
    let verify = s.opts.verify_layers;
    let mut jobs: Vec<RangeJob> = Vec::new();
    // Per plan: (job index, compressed) when mapped and verified.
    let mut hashed: Vec<Option<(usize, bool)>> = Vec::with_capacity(plans.len());
    for p in &plans {
        hashed.push(p.mapped.as_ref().filter(|_| verify).map(|b| {
            jobs.push(b.job());
            (jobs.len() - 1, is_compressed(b.bytes()))
        }));
    }
    let sizes: Vec<u64> = jobs.iter().map(|j| j.len).collect();
    // Ranges whose file identity has a verified digest on record are not hashed.
    let pool = CachedPool::start(s.opts.digest_cache.as_ref(), jobs);
    let mut out = Vec::with_capacity(plans.len());
    for (k, p) in plans.into_iter().enumerate() {
        s.progress.layer_started(p.layer, layer_count, p.size);
        let to = InspectTo::Now {
            layer: p.layer,
            diff_id: p.diff_id,
        };
        let index = match &p.mapped {
            Some(b) if !is_compressed(b.bytes()) => {
                let mut index = index_mapped(b, &p.label, &s.ctx(), to)?;
                if !verify {
                    // Trusted as the config states it (see `OpenOptions::verify_layers`).
                    index.diff_id = p.diff_id.to_string();
                    index.digest = Some((index.diff_id.clone(), b.bytes().len() as u64));
                }
                index
            }
            Some(b) => index_layer(b.bytes(), &p.label, &s.ctx(), to, false)?,
            None => index_layer(open(k)?, &p.label, &s.ctx(), to, true)?,
        };
        s.progress.layer_done(p.layer);
        out.push((index, p.label));
        // `p.mapped` is unmapped here, before the next layer is walked.
    }
    let mut fresh = Vec::new();
    let mut digests: Vec<Option<std::io::Result<[u8; 32]>>> =
        pool.finish(&mut fresh).into_iter().map(Some).collect();
    if let Ok(mut g) = s.fresh.lock() {
        g.extend(fresh);
    }
    let mut blobs = Vec::with_capacity(out.len());
    for ((mut index, label), h) in out.into_iter().zip(hashed) {
        if let Some((j, compressed)) = h {
            let d = digests[j]
                .take()
                .unwrap_or_else(|| Err(std::io::Error::other("no digest")))
                .map_err(|e| ImageError::Layer {
                    image: s.reference.to_string(),
                    layer: label.clone(),
                    reason: format!("hashing: {e}"),
                })?;
            let hex = format!("sha256:{}", hex::encode(d));
            if !compressed {
                index.diff_id.clone_from(&hex);
            }
            index.digest = Some((hex, sizes[j]));
        }
        blobs.push(index);
    }
    Ok(blobs)
}

/// Compares a layer's hashed diff ID with the config's; a no-op when layers are not verified.
pub(crate) fn check_diff_id(
    s: &Session<'_>,
    index: usize,
    expected: &str,
    actual: &str,
) -> Result<(), ImageError> {
    if s.opts.verify_layers && expected != actual {
        return Err(ImageError::DiffIdMismatch {
            image: s.reference.to_string(),
            index,
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(())
}

/// Blob file name for a digest, refusing anything that is not `algorithm:hex`.
pub(crate) fn blob_rel_path(image: &str, digest: &str) -> Result<String, ImageError> {
    let (alg, hex) = digest.split_once(':').ok_or_else(|| {
        ImageError::meta(image, format!("digest '{digest}'"), "not algorithm:hex")
    })?;
    let ok = !alg.is_empty()
        && alg.bytes().all(|b| b.is_ascii_alphanumeric())
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(ImageError::meta(
            image,
            format!("digest '{digest}'"),
            "not algorithm:hex",
        ));
    }
    Ok(format!("blobs/{alg}/{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(
            parse("docker-archive:/x.tar"),
            Source::DockerArchive("/x.tar")
        );
        assert_eq!(
            parse("registry:localhost:5000/a:b"),
            Source::Registry("localhost:5000/a:b")
        );
        assert_eq!(
            parse("localhost:5000/a:b"),
            Source::Auto("localhost:5000/a:b")
        );
        assert_eq!(parse("oci-dir:/l:tag"), Source::OciDir("/l:tag"));
        assert_eq!(parse("dir:/r"), Source::Dir("/r"));
    }

    #[test]
    fn blob_paths_cannot_escape() {
        assert_eq!(
            blob_rel_path("i", "sha256:abc").ok().as_deref(),
            Some("blobs/sha256/abc")
        );
        assert!(blob_rel_path("i", "sha256:../../etc/passwd").is_err());
        assert!(blob_rel_path("i", "../x:abc").is_err());
    }
}
