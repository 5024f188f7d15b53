//! Lint configuration: hadolint's `.hadolint.yaml` keys, read as-is, plus warden's additions.
//! The same keys are accepted under `lint:` in `warden.yaml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::rules::Level;

/// Why a config could not be read, and where.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The YAML is malformed or a key has the wrong type.
    #[error("{source_name}: {message}")]
    Invalid {
        /// File name (or `lint:` section).
        source_name: String,
        /// What is wrong (serde_yaml's message names line and column).
        message: String,
    },
}

/// A label type of `label-schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelType {
    /// Any non-empty text.
    Text,
    /// An absolute URL.
    Url,
    /// A semantic version.
    Semver,
    /// A git commit hash.
    Hash,
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// An SPDX license identifier.
    Spdx,
    /// An e-mail address.
    Email,
}

impl LabelType {
    fn parse(s: &str) -> Option<LabelType> {
        Some(match s {
            "" | "text" => LabelType::Text,
            "url" => LabelType::Url,
            "semver" => LabelType::Semver,
            "hash" => LabelType::Hash,
            "rfc3339" => LabelType::Rfc3339,
            "spdx" => LabelType::Spdx,
            "email" => LabelType::Email,
            _ => return None,
        })
    }
}

/// The effective lint configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Rules never reported.
    pub ignored: Vec<String>,
    /// Rules re-levelled.
    pub overrides: BTreeMap<String, Level>,
    /// Registries allowed in FROM (enables DL3026).
    pub trusted_registries: Vec<String>,
    /// Required labels and their types (enables DL3049, DL3051–DL3058).
    pub label_schema: BTreeMap<String, LabelType>,
    /// Labels outside the schema are reported (DL3050).
    pub strict_labels: bool,
    /// `# hadolint ignore=` pragmas are not honoured.
    pub disable_ignore_pragma: bool,
    /// Lowest level that makes the run fail (`None` = never).
    pub failure_threshold: Option<Level>,
    /// Never fail.
    pub no_fail: bool,
    /// Run an external `shellcheck` on RUN scripts (SCxxxx findings) when one is found.
    pub shellcheck: bool,
    /// Where ShellCheck results are cached between runs (`None`: never cached).
    pub shellcheck_cache: Option<crate::shellcheck::Cache>,
    /// Base images accepted as minimal by WD1004 (globs with `*`).
    pub minimal_images: Vec<String>,
    /// Output formats named in the file (`format` / `formats`).
    pub formats: Vec<String>,
}

/// Default allow-list of minimal base images for WD1004.
pub const DEFAULT_MINIMAL_IMAGES: &[&str] = &[
    "scratch",
    "gcr.io/distroless/*",
    "*distroless*",
    "alpine",
    "alpine:*",
    "*/alpine",
    "*/alpine:*",
    "cgr.dev/chainguard/*",
    "chainguard/*",
    "cgr.dev/*",
    "wolfi-base*",
    "*/wolfi-base*",
    "*-slim",
    "*:*-slim",
    "*:slim",
    "*-slim-*",
    "*:*-alpine*",
    "*-alpine",
    "*busybox*",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            ignored: Vec::new(),
            overrides: BTreeMap::new(),
            trusted_registries: Vec::new(),
            label_schema: BTreeMap::new(),
            strict_labels: false,
            disable_ignore_pragma: false,
            failure_threshold: Some(Level::Info),
            no_fail: false,
            shellcheck: true,
            shellcheck_cache: None,
            minimal_images: DEFAULT_MINIMAL_IMAGES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            formats: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Overrides {
    #[serde(default)]
    error: Vec<String>,
    #[serde(default)]
    warning: Vec<String>,
    #[serde(default)]
    info: Vec<String>,
    #[serde(default)]
    style: Vec<String>,
}

/// The file as written: hadolint's keys (unknown keys are ignored, as hadolint does).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawConfig {
    ignored: Vec<String>,
    #[serde(rename = "override")]
    overrides: Option<Overrides>,
    #[serde(rename = "trustedRegistries")]
    trusted_registries: OneOrMany,
    #[serde(rename = "label-schema")]
    label_schema: BTreeMap<String, Option<String>>,
    #[serde(rename = "strict-labels")]
    strict_labels: Option<bool>,
    #[serde(rename = "disable-ignore-pragma")]
    disable_ignore_pragma: Option<bool>,
    #[serde(rename = "failure-threshold")]
    failure_threshold: Option<String>,
    #[serde(rename = "no-fail")]
    no_fail: Option<bool>,
    #[serde(rename = "no-color")]
    no_color: Option<bool>,
    verbose: Option<bool>,
    format: Option<String>,
    formats: Option<Vec<String>>,
    shellcheck: Option<bool>,
    #[serde(rename = "minimal-images")]
    minimal_images: Option<Vec<String>>,
}

