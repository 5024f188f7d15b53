//! OSV 1.x records in JSON or YAML, for every ecosystem: PyPA (YAML), Go vulndb, RustSec's `osv`
//! branch, GHSA, Debian/Alpine/Ubuntu OSV exports and osv.dev's `all.zip` members.

use serde::Deserialize;
use warden_core::FixStatus;

use super::{basename, cvss, is_cve, label, split_bundle, Sink};
use crate::input::Member;
use crate::model::{normalize_name, osv_ecosystem_key, scheme_for_key, Advisory, Affected, Range};

const FEED: &str = "osv";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let name = basename(path);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(ext, "json" | "yaml" | "yml") {
        return false;
    }
    // OSV IDs are `<PREFIX>-<rest>` with an upper-case prefix (GHSA, PYSEC, GO, RUSTSEC, DSA,
    // DEBIAN, ALPINE, UBUNTU, USN, MAL...).
    match stem.split_once('-') {
        Some((prefix, rest)) => {
            !prefix.is_empty()
                && !rest.is_empty()
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && prefix.as_bytes()[0].is_ascii_uppercase()
        }
        None => false,
    }
}

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    upstream: Option<Vec<String>>,
    #[serde(default)]
    related: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<SeverityEntry>>,
    #[serde(default)]
    affected: Option<Vec<AffectedEntry>>,
    #[serde(default)]
    references: Option<Vec<Reference>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct AffectedEntry {
    #[serde(default)]
    package: Option<Package>,
    #[serde(default)]
    ranges: Option<Vec<RangeEntry>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    severity: Option<Vec<SeverityEntry>>,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RangeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The source label of an OSV record, from its ID prefix.
fn source_of(id: &str) -> String {
    let prefix = id.split('-').next().unwrap_or(id);
    match prefix {
        "PYSEC" => "osv-pypa".into(),
        "GO" => "osv-go".into(),
        "RUSTSEC" => "osv-rustsec".into(),
        "GHSA" => "ghsa".into(),
        "DEBIAN" | "DSA" | "DLA" | "DTSA" => "osv-debian".into(),
        "ALPINE" => "osv-alpine".into(),
        "UBUNTU" | "USN" | "LSN" => "osv-ubuntu".into(),
        p => format!("osv-{}", p.to_ascii_lowercase()),
    }
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    let is_yaml = m.path.ends_with(".yaml") || m.path.ends_with(".yml");
    let stem = basename(m.path)
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(m.path);
    let guess = source_of(stem);
    sink.file(&guess, FEED, m.mtime);
    let parsed: Result<Record, String> = if is_yaml {
        serde_yaml::from_slice(m.data).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(m.data).map_err(|e| e.to_string())
    };
    let rec = match parsed {
        Ok(r) => r,
        Err(e) => {
            return sink.reject(
                &guess,
                FEED,
                m.display,
                format!("not a valid OSV record: {e}"),
            )
        }
    };
    let source = source_of(&rec.id);
    if source != guess {
        // Count the file under the source its content names.
        let g = sink.stats(&guess, FEED);
        g.files -= 1;
        sink.stats(&source, FEED).files += 1;
        if sink.stats(&guess, FEED).files == 0 && sink.stats(&guess, FEED).accepted == 0 {
            sink.stats.remove(&guess);
        }
    }
    let at = format!("{}#{}", m.display, rec.id);
    if rec.id.trim().is_empty() {
        return sink.reject(&source, FEED, m.display, "field 'id' is empty");
    }

    let mut adv = Advisory {
        source: source.clone(),
        id: rec.id.clone(),
        id_joins: true,
        title: rec.summary.unwrap_or_default(),
        description: rec.details.unwrap_or_default(),
        published: rec.published,
        modified: rec.modified,
        withdrawn: rec.withdrawn,
        references: rec
            .references
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.url)
            .collect(),
        ..Advisory::default()
    };
    adv.aliases = rec.aliases.unwrap_or_default();
    adv.related = rec.related.unwrap_or_default();
    let upstream = rec.upstream.unwrap_or_default();

    let mut severities = rec.severity.unwrap_or_default();
    if let Some(db) = &rec.database_specific {
        if let Some(s) = db.get("severity").and_then(|v| v.as_str()) {
            adv.severity = label(s);
        }
        if let Some(cwes) = db.get("cwe_ids").and_then(|v| v.as_array()) {
            adv.cwes = cwes
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
        }
    }

    let entries = rec.affected.unwrap_or_default();
    let total = entries.len();
    for (i, mut entry) in entries.into_iter().enumerate() {
        let part = format!("{at}/affected[{i}]");
        if let Some(s) = entry.severity.take() {
            severities.extend(s);
        }
        // Debian's per-package urgency is the distro's own rating.
        if let Some(u) = entry
            .ecosystem_specific
            .as_ref()
            .and_then(|e| e.get("urgency"))
            .and_then(|u| u.as_str())
        {
            adv.severity = adv.severity.or_else(|| label(u));
        }
        match affected(&source, entry, sink) {
            Ok(Some(a)) => adv.affected.push(a),
            Ok(None) => {}
            Err(reason) => sink.reject_part(&source, FEED, part, reason),
        }
    }
    if total > 0 && adv.affected.is_empty() {
        return sink.reject(
            &source,
            FEED,
            at,
            "no affected entry is usable (see the entries rejected above)",
        );
    }
    if total == 0 {
        sink.note(
            &source,
            FEED,
            "records without affected packages (kept for aliases)",
        );
    }

    for s in severities {
        match s.kind.as_str() {
            "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => match cvss(&source, &s.score) {
                Ok(c) => adv.cvss.push(c),
                Err(e) => sink.reject_part(&source, FEED, format!("{at}/severity"), e),
            },
            // Ubuntu publishes its priority as a severity entry.
            "Ubuntu" => adv.severity = adv.severity.or_else(|| label(&s.score)),
            other => sink.reject_part(
                &source,
                FEED,
                format!("{at}/severity"),
                format!("unknown severity type '{other}'"),
            ),
        }
    }

    let id = adv.id.clone();
    let bundle = ["DSA-", "DLA-", "DTSA-", "USN-"]
        .iter()
        .any(|p| id.starts_with(p));
    if bundle {
        let mut cves: Vec<String> = upstream
            .iter()
            .chain(adv.aliases.iter())
            .filter(|a| is_cve(a))
            .cloned()
            .collect();
        cves.sort();
        cves.dedup();
        adv.related
            .extend(upstream.iter().filter(|u| !is_cve(u)).cloned());
        for a in split_bundle(adv, &cves) {
            sink.accept(FEED, a);
        }
    } else {
        adv.aliases.extend(upstream);
        sink.accept(FEED, adv);
    }
}

