//! Feed parsers: one file per source format, all listed in [`FEEDS`]. A file is handed to the
//! first feed whose `matches` accepts it; files no feed accepts are listed as ignored, with why.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use warden_core::{Cvss, Severity};

use crate::input::Member;
use crate::model::Advisory;

mod alpine_secdb;
mod debian_dsa_list;
mod debian_tracker_full;
mod debian_tracker_json;
mod epss;
mod friendsofphp;
mod kev;
mod nodejs_wg;
mod nvd;
mod osv;
mod rubysec;
mod rustsec_md;
mod ubuntu_uct;
mod victims;

/// One feed format.
pub(crate) struct Feed {
    /// Short name, shown in reports.
    pub name: &'static str,
    /// Whether a file (by its path, and its bytes when the path is not enough) belongs here.
    pub matches: fn(&str, &[u8]) -> bool,
    /// Parses one file into the sink. Never fails: problems become rejections.
    pub parse: fn(&Member<'_>, &mut Sink),
}

/// Every feed, in the order files are offered to them. Specific path shapes come before the
/// generic OSV catch-all, which accepts any `<PREFIX>-<id>.json|yaml` file.
pub(crate) const FEEDS: &[Feed] = &[
    Feed {
        name: "kev",
        matches: kev::matches,
        parse: kev::parse,
    },
    Feed {
        name: "epss",
        matches: epss::matches,
        parse: epss::parse,
    },
    Feed {
        name: "nvd",
        matches: nvd::matches,
        parse: nvd::parse,
    },
    Feed {
        name: "debian-tracker",
        matches: debian_tracker_full::matches,
        parse: debian_tracker_full::parse,
    },
    Feed {
        name: "debian-tracker-json",
        matches: debian_tracker_json::matches,
        parse: debian_tracker_json::parse,
    },
    Feed {
        name: "debian-dsa-list",
        matches: debian_dsa_list::matches,
        parse: debian_dsa_list::parse,
    },
    Feed {
        name: "ubuntu-uct",
        matches: ubuntu_uct::matches,
        parse: ubuntu_uct::parse,
    },
    Feed {
        name: "alpine-secdb",
        matches: alpine_secdb::matches,
        parse: alpine_secdb::parse,
    },
    Feed {
        name: "rustsec-md",
        matches: rustsec_md::matches,
        parse: rustsec_md::parse,
    },
    Feed {
        name: "rubysec",
        matches: rubysec::matches,
        parse: rubysec::parse,
    },
    Feed {
        name: "nodejs-wg",
        matches: nodejs_wg::matches,
        parse: nodejs_wg::parse,
    },
    Feed {
        name: "victims",
        matches: victims::matches,
        parse: victims::parse,
    },
    Feed {
        name: "friendsofphp",
        matches: friendsofphp::matches,
        parse: friendsofphp::parse,
    },
    Feed {
        name: "osv",
        matches: osv::matches,
        parse: osv::parse,
    },
];

/// One rejected record, or one rejected part of a record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rejection {
    /// Where: `file`, `file#record`, or `file#record/affected[i]`.
    pub at: String,
    /// Why it was rejected.
    pub reason: String,
    /// Whether the whole record was dropped (`false`: only the named part).
    pub whole_record: bool,
}

/// What one source contributed to a build.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceStats {
    /// The source label (`osv-pypa`, `ghsa`, `alpine-secdb`...).
    pub name: String,
    /// The feed format that read it.
    pub feed: String,
    /// Files read.
    pub files: u64,
    /// Records accepted (advisories, or enrichment rows for KEV/EPSS/NVD).
    pub accepted: u64,
    /// Accepted records that are withdrawn (kept, marked).
    pub withdrawn: u64,
    /// Records rejected as a whole.
    pub rejected: u64,
    /// Parts of accepted records rejected (an affected entry, a range).
    pub rejected_parts: u64,
    /// Enrichment rows that matched no advisory and were not stored.
    #[serde(default)]
    pub unjoined: u64,
    /// The newest date seen in its records (or its files, for sources without record dates).
    pub date: Option<String>,
    /// Counted observations that are not errors (`GIT range not evaluated`...).
    pub notes: BTreeMap<String, u64>,
    /// Every rejection, sorted.
    pub rejections: Vec<Rejection>,
}

/// A KEV catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// When CISA added it.
    pub date_added: String,
    /// The remediation due date.
    pub due_date: String,
    /// `Known` or `Unknown`.
    pub ransomware: String,
}

/// Everything feeds produce during one build.
#[derive(Default)]
pub(crate) struct Sink {
    pub advisories: Vec<Advisory>,
    pub kev: BTreeMap<String, KevEntry>,
    pub epss: BTreeMap<String, (f32, f32)>,
    pub nvd: BTreeMap<String, Vec<Cvss>>,
    pub stats: BTreeMap<String, SourceStats>,
    pub ignored: Vec<Rejection>,
}

impl Sink {
    pub(crate) fn stats(&mut self, source: &str, feed: &str) -> &mut SourceStats {
        self.stats
            .entry(source.to_string())
            .or_insert_with(|| SourceStats {
                name: source.to_string(),
                feed: feed.to_string(),
                ..SourceStats::default()
            })
    }

