//! The Debian security tracker's full JSON export (`security-tracker.debian.org/tracker/data/json`):
//! `{source package: {CVE: {description, releases: {codename: {status, fixed_version, urgency}}}}}`.

use std::collections::BTreeMap;

use serde::Deserialize;
use warden_core::FixStatus;

use super::{basename, is_cve, label, Sink};
use crate::input::Member;
use crate::model::{debian_release, normalize_name, Advisory, Affected, Range};

const FEED: &str = "debian-tracker";
const SOURCE: &str = "debian-tracker";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    basename(path) == "debian-security-tracker.json"
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: BTreeMap<String, Release>,
}

#[derive(Deserialize)]
struct Release {
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let doc: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
        match serde_json::from_slice(m.data) {
            Ok(d) => d,
            Err(e) => {
                return sink.reject(
                    SOURCE,
                    FEED,
                    m.display,
                    format!("not the tracker JSON export: {e}"),
                )
            }
        };
    for (pkg, cves) in doc {
        for (id, v) in cves {
            let at = format!("{}#{pkg}/{id}", m.display);
            if !id.contains('-') {
                sink.reject(SOURCE, FEED, at, "key is not an advisory ID");
                continue;
            }
            let e: Entry = match serde_json::from_value(v) {
                Ok(e) => e,
                Err(err) => {
                    sink.reject(SOURCE, FEED, at, err.to_string());
                    continue;
                }
            };
            if !is_cve(&id) {
                // TEMP-... placeholders for issues without a CVE yet.
                sink.note(SOURCE, FEED, "entries without a CVE ID (TEMP-...)");
            }
            let mut adv = Advisory {
                source: SOURCE.into(),
                id: id.clone(),
                id_joins: true,
                description: e.description.unwrap_or_default(),
                ..Advisory::default()
            };
            for (codename, r) in e.releases {
                let Some(rel) = debian_release(&codename) else {
                    sink.reject_part(
                        SOURCE,
                        FEED,
                        format!("{at}/{codename}"),
                        format!("unknown Debian release '{codename}'"),
                    );
                    continue;
                };
                let key = format!("debian:{rel}");
                if adv.severity.is_none() {
                    adv.severity = r
                        .urgency
                        .as_deref()
                        .map(|u| u.trim_end_matches('*'))
                        .and_then(label);
                }
                let fixed = r.fixed_version.filter(|f| !f.is_empty() && f != "0");
                let (ranges, fx, st) = match (r.status.as_str(), fixed) {
                    ("resolved", Some(f)) => (
                        vec![Range::Interval {
                            introduced: None,
                            fixed: Some(f.clone()),
                            last_affected: None,
                        }],
                        vec![f],
                        FixStatus::Fixed,
                    ),
                    // `resolved` with version 0: never affected in this release.
                    ("resolved", None) => {
                        sink.note(SOURCE, FEED, "not-affected release entries");
                        continue;
                    }
                    ("open", _) => (vec![Range::Any], vec![], FixStatus::Affected),
                    ("undetermined", _) => (vec![Range::Any], vec![], FixStatus::Unknown),
                    (other, _) => {
                        sink.reject_part(
                            SOURCE,
                            FEED,
                            format!("{at}/{codename}"),
                            format!("unknown status '{other}'"),
                        );
                        continue;
                    }
                };
                adv.affected.push(Affected {
                    package: normalize_name(&key, &pkg),
                    eco: key,
                    ranges,
                    fixed: fx,
                    status: st,
                });
            }
            sink.accept(FEED, adv);
        }
    }
}
