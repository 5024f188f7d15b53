//! Catalogs one image and prints its inventory as JSON: `cargo run --release -p warden-catalog
//! --example catalog -- docker-archive:img.tar`.

use warden_image::{NoProgress, OpenOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reference = std::env::args().nth(1).ok_or("usage: catalog IMAGE")?;
    let inv = warden_catalog::catalog_image(&reference, &OpenOptions::default(), &NoProgress)?;
    serde_json::to_writer_pretty(std::io::stdout().lock(), &inv)?;
    Ok(())
}
