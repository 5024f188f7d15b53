//! The Ubuntu CVE tracker's text files (`active/CVE-*`, `retired/CVE-*`): RFC 822-like fields,
//! then one `<release>_<source package>: <status> (<detail>)` line per release and package.

use warden_core::FixStatus;

use super::{basename, cvss, is_cve, label, Sink};
use crate::input::Member;
use crate::model::{normalize_name, ubuntu_release, Advisory, Affected, Range};

const FEED: &str = "ubuntu-uct";
const SOURCE: &str = "ubuntu-uct";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let name = basename(path);
    (path.contains("active/") || path.contains("retired/")) && is_cve(name)
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let text = match std::str::from_utf8(m.data) {
        Ok(t) => t,
        Err(e) => return sink.reject(SOURCE, FEED, m.display, format!("not UTF-8: {e}")),
    };
    let mut adv = Advisory {
        source: SOURCE.into(),
        id_joins: true,
        ..Advisory::default()
    };
    let mut field = String::new();
    let mut description = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("{}:{}", m.display, n + 1);
        if line.starts_with(' ') || line.starts_with('\t') {
            let v = line.trim();
            match field.as_str() {
                "Description" => description.push(v.to_string()),
                "References" => adv.references.push(v.to_string()),
                "CVSS" => {
                    // ` nvd: CVSS:3.0/AV:N/...`
                    let (who, vector) = v
                        .split_once(':')
                        .map(|(w, r)| (w.trim(), r.trim()))
                        .unwrap_or(("", v));
                    let vector = vector.split_whitespace().next().unwrap_or("");
                    match cvss(if who.is_empty() { SOURCE } else { who }, vector) {
                        Ok(c) => adv.cvss.push(c),
                        Err(e) => sink.reject_part(SOURCE, FEED, at, e),
                    }
                }
                _ => {}
            }
            continue;
        }
        if line.trim().is_empty() {
            field.clear();
            continue;
        }
        // Commented-out status lines (`#bionic_pkg: ...`, `-- Tags_...`) are the triager's notes.
        if line.starts_with('#') || line.starts_with("--") {
            sink.note(SOURCE, FEED, "commented-out lines");
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            sink.reject_part(
                SOURCE,
                FEED,
                at,
                format!("line without ':' '{}'", line.trim()),
            );
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        field = k.to_string();
        match k {
            "Candidate" => adv.id = v.to_string(),
            "PublicDate" => adv.published = (!v.is_empty()).then(|| v.to_string()),
            "Priority" => adv.severity = label(v),
            "Description" if !v.is_empty() => description.push(v.to_string()),
            _ if k.starts_with("Patches_")
                || k.starts_with("Tags_")
                || k.starts_with("Priority_") => {}
            _ if k.contains('_') => status_line(&mut adv, k, v, &at, sink),
            _ => {}
        }
    }
    adv.description = description.join(" ");
    if !is_cve(&adv.id) {
        return sink.reject(
            SOURCE,
            FEED,
            m.display,
            format!("field 'Candidate': '{}' is not a CVE ID", adv.id),
        );
    }
    sink.accept(FEED, adv);
}

fn status_line(adv: &mut Advisory, k: &str, v: &str, at: &str, sink: &mut Sink) {
    let Some((release, pkg)) = k.split_once('_') else {
        return;
    };
    let (codename, variant) = match release.split_once('/') {
        Some((c, v)) => (c, Some(v)),
        None => (release, None),
    };
    if matches!(codename, "upstream" | "devel" | "product" | "snap") {
        sink.note(SOURCE, FEED, "upstream/devel/product lines (not a release)");
        return;
    }
    let Some(number) = ubuntu_release(codename) else {
        sink.reject_part(
            SOURCE,
            FEED,
            at.to_string(),
            format!("unknown Ubuntu release '{codename}'"),
        );
        return;
    };
    let key = match variant {
        None => format!("ubuntu:{number}"),
        Some("esm") => format!("ubuntu:{number}-esm"),
        Some(_) => {
            sink.note(
                SOURCE,
                FEED,
                "lines for release overlays (ubuntu-core, stable-phone-overlay)",
            );
            return;
        }
    };
    let (status, detail) = match v.split_once(' ') {
        Some((s, d)) => (
            s,
            d.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim(),
        ),
        None => (v, ""),
    };
    let package = normalize_name(&key, pkg);
    let (ranges, fixed, st) = match status {
        "released" => {
            let ver = detail.split_whitespace().next().unwrap_or("");
            if ver.is_empty() || !ver.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                sink.reject_part(
                    SOURCE,
                    FEED,
                    at.to_string(),
                    format!("'released' without a version for {pkg} in {release}"),
                );
                return;
            }
            (
                vec![Range::Interval {
                    introduced: None,
                    fixed: Some(ver.to_string()),
                    last_affected: None,
                }],
                vec![ver.to_string()],
                FixStatus::Fixed,
            )
        }
        "needed" | "pending" | "active" => (vec![Range::Any], vec![], FixStatus::Affected),
        "deferred" => (vec![Range::Any], vec![], FixStatus::FixDeferred),
        "ignored" => (vec![Range::Any], vec![], FixStatus::WillNotFix),
        "needs-triage" => (vec![Range::Any], vec![], FixStatus::Unknown),
        "not-affected" | "DNE" => {
            sink.note(SOURCE, FEED, "not-affected / DNE lines");
            return;
        }
        other => {
            sink.reject_part(
                SOURCE,
                FEED,
                at.to_string(),
                format!("unknown status '{other}'"),
            );
            return;
        }
    };
    adv.affected.push(Affected {
        eco: key,
        package,
        ranges,
        fixed,
        status: st,
    });
}
