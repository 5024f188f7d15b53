//! Converts an SBOM between formats: `cargo run -p warden-sbom --example convert -- FILE [cyclonedx|spdx|table]`.
//!
//! Reads CycloneDX or SPDX JSON (warden's, Syft's or Trivy's) and writes it back out through
//! warden's model, which shows what survives the trip.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: convert FILE [cyclonedx|spdx|table]");
        return ExitCode::from(2);
    };
    let format = match args
        .get(1)
        .map(|f| f.parse::<warden_sbom::Format>())
        .transpose()
    {
        Ok(f) => f.unwrap_or(warden_sbom::Format::Table),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: reading {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let result = warden_sbom::read(&bytes, path)
        .and_then(|inv| warden_sbom::write(&inv, format, &warden_sbom::WriteOptions::default()));
    match result {
        Ok(out) => {
            if std::io::stdout().write_all(&out).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
