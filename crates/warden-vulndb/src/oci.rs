//! Publishing and pulling a database as an OCI artifact, so an organisation builds once and
//! every scanner pulls from its own registry.
//!
//! The artifact is an OCI image manifest with `artifactType` [`ARTIFACT_TYPE`], the empty config
//! and one layer: the database compressed with zstd ([`LAYER_MEDIA_TYPE`]). Annotations carry
//! the schema version and build time, so a puller can refuse a schema it cannot read.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use sha2::{Digest, Sha256};

use crate::build::write_atomic;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::format::SCHEMA_VERSION;

/// The manifest's `artifactType`.
pub const ARTIFACT_TYPE: &str = "application/vnd.warden.db.v1";
/// The layer's media type: the database file, zstd-compressed.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.warden.db.layer.v1+zstd";
const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
const ANN_SCHEMA: &str = "dev.warden.db.schema";
const ANN_BUILT: &str = "org.opencontainers.image.created";
const ANN_SHA: &str = "dev.warden.db.sha256";

/// How to reach the registry.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Use plain HTTP (for a local or test registry).
    pub insecure: bool,
    /// Basic credentials; anonymous when `None`.
    pub basic_auth: Option<(String, String)>,
    /// Largest database a pull accepts, uncompressed (default 4 GiB).
    pub max_size: Option<u64>,
}

/// What was published or pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The reference.
    pub reference: String,
    /// The manifest URL the registry answered with (publish) or the layer digest (pull).
    pub location: String,
    /// sha256 of the uncompressed database.
    pub sha256: String,
    /// Uncompressed size.
    pub size: u64,
}

fn client(opts: &RegistryOptions) -> Client {
    let protocol = if opts.insecure {
        ClientProtocol::Http
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig {
        protocol,
        ..ClientConfig::default()
    })
}

fn auth(opts: &RegistryOptions) -> RegistryAuth {
    match &opts.basic_auth {
        Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
        None => RegistryAuth::Anonymous,
    }
}

fn parse_ref(reference: &str) -> Result<Reference> {
    reference.parse::<Reference>().map_err(|e| Error::Invalid {
        what: "reference",
        value: reference.to_string(),
        reason: e.to_string(),
    })
}

fn runtime(reference: &str) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Registry {
            reference: reference.to_string(),
            reason: format!("starting the I/O runtime: {e}"),
        })
}

/// Pushes the database at `db_path` to `reference`. The file is verified first: a damaged
/// database is never published.
pub fn publish(db_path: &Path, reference: &str, opts: &RegistryOptions) -> Result<Transfer> {
    let db = Db::open(db_path)?;
    db.verify()?;
    let raw = std::fs::read(db_path).map_err(|e| Error::io(db_path, e))?;
    let sha = hex::encode(Sha256::digest(&raw));
    let compressed = zstd::encode_all(&raw[..], 19).map_err(|e| Error::io(db_path, e))?;
    let r = parse_ref(reference)?;
    let mut ann = BTreeMap::new();
    ann.insert(ANN_SCHEMA.to_string(), SCHEMA_VERSION.to_string());
    ann.insert(ANN_BUILT.to_string(), db.metadata().built_at.clone());
    ann.insert(ANN_SHA.to_string(), sha.clone());
    let mut layer_ann = BTreeMap::new();
    layer_ann.insert(
        "org.opencontainers.image.title".to_string(),
        "warden.db.zst".to_string(),
    );
    let layers = vec![ImageLayer::new(
        compressed,
        LAYER_MEDIA_TYPE.to_string(),
        Some(layer_ann),
    )];
    let config = Config::new(b"{}".to_vec(), EMPTY_CONFIG.to_string(), None);
    let mut manifest = OciImageManifest::build(&layers, &config, Some(ann));
    manifest.artifact_type = Some(ARTIFACT_TYPE.to_string());
    let c = client(opts);
    let a = auth(opts);
    let resp = runtime(reference)?
        .block_on(c.push(&r, &layers, config, &a, Some(manifest)))
        .map_err(|e| Error::Registry {
            reference: reference.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Transfer {
        reference: reference.to_string(),
        location: resp.manifest_url,
        sha256: sha,
        size: raw.len() as u64,
    })
}

/// Pulls the database at `reference` and atomically replaces `dest` with it, after checking the
/// layer digest, the schema annotation, the sha256 annotation and the file itself.
pub fn pull(reference: &str, dest: &Path, opts: &RegistryOptions) -> Result<Transfer> {
    let r = parse_ref(reference)?;
    let c = client(opts);
    let a = auth(opts);
    let rt = runtime(reference)?;
    let reg = |e: oci_client::errors::OciDistributionError| Error::Registry {
        reference: reference.to_string(),
        reason: e.to_string(),
    };
    let (manifest, _digest) = rt.block_on(c.pull_image_manifest(&r, &a)).map_err(reg)?;
    if manifest.artifact_type.as_deref() != Some(ARTIFACT_TYPE) {
        return Err(Error::Registry {
            reference: reference.to_string(),
            reason: format!(
                "artifactType is {:?}, not a warden database ({ARTIFACT_TYPE})",
                manifest.artifact_type
            ),
        });
    }
    let ann = manifest.annotations.clone().unwrap_or_default();
    if let Some(s) = ann.get(ANN_SCHEMA) {
        if s.parse::<u32>().ok() != Some(SCHEMA_VERSION) {
            return Err(Error::Schema {
                path: reference.to_string(),
                found: s.parse().unwrap_or(0),
                expected: SCHEMA_VERSION,
            });
        }
    }
    let [layer] = manifest.layers.as_slice() else {
        return Err(Error::Registry {
            reference: reference.to_string(),
            reason: format!("expected 1 layer, found {}", manifest.layers.len()),
        });
    };
    if layer.media_type != LAYER_MEDIA_TYPE {
        return Err(Error::Registry {
            reference: reference.to_string(),
            reason: format!(
                "layer media type {} is not {LAYER_MEDIA_TYPE}",
                layer.media_type
            ),
        });
    }
    let mut blob: Vec<u8> = Vec::new();
    rt.block_on(c.pull_blob(&r, layer, &mut blob))
        .map_err(reg)?;
    let got = format!("sha256:{}", hex::encode(Sha256::digest(&blob)));
    if got != layer.digest {
        return Err(Error::Checksum {
            file: format!("{reference} layer"),
            expected: layer.digest.clone(),
            actual: got,
        });
    }
    let max = opts.max_size.unwrap_or(4 << 30);
    let mut raw = Vec::new();
    zstd::Decoder::new(&blob[..])
        .and_then(|d| d.take(max + 1).read_to_end(&mut raw))
        .map_err(|e| Error::Registry {
            reference: reference.to_string(),
            reason: format!("decompressing the layer: {e}"),
        })?;
    if raw.len() as u64 > max {
        return Err(Error::TooLarge {
            archive: format!("{reference} layer"),
            limit: max,
        });
    }
    let sha = hex::encode(Sha256::digest(&raw));
    if let Some(expected) = ann.get(ANN_SHA) {
        if *expected != sha {
            return Err(Error::Checksum {
                file: format!("{reference} database"),
                expected: expected.clone(),
                actual: sha,
            });
        }
    }
    write_atomic(dest, &raw)?;
    Ok(Transfer {
        reference: reference.to_string(),
        location: layer.digest.clone(),
        sha256: sha,
        size: raw.len() as u64,
    })
}
