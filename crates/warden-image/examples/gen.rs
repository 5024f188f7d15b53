//! Writes benchmark images as docker-save archives, streaming (never the whole layer in memory).
//!
//! `gen million OUT.tar` — one layer of 1,000,000 small files in 1,000 directories.
//! `gen big OUT.tar GIB` — one layer of GIB GiB of incompressible data in 64 MiB files.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};

use sha2::{Digest, Sha256};

struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// xorshift bytes: incompressible, deterministic, cheap.
struct Noise(u64, u64);

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.1 as usize) & !7;
        for c in buf[..n].chunks_exact_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            c.copy_from_slice(&self.0.to_le_bytes());
        }
        self.1 -= n as u64;
        Ok(n)
    }
}

fn header(size: u64, dir: bool) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(if dir {
        tar::EntryType::Directory
    } else {
        tar::EntryType::Regular
    });
    h.set_size(size);
    h.set_mode(if dir { 0o755 } else { 0o644 });
    h.set_mtime(0);
    h.set_cksum();
    h
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (kind, out) = match (args.get(1), args.get(2)) {
        (Some(k), Some(o)) => (k.as_str(), o.clone()),
        _ => {
            eprintln!("usage: gen million|big OUT.tar [GIB]");
            std::process::exit(2);
        }
    };
    let layer_path = format!("{out}.layer");
    let mut b = tar::Builder::new(Hashing {
        inner: BufWriter::with_capacity(1 << 20, File::create(&layer_path)?),
        hash: Sha256::new(),
        len: 0,
    });
    match kind {
        "million" => {
            for d in 0..1000 {
                b.append_data(
                    &mut header(0, true),
                    format!("usr/share/data{d:04}/"),
                    io::empty(),
                )?;
                for f in 0..1000 {
                    let body = format!("{d}-{f}\n");
                    b.append_data(
                        &mut header(body.len() as u64, false),
                        format!("usr/share/data{d:04}/file-{f:04}.txt"),
                        body.as_bytes(),
                    )?;
                }
            }
        }
        "big" => {
            let gib: u64 = args.get(3).and_then(|g| g.parse().ok()).unwrap_or(4);
            for i in 0..gib * 16 {
                let size = 64 << 20;
                b.append_data(
                    &mut header(size, false),
                    format!("data/blob-{i:04}.bin"),
                    Noise(0x9E37_79B9_7F4A_7C15 ^ (i + 1), size),
                )?;
            }
        }
        other => {
            eprintln!("unknown kind {other}");
            std::process::exit(2);
        }
    }
    let mut w = b.into_inner()?;
    w.flush()?;
    let diff_id = format!("sha256:{}", hex::encode(w.hash.clone().finalize()));
    let layer_len = w.len;
    drop(w);

    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": format!("warden gen {kind}")}],
    }))?;
    let config_name = format!("{}.json", hex::encode(Sha256::digest(&config)));
    let manifest = serde_json::to_vec(
        &serde_json::json!([{"Config": config_name, "RepoTags": [format!("warden-bench/{kind}:1")], "Layers": ["layer/layer.tar"]}]),
    )?;
    let mut outer = tar::Builder::new(BufWriter::with_capacity(1 << 20, File::create(&out)?));
    outer.append_data(
        &mut header(layer_len, false),
        "layer/layer.tar",
        File::open(&layer_path)?,
    )?;
    outer.append_data(
        &mut header(config.len() as u64, false),
        &config_name,
        &config[..],
    )?;
    outer.append_data(
        &mut header(manifest.len() as u64, false),
        "manifest.json",
        &manifest[..],
    )?;
    outer.into_inner()?.flush()?;
    std::fs::remove_file(&layer_path)?;
    println!("{out}: layer {layer_len} bytes, {diff_id}");
    Ok(())
}
