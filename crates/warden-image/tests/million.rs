//! A layer with one million entries: indexed with a small, measured cost per entry.

mod common;

use std::io::{BufWriter, Write};

use sha2::{Digest, Sha256};
use warden_image::{open, NoProgress, OpenOptions};

/// Writes that hash what passes.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn a_layer_with_a_million_entries() {
    const DIRS: usize = 1000;
    const PER_DIR: usize = 1000;
    let dir = tempfile::tempdir().expect("tempdir");
    let blob_tmp = dir.path().join("layer.tar");
    let file = std::fs::File::create(&blob_tmp).expect("create");
    let mut b = tar::Builder::new(Hashing {
        inner: BufWriter::new(file),
        hash: Sha256::new(),
    });
    for d in 0..DIRS {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, format!("usr/share/data{d:04}/"), &[][..])
            .expect("dir");
        for f in 0..PER_DIR {
            let body = format!("{d}-{f}");
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(
                &mut h,
                format!("usr/share/data{d:04}/file-{f:04}.txt"),
                body.as_bytes(),
            )
            .expect("file");
        }
    }
    let mut w = b.into_inner().expect("finish");
    w.flush().expect("flush");
    let diff_id = format!("sha256:{}", hex::encode(w.hash.finalize()));
    drop(w.inner);

    // An OCI layout whose single (uncompressed) layer is that file, moved into place.
    let layout = dir.path().join("layout");
    common::oci_layout(
        &layout,
        &[common::Blob {
            stored: b"placeholder".to_vec(),
            diff_id: diff_id.clone(),
        }],
    );
    let placeholder = common::sha(b"placeholder");
    // Re-point the manifest at the real blob: rewrite the layout with the right digest.
    let real = diff_id.clone();
    std::fs::rename(&blob_tmp, layout.join("blobs/sha256").join(&real[7..])).expect("move blob");
    let size = std::fs::metadata(layout.join("blobs/sha256").join(&real[7..]))
        .expect("stat")
        .len();
    rewrite_manifest(&layout, &placeholder, &real, size);

    let sel = common::Recorder::new("/usr/share/data0000/file-000");
    let img = open(
        &format!("oci-dir:{}", layout.display()),
        &OpenOptions::default(),
        &sel,
        &NoProgress,
    )
    .expect("open");
    // 1M files and 1000 dirs; /usr and /usr/share have no entries of their own.
    assert_eq!(img.fs.len(), DIRS * (PER_DIR + 1));
    assert_eq!(img.fs.files().count(), DIRS * PER_DIR);
    assert_eq!(
        img.fs.read("/usr/share/data0000/file-0007.txt"),
        Some(&b"0-7"[..])
    );
    assert!(img.fs.exists("/usr/share/data0999/file-0999.txt"));
    let per_entry = img.fs.index_bytes() / img.fs.layer_entries();
    eprintln!(
        "1M entries: index {} bytes, {} bytes/entry",
        img.fs.index_bytes(),
        per_entry
    );
    assert!(per_entry < 100, "{per_entry} bytes per entry");
}

fn rewrite_manifest(layout: &std::path::Path, old: &str, new: &str, size: u64) {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index"))
            .expect("json");
    let md = index["manifests"][0]["digest"]
        .as_str()
        .expect("digest")
        .to_string();
    let mpath = layout.join("blobs/sha256").join(&md[7..]);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&mpath).expect("manifest")).expect("json");
    assert_eq!(manifest["layers"][0]["digest"], old);
    manifest["layers"][0]["digest"] = new.into();
    manifest["layers"][0]["size"] = size.into();
    manifest["layers"][0]["mediaType"] = "application/vnd.oci.image.layer.v1.tar".into();
    let bytes = serde_json::to_vec(&manifest).expect("json");
    let nd = common::sha(&bytes);
    std::fs::write(layout.join("blobs/sha256").join(&nd[7..]), &bytes).expect("write");
    let mut index = index;
    index["manifests"][0]["digest"] = nd.into();
    index["manifests"][0]["size"] = bytes.len().into();
    std::fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&index).expect("json"),
    )
    .expect("write");
}
