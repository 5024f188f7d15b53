//! Builders for real tar layers and image layouts, including hostile entries the `tar` crate's
//! safe API refuses to write.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use warden_image::{EntryMeta, InspectedFile, Interest, Selector};

/// One tar entry to write, names as raw as given.
pub enum E<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

fn raw_header(name: &str, kind: tar::EntryType, size: u64, link: Option<&str>) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    // Written byte by byte: set_path would refuse `..` and absolute names, which is the point.
    let old = h.as_old_mut();
    old.name = [0; 100];
    old.name[..name.len()].copy_from_slice(name.as_bytes());
    if let Some(l) = link {
        old.linkname = [0; 100];
        old.linkname[..l.len()].copy_from_slice(l.as_bytes());
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(if kind == tar::EntryType::Directory {
        0o755
    } else {
        0o644
    });
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_cksum();
    h
}

/// A real uncompressed tar layer.
pub fn layer(entries: &[E<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let r = match e {
            E::File(n, d) => b.append(
                &raw_header(n, tar::EntryType::Regular, d.len() as u64, None),
                *d,
            ),
            E::Dir(n) => b.append(&raw_header(n, tar::EntryType::Directory, 0, None), &[][..]),
            E::Symlink(n, t) => {
                b.append(&raw_header(n, tar::EntryType::Symlink, 0, Some(t)), &[][..])
            }
            E::Hardlink(n, t) => {
                b.append(&raw_header(n, tar::EntryType::Link, 0, Some(t)), &[][..])
            }
        };
        r.expect("in-memory tar write");
    }
    b.into_inner().expect("in-memory tar finish")
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 1).expect("zstd")
}

pub fn sha(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

fn put_blob(dir: &Path, data: &[u8]) -> String {
    let d = sha(data);
    let p = dir.join("blobs/sha256").join(&d[7..]);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, data).expect("write blob");
    d
}

/// A layer as stored (maybe compressed) with its diff ID.
pub struct Blob {
    pub stored: Vec<u8>,
    pub diff_id: String,
}

impl Blob {
    pub fn plain(tar: Vec<u8>) -> Blob {
        Blob {
            diff_id: sha(&tar),
            stored: tar,
        }
    }
    pub fn gz(tar: Vec<u8>) -> Blob {
        Blob {
            diff_id: sha(&tar),
            stored: gzip(&tar),
        }
    }
    pub fn zst(tar: Vec<u8>) -> Blob {
        Blob {
            diff_id: sha(&tar),
            stored: zstd(&tar),
        }
    }
}

pub fn config_json(diff_ids: &[String]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2026-01-02T03:04:05Z",
        "config": {"User": "1000:1000", "Env": ["PATH=/bin"], "Labels": {"b": "2", "a": "1"}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": diff_ids.iter().enumerate().map(|(i, _)| serde_json::json!({"created_by": format!("step {i}")})).collect::<Vec<_>>(),
    }))
    .expect("json")
}

/// Writes an OCI image layout; returns the manifest digest.
pub fn oci_layout(dir: &Path, layers: &[Blob]) -> String {
    let diff_ids: Vec<String> = layers.iter().map(|b| b.diff_id.clone()).collect();
    let config = config_json(&diff_ids);
    let cd = put_blob(dir, &config);
    let descs: Vec<_> = layers
        .iter()
        .map(|b| {
            let d = put_blob(dir, &b.stored);
            serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": b.stored.len()})
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
        "layers": descs,
    }))
    .expect("json");
    let md = put_blob(dir, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": manifest.len(),
                        "annotations": {"org.opencontainers.image.ref.name": "t"}}],
    });
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&index).expect("json"),
    )
    .expect("index");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
        .expect("oci-layout");
    md
}

/// Writes a docker-save archive (old layout: `<n>/layer.tar`, manifest last) to `path`.
pub fn docker_archive(path: &Path, layers: &[Vec<u8>], tag: &str) {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    let config = config_json(&diff_ids);
    let config_name = format!("{}.json", &sha(&config)[7..]);
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("create archive"));
    let mut names = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let name = format!("{:064x}/layer.tar", i + 1);
        let mut h = tar::Header::new_gnu();
        h.set_size(l.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, &name, &l[..]).expect("append layer");
        names.push(name);
    }
    let mut h = tar::Header::new_gnu();
    h.set_size(config.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, &config_name, &config[..])
        .expect("append config");
    let manifest = serde_json::to_vec(
        &serde_json::json!([{"Config": config_name, "RepoTags": [tag], "Layers": names}]),
    )
    .expect("json");
    let mut h = tar::Header::new_gnu();
    h.set_size(manifest.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "manifest.json", &manifest[..])
        .expect("append manifest");
    b.finish().expect("finish archive");
}

