//! nodejs/security-wg advisories: `vuln/npm/<n>.json` (npm packages, npm semver ranges),
//! `vuln/core/<n>.json` (the Node.js runtime) and `vuln/deps/<n>.json` (assessments of Node's
//! bundled dependencies, which are statements about Node, counted but not matched).

use serde::Deserialize;
use warden_core::FixStatus;

use super::{basename, cvss, is_cve, label, lower_bound, Sink};
use crate::input::Member;
use crate::model::{Advisory, Affected, Range};

const FEED: &str = "nodejs-wg";
const SOURCE: &str = "nodejs-wg";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    (path.contains("vuln/npm/") || path.contains("vuln/core/") || path.contains("vuln/deps/"))
        && path.ends_with(".json")
}

#[derive(Deserialize)]
struct Npm {
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    overview: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    module_name: String,
    #[serde(default)]
    cves: Option<Vec<String>>,
    #[serde(default)]
    vulnerable_versions: Option<String>,
    #[serde(default)]
    patched_versions: Option<String>,
    #[serde(default)]
    references: Option<Vec<String>>,
    #[serde(default)]
    cvss_vector: Option<String>,
}

#[derive(Deserialize)]
struct Core {
    #[serde(default)]
    cve: Option<Vec<String>>,
    #[serde(default)]
    vulnerable: Option<String>,
    #[serde(default)]
    patched: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    overview: Option<String>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    #[serde(default)]
    severity: Option<String>,
}

fn fixed_of(patched: Option<&str>) -> Vec<String> {
    patched
        .map(|p| p.split("||").filter_map(lower_bound).collect())
        .unwrap_or_default()
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let name = basename(m.path);
    if m.path.contains("vuln/deps/") || name == "index.json" {
        sink.note(
            SOURCE,
            FEED,
            "dependency assessments and index files (statements, not advisories)",
        );
        return;
    }
    let stem = name.trim_end_matches(".json");
    if m.path.contains("vuln/core/") {
        let c: Core = match serde_json::from_slice(m.data) {
            Ok(c) => c,
            Err(e) => {
                return sink.reject(
                    SOURCE,
                    FEED,
                    m.display,
                    format!("not a security-wg core advisory: {e}"),
                )
            }
        };
        let id = format!("NSWG-CORE-{stem}");
        let Some(vuln) = c.vulnerable.filter(|v| !v.trim().is_empty()) else {
            return sink.reject(
                SOURCE,
                FEED,
                format!("{}#{id}", m.display),
                "field 'vulnerable' is missing",
            );
        };
        let fixed = fixed_of(c.patched.as_deref());
        let status = if fixed.is_empty() {
            FixStatus::Affected
        } else {
            FixStatus::Fixed
        };
        let adv = Advisory {
            source: SOURCE.into(),
            id,
            aliases: c
                .cve
                .unwrap_or_default()
                .into_iter()
                .filter(|x| is_cve(x))
                .collect(),
            id_joins: true,
            title: c.description.unwrap_or_default(),
            description: c.overview.unwrap_or_default(),
            severity: c.severity.as_deref().and_then(label),
            references: c.reference.into_iter().collect(),
            affected: vec![Affected {
                eco: "nodejs".into(),
                package: "node".into(),
                ranges: vec![Range::Constraint(vuln)],
                fixed,
                status,
            }],
            ..Advisory::default()
        };
        return sink.accept(FEED, adv);
    }
    let n: Npm = match serde_json::from_slice(m.data) {
        Ok(n) => n,
        Err(e) => {
            return sink.reject(
                SOURCE,
                FEED,
                m.display,
                format!("not a security-wg npm advisory: {e}"),
            )
        }
    };
    let id = format!(
        "NSWG-ECO-{}",
        n.id.as_u64()
            .map(|i| i.to_string())
            .unwrap_or_else(|| stem.to_string())
    );
    let at = format!("{}#{id}", m.display);
    let Some(vuln) = n.vulnerable_versions.filter(|v| !v.trim().is_empty()) else {
        return sink.reject(SOURCE, FEED, at, "field 'vulnerable_versions' is missing");
    };
    let fixed = fixed_of(n.patched_versions.as_deref());
    let status = if fixed.is_empty() {
        FixStatus::Affected
    } else {
        FixStatus::Fixed
    };
    let mut adv = Advisory {
        source: SOURCE.into(),
        id,
        aliases: n
            .cves
            .unwrap_or_default()
            .into_iter()
            .filter(|x| is_cve(x))
            .collect(),
        id_joins: true,
        title: n.title.unwrap_or_default(),
        description: n.overview.unwrap_or_default(),
        references: n.references.unwrap_or_default(),
        published: n.publish_date,
        modified: n.updated_at,
        affected: vec![Affected {
            eco: "npm".into(),
            package: n.module_name,
            ranges: vec![Range::Constraint(vuln)],
            fixed,
            status,
        }],
        ..Advisory::default()
    };
    if let Some(v) = n.cvss_vector.filter(|v| !v.is_empty()) {
        match cvss(SOURCE, &v) {
            Ok(c) => adv.cvss.push(c),
            Err(e) => sink.reject_part(SOURCE, FEED, format!("{at}/cvss_vector"), e),
        }
    }
    sink.accept(FEED, adv);
}
