//! `docker-archive:PATH` (docker save) and `oci-archive:PATH` (a tar of an OCI layout).
//!
//! A file is seekable, so its tar headers are scanned first (data skipped by seeking) and each
//! layer is then read once, in manifest order, straight from its offset: mapped into memory and
//! walked in place when the file is a regular one (`mapped`), streamed otherwise. A stream (the daemon,
//! or `docker-archive:-` for stdin) cannot seek and usually lists `manifest.json` after the
//! layers: each layer blob is indexed as it passes, files to inspect wait in a temp spool, and
//! the layers are merged in the manifest's order at the end.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    check_diff_id, index_blobs, read_manifest, resolve_manifest, BlobPlan, BlobSource, Session,
};
use crate::manifest::{sha256_digest, Config, DockerSaveEntry};
use crate::mapped::Blob;
use crate::view::LayerIndex;
use crate::walk::{index_layer, normalize, InspectTo, Spool};
use crate::{Image, ImageError, InspectedFile};

/// What an archive holds.
pub(crate) enum Kind {
    Docker,
    Oci,
}

#[derive(Debug, Clone)]
struct Item {
    offset: u64,
    size: u64,
    /// Symlink or hard link entries point at another member.
    link: Option<String>,
}

/// The members of a tar file, by normalised name (no leading `/`).
struct Members {
    path: PathBuf,
    /// The archive, kept open for mapping its members.
    file: Arc<File>,
    items: HashMap<String, Item>,
}

fn member_name(raw: &[u8]) -> Option<String> {
    normalize(&String::from_utf8_lossy(raw))
        .ok()
        .flatten()
        .map(|p| p[1..].to_string())
}

impl Members {
    fn scan(image: &str, path: &Path) -> Result<Members, ImageError> {
        let file = File::open(path)
            .map_err(|e| ImageError::io(image, format!("opening {}", path.display()), e))?;
        let file = Arc::new(file);
        let mut archive = tar::Archive::new(&*file);
        let mut items = HashMap::new();
        let bad = |e: io::Error| ImageError::Metadata {
            image: image.to_string(),
            what: path.display().to_string(),
            reason: format!("not a readable tar archive: {e}"),
        };
        for entry in archive.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            let Some(name) = member_name(&entry.path_bytes()) else {
                continue;
            };
            let etype = entry.header().entry_type();
            let link = match etype {
                tar::EntryType::Symlink => entry.link_name_bytes().map(|t| {
                    // Relative to the member's directory.
                    let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                    member_name(format!("{dir}/{}", String::from_utf8_lossy(&t)).as_bytes())
                        .unwrap_or_default()
                }),
                tar::EntryType::Link => entry.link_name_bytes().and_then(|t| member_name(&t)),
                _ => None,
            };
            if !(etype.is_file() || link.is_some()) {
                continue;
            }
            items.insert(
                name,
                Item {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                    link,
                },
            );
        }
        Ok(Members {
            path: path.to_path_buf(),
            file,
            items,
        })
    }

    fn find(&self, name: &str) -> Option<&Item> {
        let mut name = name.trim_start_matches("./").to_string();
        for _ in 0..8 {
            let item = self.items.get(&name)?;
            match &item.link {
                Some(l) => name.clone_from(l),
                None => return Some(item),
            }
        }
        None
    }

    fn open(&self, image: &str, name: &str) -> Result<(io::Take<File>, u64), ImageError> {
        let item = self.find(name).ok_or_else(|| ImageError::MissingBlob {
            image: image.to_string(),
            blob: name.to_string(),
        })?;
        let mut f = File::open(&self.path)
            .map_err(|e| ImageError::io(image, format!("opening {}", self.path.display()), e))?;
        f.seek(SeekFrom::Start(item.offset))
            .map_err(|e| ImageError::io(image, format!("seeking to {name}"), e))?;
        Ok((f.take(item.size), item.size))
    }

    /// A member in memory (see [`Blob::open`]); `Ok(None)` when it must be streamed.
    fn map(&self, image: &str, name: &str) -> Result<Option<Blob>, ImageError> {
        let item = self.find(name).ok_or_else(|| ImageError::MissingBlob {
            image: image.to_string(),
            blob: name.to_string(),
        })?;
        Blob::open(&self.file, item.offset, item.size).map_err(|e| ImageError::Layer {
            image: image.to_string(),
            layer: name.to_string(),
            reason: format!("reading {}: {e}", self.path.display()),
        })
    }

    fn read_small(&self, image: &str, name: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        let (mut r, size) = self.open(image, name)?;
        if size > max {
            return Err(ImageError::LimitExceeded {
                image: image.to_string(),
                what: format!("{name} ({size} bytes)"),
                limit: format!("{max} bytes of metadata"),
            });
        }
        let mut buf = Vec::with_capacity(size as usize);
        r.read_to_end(&mut buf)
            .map_err(|e| ImageError::io(image, format!("reading {name}"), e))?;
        Ok(buf)
    }
}

