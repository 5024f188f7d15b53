//! `warden db build`: ingest every input, join, lay out, and replace the output atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::db::{severity_code, status_code, Counts, Db, Metadata, REJECTIONS_KEPT};
use crate::error::{Error, Result};
use crate::feeds::{Rejection, Sink, SourceStats, FEEDS};
use crate::format::{layout, EntryHead, EntryRec, RangeRec, Tables, VulnRec, SCHEMA_VERSION};
use crate::input::{walk, Budget, Limits};
use crate::join::join;
use crate::model::scheme_for_key;
use crate::model::{Advisory, Range};

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Directories, files and archives to read.
    pub inputs: Vec<PathBuf>,
    /// The database file to write (replaced atomically).
    pub output: PathBuf,
    /// Archive expansion bounds.
    pub limits: Limits,
    /// Build time to record (seconds since the epoch); `None` is now, or `SOURCE_DATE_EPOCH`.
    pub built_at: Option<i64>,
}

/// What a build did: the full per-source report, including every rejection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    /// The metadata written into the database.
    pub metadata: Metadata,
    /// Every source with every rejection (the metadata keeps a capped list).
    pub sources: Vec<SourceStats>,
    /// The output file.
    pub output: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// Everything ingested from the inputs, before it is written.
pub struct Ingested {
    /// Accepted advisories, as each source published them.
    pub advisories: Vec<Advisory>,
    /// Per-source statistics, sorted by source.
    pub sources: Vec<SourceStats>,
    /// Files no feed recognised.
    pub ignored: Vec<Rejection>,
    /// Uncompressed bytes read.
    pub bytes: u64,
    sink: Sink,
}

/// Reads every input and hands each file to its feed.
pub fn ingest(inputs: &[PathBuf], limits: Limits) -> Result<Ingested> {
    let mut budget = Budget::new(limits);
    let mut sink = Sink::default();
    for input in inputs {
        walk(input, &mut budget, &mut |m| {
            match FEEDS.iter().find(|f| (f.matches)(m.path, m.data)) {
                Some(feed) => {
                    tracing::trace!(file = m.display, feed = feed.name, "ingest");
                    (feed.parse)(&m, &mut sink);
                }
                None => sink.ignored.push(Rejection {
                    at: m.display.to_string(),
                    reason: "not a recognised feed file (README, licence, index or unknown format)"
                        .into(),
                    whole_record: true,
                }),
            }
            Ok(())
        })?;
    }
    sink.finish();
    Ok(Ingested {
        advisories: sink.advisories.clone(),
        sources: sink.stats.values().cloned().collect(),
        ignored: sink.ignored.clone(),
        bytes: budget.used(),
        sink,
    })
}

fn range_rec(r: &Range) -> RangeRec<'_> {
    match r {
        Range::Any => RangeRec::Any,
        Range::Interval {
            introduced,
            fixed,
            last_affected,
        } => RangeRec::Interval {
            introduced: introduced.as_deref(),
            fixed: fixed.as_deref(),
            last_affected: last_affected.as_deref(),
        },
        Range::Constraint(c) => RangeRec::Constraint(c),
        Range::Unless(l) => RangeRec::Unless(l.iter().map(String::as_str).collect()),
        Range::Exact(l) => RangeRec::Exact(l.iter().map(String::as_str).collect()),
    }
}

