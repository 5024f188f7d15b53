//! Measures `compare` and parsed-`Constraint` speed per scheme over the committed real-world
//! versions (tests/fixtures/vulndata). Run with
//! `cargo run --release -p warden-version --example throughput`.

use std::path::Path;
use std::time::Instant;

use warden_version::{compare, Constraint, Scheme};

/// A scheme, its fixture name, and a constraint to time.
const CASES: [(Scheme, &str, &str); 10] = [
    (Scheme::Dpkg, "dpkg", ">= 1.2-1, << 2.0"),
    (Scheme::Apk, "apk", ">=1.2-r0, <2.0-r0"),
    (Scheme::Pep440, "pep440", ">=1.2,<2.0,!=1.5.*"),
    (Scheme::Npm, "npm", "^1.2.3 || >=3.0.0 <3.5.0"),
    (Scheme::Cargo, "cargo", ">=1.2.0, <2.0.0"),
    (Scheme::Go, "go", ">=1.2.0, <2.0.0"),
    (Scheme::Maven, "maven", "[1.2,2.0),[3.0,)"),
    (Scheme::Gem, "gem", "~> 1.2, >= 1.2.3"),
    (Scheme::Composer, "composer", ">=1.2,<2.0|^3.0"),
    (Scheme::Rpm, "dpkg", ">= 1.2-1, < 2.0"),
];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vulndata");
    for (scheme, fixture, constraint) in CASES {
        let path = dir.join(format!("{fixture}.versions"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let versions: Vec<&str> = text.lines().collect();
        if versions.len() < 2 {
            eprintln!("{}: no fixture at {}", scheme.name(), path.display());
            continue;
        }
        // the first call compiles the scheme's regular expressions; keep that out of the timing
        let _ = compare(scheme, versions[0], versions[1]);
        let start = Instant::now();
        let mut ok = 0usize;
        for w in versions.windows(2) {
            ok += usize::from(compare(scheme, w[0], w[1]).is_ok());
        }
        let per_compare = start.elapsed().as_nanos() as f64 / (versions.len() - 1) as f64;
        let parsed = match Constraint::parse(scheme, constraint) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let start = Instant::now();
        let mut hits = 0usize;
        for v in &versions {
            hits += usize::from(parsed.matches(v).unwrap_or(false));
        }
        let per_match = start.elapsed().as_nanos() as f64 / versions.len() as f64;
        println!(
            "{:<9} {:>6} versions  compare {:>7.0} ns  ({ok} ok)  constraint match {:>7.0} ns  ({hits} hits)",
            scheme.name(),
            versions.len(),
            per_compare,
            per_match
        );
    }
}