/// Tells a docker-save tar from an OCI-layout tar by their members.
pub(crate) fn sniff(image: &str, path: &Path) -> Result<Kind, ImageError> {
    let m = Members::scan(image, path)?;
    if m.find("manifest.json").is_some() {
        Ok(Kind::Docker)
    } else if m.find("index.json").is_some() && m.find("oci-layout").is_some() {
        Ok(Kind::Oci)
    } else {
        Err(ImageError::meta(image, path.display().to_string(), "neither a docker-archive (no manifest.json) nor an OCI archive (no oci-layout and index.json)"))
    }
}

fn parse_save_manifest(s: &Session<'_>, bytes: &[u8]) -> Result<DockerSaveEntry, ImageError> {
    let mut entries: Vec<DockerSaveEntry> = serde_json::from_slice(bytes)
        .map_err(|e| ImageError::meta(s.reference, "manifest.json", e))?;
    if entries.is_empty() {
        return Err(ImageError::meta(
            s.reference,
            "manifest.json",
            "lists no image",
        ));
    }
    if entries.len() > 1 {
        s.notes.add(
            "manifest.json",
            format!(
                "the archive holds {} images; only the first is read",
                entries.len()
            ),
        );
    }
    Ok(entries.swap_remove(0))
}

fn save_meta(
    s: &Session<'_>,
    entry: &DockerSaveEntry,
    config_bytes: &[u8],
) -> Result<(Config, warden_core::ImageMeta), ImageError> {
    let config = Config::parse(s.reference, config_bytes)?;
    let mut meta = config.to_meta(s.reference, config_bytes);
    let mut tags = entry.repo_tags.clone().unwrap_or_default();
    tags.sort();
    meta.repo_tags = tags;
    if entry.layers.len() != config.diff_ids().len() {
        return Err(ImageError::meta(
            s.reference,
            "manifest.json",
            format!(
                "{} layers but the config lists {} diff IDs",
                entry.layers.len(),
                config.diff_ids().len()
            ),
        ));
    }
    if entry.layers.len() > s.opts.limits.max_layers {
        return Err(ImageError::LimitExceeded {
            image: s.reference.to_string(),
            what: "layer count".into(),
            limit: format!("{} layers", s.opts.limits.max_layers),
        });
    }
    Ok((config, meta))
}

/// `docker-archive:PATH`; `-` reads a stream from stdin.
pub(crate) fn open_docker(s: Session<'_>, path: &Path) -> Result<Image, ImageError> {
    if path == Path::new("-") {
        return read_stream(s, io::stdin().lock(), None);
    }
    let m = Members::scan(s.reference, path)?;
    let manifest = m.read_small(
        s.reference,
        "manifest.json",
        s.opts.limits.max_metadata_size,
    )?;
    let entry = parse_save_manifest(&s, &manifest)?;
    let config_bytes = m.read_small(s.reference, &entry.config, s.opts.limits.max_metadata_size)?;
    let (config, mut meta) = save_meta(&s, &entry, &config_bytes)?;
    let diff_ids = config.diff_ids();
    let mut plans: Vec<BlobPlan<'_>> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut seen: HashMap<u64, u32> = HashMap::new();
    let mut positions = Vec::with_capacity(entry.layers.len());
    for (i, name) in entry.layers.iter().enumerate() {
        let item = m.find(name).ok_or_else(|| ImageError::MissingBlob {
            image: s.reference.to_string(),
            blob: name.clone(),
        })?;
        if let Some(&b) = seen.get(&item.offset) {
            positions.push(b);
            continue;
        }
        seen.insert(item.offset, plans.len() as u32);
        positions.push(plans.len() as u32);
        names.push(name);
        plans.push(BlobPlan {
            label: format!("{i} ({name})"),
            layer: i,
            size: Some(item.size),
            diff_id: &diff_ids[i],
            mapped: m.map(s.reference, name)?,
        });
    }
    let blobs = index_blobs(&s, plans, entry.layers.len(), |k| {
        Ok(Box::new(m.open(s.reference, names[k])?.0))
    })?;
    for (i, &b) in positions.iter().enumerate() {
        let b = &blobs[b as usize];
        check_diff_id(&s, i, &diff_ids[i], &b.diff_id)?;
        meta.layers[i].digest = b.digest.as_ref().map(|d| d.0.clone());
        meta.layers[i].size = b.digest.as_ref().map(|d| d.1);
    }
    Ok(s.finish(meta, blobs, positions))
}

