//! Opens an image reference and prints index statistics as one JSON line; used for the
//! time / peak-RSS figures (`/usr/bin/time -v target/release/examples/index REF`).
//!
//! Keeps `os-release` and package-database-like files, inspects nothing.

use std::time::Instant;

use warden_image::{open, EntryMeta, InspectedFile, Interest, NoProgress, OpenOptions, Selector};

struct Typical;

impl Selector for Typical {
    fn select(&self, e: &EntryMeta<'_>) -> Interest {
        let p = e.path;
        if p.ends_with("/os-release")
            || p.ends_with("/dpkg/status")
            || p.ends_with("/apk/db/installed")
            || p.ends_with("/METADATA")
        {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }
    fn inspect(&self, _: &InspectedFile<'_>) {}
}

fn main() {
    let Some(reference) = std::env::args().nth(1) else {
        eprintln!("usage: index REFERENCE [--insecure]");
        std::process::exit(2);
    };
    let opts = OpenOptions {
        insecure: std::env::args().any(|a| a == "--insecure"),
        ..Default::default()
    };
    let start = Instant::now();
    match open(&reference, &opts, &Typical, &NoProgress) {
        Ok(img) => {
            let entries = img.fs.layer_entries();
            println!(
                "{{\"reference\":{:?},\"layers\":{},\"layer_entries\":{},\"merged_entries\":{},\"index_bytes\":{},\"bytes_per_entry\":{},\"skipped\":{},\"seconds\":{:.2}}}",
                reference,
                img.meta.layers.len(),
                entries,
                img.fs.len(),
                img.fs.index_bytes(),
                img.fs.index_bytes() / entries.max(1),
                img.skipped.len(),
                start.elapsed().as_secs_f64()
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
