//! A gzip bomb: 2 GiB of zeros in about 2 MiB of gzip. Read in bounded memory when allowed, and
//! stopped with a clear error by the uncompressed-bytes limit. Alone in its test binary so the
//! process's peak RSS measures this test only.

mod common;

use std::io::Write;

use sha2::{Digest, Sha256};
use warden_image::{open, ImageError, Limits, NoProgress, OpenOptions};

const CHUNK: usize = 64 << 20;
const CHUNKS: usize = 32;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// A multi-member gzip layer: tar header, 2 GiB of zeros, end-of-archive blocks.
fn bomb() -> common::Blob {
    let size = (CHUNK * CHUNKS) as u64;
    let mut h = tar::Header::new_gnu();
    h.set_path("zeros").expect("path");
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    let zeros = vec![0u8; CHUNK];
    let member = gz(&zeros);
    let mut stored = gz(h.as_bytes());
    let mut diff = Sha256::new();
    diff.update(h.as_bytes());
    for _ in 0..CHUNKS {
        stored.extend_from_slice(&member);
        diff.update(&zeros);
    }
    stored.extend_from_slice(&gz(&[0u8; 1024]));
    diff.update([0u8; 1024]);
    common::Blob {
        stored,
        diff_id: format!("sha256:{}", hex::encode(diff.finalize())),
    }
}

#[test]
fn gzip_bomb_is_streamed_in_bounded_memory_and_limited() {
    let blob = bomb();
    assert!(
        blob.stored.len() < 4 << 20,
        "bomb is {} bytes",
        blob.stored.len()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    common::oci_layout(dir.path(), &[blob]);
    let r = format!("oci-dir:{}", dir.path().display());
    let sel = common::Recorder::new("/");

    let before = common::vm_hwm_kb();
    let img = open(&r, &OpenOptions::default(), &sel, &NoProgress)
        .expect("the bomb is within the default limit");
    let after = common::vm_hwm_kb();
    assert_eq!(
        img.fs.info("/zeros").map(|i| i.size),
        Some((CHUNK * CHUNKS) as u64)
    );
    assert_eq!(
        img.fs.read("/zeros"),
        None,
        "2 GiB exceeds max_file_size: never read into memory"
    );
    assert!(img
        .skipped
        .iter()
        .any(|n| n.reason.contains("max_file_size")));
    // The generator itself held 64 MiB of zeros plus the bomb; reading adds buffers only.
    assert!(
        after < 100 * 1024,
        "peak RSS {after} kB after reading the bomb"
    );
    eprintln!("bomb: peak RSS {before} kB before, {after} kB after reading 2 GiB uncompressed");

    let opts = OpenOptions {
        limits: Limits {
            max_total_uncompressed: 512 << 20,
            ..Limits::default()
        },
        ..Default::default()
    };
    match open(&r, &opts, &sel, &NoProgress) {
        Err(e @ ImageError::LimitExceeded { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("uncompressed size") && msg.contains("536870912"),
                "{msg}"
            );
        }
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
}
