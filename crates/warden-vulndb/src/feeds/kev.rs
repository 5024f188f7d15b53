//! CISA's Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`).
//! Enrichment only: joined to advisories by CVE.

use serde::Deserialize;

use super::{basename, is_cve, KevEntry, Sink};
use crate::input::Member;

const FEED: &str = "kev";
const SOURCE: &str = "kev";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    basename(path) == "known_exploited_vulnerabilities.json"
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Doc {
    #[serde(default)]
    date_released: Option<String>,
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let d: Doc = match serde_json::from_slice(m.data) {
        Ok(d) => d,
        Err(e) => return sink.reject(SOURCE, FEED, m.display, format!("not a KEV catalogue: {e}")),
    };
    sink.date(SOURCE, FEED, d.date_released.as_deref());
    for (i, v) in d.vulnerabilities.into_iter().enumerate() {
        let e: Entry = match serde_json::from_value(v) {
            Ok(e) => e,
            Err(err) => {
                sink.reject(
                    SOURCE,
                    FEED,
                    format!("{}#vulnerabilities[{i}]", m.display),
                    err.to_string(),
                );
                continue;
            }
        };
        if !is_cve(&e.cve_id) {
            sink.reject(
                SOURCE,
                FEED,
                format!("{}#vulnerabilities[{i}]", m.display),
                format!("field 'cveID': '{}' is not a CVE ID", e.cve_id),
            );
            continue;
        }
        sink.kev.insert(
            e.cve_id,
            KevEntry {
                date_added: e.date_added,
                due_date: e.due_date.unwrap_or_default(),
                ransomware: e.known_ransomware_campaign_use.unwrap_or_default(),
            },
        );
        sink.stats(SOURCE, FEED).accepted += 1;
    }
}
