//! victims-cve-db YAML (`database/java/<year>/*.yaml`, `database/python/<year>/*.yaml`): each
//! `affected[].version` item is `<op><version>[,<series>]`, where the optional series is the
//! version prefix the bound applies within (`<=1.2.3,1.2`).

use serde::Deserialize;
use warden_core::{FixStatus, Severity};

use super::{lower_bound, Sink};
use crate::input::Member;
use crate::model::{normalize_name, Advisory, Affected, Range};

const FEED: &str = "victims";
const SOURCE: &str = "victims";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    (path.contains("database/java/") || path.contains("database/python/"))
        && (path.ends_with(".yaml") || path.ends_with(".yml"))
}

#[derive(Deserialize)]
struct Doc {
    cve: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    cvss_v2: Option<f64>,
    #[serde(default)]
    cvss_v3: Option<f64>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    affected: Vec<Aff>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Aff {
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    artifact_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Vec<String>,
    #[serde(default)]
    fixedin: Vec<String>,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let d: Doc = match serde_yaml::from_slice(m.data) {
        Ok(d) => d,
        Err(e) => {
            return sink.reject(
                SOURCE,
                FEED,
                m.display,
                format!("not a victims advisory: {e}"),
            )
        }
    };
    let id = if d.cve.starts_with("CVE-") {
        d.cve.clone()
    } else {
        format!("CVE-{}", d.cve)
    };
    let at = format!("{}#{id}", m.display);
    let java = m.path.contains("database/java/");
    let mut adv = Advisory {
        source: SOURCE.into(),
        id,
        id_joins: true,
        title: d.title.unwrap_or_default(),
        description: d.description.unwrap_or_default(),
        severity: d.cvss_v3.or(d.cvss_v2).map(Severity::from_cvss_score),
        references: d.references,
        ..Advisory::default()
    };
    for (i, a) in d.affected.into_iter().enumerate() {
        let part = format!("{at}/affected[{i}]");
        let (key, name) = if java {
            match (a.group_id, a.artifact_id) {
                (Some(g), Some(x)) => ("maven", format!("{g}:{x}")),
                _ => {
                    sink.reject_part(
                        SOURCE,
                        FEED,
                        part,
                        "field 'groupId' or 'artifactId' is missing",
                    );
                    continue;
                }
            }
        } else {
            match a.name {
                Some(n) => ("pypi", normalize_name("pypi", &n)),
                None => {
                    sink.reject_part(SOURCE, FEED, part, "field 'name' is missing");
                    continue;
                }
            }
        };
        let mut ranges = Vec::new();
        let mut exact = Vec::new();
        for item in &a.version {
            let (bound, series) = match item.split_once(',') {
                Some((b, s)) => (b.trim(), Some(s.trim().to_string())),
                None => (item.trim(), None),
            };
            if series.is_some() {
                sink.note(
                    SOURCE,
                    FEED,
                    "series restrictions approximated by the series' first version",
                );
            }
            if let Some(v) = bound.strip_prefix("<=") {
                ranges.push(Range::Interval {
                    introduced: series,
                    fixed: None,
                    last_affected: Some(v.trim().to_string()),
                });
            } else if let Some(v) = bound.strip_prefix('<') {
                ranges.push(Range::Interval {
                    introduced: series,
                    fixed: Some(v.trim().to_string()),
                    last_affected: None,
                });
            } else if let Some(v) = bound.strip_prefix(">=") {
                ranges.push(Range::Interval {
                    introduced: Some(v.trim().to_string()),
                    fixed: None,
                    last_affected: None,
                });
            } else if let Some(v) = bound.strip_prefix("==") {
                exact.push(v.trim().to_string());
            } else {
                sink.reject_part(
                    SOURCE,
                    FEED,
                    part.clone(),
                    format!("unrecognised version item '{item}'"),
                );
            }
        }
        if !exact.is_empty() {
            ranges.push(Range::Exact(exact));
        }
        if ranges.is_empty() {
            sink.reject_part(SOURCE, FEED, part, "no usable version item");
            continue;
        }
        let fixed: Vec<String> = a
            .fixedin
            .iter()
            .filter_map(|f| lower_bound(f.split(',').next().unwrap_or("")))
            .collect();
        let status = if fixed.is_empty() {
            FixStatus::Affected
        } else {
            FixStatus::Fixed
        };
        adv.affected.push(Affected {
            eco: key.into(),
            package: name,
            ranges,
            fixed,
            status,
        });
    }
    if adv.affected.is_empty() {
        return sink.reject(SOURCE, FEED, at, "no usable affected entry");
    }
    sink.accept(FEED, adv);
}
