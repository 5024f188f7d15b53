//! aquasecurity/vuln-list's parse of the Debian tracker DSA/DLA lists: one JSON per advisory,
//! `Header{ID, Original}` and `Annotations[{Type: xref|package, Release, Package, Kind, Version}]`.

use serde::Deserialize;

use super::debian_dsa_list::{emit, PackageLine};
use super::{is_cve, Sink};
use crate::input::Member;

const FEED: &str = "debian-tracker-json";
const SOURCE: &str = "debian-tracker-json";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    (path.contains("tracker/DSA/")
        || path.contains("tracker/DLA/")
        || path.contains("tracker/DTSA/"))
        && path.ends_with(".json")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Doc {
    header: Header,
    #[serde(default)]
    annotations: Vec<Annotation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Header {
    #[serde(rename = "ID")]
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    original: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Annotation {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(default)]
    release: Option<String>,
    #[serde(default)]
    package: Option<String>,
    #[serde(default, rename = "Kind")]
    status: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    bugs: Option<Vec<String>>,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let doc: Doc = match serde_json::from_slice(m.data) {
        Ok(d) => d,
        Err(e) => {
            return sink.reject(
                SOURCE,
                FEED,
                m.display,
                format!("not a vuln-list tracker record: {e}"),
            )
        }
    };
    let at = format!("{}#{}", m.display, doc.header.id);
    let mut cves = Vec::new();
    let mut lines = Vec::new();
    for (i, a) in doc.annotations.into_iter().enumerate() {
        match a.kind.as_str() {
            "xref" => cves.extend(a.bugs.unwrap_or_default().into_iter().filter(|b| is_cve(b))),
            "package" => {
                let (Some(release), Some(package), Some(kind)) = (a.release, a.package, a.status)
                else {
                    sink.reject_part(
                        SOURCE,
                        FEED,
                        format!("{at}/Annotations[{i}]"),
                        "package annotation without Release, Package or Kind",
                    );
                    continue;
                };
                lines.push(PackageLine {
                    release,
                    package,
                    kind,
                    version: a.version.filter(|v| !v.is_empty()),
                });
            }
            _ => sink.note(SOURCE, FEED, "annotations other than xref/package"),
        }
    }
    let published = doc
        .header
        .original
        .as_deref()
        .and_then(|o| o.strip_prefix('['))
        .and_then(|o| o.split_once(']'))
        .and_then(|(d, _)| dsa_date(d));
    emit(
        sink,
        SOURCE,
        FEED,
        &at,
        &doc.header.id,
        doc.header.description.as_deref().unwrap_or(""),
        published,
        &cves,
        lines,
    );
}

fn dsa_date(d: &str) -> Option<String> {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p: Vec<&str> = d.split_whitespace().collect();
    let day: u32 = p.first()?.parse().ok()?;
    let mon = M.iter().position(|m| Some(m) == p.get(1))? + 1;
    let y: u32 = p.get(2)?.parse().ok()?;
    Some(format!("{y:04}-{mon:02}-{day:02}"))
}
