//! Layers read in place from a memory map (docker-archive, oci-archive and oci-dir files) must
//! give exactly what the streaming reader gives for the same bytes, and keep its guarantees:
//! a truncated layer is a clear error, a changed byte fails the diff ID, sparse entries work.

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use common::{layer, Blob, E};
use sha2::{Digest, Sha256};
use warden_image::{
    open, open_archive_stream, EntryMeta, ImageError, InspectedFile, Interest, NoProgress,
    OpenOptions, Selector,
};

/// Keeps `*.txt`, inspects `*.bin`, and records a hash of every inspected file's bytes.
#[derive(Default)]
struct Hashes(Mutex<Vec<(String, usize, String, String)>>);

impl Selector for Hashes {
    fn select(&self, e: &EntryMeta<'_>) -> Interest {
        if e.path.ends_with(".bin") {
            Interest::Inspect
        } else if e.path.ends_with(".txt") {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }
    fn inspect(&self, f: &InspectedFile<'_>) {
        self.0.lock().expect("lock").push((
            f.path.to_string(),
            f.layer,
            f.diff_id.to_string(),
            hex::encode(Sha256::digest(f.data)),
        ));
    }
}

impl Hashes {
    fn sorted(&self) -> Vec<(String, usize, String, String)> {
        let mut v = self.0.lock().expect("lock").clone();
        v.sort();
        v
    }
}

/// Everything observable about an opened image, as text.
fn summary(img: &warden_image::Image, sel: &Hashes) -> Vec<String> {
    let mut out: Vec<String> = img
        .fs
        .entries()
        .map(|(p, k, t)| format!("{p} {k} {t:?}"))
        .collect();
    out.extend(
        img.fs
            .kept()
            .map(|(p, d)| format!("kept {p} {}", hex::encode(Sha256::digest(d)))),
    );
    out.extend(img.fs.files().map(|f| format!("{f:?}")));
    out.extend(sel.sorted().into_iter().map(|t| format!("inspected {t:?}")));
    out.extend(
        img.meta
            .layers
            .iter()
            .map(|l| format!("layer {:?} {:?} {:?}", l.diff_id, l.digest, l.size)),
    );
    out.extend(img.skipped.iter().map(|n| format!("skipped {n:?}")));
    out
}

/// Writes a docker-save archive whose layers may be compressed (`Blob.stored` is the member).
fn save_archive(path: &Path, layers: &[Blob]) {
    let diff_ids: Vec<String> = layers.iter().map(|b| b.diff_id.clone()).collect();
    let config = common::config_json(&diff_ids);
    let config_name = format!("{}.json", &common::sha(&config)[7..]);
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("create archive"));
    let mut names = Vec::new();
    let add = |b: &mut tar::Builder<std::fs::File>, name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).expect("append");
    };
    for (i, l) in layers.iter().enumerate() {
        let name = format!("{:064x}/layer.tar", i + 1);
        add(&mut b, &name, &l.stored);
        names.push(name);
    }
    add(&mut b, &config_name, &config);
    let manifest = serde_json::to_vec(
        &serde_json::json!([{"Config": config_name, "RepoTags": ["t:1"], "Layers": names}]),
    )
    .expect("json");
    add(&mut b, "manifest.json", &manifest);
    b.finish().expect("finish archive");
}

/// A layer of many files, big enough to be mapped, hashed by the pool's threads and released
/// behind the walker as it goes (more than 16 MiB).
fn many_files_layer(seed: u8) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..600u32 {
        let len = 1 + (i as usize * 7919 + seed as usize) % 60_000;
        let data: Vec<u8> = (0..len)
            .map(|j| (j as u32 ^ i).wrapping_mul(2654435761).to_le_bytes()[3] ^ seed)
            .collect();
        let name = match i % 5 {
            0 => format!("usr/lib/m{i}.bin"),
            1 => format!("etc/c{i}.txt"),
            _ => format!("usr/share/d{i}"),
        };
        files.push((name, data));
    }
    files.push(("usr/share/huge".into(), vec![seed; 12 << 20]));
    files.push(("usr/lib/last.bin".into(), b"\x7fELF last".to_vec()));
    let entries: Vec<E<'_>> = files.iter().map(|(n, d)| E::File(n, d)).collect();
    layer(&entries)
}