/// Whether the first bytes of an archive member look like a layer (tar, gzip or zstd).
fn looks_like_layer(head: &[u8], size: u64) -> bool {
    matches!(head, [0x1f, 0x8b, ..] | [0x28, 0xb5, 0x2f, 0xfd, ..])
        || (head.len() >= 262 && &head[257..262] == b"ustar")
        // An empty layer is 1024 zero bytes (two end-of-archive blocks).
        || (size >= 1024 && head.len() == 512 && head.iter().all(|&b| b == 0))
}

/// Reads a docker-save tar as a stream. `expected_layers` (from the daemon) is only used for
/// progress.
pub(crate) fn read_stream(
    s: Session<'_>,
    reader: impl Read,
    expected_layers: Option<usize>,
) -> Result<Image, ImageError> {
    let mut archive = tar::Archive::new(reader);
    let mut small: HashMap<String, Vec<u8>> = HashMap::new();
    let mut small_total = 0u64;
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut blobs: Vec<LayerIndex> = Vec::new();
    let mut blob_by_name: HashMap<String, u32> = HashMap::new();
    let mut spool = Spool::new(s.opts)
        .map_err(|e| ImageError::io(s.reference, "creating the inspection spool (temp dir)", e))?;
    let bad = |e: io::Error| ImageError::Metadata {
        image: s.reference.to_string(),
        what: "docker save stream".into(),
        reason: format!("not a readable tar stream: {e}"),
    };
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let Some(name) = member_name(&entry.path_bytes()) else {
            continue;
        };
        let etype = entry.header().entry_type();
        if etype == tar::EntryType::Symlink || etype == tar::EntryType::Link {
            if let Some(t) = entry.link_name_bytes() {
                let target = if etype == tar::EntryType::Symlink {
                    let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                    member_name(format!("{dir}/{}", String::from_utf8_lossy(&t)).as_bytes())
                } else {
                    member_name(&t)
                };
                if let Some(target) = target {
                    aliases.insert(name, target);
                }
            }
            continue;
        }
        if !etype.is_file() {
            continue;
        }
        let size = entry.size();
        let mut head = vec![0u8; 512.min(size as usize)];
        entry
            .read_exact(&mut head)
            .map_err(|e| ImageError::io(s.reference, format!("reading {name}"), e))?;
        if looks_like_layer(&head, size) {
            let key = blobs.len() as u32;
            s.progress
                .layer_started(blobs.len(), expected_layers.unwrap_or(0), Some(size));
            let index = index_layer(
                Cursor::new(head).chain(&mut entry),
                &name,
                &s.ctx(),
                InspectTo::Spool(&mut spool, key),
                true,
            )?;
            s.progress.layer_done(key as usize);
            blob_by_name.insert(name, key);
            blobs.push(index);
            continue;
        }
        let is_meta = name == "manifest.json"
            || name == "index.json"
            || !name.contains('/')
            || name.starts_with("blobs/");
        if !is_meta {
            continue;
        }
        small_total += size;
        if size > s.opts.limits.max_metadata_size
            || small_total > 4 * s.opts.limits.max_metadata_size
        {
            s.notes.add(
                format!("{name} in the docker save stream"),
                format!("non-layer member of {size} bytes exceeds the metadata limit; ignored"),
            );
            continue;
        }
        let mut bytes = head;
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| ImageError::io(s.reference, format!("reading {name}"), e))?;
        small.insert(name, bytes);
    }

    let resolve = |name: &str| -> String {
        let mut n = name.trim_start_matches("./").to_string();
        for _ in 0..8 {
            match aliases.get(&n) {
                Some(t) => n.clone_from(t),
                None => break,
            }
        }
        n
    };
    let manifest = small.get("manifest.json").ok_or_else(|| {
        ImageError::meta(
            s.reference,
            "manifest.json",
            "not found in the docker save stream",
        )
    })?;
    let entry = parse_save_manifest(&s, manifest)?;
    let config_bytes =
        small
            .get(&resolve(&entry.config))
            .ok_or_else(|| ImageError::MissingBlob {
                image: s.reference.to_string(),
                blob: entry.config.clone(),
            })?;
    let (config, mut meta) = save_meta(&s, &entry, config_bytes)?;
    let diff_ids = config.diff_ids();
    let mut positions = Vec::with_capacity(entry.layers.len());
    let mut first_pos: HashMap<u32, usize> = HashMap::new();
    for (i, name) in entry.layers.iter().enumerate() {
        let b = *blob_by_name
            .get(&resolve(name))
            .ok_or_else(|| ImageError::MissingBlob {
                image: s.reference.to_string(),
                blob: name.clone(),
            })?;
        let blob = &mut blobs[b as usize];
        if !s.opts.verify_layers && blob.diff_id.is_empty() {
            // Not hashed: trusted as the config states it (see `OpenOptions::verify_layers`).
            blob.diff_id.clone_from(&diff_ids[i]);
            if let Some((digest, _)) = blob.digest.as_mut().filter(|d| d.0.is_empty()) {
                digest.clone_from(&diff_ids[i]);
            }
        }
        check_diff_id(&s, i, &diff_ids[i], &blob.diff_id)?;
        meta.layers[i].digest = blob.digest.as_ref().map(|d| d.0.clone());
        meta.layers[i].size = blob.digest.as_ref().map(|d| d.1);
        first_pos.entry(b).or_insert(i);
        positions.push(b);
    }
    spool
        .replay(|blob, path, data| {
            if let Some(&layer) = first_pos.get(&blob) {
                s.selector.inspect(&InspectedFile {
                    path,
                    layer,
                    diff_id: &diff_ids[layer],
                    data,
                });
            }
        })
        .map_err(|e| ImageError::io(s.reference, "reading the inspection spool (temp dir)", e))?;
    if meta.id.is_empty() {
        meta.id = sha256_digest(config_bytes);
    }
    Ok(s.finish(meta, blobs, positions))
}

