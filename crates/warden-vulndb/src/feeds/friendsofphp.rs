//! FriendsOfPHP security-advisories YAML (`<vendor>/<package>/<name>.yaml`): `reference:
//! composer://vendor/pkg`, and `branches.<b>.versions` lists ANDed constraints; branches are ORed.

use std::collections::BTreeMap;

use serde::Deserialize;
use warden_core::FixStatus;

use super::{basename, is_cve, Sink};
use crate::input::Member;
use crate::model::{normalize_name, Advisory, Affected, Range};

const FEED: &str = "friendsofphp";
const SOURCE: &str = "friendsofphp";
// The key is sometimes quoted (`reference: 'composer://...'`), so only the scheme is sought.
const NEEDLE: &[u8] = b"composer://";

pub(crate) fn matches(path: &str, data: &[u8]) -> bool {
    (path.ends_with(".yaml") || path.ends_with(".yml"))
        && data.windows(NEEDLE.len()).any(|w| w == NEEDLE)
        && data.windows(10).any(|w| w == b"reference:")
}

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    branches: BTreeMap<String, Branch>,
    reference: String,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    time: Option<serde_yaml::Value>,
    #[serde(default)]
    versions: Vec<String>,
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
                format!("not a FriendsOfPHP advisory: {e}"),
            )
        }
    };
    let Some(pkg) = d.reference.strip_prefix("composer://") else {
        return sink.reject(
            SOURCE,
            FEED,
            m.display,
            format!(
                "field 'reference': '{}' is not composer://vendor/package",
                d.reference
            ),
        );
    };
    let stem = basename(m.path)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    // Advisories without a CVE get a stable ID from their path, as the database itself names them.
    let own_id = format!("FriendsOfPHP-{pkg}/{stem}");
    let cve = d.cve.filter(|c| is_cve(c));
    let (id, aliases) = match cve {
        Some(c) => (c, vec![own_id]),
        None => (own_id, vec![]),
    };
    let at = format!("{}#{}", m.display, id);
    let key = "composer";
    let mut ranges = Vec::new();
    let mut fixed = Vec::new();
    let mut date: Option<String> = None;
    for (name, b) in d.branches {
        if let Some(t) = b.time.as_ref().and_then(|t| t.as_str().map(str::to_string)) {
            if date.as_deref().is_none_or(|d| d < t.as_str()) {
                date = Some(t);
            }
        }
        let cons: Vec<String> = b
            .versions
            .iter()
            .flat_map(|v| v.split(','))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if cons.is_empty() {
            sink.reject_part(
                SOURCE,
                FEED,
                format!("{at}/branches.{name}"),
                "field 'versions' is empty",
            );
            continue;
        }
        let mut lo = None;
        let mut hi = None;
        let mut simple = true;
        for c in &cons {
            if let Some(v) = c.strip_prefix(">=") {
                simple &= lo.replace(v.trim().to_string()).is_none();
            } else if let Some(v) = c.strip_prefix('<').filter(|v| !v.starts_with('=')) {
                simple &= hi.replace(v.trim().to_string()).is_none();
            } else {
                simple = false;
            }
        }
        if simple {
            if let Some(h) = &hi {
                fixed.push(h.clone());
            }
            ranges.push(Range::Interval {
                introduced: lo,
                fixed: hi,
                last_affected: None,
            });
        } else {
            ranges.push(Range::Constraint(cons.join(",")));
        }
    }
    if ranges.is_empty() {
        return sink.reject(SOURCE, FEED, at, "no usable branch");
    }
    let status = if fixed.is_empty() {
        FixStatus::Affected
    } else {
        FixStatus::Fixed
    };
    let adv = Advisory {
        source: SOURCE.into(),
        id,
        aliases,
        id_joins: true,
        title: d.title.unwrap_or_default(),
        references: d.link.into_iter().collect(),
        published: date.clone(),
        modified: date,
        affected: vec![Affected {
            eco: key.into(),
            package: normalize_name(key, pkg),
            ranges,
            fixed,
            status,
        }],
        ..Advisory::default()
    };
    sink.accept(FEED, adv);
}