#[test]
fn mapped_and_streamed_archives_give_the_same_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    let layers = vec![
        Blob::plain(many_files_layer(1)),
        Blob::gz(layer(&[
            E::File("usr/lib/m0.bin", b"replaced by a gzip layer"),
            E::File("etc/gz.txt", b"from gzip"),
        ])),
        Blob::plain(common::sparse_layer(
            "sparse.bin",
            1 << 20,
            4096,
            "after-sparse.txt",
        )),
        Blob::zst(many_files_layer(2)),
        Blob::plain(layer(&[
            E::File("etc/.wh.c1.txt", b""),
            E::File("small.bin", b"s"),
        ])),
        Blob::plain(layer(&[])),
    ];
    save_archive(&tar, &layers);

    let mapped_sel = Hashes::default();
    let mapped = open(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
        &mapped_sel,
        &NoProgress,
    )
    .expect("open mapped");
    let streamed_sel = Hashes::default();
    let streamed = open_archive_stream(
        &format!("docker-archive:{}", tar.display()),
        std::fs::File::open(&tar).expect("open archive"),
        &OpenOptions::default(),
        &streamed_sel,
        &NoProgress,
    )
    .expect("open streamed");
    let (a, b) = (
        summary(&mapped, &mapped_sel),
        summary(&streamed, &streamed_sel),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    // The test is only worth something if the image has what it is meant to exercise.
    assert_eq!(mapped.fs.read("/etc/gz.txt"), Some(&b"from gzip"[..]));
    assert_eq!(mapped.fs.read("/after-sparse.txt"), Some(&b"after"[..]));
    assert!(!mapped.fs.exists("/etc/c1.txt"));
    let sparse = mapped_sel
        .sorted()
        .into_iter()
        .find(|t| t.0 == "/sparse.bin")
        .expect("sparse file inspected");
    let mut want = vec![0u8; 1 << 20];
    want[4096..4608].fill(b'z');
    assert_eq!(sparse.3, hex::encode(Sha256::digest(&want)));
    for (i, l) in layers.iter().enumerate() {
        assert_eq!(mapped.meta.layers[i].diff_id, l.diff_id);
        assert_eq!(
            mapped.meta.layers[i].digest.as_deref(),
            Some(common::sha(&l.stored).as_str())
        );
    }

    // The same image as an OCI layout directory, whose blobs are whole files.
    let layout = dir.path().join("layout");
    common::oci_layout(&layout, &layers);
    let oci_sel = Hashes::default();
    let oci = open(
        &format!("oci-dir:{}", layout.display()),
        &OpenOptions::default(),
        &oci_sel,
        &NoProgress,
    )
    .expect("open oci-dir");
    assert_eq!(
        oci.fs.entries().collect::<Vec<_>>(),
        mapped.fs.entries().collect::<Vec<_>>()
    );
    assert_eq!(oci_sel.sorted(), mapped_sel.sorted());
}

/// A layer cut in the middle of a file's content, with a config that promises exactly the cut
/// bytes (so only the walker can notice), is refused in place as it is when streamed.
#[test]
fn a_truncated_uncompressed_layer_is_a_clear_error() {
    for big in [false, true] {
        let pad = vec![b'p'; if big { 2 << 20 } else { 10 }];
        let mut tar = layer(&[
            E::File("a.txt", b"a"),
            E::File("pad", &pad),
            E::File("b.txt", b"b"),
        ]);
        // Cut inside `pad`'s content: after a.txt (2 blocks) and pad's header.
        tar.truncate(3 * 512 + pad.len() / 2);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("save.tar");
        save_archive(&path, &[Blob::plain(tar.clone())]);
        let r = open(
            &format!("docker-archive:{}", path.display()),
            &OpenOptions::default(),
            &Hashes::default(),
            &NoProgress,
        );
        match r {
            Err(ImageError::Layer { layer, reason, .. }) => {
                assert!(layer.starts_with("0 ("), "{layer}");
                assert!(
                    reason.contains("truncated") && reason.contains("pad"),
                    "{reason}"
                );
            }
            other => panic!("big={big}: expected a layer error, got {other:?}"),
        }
        let streamed = open_archive_stream(
            "stream",
            std::fs::File::open(&path).expect("open"),
            &OpenOptions::default(),
            &Hashes::default(),
            &NoProgress,
        );
        assert!(
            matches!(streamed, Err(ImageError::Layer { .. })),
            "{streamed:?}"
        );
    }
}

