//! NVD CVE API 2.0 JSON: a single `cve` object (`CVE-2023-32681.json`, as fkie-cad's mirror
//! stores them) or the bulk `{"vulnerabilities":[{"cve":...}]}` files. Only CVSS is taken, as
//! a fallback severity joined by CVE; NVD's CPE configurations are not used for matching.

use serde::Deserialize;
use warden_core::Cvss;

use super::{basename, cvss, is_cve, Sink};
use crate::input::Member;

const FEED: &str = "nvd";
const SOURCE: &str = "nvd";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let n = basename(path);
    (n.ends_with(".json") && is_cve(n.trim_end_matches(".json")))
        || (n.starts_with("nvdcve-2.0") && n.ends_with(".json"))
}

#[derive(Deserialize)]
struct Cve {
    id: String,
    #[serde(default, rename = "lastModified")]
    last_modified: Option<String>,
    #[serde(default)]
    metrics: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Bulk {
    vulnerabilities: Vec<Wrap>,
}

#[derive(Deserialize)]
struct Wrap {
    cve: Cve,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let cves: Vec<Cve> = if basename(m.path).starts_with("nvdcve") {
        match serde_json::from_slice::<Bulk>(m.data) {
            Ok(b) => b.vulnerabilities.into_iter().map(|w| w.cve).collect(),
            Err(e) => {
                return sink.reject(SOURCE, FEED, m.display, format!("not an NVD 2.0 feed: {e}"))
            }
        }
    } else {
        match serde_json::from_slice::<Cve>(m.data) {
            Ok(c) => vec![c],
            Err(e) => {
                return sink.reject(
                    SOURCE,
                    FEED,
                    m.display,
                    format!("not an NVD 2.0 CVE record: {e}"),
                )
            }
        }
    };
    for c in cves {
        let at = format!("{}#{}", m.display, c.id);
        sink.date(SOURCE, FEED, c.last_modified.as_deref());
        let mut out: Vec<Cvss> = Vec::new();
        // Newest CVSS version first; within one, NVD's own (Primary) score first.
        for key in [
            "cvssMetricV40",
            "cvssMetricV31",
            "cvssMetricV30",
            "cvssMetricV2",
        ] {
            let Some(list) = c.metrics.get(key).and_then(|v| v.as_array()) else {
                continue;
            };
            let mut sorted: Vec<&serde_json::Value> = list.iter().collect();
            sorted.sort_by_key(|v| v.get("type").and_then(|t| t.as_str()) != Some("Primary"));
            for v in sorted {
                let who = v.get("source").and_then(|s| s.as_str()).unwrap_or("nvd");
                let who = if who == "nvd@nist.gov" { "nvd" } else { who };
                let Some(vector) = v.pointer("/cvssData/vectorString").and_then(|s| s.as_str())
                else {
                    sink.reject_part(
                        SOURCE,
                        FEED,
                        at.clone(),
                        format!("{key} entry without cvssData.vectorString"),
                    );
                    continue;
                };
                match cvss(who, vector) {
                    Ok(x) => out.push(x),
                    Err(e) => sink.reject_part(SOURCE, FEED, at.clone(), e),
                }
            }
        }
        if !is_cve(&c.id) {
            sink.reject(SOURCE, FEED, at, "field 'id' is not a CVE ID");
            continue;
        }
        sink.nvd.insert(c.id, out);
        sink.stats(SOURCE, FEED).accepted += 1;
    }
}
