//! Alpine secdb: the legacy per-branch YAML (`v3.11/main.yaml`), the current per-branch JSON
//! (`v3.20/main.json` from secdb.alpinelinux.org) and vuln-list's per-package JSON
//! (`alpine/3.20/main/curl.json`). A `secfixes` key is the apk version that fixed the CVEs listed
//! under it; the key `"0"` says the branch was never affected.

use std::collections::BTreeMap;

use serde::Deserialize;
use warden_core::FixStatus;

use super::{basename, Sink};
use crate::input::Member;
use crate::model::{distro_key, normalize_name, Advisory, Affected, Range};

const FEED: &str = "alpine-secdb";
const SOURCE: &str = "alpine-secdb";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    let name = basename(path);
    // .../v3.11/main.yaml, .../v3.20/community.json
    let branch_file = n >= 2
        && parts[n - 2].starts_with('v')
        && parts[n - 2][1..]
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && matches!(
            name,
            "main.yaml" | "community.yaml" | "main.json" | "community.json"
        );
    // .../alpine/3.20/main/curl.json
    let per_package = n >= 4
        && parts[n - 4] == "alpine"
        && matches!(parts[n - 2], "main" | "community")
        && name.ends_with(".json");
    branch_file || per_package
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    distroversion: Option<String>,
    #[serde(default)]
    packages: Option<Vec<PkgWrap>>,
}

#[derive(Deserialize)]
struct PkgWrap {
    pkg: Pkg,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    #[serde(default)]
    secfixes: Option<BTreeMap<String, Option<Vec<String>>>>,
    #[serde(default)]
    distroversion: Option<String>,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let yaml = m.path.ends_with(".yaml");
    let parts: Vec<&str> = m.path.split('/').collect();
    let (release, pkgs) = if parts.len() >= 4 && parts[parts.len() - 4] == "alpine" {
        let p: Result<Pkg, String> = serde_json::from_slice(m.data).map_err(|e| e.to_string());
        match p {
            Ok(p) => {
                let rel = p
                    .distroversion
                    .clone()
                    .unwrap_or_else(|| parts[parts.len() - 3].to_string());
                (rel, vec![p])
            }
            Err(e) => {
                return sink.reject(
                    SOURCE,
                    FEED,
                    m.display,
                    format!("not a secdb package object: {e}"),
                )
            }
        }
    } else {
        let b: Result<Branch, String> = if yaml {
            serde_yaml::from_slice(m.data).map_err(|e| e.to_string())
        } else {
            serde_json::from_slice(m.data).map_err(|e| e.to_string())
        };
        match b {
            Ok(b) => {
                let rel = b
                    .distroversion
                    .unwrap_or_else(|| parts[parts.len().saturating_sub(2)].to_string());
                (
                    rel,
                    b.packages
                        .unwrap_or_default()
                        .into_iter()
                        .map(|w| w.pkg)
                        .collect(),
                )
            }
            Err(e) => {
                return sink.reject(
                    SOURCE,
                    FEED,
                    m.display,
                    format!("not a secdb branch file: {e}"),
                )
            }
        }
    };
    let Some(key) = distro_key("alpine", &release) else {
        return sink.reject(
            SOURCE,
            FEED,
            m.display,
            format!("field 'distroversion': '{release}' is not an Alpine release"),
        );
    };
    for p in pkgs {
        let at = format!("{}#{}", m.display, p.name);
        let Some(secfixes) = p.secfixes else {
            sink.note(SOURCE, FEED, "packages without secfixes");
            continue;
        };
        let name = normalize_name(&key, &p.name);
        for (version, ids) in secfixes {
            let ids = ids.unwrap_or_default();
            for raw in ids {
                // Usually one `CVE-...`; sometimes several IDs, or an ID followed by a comment.
                let found: Vec<&str> = raw
                    .split_whitespace()
                    .filter(|t| {
                        t.split_once('-').is_some_and(|(p, r)| {
                            !p.is_empty()
                                && !r.is_empty()
                                && p.bytes().all(|b| b.is_ascii_uppercase())
                        })
                    })
                    .collect();
                if found.is_empty() {
                    sink.reject(
                        SOURCE,
                        FEED,
                        format!("{at}/{version}"),
                        format!("'{raw}' is not an advisory ID"),
                    );
                    continue;
                }
                for id in found {
                    let id = id.to_string();
                    if version == "0" {
                        // "Never affected in this branch": a statement, not a match.
                        sink.note(SOURCE, FEED, "not-affected entries (secfixes key \"0\")");
                        continue;
                    }
                    let adv = Advisory {
                        source: SOURCE.into(),
                        id: id.clone(),
                        id_joins: true,
                        affected: vec![Affected {
                            eco: key.clone(),
                            package: name.clone(),
                            ranges: vec![Range::Interval {
                                introduced: None,
                                fixed: Some(version.clone()),
                                last_affected: None,
                            }],
                            fixed: vec![version.clone()],
                            status: FixStatus::Fixed,
                        }],
                        ..Advisory::default()
                    };
                    sink.accept(FEED, adv);
                }
            }
        }
    }
}
