//! rubysec's ruby-advisory-db YAML (`gems/<gem>/*.yml`, `rubies/<engine>/*.yml`): RubyGems
//! requirements in `patched_versions` / `unaffected_versions`; affected means neither.

use serde::Deserialize;
use warden_core::{FixStatus, Severity};

use super::{lower_bound, Sink};
use crate::input::Member;
use crate::model::{Advisory, Affected, Range};

const FEED: &str = "rubysec";
const SOURCE: &str = "rubysec";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    (path.ends_with(".yml") || path.ends_with(".yaml"))
        && n >= 3
        && matches!(parts[n - 3], "gems" | "rubies")
}

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    gem: Option<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    ghsa: Option<String>,
    #[serde(default)]
    osvdb: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    cvss_v2: Option<f64>,
    #[serde(default)]
    cvss_v3: Option<f64>,
    #[serde(default)]
    cvss_v4: Option<f64>,
    #[serde(default)]
    patched_versions: Option<Vec<String>>,
    #[serde(default)]
    unaffected_versions: Option<Vec<String>>,
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
                format!("not a rubysec advisory: {e}"),
            )
        }
    };
    let (key, package) = match (&d.gem, &d.engine) {
        (Some(g), _) => ("gem", g.clone()),
        (None, Some(e)) => ("ruby-engine", e.clone()),
        (None, None) => {
            return sink.reject(SOURCE, FEED, m.display, "neither 'gem' nor 'engine' is set")
        }
    };
    let mut ids = Vec::new();
    if let Some(c) = d.cve.as_deref().filter(|c| !c.is_empty()) {
        ids.push(format!("CVE-{c}"));
    }
    if let Some(g) = d.ghsa.as_deref().filter(|c| !c.is_empty()) {
        ids.push(format!("GHSA-{g}"));
    }
    if let Some(o) = d.osvdb.as_deref().filter(|c| !c.is_empty()) {
        ids.push(format!("OSVDB-{o}"));
    }
    if ids.is_empty() {
        return sink.reject(
            SOURCE,
            FEED,
            m.display,
            "no 'cve', 'ghsa' or 'osvdb' identifier",
        );
    }
    let id = ids.remove(0);
    let score = d.cvss_v4.or(d.cvss_v3).or(d.cvss_v2);
    let patched = d.patched_versions.unwrap_or_default();
    let fixed: Vec<String> = patched.iter().filter_map(|p| lower_bound(p)).collect();
    let exclusions: Vec<String> = patched
        .into_iter()
        .chain(d.unaffected_versions.unwrap_or_default())
        .collect();
    let ranges = if exclusions.is_empty() {
        vec![Range::Any]
    } else {
        vec![Range::Unless(exclusions)]
    };
    let status = if fixed.is_empty() {
        FixStatus::Affected
    } else {
        FixStatus::Fixed
    };
    let adv = Advisory {
        source: SOURCE.into(),
        id,
        aliases: ids,
        id_joins: true,
        title: d.title.unwrap_or_default(),
        description: d.description.unwrap_or_default(),
        // rubysec gives a bare score without its vector: it rates, it cannot be re-scored.
        severity: score.map(Severity::from_cvss_score),
        references: d.url.into_iter().collect(),
        published: d.date.clone(),
        modified: d.date,
        affected: vec![Affected {
            eco: key.into(),
            package,
            ranges,
            fixed,
            status,
        }],
        ..Advisory::default()
    };
    sink.accept(FEED, adv);
}
