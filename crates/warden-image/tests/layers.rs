//! The layered filesystem on real tar layers: whiteouts, links, compression and hostile input.

mod common;

use common::{layer, Blob, Recorder, E};
use warden_image::{open, open_archive_stream, ImageError, NoProgress, OpenOptions};

fn open_layout(
    layers: &[Blob],
    sel: &Recorder,
    opts: &OpenOptions,
) -> (tempfile::TempDir, Result<warden_image::Image, ImageError>) {
    let dir = tempfile::tempdir().expect("tempdir");
    common::oci_layout(dir.path(), layers);
    let r = format!("oci-dir:{}", dir.path().display());
    let img = open(&r, opts, sel, &NoProgress);
    (dir, img)
}

fn ok(layers: &[Blob], sel: &Recorder) -> warden_image::Image {
    let (_d, img) = open_layout(layers, sel, &OpenOptions::default());
    match img {
        Ok(i) => i,
        Err(e) => panic!("open failed: {e}"),
    }
}

fn paths(img: &warden_image::Image) -> Vec<String> {
    img.fs
        .entries()
        .map(|(p, k, t)| {
            format!(
                "{p} {k}{}",
                t.map(|t| format!(" -> {t}")).unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn whiteouts_opaque_dirs_and_layer_attribution() {
    let l0 = layer(&[
        E::Dir("etc/"),
        E::File("etc/os-release", b"ID=test\n"),
        E::Dir("app/"),
        E::File("app/old.txt", b"old"),
        E::Dir("pkg/"),
        E::File("pkg/gone.txt", b"gone"),
        E::File("pkg/tool.bin", b"\x7fELF-first"),
    ]);
    let l1 = layer(&[
        E::Dir("app/"),
        E::File("app/.wh..wh..opq", b""),
        E::File("app/new.txt", b"new"),
        E::File("pkg/.wh.gone.txt", b""),
        E::File("etc/os-release", b"ID=replaced\n"),
    ]);
    let l2 = layer(&[
        E::File(".wh.pkg", b""),
        E::Dir("pkg/"),
        E::File("pkg/again.txt", b"again"),
    ]);
    let blobs = [Blob::gz(l0), Blob::zst(l1), Blob::plain(l2)];
    let diff = [
        blobs[0].diff_id.clone(),
        blobs[1].diff_id.clone(),
        blobs[2].diff_id.clone(),
    ];
    let sel = Recorder::new("/");
    let img = ok(&blobs, &sel);
    assert_eq!(
        paths(&img),
        [
            "/app dir",
            "/app/new.txt file",
            "/etc dir",
            "/etc/os-release file",
            "/pkg dir",
            "/pkg/again.txt file"
        ]
    );
    assert_eq!(img.fs.read("/etc/os-release"), Some(&b"ID=replaced\n"[..]));
    assert_eq!(img.fs.read("/app/old.txt"), None);
    assert!(!img.fs.exists("/pkg/gone.txt"));
    assert!(!img.fs.exists("/pkg/tool.bin"));
    let info = img.fs.info("/pkg/again.txt").expect("again.txt");
    assert_eq!((info.layer, info.diff_id.as_str()), (2, diff[2].as_str()));
    assert!(img.fs.survives("/etc/os-release", 1));
    assert!(!img.fs.survives("/etc/os-release", 0));
    // The inspected binary was in layer 0 and is deleted by layer 2: catalogers filter it out.
    assert_eq!(
        sel.inspected(),
        [("/pkg/tool.bin".to_string(), 0, diff[0].clone(), 10)]
    );
    assert!(!img.fs.survives("/pkg/tool.bin", 0));
    assert_eq!(img.meta.layers.len(), 3);
    assert_eq!(img.meta.layers[1].created_by.as_deref(), Some("step 1"));
    assert_eq!(img.meta.user, "1000:1000");
    assert_eq!(img.meta.labels.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert!(img.meta.manifest_digest.is_some());
    let kept: Vec<&str> = img.fs.kept().map(|(p, _)| p).collect();
    assert_eq!(kept, ["/app/new.txt", "/etc/os-release", "/pkg/again.txt"]);
}

#[test]
fn links_resolve_inside_the_root_only() {
    let l0 = layer(&[
        E::Dir("etc/"),
        E::File("etc/hostname", b"inside-the-image"),
        E::Dir("usr/lib/"),
        E::File("usr/lib/os-release", b"ID=x"),
        E::Symlink("etc/os-release", "../usr/lib/os-release"),
        // Out of the root: resolved like a chroot, so they land inside the image.
        E::Symlink("up", "../../../../../../etc/hostname"),
        E::Symlink("abs", "/etc/hostname"),
        E::Symlink("nowhere", "../../../../root/.ssh/id_rsa"),
        E::Symlink("loop1", "loop2"),
        E::Symlink("loop2", "loop1"),
        E::Symlink("self", "self"),
        E::Hardlink("hard", "etc/hostname"),
        E::Hardlink("hard-out", "../../etc/passwd"),
    ]);
    let sel = Recorder::new("/");
    let img = ok(&[Blob::plain(l0)], &sel);
    assert_eq!(img.fs.read("/etc/os-release"), Some(&b"ID=x"[..]));
    assert_eq!(
        img.fs.info("/etc/os-release").map(|i| i.path),
        Some("/usr/lib/os-release".to_string())
    );
    assert_eq!(img.fs.read("/up"), Some(&b"inside-the-image"[..]));
    assert_eq!(img.fs.read("/abs"), Some(&b"inside-the-image"[..]));
    assert_eq!(img.fs.read("/nowhere"), None);
    assert_eq!(img.fs.read("/loop1"), None);
    assert!(!img.fs.exists("/self"));
    assert_eq!(img.fs.read("/hard"), Some(&b"inside-the-image"[..]));
    assert!(!img.fs.exists("/hard-out"));
    assert!(img
        .skipped
        .iter()
        .any(|n| n.at.starts_with("../../etc/passwd")
            || (n.at.starts_with("hard-out") && n.reason.contains("escapes"))));
}

#[test]
fn a_symlink_chain_longer_than_the_hop_limit_stops() {
    let names: Vec<String> = (0..50).map(|i| format!("s{i}")).collect();
    let mut entries: Vec<E<'_>> = (0..49)
        .map(|i| E::Symlink(&names[i], &names[i + 1]))
        .collect();
    entries.push(E::File("s49", b"end"));
    let img = ok(&[Blob::plain(layer(&entries))], &Recorder::new("/"));
    assert_eq!(img.fs.read("/s20"), Some(&b"end"[..]));
    assert_eq!(img.fs.read("/s0"), None, "49 hops exceed the limit of 40");
}

#[test]
fn traversal_and_absolute_paths_stay_inside() {
    let l0 = layer(&[
        E::File("../../../tmp/warden-escape-test", b"evil"),
        E::File("a/../../escape2", b"evil"),
        E::File("/etc/absolute", b"abs"),
        E::File("./ok/../fine", b"fine"),
    ]);
    let img = ok(&[Blob::plain(l0)], &Recorder::new("/"));
    assert_eq!(paths(&img), ["/etc/absolute file", "/fine file"]);
    assert_eq!(img.fs.read("/etc/absolute"), Some(&b"abs"[..]));
    assert!(!std::path::Path::new("/tmp/warden-escape-test").exists());
    let reasons: Vec<&str> = img.skipped.iter().map(|n| n.reason.as_str()).collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.contains("escapes the image root"))
            .count(),
        2,
        "{:?}",
        img.skipped
    );
}

#[test]
fn hardlink_to_kept_file_survives_target_deletion() {
    let l0 = layer(&[
        E::Dir("d/"),
        E::File("d/data", b"payload"),
        E::Hardlink("d/link", "d/data"),
    ]);
    let l1 = layer(&[E::File("d/.wh.data", b"")]);
    let img = ok(&[Blob::plain(l0), Blob::plain(l1)], &Recorder::new("/"));
    assert!(!img.fs.exists("/d/data"));
    assert_eq!(img.fs.read("/d/link"), Some(&b"payload"[..]));
    assert_eq!(
        img.fs.files().map(|f| f.path).collect::<Vec<_>>(),
        ["/d/link"]
    );
}

#[test]
fn truncated_gzip_stream_is_a_clear_error() {
    let files: Vec<(String, Vec<u8>)> = (0..200)
        .map(|i| (format!("f{i}"), vec![i as u8; 4096]))
        .collect();
    let entries: Vec<E<'_>> = files.iter().map(|(n, d)| E::File(n, d)).collect();
    let tar = layer(&entries);
    let mut blob = Blob::gz(tar);
    blob.stored.truncate(blob.stored.len() / 2);
    let (_d, r) = open_layout(&[blob], &Recorder::new("/"), &OpenOptions::default());
    match r {
        Err(ImageError::Layer { layer, reason, .. }) => {
            assert!(layer.starts_with("0 (sha256:"), "{layer}");
            assert!(reason.contains("corrupt or truncated"), "{reason}");
        }
        other => panic!("expected a layer error, got {other:?}"),
    }
}

#[test]
fn manifest_naming_a_missing_blob_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blob = Blob::gz(layer(&[E::File("x", b"x")]));
    common::oci_layout(dir.path(), &[blob]);
    let missing = common::sha(&common::gzip(&layer(&[E::File("x", b"x")])));
    std::fs::remove_file(dir.path().join("blobs/sha256").join(&missing[7..])).expect("rm");
    let r = open(
        &format!("oci-dir:{}", dir.path().display()),
        &OpenOptions::default(),
        &Recorder::new("/"),
        &NoProgress,
    );
    match r {
        Err(ImageError::MissingBlob { blob, .. }) => assert_eq!(blob, missing),
        other => panic!("expected MissingBlob, got {other:?}"),
    }

    let tar = dir.path().join("save.tar");
    common::docker_archive(&tar, &[layer(&[E::File("x", b"x")])], "t:1");
    // Drop the layer member by rewriting the archive without it.
    let mut out = tar::Builder::new(Vec::new());
    let mut a = tar::Archive::new(std::fs::File::open(&tar).expect("open"));
    for e in a.entries().expect("entries") {
        let mut e = e.expect("entry");
        if e.path()
            .expect("path")
            .to_string_lossy()
            .ends_with("layer.tar")
        {
            continue;
        }
        let h = e.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).expect("read");
        out.append(&h, &data[..]).expect("append");
    }
    std::fs::write(&tar, out.into_inner().expect("tar")).expect("write");
    let r = open(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
        &Recorder::new("/"),
        &NoProgress,
    );
    match r {
        Err(ImageError::MissingBlob { blob, .. }) => {
            assert!(blob.ends_with("/layer.tar"), "{blob}")
        }
        other => panic!("expected MissingBlob, got {other:?}"),
    }
}

#[test]
fn diff_id_mismatch_is_refused() {
    let mut blob = Blob::gz(layer(&[E::File("x", b"x")]));
    blob.diff_id = common::sha(b"something else");
    let (_d, r) = open_layout(&[blob], &Recorder::new("/"), &OpenOptions::default());
    assert!(
        matches!(r, Err(ImageError::DiffIdMismatch { index: 0, .. })),
        "{r:?}"
    );
}

#[test]
fn oversized_wanted_files_are_skipped_with_a_note() {
    let big = vec![7u8; 10_000];
    let img = {
        let (_d, r) = open_layout(
            &[Blob::gz(layer(&[
                E::File("big.txt", &big),
                E::File("small.txt", b"s"),
            ]))],
            &Recorder::new("/"),
            &OpenOptions {
                max_file_size: 1000,
                ..Default::default()
            },
        );
        r.expect("open")
    };
    assert_eq!(img.fs.read("/big.txt"), None);
    assert_eq!(img.fs.info("/big.txt").map(|i| i.size), Some(10_000));
    assert_eq!(img.fs.read("/small.txt"), Some(&b"s"[..]));
    assert!(
        img.skipped
            .iter()
            .any(|n| n.at.starts_with("big.txt") && n.reason.contains("max_file_size")),
        "{:?}",
        img.skipped
    );
}

#[test]
fn huge_sparse_file_is_indexed_not_read() {
    let img = ok(
        &[Blob::gz(common::sparse_layer(
            "sparse",
            1 << 40,
            (1 << 40) - 512,
            "after.txt",
        ))],
        &Recorder::new("/"),
    );
    let info = img.fs.info("/sparse").expect("sparse file indexed");
    assert!(info.size >= 1 << 40, "apparent size {}", info.size);
    assert_eq!(img.fs.read("/sparse"), None);
    assert!(img
        .skipped
        .iter()
        .any(|n| n.at.starts_with("sparse") && n.reason.contains("max_file_size")));
    assert_eq!(img.fs.read("/after.txt"), Some(&b"after"[..]));
}

#[test]
fn uncompressed_limit_stops_a_bomb_with_a_clear_error() {
    let zeros = vec![0u8; 8 << 20];
    let blob = Blob::gz(layer(&[E::File("zeros", &zeros)]));
    assert!(blob.stored.len() < 100_000);
    let opts = OpenOptions {
        limits: warden_image::Limits {
            max_total_uncompressed: 1 << 20,
            ..Default::default()
        },
        ..Default::default()
    };
    let (_d, r) = open_layout(&[blob], &Recorder::new("/none"), &opts);
    match r {
        Err(e @ ImageError::LimitExceeded { .. }) => {
            assert!(e.to_string().contains("uncompressed size"), "{e}")
        }
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
}

#[test]
fn docker_archive_with_manifest_last_and_stream_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    let l0 = layer(&[
        E::Dir("bin/"),
        E::File("bin/tool.bin", b"\x7fELF"),
        E::File("keep.txt", b"k"),
    ]);
    let l1 = layer(&[
        E::File("bin/.wh.tool.bin", b""),
        E::File("late.bin", b"late!"),
    ]);
    let d = [common::sha(&l0), common::sha(&l1)];
    common::docker_archive(&tar, &[l0, l1], "example/app:1");
    let sel = Recorder::new("/");
    let img = open(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
        &sel,
        &NoProgress,
    )
    .expect("open");
    assert_eq!(img.meta.repo_tags, ["example/app:1"]);
    assert_eq!(
        paths(&img),
        ["/bin dir", "/keep.txt file", "/late.bin file"]
    );
    let expect = vec![
        ("/bin/tool.bin".to_string(), 0, d[0].clone(), 4),
        ("/late.bin".to_string(), 1, d[1].clone(), 5),
    ];
    assert_eq!(sel.inspected(), expect);
    assert_eq!(img.meta.layers[1].digest.as_deref(), Some(d[1].as_str()));
}

/// A multi-MiB uncompressed layer in a docker-archive file is hashed in chunks on the hashing
/// thread (`src/hash.rs`): the digest must still be the layer's, and one changed byte must still
/// be caught against the config's diff ID.
#[test]
fn big_plain_layer_in_an_archive_is_verified_by_the_hashing_thread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    // 6 MiB that a byte search can find again, with a file to inspect after it.
    let big: Vec<u8> = (0..6u32 << 20).map(|i| (i % 251) as u8).collect();
    let l0 = layer(&[
        E::File("data/blob", &big),
        E::File("data/after.bin", b"after the big file"),
    ]);
    let l1 = layer(&[E::File("small.bin", b"s")]);
    let d = [common::sha(&l0), common::sha(&l1)];
    common::docker_archive(&tar, &[l0.clone(), l1], "example/big:1");
    let sel = Recorder::new("/nothing-kept");
    let img = open(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
        &sel,
        &NoProgress,
    )
    .expect("open");
    assert_eq!(img.meta.layers[0].digest.as_deref(), Some(d[0].as_str()));
    assert_eq!(img.meta.layers[0].size, Some(l0.len() as u64));
    assert_eq!(img.meta.layers[1].digest.as_deref(), Some(d[1].as_str()));
    assert_eq!(
        sel.inspected(),
        vec![
            ("/data/after.bin".to_string(), 0, d[0].clone(), 18),
            ("/small.bin".to_string(), 1, d[1].clone(), 1),
        ]
    );

    // Flip one byte in the middle of the big file's content, inside the archive.
    let mut bytes = std::fs::read(&tar).expect("read archive");
    let needle: Vec<u8> = big[3 << 20..(3 << 20) + 64].to_vec();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("big file content in the archive");
    bytes[at] ^= 0xff;
    std::fs::write(&tar, &bytes).expect("write archive");
    let r = open(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
        &Recorder::new("/nothing-kept"),
        &NoProgress,
    );
    assert!(
        matches!(r, Err(ImageError::DiffIdMismatch { index: 0, .. })),
        "{r:?}"
    );
}

