//! `registry:REF`: pulled through the OCI distribution API (oci-client), layer by layer,
//! streamed into the walker through a bounded channel.
//!
//! Credentials come from [`crate::OpenOptions::credentials`], else from the docker
//! `config.json` (`credHelpers`, `auths`, `credsStore`, with the `docker-credential-*` helpers);
//! oci-client turns basic credentials into bearer tokens when the registry asks for that.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::sync_channel;

use base64::Engine;
use futures_util::StreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde::Deserialize;

use super::daemon::ChannelReader;
use super::{read_manifest, resolve_manifest, BlobSource, Session};
use crate::manifest::{
    verify_digest, MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_OCI_INDEX, MT_OCI_MANIFEST,
};
use crate::{Credentials, Image, ImageError, OpenOptions};

const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperReply {
    username: String,
    secret: String,
}

fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// The keys a registry may be stored under in `auths` / `credHelpers`.
fn config_keys(host: &str) -> Vec<String> {
    if is_docker_hub(host) {
        return vec![
            DOCKER_HUB_KEY.into(),
            "index.docker.io".into(),
            "docker.io".into(),
            "registry-1.docker.io".into(),
        ];
    }
    vec![
        host.into(),
        format!("https://{host}"),
        format!("http://{host}"),
        format!("https://{host}/v1/"),
        format!("https://{host}/v2/"),
    ]
}

fn config_dir(opts: &OpenOptions) -> Option<PathBuf> {
    opts.docker_config_dir
        .clone()
        .or_else(|| std::env::var_os("DOCKER_CONFIG").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
}

fn helper(name: &str, server: &str) -> Result<Option<RegistryAuth>, String> {
    // The name becomes part of a program name: nothing that could point elsewhere.
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(format!("invalid credential helper name '{name}'"));
    }
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| format!("writing to {program}: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("running {program}: {e}"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout).trim().to_string();
        // "credentials not found" is the helper protocol's way of saying anonymous.
        if msg.contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!("{program} failed: {msg}"));
    }
    let reply: HelperReply =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{program} reply: {e}"))?;
    Ok(Some(if reply.username == "<token>" {
        RegistryAuth::Bearer(reply.secret)
    } else {
        RegistryAuth::Basic(reply.username, reply.secret)
    }))
}

/// Credentials for `host`: explicit ones, else the docker config, else anonymous.
pub(crate) fn resolve_auth(opts: &OpenOptions, host: &str) -> Result<RegistryAuth, String> {
    if let Some(c) = &opts.credentials {
        return Ok(match c {
            Credentials::Basic { username, password } => {
                RegistryAuth::Basic(username.clone(), password.clone())
            }
            Credentials::Bearer(t) => RegistryAuth::Bearer(t.clone()),
        });
    }
    let Some(dir) = config_dir(opts) else {
        return Ok(RegistryAuth::Anonymous);
    };
    let path = dir.join("config.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(RegistryAuth::Anonymous),
        Err(e) => return Err(format!("reading {}: {e}", path.display())),
    };
    let config: DockerConfig =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let keys = config_keys(host);
    for k in &keys {
        if let Some(h) = config.cred_helpers.get(k) {
            return Ok(helper(h, k)?.unwrap_or(RegistryAuth::Anonymous));
        }
    }
    for k in &keys {
        let Some(a) = config.auths.get(k) else {
            continue;
        };
        if let Some(token) = &a.identitytoken {
            return Ok(RegistryAuth::Basic(
                a.username.clone().unwrap_or_else(|| "<token>".into()),
                token.clone(),
            ));
        }
        if let Some(enc) = &a.auth {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(enc.trim())
                .map_err(|e| format!("{}: auths.{k}.auth is not base64: {e}", path.display()))?;
            let raw = String::from_utf8(raw)
                .map_err(|_| format!("{}: auths.{k}.auth is not UTF-8", path.display()))?;
            let (u, p) = raw.split_once(':').ok_or_else(|| {
                format!("{}: auths.{k}.auth is not user:password", path.display())
            })?;
            return Ok(RegistryAuth::Basic(u.into(), p.into()));
        }
        if let (Some(u), Some(p)) = (&a.username, &a.password) {
            return Ok(RegistryAuth::Basic(u.clone(), p.clone()));
        }
    }
    if let Some(store) = &config.creds_store {
        let server = if is_docker_hub(host) {
            DOCKER_HUB_KEY.to_string()
        } else {
            host.to_string()
        };
        return Ok(helper(store, &server)?.unwrap_or(RegistryAuth::Anonymous));
    }
    Ok(RegistryAuth::Anonymous)
}

fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        registry.rsplit_once(':').map_or(registry, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                registry
            }
        })
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

struct Remote<'a> {
    image: &'a str,
    auth: RegistryAuth,
    client: Client,
    reference: Reference,
    rt: tokio::runtime::Runtime,
}