fn now_unix() -> i64 {
    if let Some(s) = std::env::var_os("SOURCE_DATE_EPOCH") {
        if let Ok(v) = s.to_string_lossy().trim().parse::<i64>() {
            return v;
        }
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Joins the ingested advisories and encodes the database tables.
#[doc(hidden)]
pub fn tables(
    ing: Ingested,
    inputs: &[PathBuf],
    built_at: Option<i64>,
) -> Result<(Tables, Metadata, Vec<SourceStats>)> {
    let mut sink = ing.sink;
    if sink.advisories.is_empty() {
        let inputs = inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::Empty { inputs });
    }
    let (groups, adv_group) = join(&mut sink);
    let source_table: Vec<String> = sink
        .advisories
        .iter()
        .map(|a| a.source.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let src_idx: BTreeMap<&str, u16> = source_table
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u16))
        .collect();

    let mut by_pkg: BTreeMap<Vec<u8>, Vec<EntryRec<'_>>> = BTreeMap::new();
    let mut affected_entries = 0u64;
    for (ai, a) in sink.advisories.iter().enumerate() {
        for af in &a.affected {
            let mut key = af.eco.as_bytes().to_vec();
            key.push(0);
            key.extend_from_slice(af.package.as_bytes());
            by_pkg.entry(key).or_default().push(EntryRec {
                head: EntryHead {
                    vuln: adv_group[ai],
                    vuln_id: &groups[adv_group[ai] as usize].id,
                    source: src_idx.get(a.source.as_str()).copied().unwrap_or(0),
                    advisory: &a.id,
                    status: status_code(af.status),
                    severity: severity_code(a.severity),
                    withdrawn: a.withdrawn.is_some(),
                    fixed: af.fixed.iter().map(String::as_str).collect(),
                },
                ranges: af.ranges.iter().map(range_rec).collect(),
            });
            affected_entries += 1;
        }
    }
    let mut packages = Vec::with_capacity(by_pkg.len());
    for (k, mut v) in by_pkg {
        fn identity<'a>(e: &EntryRec<'a>) -> (u32, u16, &'a str, u8) {
            (e.head.vuln, e.head.source, e.head.advisory, e.head.status)
        }
        v.sort_by(|a, b| identity(a).cmp(&identity(b)));
        // One advisory listing a package in several `affected` blocks (GHSA does, one per
        // interval) is one entry with all its ranges, so a query reports it once, with every
        // fixed version above the installed one.
        let mut merged: Vec<EntryRec<'_>> = Vec::with_capacity(v.len());
        for e in v {
            match merged.last_mut() {
                Some(last) if identity(last) == identity(&e) => {
                    for r in e.ranges {
                        if !last.ranges.contains(&r) {
                            last.ranges.push(r);
                        }
                    }
                    for f in e.head.fixed {
                        if !last.head.fixed.contains(&f) {
                            last.head.fixed.push(f);
                        }
                    }
                }
                _ => merged.push(e),
            }
        }
        let scheme = k
            .split(|&b| b == 0)
            .next()
            .and_then(|e| std::str::from_utf8(e).ok())
            .and_then(scheme_for_key);
        let blob = crate::pkgblob::encode(scheme, &merged).map_err(|e| Error::Invalid {
            what: "package blob",
            value: String::from_utf8_lossy(&k).into(),
            reason: e.to_string(),
        })?;
        packages.push((k, blob));
    }
    let mut vulns = Vec::with_capacity(groups.len());
    let mut aliases: Vec<(Vec<u8>, u32)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let rec = VulnRec {
            id: g.id.clone(),
            aliases: g.aliases.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            severity: severity_code(Some(g.severity)),
            severity_source: g.severity_source.clone(),
            cvss: g
                .cvss
                .iter()
                .map(|c| (c.source.clone(), c.vector.clone(), c.score))
                .collect(),
            references: g.references.clone(),
            cwes: g.cwes.clone(),
            kev: g.kev.as_ref().map(|k| {
                (
                    k.date_added.clone(),
                    k.due_date.clone(),
                    k.ransomware.clone(),
                )
            }),
            epss: g.epss,
            published: g.published.clone(),
            sources: g.sources.clone(),
            withdrawn: g.withdrawn,
            advisories: g.advisories.clone(),
        };
        vulns.push(postcard::to_allocvec(&rec).map_err(|e| Error::Invalid {
            what: "vulnerability",
            value: g.id.clone(),
            reason: e.to_string(),
        })?);
        aliases.push((g.id.as_bytes().to_vec(), gi as u32));
        for a in &g.aliases {
            aliases.push((a.as_bytes().to_vec(), gi as u32));
        }
    }
    // A bundle ID (a DSA naming several CVEs) is listed by each; lookups by it find the first.
    aliases.sort();
    aliases.dedup_by(|a, b| a.0 == b.0);

    let built = built_at.unwrap_or_else(now_unix);
    let built_at = time::OffsetDateTime::from_unix_timestamp(built)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let full_sources: Vec<SourceStats> = sink.stats.values().cloned().collect();
    let capped: Vec<SourceStats> = full_sources
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.rejections.truncate(REJECTIONS_KEPT);
            s
        })
        .collect();
    let meta = Metadata {
        schema_version: SCHEMA_VERSION,
        built_at,
        built_at_unix: built,
        builder: concat!("warden-vulndb ", env!("CARGO_PKG_VERSION")).to_string(),
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        counts: Counts {
            vulnerabilities: groups.len() as u64,
            advisories: sink.advisories.len() as u64,
            withdrawn_advisories: sink
                .advisories
                .iter()
                .filter(|a| a.withdrawn.is_some())
                .count() as u64,
            packages: packages.len() as u64,
            affected_entries,
            ids: aliases.len() as u64,
            input_bytes: ing.bytes,
        },
        sources: capped,
        ignored_files: sink.ignored.clone(),
        source_table,
        ordering_revision: warden_version::ORDERING_REVISION,
    };
    let meta_json = serde_json::to_vec(&meta).map_err(|e| Error::Invalid {
        what: "metadata",
        value: String::new(),
        reason: e.to_string(),
    })?;
    Ok((
        Tables {
            packages,
            vulns,
            aliases,
            meta: meta_json,
        },
        meta,
        full_sources,
    ))
}

/// Builds a database from `opts.inputs` and atomically replaces `opts.output`. On any error the
/// previous file at `opts.output` is left exactly as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let ing = ingest(&opts.inputs, opts.limits)?;
    let (t, meta, sources) = tables(ing, &opts.inputs, opts.built_at)?;
    let image = layout(&t).map_err(|reason| Error::Corrupt {
        path: opts.output.display().to_string(),
        reason,
    })?;
    write_atomic(&opts.output, &image)?;
    Ok(BuildReport {
        metadata: meta,
        sources,
        output: opts.output.clone(),
        size: image.len() as u64,
    })
}

/// Writes `bytes` to a temporary file beside `dest`, checks it opens as a database, and renames
/// it over `dest`. Readers that have the old file mapped keep their (unchanged) inode.
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".warden-db-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    Db::open(tmp.path())?.verify()?;
    tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    Ok(())
}