/// An archive whose last member claims more bytes than the file holds (a cut-off download).
#[test]
fn an_archive_cut_short_inside_a_layer_member_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("save.tar");
    let big = vec![b'x'; 1 << 20];
    save_archive(
        &path,
        &[Blob::plain(layer(&[
            E::File("x.txt", b"x"),
            E::File("big", &big),
        ]))],
    );
    // Move the manifest and config in front (the scan needs them), then cut the layer member.
    let mut members: Vec<(tar::Header, Vec<u8>)> = Vec::new();
    let mut a = tar::Archive::new(std::fs::File::open(&path).expect("open"));
    for e in a.entries().expect("entries") {
        let mut e = e.expect("entry");
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).expect("read");
        members.push((e.header().clone(), data));
    }
    members.rotate_right(2);
    let mut out = tar::Builder::new(Vec::new());
    for (h, d) in &members {
        out.append(h, &d[..]).expect("append");
    }
    let mut bytes = out.into_inner().expect("tar");
    let layer_end = bytes.len() - 1024;
    bytes.truncate(layer_end - (big.len() / 2));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("write");
    let r = open(
        &format!("docker-archive:{}", path.display()),
        &OpenOptions::default(),
        &Hashes::default(),
        &NoProgress,
    );
    match r {
        Err(e @ ImageError::Layer { .. }) => {
            assert!(e.to_string().contains("truncated"), "{e}")
        }
        other => panic!("expected a layer error naming the truncation, got {other:?}"),
    }
}

/// One changed byte deep inside a mapped layer (hashed by the pool, never read by the walker)
/// still fails the diff ID check; so does a changed byte of a mapped gzip blob's stored digest.
#[test]
fn a_changed_byte_in_a_mapped_layer_fails_verification() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big: Vec<u8> = (0..8u32 << 20).map(|i| (i % 241) as u8).collect();
    let tar = layer(&[E::File("skipped", &big), E::File("k.txt", b"k")]);
    let layout = dir.path().join("layout");
    common::oci_layout(&layout, &[Blob::plain(tar.clone())]);
    let blob = layout.join("blobs/sha256").join(&common::sha(&tar)[7..]);
    let mut bytes = std::fs::read(&blob).expect("read blob");
    bytes[512 + (5 << 20)] ^= 1;
    std::fs::write(&blob, &bytes).expect("write blob");
    let r = open(
        &format!("oci-dir:{}", layout.display()),
        &OpenOptions::default(),
        &Hashes::default(),
        &NoProgress,
    );
    assert!(matches!(r, Err(ImageError::DigestMismatch { .. })), "{r:?}");

    let path = dir.path().join("save.tar");
    save_archive(&path, &[Blob::plain(tar.clone())]);
    let mut bytes = std::fs::read(&path).expect("read archive");
    let at = bytes
        .windows(64)
        .position(|w| w == &big[5 << 20..(5 << 20) + 64])
        .expect("content in the archive");
    bytes[at] ^= 1;
    std::fs::write(&path, &bytes).expect("write archive");
    let r = open(
        &format!("docker-archive:{}", path.display()),
        &OpenOptions::default(),
        &Hashes::default(),
        &NoProgress,
    );
    assert!(
        matches!(r, Err(ImageError::DiffIdMismatch { index: 0, .. })),
        "{r:?}"
    );
}