impl BlobSource for Remote<'_> {
    fn read_small(&self, digest: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        let reg = |reason: String| ImageError::Registry {
            image: self.image.to_string(),
            reason,
        };
        self.rt.block_on(async {
            let mut stream = self
                .client
                .pull_blob_stream(&self.reference, digest)
                .await
                .map_err(|e| reg(format!("blob {digest}: {e}")))?;
            let mut buf = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| reg(format!("blob {digest}: {e}")))?;
                if (buf.len() + chunk.len()) as u64 > max {
                    return Err(ImageError::LimitExceeded {
                        image: self.image.to_string(),
                        what: format!("blob {digest}"),
                        limit: format!("{max} bytes of metadata"),
                    });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(buf)
        })
    }

    fn read_manifest(&self, digest: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        let accepted = [
            MT_OCI_INDEX,
            MT_DOCKER_LIST,
            MT_OCI_MANIFEST,
            MT_DOCKER_MANIFEST,
        ];
        let by_digest = self.reference.clone_with_digest(digest.to_string());
        let (bytes, _) = self
            .rt
            .block_on(
                self.client
                    .pull_manifest_raw(&by_digest, &self.auth, &accepted),
            )
            .map_err(|e| ImageError::Registry {
                image: self.image.to_string(),
                reason: format!("manifest {digest}: {e}"),
            })?;
        if bytes.len() as u64 > max {
            return Err(ImageError::LimitExceeded {
                image: self.image.to_string(),
                what: format!("manifest {digest}"),
                limit: format!("{max} bytes of metadata"),
            });
        }
        Ok(bytes.to_vec())
    }

    fn open_blob(&self, digest: &str) -> Result<Box<dyn Read + '_>, ImageError> {
        let stream = self
            .rt
            .block_on(self.client.pull_blob_stream(&self.reference, digest))
            .map_err(|e| ImageError::Registry {
                image: self.image.to_string(),
                reason: format!("blob {digest}: {e}"),
            })?;
        let (tx, rx) = sync_channel(16);
        self.rt.spawn(async move {
            let mut stream = stream;
            while let Some(chunk) = stream.next().await {
                let failed = chunk.is_err();
                if tx.send(chunk.map_err(|e| e.to_string())).is_err() || failed {
                    break;
                }
            }
        });
        Ok(Box::new(ChannelReader::new(rx, format!("blob {digest}"))))
    }
}

pub(crate) fn open(s: Session<'_>, r: &str) -> Result<Image, ImageError> {
    let image = s.reference;
    let reference: Reference = r.parse().map_err(|e| ImageError::Reference {
        reference: r.to_string(),
        reason: format!("{e}"),
    })?;
    let registry = reference.resolve_registry().to_string();
    let auth =
        resolve_auth(s.opts, reference.registry()).map_err(|reason| ImageError::Registry {
            image: image.to_string(),
            reason: format!("credentials: {reason}"),
        })?;
    let loopback = is_loopback(&registry);
    let config = ClientConfig {
        protocol: if s.opts.insecure && loopback {
            ClientProtocol::HttpsExcept(vec![registry.clone()])
        } else {
            ClientProtocol::Https
        },
        accept_invalid_certificates: s.opts.insecure && !loopback,
        platform_resolver: None,
        ..Default::default()
    };
    let client = Client::new(config);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| ImageError::io(image, "starting the async runtime", e))?;
    let accepted = [
        MT_OCI_INDEX,
        MT_DOCKER_LIST,
        MT_OCI_MANIFEST,
        MT_DOCKER_MANIFEST,
    ];
    let (bytes, top_digest) = rt
        .block_on(client.pull_manifest_raw(&reference, &auth, &accepted))
        .map_err(|e| ImageError::Registry {
            image: image.to_string(),
            reason: format!("manifest of {reference}: {e}"),
        })?;
    verify_digest(image, &top_digest, &bytes)?;
    if let Some(d) = reference.digest() {
        if d != top_digest {
            return Err(ImageError::DigestMismatch {
                image: image.to_string(),
                expected: d.to_string(),
                actual: top_digest,
            });
        }
    }
    let repo = format!("{}/{}", reference.registry(), reference.repository());
    let tag = reference.tag().map(|t| format!("{repo}:{t}"));
    let src = Remote {
        image,
        auth,
        client,
        reference,
        rt,
    };
    let (manifest, digest) = resolve_manifest(&s, &src, bytes.to_vec(), top_digest.clone())?;
    let mut img = read_manifest(s, &src, &manifest, &digest)?;
    img.meta.repo_digests = vec![format!("{repo}@{top_digest}")];
    img.meta.repo_tags = tag.into_iter().collect();
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("example.com:5000"));
        assert!(!is_loopback("10.0.0.1"));
    }

    #[test]
    fn docker_config_auths_and_helpers() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let cfg = r#"{"auths":{"127.0.0.1:5000":{"auth":"dXNlcjpwYXNz"}},"credHelpers":{"h.example":"../evil"}}"#;
        std::fs::write(dir.path().join("config.json"), cfg).ok();
        let opts = OpenOptions {
            docker_config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        match resolve_auth(&opts, "127.0.0.1:5000") {
            Ok(RegistryAuth::Basic(u, p)) => assert_eq!((u.as_str(), p.as_str()), ("user", "pass")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            resolve_auth(&opts, "other:1"),
            Ok(RegistryAuth::Anonymous)
        ));
        assert!(resolve_auth(&opts, "h.example")
            .is_err_and(|e| e.contains("invalid credential helper")));
    }
}
