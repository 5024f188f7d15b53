//! The JSON documents of an image: docker-save `manifest.json`, OCI index and manifest, and the
//! image config; plus the platform matching used to pick one manifest from an index.

use std::collections::BTreeMap;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use warden_core::{ImageMeta, LayerMeta};

use crate::ImageError;

pub(crate) const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// One image of a docker-save `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DockerSaveEntry {
    pub(crate) config: String,
    #[serde(default)]
    pub(crate) repo_tags: Option<Vec<String>>,
    pub(crate) layers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Platform {
    #[serde(default)]
    pub(crate) architecture: String,
    #[serde(default)]
    pub(crate) os: String,
    #[serde(default)]
    pub(crate) variant: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    pub(crate) digest: String,
    #[serde(default)]
    pub(crate) size: u64,
    #[serde(default)]
    pub(crate) platform: Option<Platform>,
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
}

/// An OCI index or a Docker manifest list, or a manifest: told apart by their fields.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    #[serde(default)]
    pub(crate) media_type: String,
    #[serde(default)]
    pub(crate) manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub(crate) config: Option<Descriptor>,
    #[serde(default)]
    pub(crate) layers: Option<Vec<Descriptor>>,
}

impl Document {
    pub(crate) fn is_index(&self) -> bool {
        self.manifests.is_some()
            || self.media_type == MT_OCI_INDEX
            || self.media_type == MT_DOCKER_LIST
    }
}

#[derive(Debug, Default, Deserialize)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct History {
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RunConfig {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

/// The parts of an image config warden uses.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Config {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    config: Option<RunConfig>,
    #[serde(default)]
    rootfs: RootFs,
    #[serde(default)]
    history: Option<Vec<History>>,
}

impl Config {
    pub(crate) fn parse(image: &str, bytes: &[u8]) -> Result<Config, ImageError> {
        serde_json::from_slice(bytes).map_err(|e| ImageError::meta(image, "image config", e))
    }

    pub(crate) fn diff_ids(&self) -> &[String] {
        &self.rootfs.diff_ids
    }

    /// Fills the image metadata; `layers` gets one entry per diff ID, with `created_by` taken
    /// from the non-empty history entries in order.
    pub(crate) fn to_meta(&self, reference: &str, config_bytes: &[u8]) -> ImageMeta {
        let mut created_by = self
            .history
            .iter()
            .flatten()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.clone());
        let layers = self
            .rootfs
            .diff_ids
            .iter()
            .map(|d| LayerMeta {
                diff_id: d.clone(),
                digest: None,
                size: None,
                created_by: created_by.next().flatten(),
            })
            .collect();
        let run = self.config.as_ref();
        ImageMeta {
            reference: reference.to_string(),
            id: sha256_digest(config_bytes),
            manifest_digest: None,
            repo_tags: Vec::new(),
            repo_digests: Vec::new(),
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone().filter(|v| !v.is_empty()),
            layers,
            user: run.and_then(|r| r.user.clone()).unwrap_or_default(),
            env: run.and_then(|r| r.env.clone()).unwrap_or_default(),
            labels: run.and_then(|r| r.labels.clone()).unwrap_or_default(),
            created: self.created.clone(),
        }
    }
}

pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Checks that `bytes` hash to `digest` (only sha256 digests are checked; others are refused).
pub(crate) fn verify_digest(image: &str, digest: &str, bytes: &[u8]) -> Result<(), ImageError> {
    if !digest.starts_with("sha256:") {
        return Err(ImageError::meta(
            image,
            format!("blob {digest}"),
            "only sha256 digests are supported",
        ));
    }
    let actual = sha256_digest(bytes);
    if actual != digest {
        return Err(ImageError::DigestMismatch {
            image: image.to_string(),
            expected: digest.to_string(),
            actual,
        });
    }
    Ok(())
}

/// `os/arch[/variant]` as asked for (`None`: the host's, on linux).
pub(crate) fn wanted_platform(p: Option<&str>) -> (String, String, Option<String>) {
    if let Some(p) = p {
        let mut it = p.split('/');
        let os = it.next().unwrap_or("linux").to_string();
        let arch = it.next().unwrap_or("amd64").to_string();
        let variant = it.next().map(str::to_string);
        return (os, arch, variant);
    }
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        other => other,
    };
    ("linux".into(), arch.into(), None)
}

/// Picks the manifest for the wanted platform from an index's descriptors.
pub(crate) fn pick_platform<'d>(
    image: &str,
    manifests: &'d [Descriptor],
    platform: Option<&str>,
) -> Result<&'d Descriptor, ImageError> {
    let candidates: Vec<&Descriptor> = manifests
        .iter()
        // Attestation manifests (buildkit) carry platform unknown/unknown.
        .filter(|d| d.platform.as_ref().is_none_or(|p| p.os != "unknown"))
        .collect();
    if platform.is_none() && candidates.len() == 1 {
        return Ok(candidates[0]);
    }
    let (os, arch, variant) = wanted_platform(platform);
    let matching: Vec<&Descriptor> = candidates
        .iter()
        .copied()
        .filter(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| p.os == os && p.architecture == arch)
        })
        .collect();
    let exact = matching.iter().find(|d| {
        variant.is_none()
            || d.platform.as_ref().and_then(|p| p.variant.as_deref()) == variant.as_deref()
    });
    if let Some(d) = exact {
        return Ok(d);
    }
    let available = candidates
        .iter()
        .map(|d| match &d.platform {
            Some(p) => format!(
                "{}/{}{}",
                p.os,
                p.architecture,
                p.variant
                    .as_deref()
                    .map(|v| format!("/{v}"))
                    .unwrap_or_default()
            ),
            None => format!("(no platform) {}", d.digest),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let wanted = format!(
        "{os}/{arch}{}",
        variant.map(|v| format!("/{v}")).unwrap_or_default()
    );
    Err(ImageError::Platform {
        image: image.to_string(),
        wanted,
        available,
    })
}
