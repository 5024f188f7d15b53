//! The config file: one YAML document with a section per stage (`lint:`, `sbom:`, `scan:`,
//! `db:`, `watch:`). Each subcommand deserialises its own section, so unknown keys are caught
//! where they are defined.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exit;

/// The loaded config file, or an empty one.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    root: serde_yaml::Mapping,
}

impl Config {
    /// Loads `explicit`, else the first of `./warden.yaml`, `./.warden.yaml`,
    /// `$XDG_CONFIG_HOME/warden/config.yaml` (or `~/.config/...`) that exists.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => discover(),
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading config file {}", path.display()))
            .map_err(|e| exit::fail(exit::USAGE, format!("{e:#}")))?;
        let value: serde_yaml::Value = serde_yaml::from_str(&text)
            .map_err(|e| exit::fail(exit::USAGE, format!("config file {}: {e}", path.display())))?;
        let root = match value {
            serde_yaml::Value::Mapping(m) => m,
            serde_yaml::Value::Null => serde_yaml::Mapping::new(),
            _ => {
                return Err(exit::fail(
                    exit::USAGE,
                    format!(
                        "config file {}: the top level must be a mapping of sections",
                        path.display()
                    ),
                ))
            }
        };
        tracing::info!(path = %path.display(), "loaded config file");
        Ok(Config {
            path: Some(path),
            root,
        })
    }

    /// Deserialises one section (`lint`, `sbom`...), or its default when absent.
    pub fn section<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> anyhow::Result<T> {
        match self.root.get(name) {
            None | Some(serde_yaml::Value::Null) => Ok(T::default()),
            Some(v) => serde_yaml::from_value(v.clone()).map_err(|e| {
                let at = self
                    .path
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                exit::fail(
                    exit::USAGE,
                    format!("config file {at}: section '{name}': {e}"),
                )
            }),
        }
    }

    /// The raw section, for stages that read a foreign format (hadolint's keys under `lint:`).
    pub fn raw_section(&self, name: &str) -> Option<&serde_yaml::Value> {
        self.root.get(name)
    }
}

fn discover() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("warden.yaml"), PathBuf::from(".warden.yaml")];
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = xdg {
        candidates.push(dir.join("warden").join("config.yaml"));
    }
    candidates.into_iter().find(|p| p.is_file())
}