/// Keeps files under `keep_prefix`, inspects files ending in `.bin`, and records what it saw.
pub struct Recorder {
    pub keep_prefix: &'static str,
    pub inspected: Mutex<Vec<(String, usize, String, usize)>>,
}

impl Recorder {
    pub fn new(keep_prefix: &'static str) -> Self {
        Recorder {
            keep_prefix,
            inspected: Mutex::new(Vec::new()),
        }
    }
    pub fn inspected(&self) -> Vec<(String, usize, String, usize)> {
        let mut v = self.inspected.lock().expect("lock").clone();
        v.sort();
        v
    }
}

impl Selector for Recorder {
    fn select(&self, e: &EntryMeta<'_>) -> Interest {
        if e.path.ends_with(".bin") {
            Interest::Inspect
        } else if e.path.starts_with(self.keep_prefix) {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }
    fn inspect(&self, f: &InspectedFile<'_>) {
        self.inspected.lock().expect("lock").push((
            f.path.to_string(),
            f.layer,
            f.diff_id.to_string(),
            f.data.len(),
        ));
    }
}

/// Peak resident set of this process, from /proc (kB).
pub fn vm_hwm_kb() -> u64 {
    let mut s = String::new();
    std::fs::File::open("/proc/self/status")
        .and_then(|mut f| f.read_to_string(&mut s))
        .expect("status");
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// Writes a multi-platform OCI layout: one image per `(os/arch, layers)`, under one index.
pub fn oci_multi_layout(dir: &Path, images: &[(&str, Vec<Blob>)]) {
    let mut entries = Vec::new();
    for (platform, layers) in images {
        let sub = dir.join(format!("tmp-{}", platform.replace('/', "-")));
        let md = oci_layout(&sub, layers);
        // Move the blobs into the shared store.
        for e in std::fs::read_dir(sub.join("blobs/sha256")).expect("blobs") {
            let e = e.expect("entry");
            std::fs::create_dir_all(dir.join("blobs/sha256")).expect("mkdir");
            std::fs::rename(e.path(), dir.join("blobs/sha256").join(e.file_name())).expect("move");
        }
        std::fs::remove_dir_all(&sub).expect("rm");
        let size = std::fs::metadata(dir.join("blobs/sha256").join(&md[7..]))
            .expect("stat")
            .len();
        let (os, arch) = platform.split_once('/').expect("os/arch");
        entries.push(serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": size,
                                        "platform": {"os": os, "architecture": arch}}));
    }
    let nested = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries})).expect("json");
    let nd = put_blob(dir, &nested);
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": nd, "size": nested.len(),
                                   "annotations": {"org.opencontainers.image.ref.name": "multi"}}]});
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&index).expect("json"),
    )
    .expect("index");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
        .expect("oci-layout");
}

/// A GNU sparse entry `name` of `real_size` apparent bytes with one 512-byte data block at
/// `data_at`, followed by a normal file `after`, as one uncompressed layer.
pub fn sparse_layer(name: &str, real_size: u64, data_at: u64, after: &str) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    {
        let g = h.as_gnu_mut().expect("gnu header");
        g.name[..name.len()].copy_from_slice(name.as_bytes());
        g.sparse[0].set_offset(data_at);
        g.sparse[0].set_length(512);
        // GNU tar ends the map with a zero-length entry at the real size; without it the tar
        // crate (0.4.46) refuses a file whose data ends before it as "mismatch in sparse file
        // chunks and size".
        g.sparse[1].set_offset(real_size);
        g.sparse[1].set_length(0);
        g.set_real_size(real_size);
    }
    h.set_entry_type(tar::EntryType::GNUSparse);
    h.set_size(512);
    h.set_mode(0o644);
    h.set_cksum();
    let mut out = Vec::new();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(&[b'z'; 512]);
    out.extend_from_slice(&layer(&[E::File(after, b"after")]));
    out
}
