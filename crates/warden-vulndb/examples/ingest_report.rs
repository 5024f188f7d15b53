//! Prints every source's counts and rejections for the given inputs, without writing a database.
//!
//! `cargo run -p warden-vulndb --example ingest_report -- PATH...`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let inputs: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let ing = warden_vulndb::ingest(&inputs, warden_vulndb::Limits::default())?;
    for s in &ing.sources {
        println!(
            "{} files={} accepted={} rejected={} parts={} date={:?}",
            s.name, s.files, s.accepted, s.rejected, s.rejected_parts, s.date
        );
        for (k, v) in &s.notes {
            println!("  note {v} × {k}");
        }
        for r in &s.rejections {
            println!(
                "  {} {} :: {}",
                if r.whole_record { "REJECT" } else { "part" },
                r.at,
                r.reason
            );
        }
    }
    for r in &ing.ignored {
        println!("ignored {} :: {}", r.at, r.reason);
    }
    Ok(())
}
