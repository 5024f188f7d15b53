//! The Debian security tracker's `data/DSA/list` and `data/DLA/list` text files:
//! `[date] DSA-n-1 pkg - title`, `{CVE-...}`, then `[release] - pkg version` lines.

use warden_core::FixStatus;

use super::{is_cve, split_bundle, Sink};
use crate::input::Member;
use crate::model::{debian_release, normalize_name, Advisory, Affected, Range};

const FEED: &str = "debian-dsa-list";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    path.ends_with("data/DSA/list")
        || path.ends_with("data/DLA/list")
        || path.ends_with("data/DTSA/list")
}

/// One `[release] - package version-or-tag` line, shared with the vuln-list JSON feed.
pub(crate) struct PackageLine {
    pub release: String,
    pub package: String,
    /// `fixed`, `not-affected`, `unfixed`, `no-dsa`, `ignored`, `postponed`, `end-of-life`.
    pub kind: String,
    pub version: Option<String>,
}

/// Turns a DSA/DLA (header ID, CVEs, package lines) into advisories, one per CVE.
#[allow(clippy::too_many_arguments)] // each is one field of the advisory header; a struct would only rename them
pub(crate) fn emit(
    sink: &mut Sink,
    source: &str,
    feed: &str,
    at: &str,
    id: &str,
    title: &str,
    date: Option<String>,
    cves: &[String],
    lines: Vec<PackageLine>,
) {
    let mut adv = Advisory {
        source: source.into(),
        id: id.into(),
        title: title.into(),
        published: date,
        ..Advisory::default()
    };
    for l in lines {
        let Some(rel) = debian_release(&l.release) else {
            sink.reject_part(
                source,
                feed,
                format!("{at}/{}", l.release),
                format!("unknown Debian release '{}'", l.release),
            );
            continue;
        };
        let key = format!("debian:{rel}");
        let package = normalize_name(&key, &l.package);
        let (ranges, fixed, status) = match (l.kind.as_str(), l.version) {
            ("fixed", Some(v)) => (
                vec![Range::Interval {
                    introduced: None,
                    fixed: Some(v.clone()),
                    last_affected: None,
                }],
                vec![v],
                FixStatus::Fixed,
            ),
            ("fixed", None) => {
                sink.reject_part(
                    source,
                    feed,
                    format!("{at}/{}", l.release),
                    "field 'version': a fixed entry without a version",
                );
                continue;
            }
            ("not-affected", _) => {
                sink.note(source, feed, "not-affected package lines");
                continue;
            }
            ("unfixed", _) => (vec![Range::Any], vec![], FixStatus::Affected),
            ("no-dsa" | "ignored" | "end-of-life", _) => {
                (vec![Range::Any], vec![], FixStatus::WillNotFix)
            }
            ("postponed", _) => (vec![Range::Any], vec![], FixStatus::FixDeferred),
            (other, _) => {
                sink.reject_part(
                    source,
                    feed,
                    format!("{at}/{}", l.release),
                    format!("unknown package status '{other}'"),
                );
                continue;
            }
        };
        adv.affected.push(Affected {
            eco: key,
            package,
            ranges,
            fixed,
            status,
        });
    }
    if adv.affected.is_empty() {
        sink.note(
            source,
            feed,
            "advisories without package lines for a known release (kept for aliases)",
        );
    }
    for a in split_bundle(adv, cves) {
        sink.accept(feed, a);
    }
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    let source = if m.path.ends_with("DLA/list") {
        "debian-dla-list"
    } else if m.path.ends_with("DTSA/list") {
        "debian-dtsa-list"
    } else {
        "debian-dsa-list"
    };
    sink.file(source, FEED, m.mtime);
    let text = match std::str::from_utf8(m.data) {
        Ok(t) => t,
        Err(e) => return sink.reject(source, FEED, m.display, format!("not UTF-8: {e}")),
    };
    struct Cur {
        line: usize,
        id: String,
        title: String,
        date: Option<String>,
        cves: Vec<String>,
        lines: Vec<PackageLine>,
    }
    let mut cur: Option<Cur> = None;
    let flush = |cur: Option<Cur>, sink: &mut Sink| {
        if let Some(c) = cur {
            let at = format!("{}:{}#{}", m.display, c.line, c.id);
            emit(
                sink, source, FEED, &at, &c.id, &c.title, c.date, &c.cves, c.lines,
            );
        }
    };
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            // `[29 Mar 2023] DSA-5380-1 xorg-server - security update`
            let Some((date, rest)) = header.split_once(']') else {
                sink.reject(
                    source,
                    FEED,
                    format!("{}:{lineno}", m.display),
                    "header without a closing ']'",
                );
                continue;
            };
            flush(cur.take(), sink);
            let rest = rest.trim();
            let (id, title) = rest.split_once(' ').unwrap_or((rest, ""));
            cur = Some(Cur {
                line: lineno,
                id: id.to_string(),
                title: title.trim().to_string(),
                date: parse_date(date),
                cves: vec![],
                lines: vec![],
            });
            continue;
        }
        let Some(c) = cur.as_mut() else {
            sink.reject(
                source,
                FEED,
                format!("{}:{lineno}", m.display),
                "text before the first advisory header",
            );
            continue;
        };
        let t = line.trim();
        if let Some(inner) = t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            for id in inner.split_whitespace() {
                if is_cve(id) {
                    c.cves.push(id.to_string());
                } else {
                    sink.note(
                        source,
                        FEED,
                        "non-CVE cross references (bug numbers, other DSAs)",
                    );
                }
            }
        } else if t.starts_with('[') {
            match package_line(t) {
                Some(p) => c.lines.push(p),
                None => sink.reject_part(
                    source,
                    FEED,
                    format!("{}:{lineno}#{}", m.display, c.id),
                    format!("unparsable package line '{t}'"),
                ),
            }
        } else if t.starts_with("NOTE:") || t.starts_with("TODO:") {
            continue;
        } else {
            sink.reject_part(
                source,
                FEED,
                format!("{}:{lineno}#{}", m.display, c.id),
                format!("unrecognised line '{t}'"),
            );
        }
    }
    flush(cur.take(), sink);
}

/// `[bullseye] - xorg-server 2:1.20.11-1+deb11u6` or `[buster] - pkg <not-affected> (reason)`.
pub(crate) fn package_line(t: &str) -> Option<PackageLine> {
    let (rel, rest) = t.strip_prefix('[')?.split_once(']')?;
    let rest = rest.trim().strip_prefix('-')?.trim();
    let mut it = rest.split_whitespace();
    let package = it.next()?.to_string();
    let v = it.next()?;
    let (kind, version) = match v {
        "<not-affected>" => ("not-affected", None),
        "<unfixed>" => ("unfixed", None),
        "<no-dsa>" => ("no-dsa", None),
        "<ignored>" => ("ignored", None),
        "<postponed>" => ("postponed", None),
        "<end-of-life>" => ("end-of-life", None),
        s if s.starts_with('<') => (s.trim_matches(|c| c == '<' || c == '>'), None),
        s => ("fixed", Some(s.to_string())),
    };
    Some(PackageLine {
        release: rel.trim().to_string(),
        package,
        kind: kind.to_string(),
        version,
    })
}

/// `29 Mar 2023` → `2023-03-29`.
fn parse_date(s: &str) -> Option<String> {
    let mut it = s.split_whitespace();
    let d: u32 = it.next()?.parse().ok()?;
    let m = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let y: u32 = it.next()?.parse().ok()?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}