/// One affected entry, `Ok(None)` when it is legitimately not stored (counted as a note).
fn affected(source: &str, e: AffectedEntry, sink: &mut Sink) -> Result<Option<Affected>, String> {
    let pkg = e.package.ok_or("field 'package' is missing")?;
    let key = osv_ecosystem_key(&pkg.ecosystem)
        .ok_or_else(|| format!("unknown ecosystem '{}'", pkg.ecosystem))?;
    if pkg.name.trim().is_empty() {
        return Err("field 'package.name' is empty".into());
    }
    let is_go = key == "golang";
    let v = |s: String| {
        if is_go && !s.starts_with('v') {
            format!("v{s}")
        } else {
            s
        }
    };
    let mut ranges = Vec::new();
    let mut fixed = Vec::new();
    let mut git_only = false;
    for (ri, r) in e.ranges.unwrap_or_default().into_iter().enumerate() {
        match r.kind.as_str() {
            "ECOSYSTEM" | "SEMVER" => {}
            "GIT" => {
                git_only = true;
                sink.note(
                    source,
                    FEED,
                    "GIT ranges not evaluated (commit ranges need the source tree)",
                );
                continue;
            }
            other => return Err(format!("ranges[{ri}]: unknown range type '{other}'")),
        }
        if r.events.is_empty() {
            return Err(format!("ranges[{ri}]: no events"));
        }
        // The OSV spec evaluates a range's events sorted by version (stable), not in file
        // order; several feeds list them out of order (pyspark, apache-iotdb). When every
        // version parses in the ecosystem's scheme, pair them in that order, where a repeated
        // `introduced` changes nothing and a `fixed` with nothing open closes nothing. When one
        // does not parse, file order is all there is.
        let sorted = sort_events(&key, r.events, &v);
        let in_order = sorted.is_ok();
        let events = sorted.unwrap_or_else(|unsorted| unsorted);
        let mut open: Option<Option<String>> = None;
        let before = ranges.len();
        let mut unpaired: Option<String> = None;
        for (ei, ev) in events.into_iter().enumerate() {
            let set = [&ev.introduced, &ev.fixed, &ev.last_affected, &ev.limit]
                .iter()
                .filter(|x| x.is_some())
                .count();
            if set != 1 {
                return Err(format!(
                    "ranges[{ri}].events[{ei}]: an event needs exactly one of introduced, fixed, last_affected, limit (found {set})"
                ));
            }
            let empty = |s: &String| s.trim().is_empty();
            if let Some(i) = ev.introduced {
                if empty(&i) {
                    return Err(format!("ranges[{ri}].events[{ei}]: empty 'introduced'"));
                }
                if in_order && open.is_some() {
                    continue;
                }
                if let Some(prev) = open.take() {
                    // Two introduced in a row in file order: the first interval stays open.
                    ranges.push(Range::Interval {
                        introduced: prev,
                        fixed: None,
                        last_affected: None,
                    });
                }
                open = Some(if i == "0" { None } else { Some(v(i)) });
            } else if let Some(f) = ev.fixed {
                if empty(&f) {
                    return Err(format!("ranges[{ri}].events[{ei}]: empty 'fixed'"));
                }
                let Some(intro) = open.take() else {
                    let why = format!(
                        "ranges[{ri}].events[{ei}]: 'fixed' {f} without an 'introduced' before it"
                    );
                    if in_order {
                        unpaired.get_or_insert(why);
                        continue;
                    }
                    return Err(why);
                };
                let f = v(f);
                fixed.push(f.clone());
                ranges.push(Range::Interval {
                    introduced: intro,
                    fixed: Some(f),
                    last_affected: None,
                });
            } else if let Some(l) = ev.last_affected {
                if empty(&l) {
                    return Err(format!("ranges[{ri}].events[{ei}]: empty 'last_affected'"));
                }
                let Some(intro) = open.take() else {
                    let why = format!("ranges[{ri}].events[{ei}]: 'last_affected' {l} without an 'introduced' before it");
                    if in_order {
                        unpaired.get_or_insert(why);
                        continue;
                    }
                    return Err(why);
                };
                ranges.push(Range::Interval {
                    introduced: intro,
                    fixed: None,
                    last_affected: Some(v(l)),
                });
            } else {
                sink.note(
                    source,
                    FEED,
                    "'limit' events ignored (they only bound GIT walks)",
                );
            }
        }
        if let Some(intro) = open.take() {
            ranges.push(Range::Interval {
                introduced: intro,
                fixed: None,
                last_affected: None,
            });
        }
        // A range whose every bound closes nothing affects nothing: that is a data error.
        if let (true, Some(why)) = (ranges.len() == before, unpaired) {
            return Err(why);
        }
    }
    let versions = e.versions.unwrap_or_default();
    if ranges.is_empty() {
        if versions.is_empty() {
            return Err(if git_only {
                "only GIT ranges and no versions list: nothing to match a version against".into()
            } else {
                "no ranges and no versions".into()
            });
        }
        ranges.push(Range::Exact(versions.into_iter().map(v).collect()));
    } else if !versions.is_empty() {
        // The spec's verdict is "in a range OR listed": osv.dev lists versions the ranges miss
        // (gevent 23.9.0.post1, django pre-releases), so the list is kept as one more range.
        ranges.push(Range::Exact(versions.into_iter().map(v).collect()));
    }
    let status = if fixed.is_empty() {
        FixStatus::Affected
    } else {
        FixStatus::Fixed
    };
    Ok(Some(Affected {
        package: normalize_name(&key, &pkg.name),
        eco: key,
        ranges,
        fixed,
        status,
    }))
}