impl Config {
    /// Reads hadolint-format YAML; `name` is used in errors.
    pub fn from_yaml(text: &str, name: &str) -> Result<Config, ConfigError> {
        let value: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| ConfigError::Invalid {
                source_name: name.to_string(),
                message: e.to_string(),
            })?;
        Config::from_value(&value, name)
    }

    /// Reads an already-parsed YAML value (the `lint:` section of `warden.yaml`).
    pub fn from_value(value: &serde_yaml::Value, name: &str) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        c.merge_value(value, name)?;
        Ok(c)
    }

    /// Applies the keys present in `value` over this config.
    pub fn merge_value(
        &mut self,
        value: &serde_yaml::Value,
        name: &str,
    ) -> Result<(), ConfigError> {
        if value.is_null() {
            return Ok(());
        }
        let invalid = |message: String| ConfigError::Invalid {
            source_name: name.to_string(),
            message,
        };
        let raw: RawConfig =
            serde_yaml::from_value(value.clone()).map_err(|e| invalid(e.to_string()))?;
        self.ignored.extend(raw.ignored);
        if let Some(o) = raw.overrides {
            for (lvl, list) in [
                (Level::Error, o.error),
                (Level::Warning, o.warning),
                (Level::Info, o.info),
                (Level::Style, o.style),
            ] {
                for code in list {
                    self.overrides.insert(code, lvl);
                }
            }
        }
        self.trusted_registries
            .extend(raw.trusted_registries.into_vec());
        for (k, v) in raw.label_schema {
            let t = v.unwrap_or_default();
            let typ = LabelType::parse(&t)
                .ok_or_else(|| invalid(format!("label-schema.{k}: unknown label type '{t}'")))?;
            self.label_schema.insert(k, typ);
        }
        if let Some(b) = raw.strict_labels {
            self.strict_labels = b;
        }
        if let Some(b) = raw.disable_ignore_pragma {
            self.disable_ignore_pragma = b;
        }
        if let Some(t) = raw.failure_threshold {
            self.failure_threshold =
                parse_threshold(&t).map_err(|e| invalid(format!("failure-threshold: {e}")))?;
        }
        if let Some(b) = raw.no_fail {
            self.no_fail = b;
        }
        if let Some(b) = raw.shellcheck {
            self.shellcheck = b;
        }
        if let Some(m) = raw.minimal_images {
            self.minimal_images = m;
        }
        if let Some(f) = raw.format {
            self.formats = vec![f];
        }
        if let Some(f) = raw.formats {
            self.formats = f;
        }
        let _ = (raw.no_color, raw.verbose);
        Ok(())
    }
}

/// Parses a failure threshold (`error`…`style`, `ignore`, `none`).
pub fn parse_threshold(s: &str) -> Result<Option<Level>, String> {
    match s.to_ascii_lowercase().as_str() {
        "none" => Ok(None),
        other => other.parse::<Level>().map(Some),
    }
}
