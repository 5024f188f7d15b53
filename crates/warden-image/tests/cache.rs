//! The verified-digest cache: an exact file identity skips the hash, anything else re-verifies.

mod common;

use std::fs::{File, FileTimes};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{layer, Recorder, E};
use warden_image::{open, DigestCache, Image, ImageError, NoProgress, OpenOptions};

const ORIGINAL: &[u8] = b"marker: original bytes";
const TAMPERED: &[u8] = b"marker: tampered bytes";

fn open_with(tar: &Path, cache: Option<&DigestCache>) -> Result<Image, ImageError> {
    let opts = OpenOptions {
        digest_cache: cache.cloned(),
        ..Default::default()
    };
    open(
        &format!("docker-archive:{}", tar.display()),
        &opts,
        &Recorder::new("/"),
        &NoProgress,
    )
}

/// (offset, size) of each `*/layer.tar` member, in archive order.
fn layer_ranges(tar: &Path) -> Vec<(u64, u64)> {
    let mut a = tar::Archive::new(File::open(tar).expect("open tar"));
    let mut out = Vec::new();
    for e in a.entries().expect("entries") {
        let e = e.expect("entry");
        if e.path_bytes().ends_with(b"layer.tar") {
            out.push((e.raw_file_position(), e.size()));
        }
    }
    out
}

fn is_diff_id_mismatch(r: &Result<Image, ImageError>) -> bool {
    matches!(r, Err(ImageError::DiffIdMismatch { index: 0, .. }))
}

#[test]
fn an_exact_identity_skips_the_hash_and_anything_else_re_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    let cache = DigestCache::new(dir.path().join("cache"));
    let l0 = layer(&[E::File("marker", ORIGINAL)]);
    let l1 = layer(&[E::File("other", b"second layer")]);
    let diff_id0 = common::sha(&l0);
    common::docker_archive(&tar, &[l0, l1], "example/cached:1");

    // A verified open records one entry per layer blob.
    open_with(&tar, Some(&cache)).expect("first open");
    assert_eq!(cache.entry_count(), 2);
    let (off0, len0) = layer_ranges(&tar)[0];
    let f = File::open(&tar).expect("open");
    assert_eq!(
        cache.get(&f, off0, len0).as_deref(),
        Some(diff_id0.as_str())
    );
    open_with(&tar, Some(&cache)).expect("second open, from the cache");

    // Tampered in place: the identity changed (ctime at least), so the layer is hashed again
    // and the mismatch is still an error.
    let bytes = std::fs::read(&tar).expect("read");
    let at = bytes
        .windows(ORIGINAL.len())
        .position(|w| w == ORIGINAL)
        .expect("marker") as u64;
    let rw = std::fs::OpenOptions::new()
        .write(true)
        .open(&tar)
        .expect("open rw");
    rw.write_all_at(TAMPERED, at).expect("tamper");
    drop(rw);
    assert!(is_diff_id_mismatch(&open_with(&tar, Some(&cache))));

    // An entry planted for the tampered file's exact identity is believed: the walk then
    // serves the tampered bytes, which proves no byte of that layer was hashed.
    let f = File::open(&tar).expect("open");
    cache.insert(&f, off0, len0, &diff_id0).expect("plant");
    let img = open_with(&tar, Some(&cache)).expect("planted entry honoured");
    assert_eq!(img.fs.read("/marker"), Some(TAMPERED));

    // Without the cache (`--no-cache`) the planted entry is not consulted.
    assert!(is_diff_id_mismatch(&open_with(&tar, None)));

    // `touch`: a new mtime and ctime, a miss.
    let later = SystemTime::now() + Duration::from_secs(60);
    File::options()
        .write(true)
        .open(&tar)
        .expect("open")
        .set_times(FileTimes::new().set_modified(later))
        .expect("touch");
    assert!(is_diff_id_mismatch(&open_with(&tar, Some(&cache))));

    // Planted again, then the file rewritten with the same bytes and its mtime put back: the
    // ctime still differs, so it misses.
    let f = File::open(&tar).expect("open");
    let mtime = f.metadata().expect("stat").modified().expect("mtime");
    cache.insert(&f, off0, len0, &diff_id0).expect("plant");
    assert!(open_with(&tar, Some(&cache)).is_ok());
    let same = std::fs::read(&tar).expect("read");
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&tar, &same).expect("rewrite");
    File::options()
        .write(true)
        .open(&tar)
        .expect("open")
        .set_times(FileTimes::new().set_modified(mtime))
        .expect("restore mtime");
    assert!(is_diff_id_mismatch(&open_with(&tar, Some(&cache))));
}

#[test]
fn damaged_entries_are_misses_and_a_restored_file_is_cached_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    let cache = DigestCache::new(dir.path().join("cache"));
    let l0 = layer(&[E::File("marker", ORIGINAL)]);
    common::docker_archive(&tar, &[l0], "example/damaged:1");
    open_with(&tar, Some(&cache)).expect("first open");
    // Every entry truncated: each is a miss, the layer is hashed, the open succeeds and the
    // entries are written again.
    for d in std::fs::read_dir(cache.dir()).expect("cache dir") {
        for e in std::fs::read_dir(d.expect("dir").path()).expect("subdir") {
            std::fs::write(e.expect("entry").path(), b"sha256:").expect("damage");
        }
    }
    let (off, len) = layer_ranges(&tar)[0];
    let f = File::open(&tar).expect("open");
    assert_eq!(cache.get(&f, off, len), None);
    open_with(&tar, Some(&cache)).expect("open with damaged entries");
    assert!(cache.get(&f, off, len).is_some());
}

#[test]
fn a_failed_open_records_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    let cache = DigestCache::new(dir.path().join("cache"));
    common::docker_archive(&tar, &[layer(&[E::File("marker", ORIGINAL)])], "x:1");
    let bytes = std::fs::read(&tar).expect("read");
    let at = bytes
        .windows(ORIGINAL.len())
        .position(|w| w == ORIGINAL)
        .expect("marker");
    let mut bad = bytes.clone();
    bad[at..at + TAMPERED.len()].copy_from_slice(TAMPERED);
    std::fs::write(&tar, &bad).expect("write");
    assert!(is_diff_id_mismatch(&open_with(&tar, Some(&cache))));
    assert_eq!(cache.entry_count(), 0);
}

#[test]
fn oci_layout_blobs_are_cached_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("layout");
    let cache = DigestCache::new(dir.path().join("cache"));
    let blobs = [
        common::Blob::plain(layer(&[E::File("a", b"plain layer")])),
        common::Blob::gz(layer(&[E::File("b", b"gzip layer")])),
    ];
    common::oci_layout(&layout, &blobs);
    let opts = OpenOptions {
        digest_cache: Some(cache.clone()),
        ..Default::default()
    };
    let r = format!("oci-dir:{}", layout.display());
    let first = open(&r, &opts, &Recorder::new("/"), &NoProgress).expect("first open");
    assert_eq!(cache.entry_count(), 2, "one entry per layer blob");
    let second = open(&r, &opts, &Recorder::new("/"), &NoProgress).expect("second open");
    assert_eq!(first.meta, second.meta);
    assert_eq!(second.fs.read("/b"), Some(&b"gzip layer"[..]));
}