/// `verify_layers: false` (`--skip-layer-verify`) trusts the config's diff IDs: every file
/// source gives the image it gives when verifying, and no layer byte is hashed, so a changed
/// byte goes unnoticed (the trade-off the option names) and nothing enters the digest cache.
#[test]
fn unverified_reads_give_the_same_image_and_hash_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layers = vec![
        Blob::plain(many_files_layer(3)),
        Blob::gz(layer(&[
            E::File("usr/lib/m0.bin", b"replaced by a gzip layer"),
            E::File("etc/gz.txt", b"from gzip"),
        ])),
        Blob::zst(layer(&[E::File("etc/.wh.c1.txt", b"")])),
        Blob::plain(layer(&[E::File("small.bin", b"s")])),
    ];
    let tar = dir.path().join("save.tar");
    save_archive(&tar, &layers);
    let layout = dir.path().join("layout");
    common::oci_layout(&layout, &layers);
    let cache_dir = dir.path().join("cache");
    let trust = OpenOptions {
        verify_layers: false,
        digest_cache: Some(warden_image::DigestCache::new(&cache_dir)),
        ..Default::default()
    };
    let archive = format!("docker-archive:{}", tar.display());
    let oci = format!("oci-dir:{}", layout.display());
    let read =
        |how: &str, opts: &OpenOptions| -> Result<(warden_image::Image, Hashes), ImageError> {
            let sel = Hashes::default();
            let img = match how {
                "stream" => open_archive_stream(
                    &archive,
                    std::fs::File::open(&tar).expect("open archive"),
                    opts,
                    &sel,
                    &NoProgress,
                ),
                "archive" => open(&archive, opts, &sel, &NoProgress),
                _ => open(&oci, opts, &sel, &NoProgress),
            }?;
            Ok((img, sel))
        };
    for how in ["archive", "stream", "oci"] {
        let (want, want_sel) = read(how, &OpenOptions::default()).expect("verified");
        let (got, got_sel) = read(how, &trust).expect("unverified");
        let body = |img: &warden_image::Image, sel: &Hashes| -> Vec<String> {
            summary(img, sel)
                .into_iter()
                .filter(|l| !l.starts_with("layer "))
                .collect()
        };
        assert_eq!(body(&got, &got_sel), body(&want, &want_sel), "{how}");
        for (i, l) in layers.iter().enumerate() {
            let (g, w) = (&got.meta.layers[i], &want.meta.layers[i]);
            assert_eq!(g.diff_id, l.diff_id, "{how} layer {i}");
            // A compressed member of a docker-save archive has no digest of its own to trust
            // when it is not hashed; everything else is as when verifying.
            let compressed = common::sha(&l.stored) != l.diff_id;
            if how != "oci" && compressed {
                assert_eq!(g.digest, None, "{how} layer {i}");
            } else {
                assert_eq!(g.digest, w.digest, "{how} layer {i}");
                assert_eq!(g.size, w.size, "{how} layer {i}");
            }
        }
    }
    assert!(
        std::fs::read_dir(&cache_dir).map_or(true, |mut d| d.next().is_none()),
        "nothing hashed, so nothing cached"
    );

    // One changed byte deep inside the first (mapped, uncompressed) layer, in content the
    // walker never reads: verified reads refuse it, unverified reads do not see it.
    let huge = vec![3u8; 4096];
    flip_byte_in(&tar, &huge);
    flip_byte_in(
        &layout.join("blobs/sha256").join(&layers[0].diff_id[7..]),
        &huge,
    );
    for how in ["archive", "stream", "oci"] {
        let r = read(how, &OpenOptions::default());
        assert!(
            matches!(
                r,
                Err(ImageError::DiffIdMismatch { index: 0, .. } | ImageError::DigestMismatch { .. })
            ),
            "{how}: {:?}",
            r.map(|_| ())
        );
        let (img, _) = read(how, &trust).expect("unverified read of a changed layer");
        assert_eq!(img.meta.layers[0].diff_id, layers[0].diff_id, "{how}");
    }
}

/// Flips the 100th byte after the first occurrence of `near` in the file at `path`, in place.
fn flip_byte_in(path: &Path, near: &[u8]) {
    let mut bytes = std::fs::read(path).expect("read");
    let at = bytes
        .windows(near.len())
        .position(|w| w == near)
        .expect("content in the file");
    bytes[at + 100] ^= 1;
    std::fs::write(path, &bytes).expect("write");
}
