//! `oci-dir:PATH[:TAG|@DIGEST]`: an OCI image layout directory (as `skopeo copy ... oci:DIR`
//! writes it).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{blob_rel_path, fetch_verified, read_manifest, resolve_manifest, BlobSource, Session};
use crate::manifest::{pick_platform, Document};
use crate::mapped::Blob;
use crate::{Image, ImageError};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

struct LayoutDir<'a> {
    image: &'a str,
    root: PathBuf,
}

impl LayoutDir<'_> {
    fn blob_path(&self, digest: &str) -> Result<PathBuf, ImageError> {
        Ok(self.root.join(blob_rel_path(self.image, digest)?))
    }

    fn open_file(&self, digest: &str) -> Result<File, ImageError> {
        let p = self.blob_path(digest)?;
        File::open(&p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ImageError::MissingBlob {
                image: self.image.to_string(),
                blob: digest.to_string(),
            },
            _ => ImageError::io(self.image, format!("opening {}", p.display()), e),
        })
    }
}

impl BlobSource for LayoutDir<'_> {
    fn read_small(&self, digest: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        let f = self.open_file(digest)?;
        let mut buf = Vec::new();
        f.take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::io(self.image, format!("reading blob {digest}"), e))?;
        if buf.len() as u64 > max {
            return Err(ImageError::LimitExceeded {
                image: self.image.to_string(),
                what: format!("blob {digest}"),
                limit: format!("{max} bytes of metadata"),
            });
        }
        Ok(buf)
    }

    fn open_blob(&self, digest: &str) -> Result<Box<dyn Read + '_>, ImageError> {
        Ok(Box::new(self.open_file(digest)?))
    }

    fn map_blob(&self, digest: &str) -> Result<Option<Blob>, ImageError> {
        let file = Arc::new(self.open_file(digest)?);
        let len = file
            .metadata()
            .map_err(|e| ImageError::io(self.image, format!("reading blob {digest}"), e))?
            .len();
        Blob::open(&file, 0, len)
            .map_err(|e| ImageError::io(self.image, format!("reading blob {digest}"), e))
    }
}

/// Picks the manifest (or nested index) digest from a layout's `index.json`: by tag or digest
/// when given, else the only entry, else by platform.
pub(crate) fn pick_from_index(
    s: &Session<'_>,
    index: &[u8],
    want: Option<&str>,
) -> Result<String, ImageError> {
    let doc: Document = serde_json::from_slice(index)
        .map_err(|e| ImageError::meta(s.reference, "index.json", e))?;
    let manifests = doc.manifests.unwrap_or_default();
    if manifests.is_empty() {
        return Err(ImageError::meta(
            s.reference,
            "index.json",
            "lists no manifest",
        ));
    }
    if let Some(w) = want {
        let found = manifests.iter().find(|d| {
            d.digest == w
                || d.annotations
                    .get(REF_NAME)
                    .is_some_and(|n| n == w || n.rsplit(':').next() == Some(w))
        });
        return found.map(|d| d.digest.clone()).ok_or_else(|| {
            let names: Vec<&str> = manifests
                .iter()
                .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
                .collect();
            ImageError::meta(
                s.reference,
                "index.json",
                format!("no manifest named '{w}' (names: {})", names.join(", ")),
            )
        });
    }
    if manifests.len() == 1 {
        return Ok(manifests[0].digest.clone());
    }
    Ok(
        pick_platform(s.reference, &manifests, s.opts.platform.as_deref())?
            .digest
            .clone(),
    )
}

/// `PATH`, `PATH:TAG` or `PATH@DIGEST`; a path that exists as given wins over a split.
fn split_ref(r: &str) -> (&str, Option<&str>) {
    if Path::new(r).is_dir() {
        return (r, None);
    }
    if let Some((p, d)) = r.rsplit_once('@') {
        return (p, Some(d));
    }
    match r.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, Some(t)),
        _ => (r, None),
    }
}

pub(crate) fn open(s: Session<'_>, r: &str) -> Result<Image, ImageError> {
    let (path, want) = split_ref(r);
    let root = PathBuf::from(path);
    let index_path = root.join("index.json");
    let index = std::fs::read(&index_path)
        .map_err(|e| ImageError::io(s.reference, format!("reading {}", index_path.display()), e))?;
    let src = LayoutDir {
        image: s.reference,
        root,
    };
    let digest = pick_from_index(&s, &index, want)?;
    let bytes = fetch_verified(&s, &src, &digest)?;
    let (manifest, digest) = resolve_manifest(&s, &src, bytes, digest)?;
    read_manifest(s, &src, &manifest, &digest)
}