/// The events of one range sorted by version as the OSV spec says (`introduced: "0"` lowest,
/// ties kept in file order), or the events back unchanged when a version does not parse in the
/// ecosystem's scheme.
fn sort_events(
    key: &str,
    events: Vec<Event>,
    norm: &dyn Fn(String) -> String,
) -> Result<Vec<Event>, Vec<Event>> {
    let Some(scheme) = scheme_for_key(key) else {
        return Err(events);
    };
    let mut keyed = Vec::with_capacity(events.len());
    for ev in &events {
        let text = [&ev.introduced, &ev.fixed, &ev.last_affected, &ev.limit]
            .into_iter()
            .find_map(|x| x.clone());
        let parsed = match text.as_deref() {
            Some("0") if ev.introduced.is_some() => None,
            Some(t) => match warden_version::Version::parse(scheme, &norm(t.to_string())) {
                Ok(p) => Some(p),
                Err(_) => return Err(events),
            },
            None => return Err(events),
        };
        keyed.push(parsed);
    }
    let mut order: Vec<usize> = (0..events.len()).collect();
    let mut failed = false;
    order.sort_by(|&a, &b| match (&keyed[a], &keyed[b]) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or_else(|_| {
            failed = true;
            std::cmp::Ordering::Equal
        }),
    });
    if failed {
        return Err(events);
    }
    let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}