/// Blobs of an OCI layout inside a tar file.
struct OciArchive<'m> {
    image: &'m str,
    members: &'m Members,
}

impl BlobSource for OciArchive<'_> {
    fn read_small(&self, digest: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        self.members
            .read_small(self.image, &super::blob_rel_path(self.image, digest)?, max)
    }

    fn open_blob(&self, digest: &str) -> Result<Box<dyn Read + '_>, ImageError> {
        Ok(Box::new(
            self.members
                .open(self.image, &super::blob_rel_path(self.image, digest)?)?
                .0,
        ))
    }

    fn map_blob(&self, digest: &str) -> Result<Option<Blob>, ImageError> {
        self.members
            .map(self.image, &super::blob_rel_path(self.image, digest)?)
    }
}

/// `oci-archive:PATH`.
pub(crate) fn open_oci(s: Session<'_>, path: &Path) -> Result<Image, ImageError> {
    let members = Members::scan(s.reference, path)?;
    let index = members.read_small(s.reference, "index.json", s.opts.limits.max_metadata_size)?;
    let src = OciArchive {
        image: s.reference,
        members: &members,
    };
    let digest = super::oci_layout::pick_from_index(&s, &index, None)?;
    let bytes = super::fetch_verified(&s, &src, &digest)?;
    let (manifest, digest) = resolve_manifest(&s, &src, bytes, digest)?;
    read_manifest(s, &src, &manifest, &digest)
}