#[test]
fn docker_save_stream_with_manifest_last_defers_inspection_to_the_right_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("save.tar");
    let l0 = layer(&[
        E::Dir("bin/"),
        E::File("bin/tool.bin", b"\x7fELF"),
        E::File("bin/other.bin", b"other"),
    ]);
    let l1 = layer(&[
        E::File("bin/.wh.tool.bin", b""),
        E::File("late.bin", b"late!"),
        E::File("etc-file", b"kept"),
    ]);
    let d = [common::sha(&l0), common::sha(&l1)];
    common::docker_archive(&tar, &[l0, l1], "example/app:1");
    let sel = Recorder::new("/etc");
    let f = std::fs::File::open(&tar).expect("open");
    let img = open_archive_stream(
        "piped",
        std::io::BufReader::new(f),
        &OpenOptions::default(),
        &sel,
        &NoProgress,
    )
    .expect("stream");
    assert_eq!(
        paths(&img),
        [
            "/bin dir",
            "/bin/other.bin file",
            "/etc-file file",
            "/late.bin file"
        ]
    );
    assert_eq!(img.fs.read("/etc-file"), Some(&b"kept"[..]));
    let expect = vec![
        ("/bin/other.bin".to_string(), 0, d[0].clone(), 5),
        ("/bin/tool.bin".to_string(), 0, d[0].clone(), 4),
        ("/late.bin".to_string(), 1, d[1].clone(), 5),
    ];
    assert_eq!(sel.inspected(), expect);
    assert_eq!(img.meta.reference, "piped");

    // A stream whose manifest names a layer that is not in it.
    let truncated: Vec<u8> = {
        let mut out = tar::Builder::new(Vec::new());
        let mut a = tar::Archive::new(std::fs::File::open(&tar).expect("open"));
        for e in a.entries().expect("entries") {
            let mut e = e.expect("entry");
            let name = e.path().expect("path").to_string_lossy().into_owned();
            if name.starts_with(&format!("{:064x}", 2)) {
                continue;
            }
            let h = e.header().clone();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).expect("read");
            out.append(&h, &data[..]).expect("append");
        }
        out.into_inner().expect("tar")
    };
    match open_archive_stream(
        "piped",
        &truncated[..],
        &OpenOptions::default(),
        &Recorder::new("/"),
        &NoProgress,
    ) {
        Err(ImageError::MissingBlob { blob, .. }) => {
            assert!(blob.ends_with("/layer.tar"), "{blob}")
        }
        other => panic!("expected MissingBlob, got {other:?}"),
    }
}

