use serde::{Deserialize, Serialize};

/// The operating system detected from `/etc/os-release` (or its fallbacks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// `ID` (for example `debian`, `alpine`, `ubuntu`, `rhel`).
    pub id: String,
    /// `VERSION_ID` (for example `12`, `3.20.3`, `22.04`).
    #[serde(default)]
    pub version_id: String,
    /// `VERSION_CODENAME` (for example `bookworm`), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// `ID_LIKE` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
}

/// One layer of an image, in application order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerMeta {
    /// `sha256:` digest of the uncompressed tar (the diff ID from the image config).
    pub diff_id: String,
    /// `sha256:` digest of the blob as stored (compressed), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Size in bytes of the stored blob, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The Dockerfile instruction that made it (from the config history), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl LayerMeta {
    /// A layer known only by its diff ID (what Syft and Trivy SBOMs record).
    pub fn from_diff_id(diff_id: impl Into<String>) -> LayerMeta {
        LayerMeta {
            diff_id: diff_id.into(),
            digest: None,
            size: None,
            created_by: None,
        }
    }
}

/// Facts about a container image, independent of the source it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMeta {
    /// The reference as the user gave it.
    pub reference: String,
    /// Image ID: `sha256:` digest of the config blob.
    pub id: String,
    /// Manifest digest (`sha256:...`), when the source has a manifest that was read as bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Tags (`repo:tag`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_tags: Vec<String>,
    /// Repo digests (`repo@sha256:...`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_digests: Vec<String>,
    /// Platform OS from the config (`linux`).
    #[serde(default)]
    pub os: String,
    /// Platform architecture from the config (`amd64`, `arm64`...).
    #[serde(default)]
    pub architecture: String,
    /// Platform variant (`v8`), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Layers in application order.
    pub layers: Vec<LayerMeta>,
    /// `config.User`, as set in the image config (empty means root).
    #[serde(default)]
    pub user: String,
    /// `config.Env` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// `config.Labels`, sorted by key.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Creation time from the config, as written there (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}