    pub(crate) fn file(&mut self, source: &str, feed: &str, mtime: Option<i64>) {
        let s = self.stats(source, feed);
        s.files += 1;
        // File times only stand in for sources whose records carry no date.
        if let Some(t) = mtime.and_then(date_of_epoch) {
            let entry = s.notes.entry(format!("~file-date:{t}")).or_insert(0);
            *entry += 1;
        }
    }

    pub(crate) fn date(&mut self, source: &str, feed: &str, date: Option<&str>) {
        let Some(d) = date.map(day_of) else { return };
        if d.len() != 10 {
            return;
        }
        let s = self.stats(source, feed);
        if s.date.as_deref().is_none_or(|cur| cur < d.as_str()) {
            s.date = Some(d);
        }
    }

    pub(crate) fn accept(&mut self, feed: &str, adv: Advisory) {
        // Go's vulndb export writes `modified: 0001-01-01T00:00:00Z`: a placeholder, not a date.
        let date = [adv.modified.as_deref(), adv.published.as_deref()]
            .into_iter()
            .flatten()
            .filter(|d| !d.starts_with("0001-"))
            .max()
            .map(str::to_string);
        self.date(&adv.source, feed, date.as_deref());
        let s = self.stats(&adv.source, feed);
        s.accepted += 1;
        if adv.withdrawn.is_some() {
            s.withdrawn += 1;
        }
        self.advisories.push(adv);
    }

    pub(crate) fn reject(
        &mut self,
        source: &str,
        feed: &str,
        at: impl Into<String>,
        reason: impl Into<String>,
    ) {
        let s = self.stats(source, feed);
        s.rejected += 1;
        s.rejections.push(Rejection {
            at: at.into(),
            reason: reason.into(),
            whole_record: true,
        });
    }

    pub(crate) fn reject_part(
        &mut self,
        source: &str,
        feed: &str,
        at: impl Into<String>,
        reason: impl Into<String>,
    ) {
        let s = self.stats(source, feed);
        s.rejected_parts += 1;
        s.rejections.push(Rejection {
            at: at.into(),
            reason: reason.into(),
            whole_record: false,
        });
    }

    pub(crate) fn note(&mut self, source: &str, feed: &str, what: &str) {
        *self
            .stats(source, feed)
            .notes
            .entry(what.to_string())
            .or_insert(0) += 1;
    }

    /// Replaces the `~file-date` notes by a date for sources whose records had none.
    pub(crate) fn finish(&mut self) {
        for s in self.stats.values_mut() {
            let file_dates: Vec<String> = s
                .notes
                .keys()
                .filter(|k| k.starts_with("~file-date:"))
                .cloned()
                .collect();
            let newest = file_dates
                .iter()
                .filter_map(|k| k.strip_prefix("~file-date:"))
                .max()
                .map(str::to_string);
            for k in file_dates {
                s.notes.remove(&k);
            }
            if s.date.is_none() {
                s.date = newest;
            }
            s.rejections.sort();
        }
        self.ignored.sort();
    }
}

/// `YYYY-MM-DD` of an RFC 3339 or `YYYY-MM-DD...` date.
pub(crate) fn day_of(s: &str) -> String {
    s.trim().chars().take(10).collect()
}

fn date_of_epoch(secs: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

/// Whether `s` looks like a CVE ID.
pub(crate) fn is_cve(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let mut parts = rest.split('-');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(y), Some(n), None) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())
            && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The last path component.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A CVSS vector with its base score, or why it could not be scored.
pub(crate) fn cvss(source: &str, vector: &str) -> Result<Cvss, String> {
    let vector = vector.trim();
    let score = crate::cvss::base_score(vector)?;
    Ok(Cvss {
        source: source.to_string(),
        vector: vector.to_string(),
        score,
    })
}

/// A severity label, ignoring the "not yet assigned" family that means no label.
pub(crate) fn label(s: &str) -> Option<Severity> {
    match s.parse::<Severity>() {
        Ok(Severity::Unknown) | Err(_) => None,
        Ok(sev) => Some(sev),
    }
}

/// Splits an advisory that bundles several CVEs (a DSA, a USN) into one advisory per CVE, each
/// joined only through its CVE and naming the bundle as related.
pub(crate) fn split_bundle(mut adv: Advisory, cves: &[String]) -> Vec<Advisory> {
    if cves.is_empty() {
        adv.id_joins = true;
        return vec![adv];
    }
    adv.id_joins = false;
    cves.iter()
        .map(|c| {
            let mut a = adv.clone();
            a.aliases = vec![c.clone()];
            a
        })
        .collect()
}

/// The smallest version a "patched" requirement admits (`>= 1.6.1` → `1.6.1`, `^0.6.14`,
/// `~> 1.15.6`, `= 2.0`), which is the version that fixed it. `None` when the requirement has no
/// lower bound (`< 2.0`).
pub(crate) fn lower_bound(req: &str) -> Option<String> {
    for part in req.split(',') {
        let p = part.trim();
        let op_len = p
            .find(|c: char| c.is_ascii_alphanumeric())
            .unwrap_or(p.len());
        let (op, v) = p.split_at(op_len);
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match op.trim() {
            ">=" | "^" | "~" | "~>" | "=" | "==" | "" => return Some(v.to_string()),
            ">" => return Some(v.to_string()),
            _ => continue,
        }
    }
    None
}