#[test]
fn rootfs_dir_never_follows_symlinks_out() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret"), "host secret").expect("write");
    let root = tempfile::tempdir().expect("tempdir");
    let r = root.path();
    std::fs::create_dir_all(r.join("etc")).expect("mkdir");
    std::fs::write(r.join("etc/os-release"), "ID=rootfs\n").expect("write");
    symlink(outside.path().join("secret"), r.join("etc/abs-secret")).expect("symlink");
    symlink(outside.path(), r.join("hostdir")).expect("symlink");
    symlink("../../../../../../../../etc/os-release", r.join("up")).expect("symlink");
    symlink("loop-b", r.join("loop-a")).expect("symlink");
    symlink("loop-a", r.join("loop-b")).expect("symlink");
    let sel = Recorder::new("/");
    let img = open(
        &format!("dir:{}", r.display()),
        &OpenOptions::default(),
        &sel,
        &NoProgress,
    )
    .expect("open");
    // The symlinked host dir is recorded, never entered; absolute targets resolve in the rootfs.
    assert!(!img.fs.exists("/hostdir/secret"));
    assert_eq!(img.fs.read("/etc/abs-secret"), None);
    assert_eq!(img.fs.read("/up"), Some(&b"ID=rootfs\n"[..]));
    assert_eq!(img.fs.read("/loop-a"), None);
    let kept: Vec<&[u8]> = img.fs.kept().map(|(_, d)| d).collect();
    assert!(!kept.iter().any(|d| d == b"host secret"));
    assert_eq!(
        img.fs.info("/etc/os-release").map(|i| (i.layer, i.diff_id)),
        Some((0, String::new()))
    );
}
