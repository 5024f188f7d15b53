//! Opening and querying a database file: read-only, memory-mapped, shareable between threads.

use std::cmp::Ordering;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use warden_core::{Cvss, FixStatus, Severity, Vulnerability};
use warden_version::{Constraint, Scheme, Version, ORDERING_REVISION};

use crate::error::{Error, Result};
use crate::feeds::{KevEntry, Rejection, SourceStats};
use crate::format::{
    key_hash, u32_at, u64_at, EntryHead, RangeRec, VulnRec, HEADER_LEN, MAGIC, NO_PACKAGE,
    SCHEMA_VERSION, SEC_ALIAS, SEC_HEAP, SEC_META, SEC_PKG, SEC_PKG_HASH, SEC_VULN,
};
use crate::model::{normalize_name, scheme_for_key};
use crate::pkgblob::{EntryIdx, PkgView, RELEASE_ONLY, SLOW, WITHDRAWN};

/// Counts over a whole database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Joined vulnerabilities.
    pub vulnerabilities: u64,
    /// Source advisories (one vulnerability has one or more).
    pub advisories: u64,
    /// Advisories withdrawn by their publisher (kept, marked).
    pub withdrawn_advisories: u64,
    /// Distinct (ecosystem, package) keys.
    pub packages: u64,
    /// Stored affected entries.
    pub affected_entries: u64,
    /// IDs that resolve to a vulnerability (primary IDs plus aliases).
    pub ids: u64,
    /// Uncompressed bytes read from the inputs.
    pub input_bytes: u64,
}

/// What a database says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The schema version.
    pub schema_version: u32,
    /// Build time, RFC 3339 UTC (`SOURCE_DATE_EPOCH` is honoured for reproducible builds).
    pub built_at: String,
    /// Build time in seconds since the epoch.
    pub built_at_unix: i64,
    /// The warden-vulndb version that built it.
    pub builder: String,
    /// The `--from` inputs as given.
    pub inputs: Vec<String>,
    /// Totals.
    pub counts: Counts,
    /// Every source with its date and accepted/rejected counts. Rejection lists are capped at
    /// [`REJECTIONS_KEPT`] per source here; the build report has them all.
    pub sources: Vec<SourceStats>,
    /// Input files no feed recognised.
    pub ignored_files: Vec<Rejection>,
    /// Source labels by the index package entries store.
    pub source_table: Vec<String>,
    /// `warden_version::ORDERING_REVISION` of the builder. The package blobs' precomputed
    /// bound order is used only by a reader of the same revision; any other evaluates the
    /// stored ranges, so a fixed ordering is right before the database is rebuilt.
    #[serde(default)]
    pub ordering_revision: u32,
}

/// How many rejections per source the database metadata keeps.
pub const REJECTIONS_KEPT: usize = 200;

/// One advisory that affects the queried version. Its strings borrow from the open [`Db`]
/// (the memory map and its metadata), so a query that returns hundreds of matches copies no
/// text; [`Match::fixed_versions`] is the only allocation per match, and only when non-empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match<'a> {
    /// The vulnerability's index, for [`Db::vulnerability_at`].
    pub vuln: u32,
    /// The vulnerability's primary ID (a CVE when one exists).
    pub vuln_id: &'a str,
    /// The source that says so (`ghsa`, `osv-pypa`, `alpine-secdb`, `ubuntu-uct`...).
    pub source: &'a str,
    /// That source's advisory ID (`GHSA-...`, `PYSEC-...`, `DSA-...`).
    pub advisory_id: &'a str,
    /// Versions above the queried one that fix it, ascending.
    pub fixed_versions: Vec<&'a str>,
    /// The fix status for the queried version.
    pub status: FixStatus,
    /// The source's own rating, when it gives one (distro priority, GHSA rating).
    pub source_severity: Option<Severity>,
    /// The advisory was withdrawn (only returned by [`Db::query_all`]).
    pub withdrawn: bool,
    /// Set when a version or range could not be compared: the advisory is reported rather than
    /// dropped, and this says why it may not apply.
    pub indeterminate: Option<String>,
}

/// A vulnerability with the extra facts the database keeps beside the shared model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnDetail {
    /// The shared model.
    pub vulnerability: Vulnerability,
    /// The KEV entry, when CISA lists it.
    pub kev: Option<KevEntry>,
    /// The EPSS percentile, beside the probability in `vulnerability.epss`.
    pub epss_percentile: Option<f64>,
    /// `(source, advisory id)` of every advisory joined into it.
    pub advisories: Vec<(String, String)>,
}

/// An open database. Cheap to share: queries take `&self` and never write.
pub struct Db {
    path: PathBuf,
    map: memmap2::Mmap,
    meta: Metadata,
    pkg: (usize, usize),
    pkg_hash: (usize, usize),
    vuln: (usize, usize),
    alias: (usize, usize),
    heap: (usize, usize),
}

fn corrupt(path: &Path, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

impl Db {
    /// Opens a database read-only and memory-maps it. The header, section table and metadata are
    /// checked; a truncated file, another file type or another schema is a clear error.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len < HEADER_LEN as u64 {
            return Err(corrupt(path, format!("{len} bytes is shorter than the {HEADER_LEN}-byte header (truncated or not a warden database)")));
        }
        // SAFETY: the map is read-only and private to this process. Builds, pulls and updates
        // replace a database by renaming a new file over it, so the inode mapped here is never
        // written or truncated while mapped.
        #[allow(unsafe_code)]
        let map =
            unsafe { memmap2::MmapOptions::new().map(&file) }.map_err(|e| Error::io(path, e))?;
        let b = &map[..];
        if &b[0..8] != MAGIC {
            return Err(corrupt(path, "not a warden database (bad magic)"));
        }
        let schema = u32_at(b, 8);
        if schema != SCHEMA_VERSION {
            return Err(Error::Schema {
                path: path.display().to_string(),
                found: schema,
                expected: SCHEMA_VERSION,
            });
        }
        let declared = u64_at(b, 16);
        if declared != len {
            return Err(corrupt(path, format!("header says {declared} bytes but the file has {len} (truncated or appended to)")));
        }
        let count = u32_at(b, 12) as usize;
        if count > 64 || HEADER_LEN + count * 24 > b.len() {
            return Err(corrupt(
                path,
                format!("section table of {count} entries does not fit"),
            ));
        }
        let mut secs = [(0usize, 0usize); 7];
        for i in 0..count {
            let at = HEADER_LEN + i * 24;
            let kind = u32_at(b, at) as usize;
            let (off, l) = (u64_at(b, at + 8), u64_at(b, at + 16));
            if off.checked_add(l).is_none_or(|end| end > len) {
                return Err(corrupt(
                    path,
                    format!("section {kind} [{off}, +{l}) lies outside the file"),
                ));
            }
            if (1..secs.len()).contains(&kind) {
                secs[kind] = (off as usize, l as usize);
            }
        }
        for (k, name) in [(SEC_META, "metadata"), (SEC_HEAP, "heap")] {
            if secs[k as usize].1 == 0 {
                return Err(corrupt(path, format!("the {name} section is missing")));
            }
        }
        for (k, w, name) in [
            (SEC_PKG, 16, "package index"),
            (SEC_VULN, 8, "vulnerability index"),
            (SEC_ALIAS, 16, "alias index"),
        ] {
            if secs[k as usize].1 % w != 0 {
                return Err(corrupt(
                    path,
                    format!("the {name} is not a whole number of entries"),
                ));
            }
        }
        let slots = secs[SEC_PKG_HASH as usize].1 / 8;
        if secs[SEC_PKG_HASH as usize].1 % 8 != 0 || !slots.is_power_of_two() {
            return Err(corrupt(
                path,
                "the package hash table is not a power of two of slots",
            ));
        }
        let (mo, ml) = secs[SEC_META as usize];
        let meta: Metadata = serde_json::from_slice(&b[mo..mo + ml])
            .map_err(|e| corrupt(path, format!("metadata: {e}")))?;
        Ok(Db {
            path: path.to_path_buf(),
            meta,
            pkg: secs[SEC_PKG as usize],
            pkg_hash: secs[SEC_PKG_HASH as usize],
            vuln: secs[SEC_VULN as usize],
            alias: secs[SEC_ALIAS as usize],
            heap: secs[SEC_HEAP as usize],
            map,
        })
    }

    /// The file this database was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.meta
    }

    /// The file size in bytes.
    pub fn size(&self) -> u64 {
        self.map.len() as u64
    }

    /// Seconds since the database was built (0 if the clock is behind the build time).
    pub fn age_seconds(&self, now_unix: i64) -> u64 {
        now_unix.saturating_sub(self.meta.built_at_unix).max(0) as u64
    }

    /// Fails with [`Error::TooOld`] when the database is older than `max_seconds`.
    pub fn check_age(&self, now_unix: i64, max_seconds: u64) -> Result<()> {
        let age = self.age_seconds(now_unix);
        if age > max_seconds {
            return Err(Error::TooOld {
                path: self.path.display().to_string(),
                age: crate::paths::human_duration(age),
                max: crate::paths::human_duration(max_seconds),
            });
        }
        Ok(())
    }

    /// Checks the whole file: its sha256 against the header, every index entry's bounds and
    /// every blob's encoding. `open` only checks the structure, so that opening stays O(1).
    pub fn verify(&self) -> Result<()> {
        let b = &self.map[..];
        let digest = Sha256::digest(&b[HEADER_LEN..]);
        if digest.as_slice() != &b[24..56] {
            return Err(corrupt(
                &self.path,
                "sha256 of the content does not match the header (damaged file)",
            ));
        }
        for i in 0..self.package_count() {
            let (k, blob) = self.pkg_entry(i)?;
            if i > 0 && self.pkg_entry(i - 1)?.0 >= k {
                return Err(corrupt(
                    &self.path,
                    format!("package index not sorted at entry {i}"),
                ));
            }
            let bad = |e: String| corrupt(&self.path, format!("package entry {i}: {e}"));
            if self.package_index(k)? != Some(i) {
                return Err(bad("the hash table does not find it".into()));
            }
            let view = PkgView::new(blob).map_err(bad)?;
            for b in 0..view.bound_count() {
                view.bound(b).map_err(bad)?;
            }
            for j in 0..view.len() {
                let e = view.entry(j).map_err(bad)?;
                let (r, _) = view.record(&e).map_err(bad)?;
                if r.vuln as usize >= self.vuln_count()
                    || r.source as usize >= self.meta.source_table.len()
                {
                    return Err(corrupt(
                        &self.path,
                        format!("package entry {i} points outside the tables"),
                    ));
                }
                if r.vuln_id != self.vuln_id(r.vuln)? {
                    return Err(bad(format!(
                        "record {j} names {} for vulnerability {}",
                        r.vuln_id, r.vuln
                    )));
                }
                if r.withdrawn != (e.flags & WITHDRAWN != 0) {
                    return Err(bad(format!(
                        "record {j} and its index disagree on withdrawal"
                    )));
                }
                if e.flags & SLOW == 0 {
                    if !view.spans_sorted(&e) {
                        return Err(bad(format!("record {j}'s spans are not sorted")));
                    }
                    for k in 0..r.fixed.len() {
                        view.fixed_rank(&e, k).map_err(bad)?;
                    }
                    // Queries read indexed heads with a hand-written decoder; code 0 keeps
                    // every fixed version, ordered by rank instead of as stored.
                    let mut fast = view.indexed_head(&e, 0, &mut Vec::new()).map_err(bad)?;
                    let mut slow = r.clone();
                    for f in [&mut fast.fixed, &mut slow.fixed] {
                        f.sort_unstable();
                        f.dedup();
                    }
                    if fast != slow {
                        return Err(bad(format!("record {j} decodes differently by hand")));
                    }
                }
            }
        }
        for i in 0..self.vuln_count() {
            self.vuln_rec(i as u32)?;
        }
        for i in 0..self.alias.1 / 16 {
            let (_, v) = self.alias_entry(i)?;
            if v as usize >= self.vuln_count() {
                return Err(corrupt(
                    &self.path,
                    format!("alias entry {i} points outside the table"),
                ));
            }
        }
        Ok(())
    }

    fn heap_slice(&self, off: u32, len: u32) -> Result<&[u8]> {
        let (ho, hl) = self.heap;
        let (off, len) = (off as usize, len as usize);
        if off.checked_add(len).is_none_or(|e| e > hl) {
            return Err(corrupt(
                &self.path,
                format!("heap reference [{off}, +{len}) out of bounds"),
            ));
        }
        Ok(&self.map[ho + off..ho + off + len])
    }

    fn package_count(&self) -> usize {
        self.pkg.1 / 16
    }

    fn vuln_count(&self) -> usize {
        self.vuln.1 / 8
    }

    fn pkg_entry(&self, i: usize) -> Result<(&[u8], &[u8])> {
        let at = self.pkg.0 + i * 16;
        let b = &self.map[..];
        let key = self.heap_slice(u32_at(b, at), u32_at(b, at + 4))?;
        let blob = self.heap_slice(u32_at(b, at + 8), u32_at(b, at + 12))?;
        Ok((key, blob))
    }

    fn alias_entry(&self, i: usize) -> Result<(&[u8], u32)> {
        let at = self.alias.0 + i * 16;
        let b = &self.map[..];
        Ok((
            self.heap_slice(u32_at(b, at), u32_at(b, at + 4))?,
            u32_at(b, at + 8),
        ))
    }

    fn find_package(&self, key: &[u8]) -> Result<Option<&[u8]>> {
        match self.package_index(key)? {
            Some(i) => Ok(Some(self.pkg_entry(i)?.1)),
            None => Ok(None),
        }
    }

    /// The index of the package with this key, from the hash table (see `format`).
    fn package_index(&self, key: &[u8]) -> Result<Option<usize>> {
        let (at, len) = self.pkg_hash;
        let slots = len / 8;
        let h = key_hash(key);
        let b = &self.map[..];
        let mut s = h as usize & (slots - 1);
        // A table without an empty slot still ends after one round.
        for _ in 0..slots {
            let i = u32_at(b, at + s * 8 + 4);
            if i == NO_PACKAGE {
                return Ok(None);
            }
            if u32_at(b, at + s * 8) == (h >> 32) as u32 {
                if i as usize >= self.package_count() {
                    return Err(corrupt(
                        &self.path,
                        format!("package hash slot {s} names package {i}"),
                    ));
                }
                if self.pkg_entry(i as usize)?.0 == key {
                    return Ok(Some(i as usize));
                }
            }
            s = (s + 1) & (slots - 1);
        }
        Ok(None)
    }

    /// Advisories affecting `version` of `package` in `eco_key` (`pypi`, `npm`, `debian:12`,
    /// `alpine:3.20`, `ubuntu:22.04`...; see [`crate::eco_key`] and [`crate::distro_key`]).
    /// Withdrawn advisories are left out.
    pub fn query(&self, eco_key: &str, package: &str, version: &str) -> Result<Vec<Match<'_>>> {
        self.lookup(eco_key, package, version, false, true)
    }

    /// Like [`Db::query`], withdrawn advisories included (marked).
    pub fn query_all(&self, eco_key: &str, package: &str, version: &str) -> Result<Vec<Match<'_>>> {
        self.lookup(eco_key, package, version, true, true)
    }

    /// [`Db::query`] without the package blobs' precomputed index: every entry's stored ranges
    /// are evaluated. The reference the index is checked against (tests, `dbbench --check`).
    #[doc(hidden)]
    pub fn query_by_ranges(
        &self,
        eco_key: &str,
        package: &str,
        version: &str,
    ) -> Result<Vec<Match<'_>>> {
        self.lookup(eco_key, package, version, false, false)
    }

    fn lookup(
        &self,
        eco_key: &str,
        package: &str,
        version: &str,
        withdrawn: bool,
        indexed: bool,
    ) -> Result<Vec<Match<'_>>> {
        let name = normalize_name(eco_key, package);
        let mut key = Vec::with_capacity(eco_key.len() + 1 + name.len());
        key.extend_from_slice(eco_key.as_bytes());
        key.push(0);
        key.extend_from_slice(name.as_bytes());
        let Some(blob) = self.find_package(&key)? else {
            return Ok(Vec::new());
        };
        let bad = |e: String| corrupt(&self.path, format!("package {eco_key}/{name}: {e}"));
        let view = PkgView::new(blob).map_err(bad)?;
        let Some(scheme) = scheme_for_key(eco_key) else {
            return Err(Error::Invalid {
                what: "ecosystem",
                value: eco_key.to_string(),
                reason: "no version ordering for it".into(),
            });
        };
        // The queried version is parsed once per query, not once per comparison.
        let q = version_cached(scheme, version);
        let code = match &q {
            Ok(v)
                if indexed
                    && v.is_ordered()
                    && self.meta.ordering_revision == ORDERING_REVISION =>
            {
                view.code(|t| compare_bound(scheme, v, t))
            }
            _ => None,
        };
        let pre = is_release_part_sensitive(&q);
        // First the entries that need a look (index hits, and entries evaluated from their
        // ranges), so the answer is allocated once at its size: growing it match by match
        // copied answers of hundreds of matches several times over.
        let mut todo: Vec<(EntryIdx, bool)> = Vec::with_capacity(view.len());
        for i in 0..view.len() {
            let e = view.entry(i).map_err(bad)?;
            if !withdrawn && e.flags & WITHDRAWN != 0 {
                continue;
            }
            match code {
                Some(c) if indexed_for(e.flags, pre) => {
                    if view.hits(&e, c) {
                        todo.push((e, true));
                    }
                }
                _ => todo.push((e, false)),
            }
        }
        let mut out = Vec::with_capacity(todo.len());
        // Reused by every match of this query, so ordering fixed versions allocates nothing.
        let mut ranked: Vec<(u32, &str)> = Vec::new();
        for (e, indexed) in todo {
            let m = match code {
                Some(c) if indexed => {
                    let r = view.indexed_head(&e, c, &mut ranked).map_err(bad)?;
                    self.make_match(r, None)?
                }
                _ => {
                    let (r, ranges) = view.record(&e).map_err(bad)?;
                    match self.evaluate(scheme, version, &q, r, &ranges)? {
                        Some(m) => m,
                        None => continue,
                    }
                }
            };
            out.push(m);
        }
        Ok(out)
    }

    fn evaluate<'a>(
        &'a self,
        scheme: Scheme,
        version: &str,
        q: &Parsed<Version>,
        mut r: EntryHead<'a>,
        ranges: &[RangeRec<'_>],
    ) -> Result<Option<Match<'a>>> {
        let mut hit = false;
        let mut problem: Option<String> = None;
        for range in ranges {
            match range_hits(scheme, version, q, range) {
                Ok(true) => {
                    hit = true;
                    problem = None;
                    break;
                }
                Ok(false) => {}
                Err(e) => problem = Some(e),
            }
        }
        if !hit && problem.is_none() {
            return Ok(None);
        }
        r.fixed.retain(
            |f| match version_cached(scheme, f).and_then(|f| compare_to(&f, q)) {
                Ok(Ordering::Greater) => true,
                Ok(_) => false,
                Err(e) => {
                    problem.get_or_insert(e);
                    true
                }
            },
        );
        r.fixed
            .sort_by(|a, b| compare_cached(scheme, a, b).unwrap_or_else(|_| a.cmp(b)));
        r.fixed.dedup();
        self.make_match(r, problem).map(Some)
    }

    /// The answer for one entry, its `fixed` list already cut to the versions above the
    /// queried one.
    fn make_match<'a>(&'a self, r: EntryHead<'a>, problem: Option<String>) -> Result<Match<'a>> {
        let stored = status_from(r.status);
        let status = if !r.fixed.is_empty() {
            FixStatus::Fixed
        } else if stored == FixStatus::Fixed {
            FixStatus::Affected
        } else {
            stored
        };
        Ok(Match {
            vuln: r.vuln,
            vuln_id: r.vuln_id,
            source: self
                .meta
                .source_table
                .get(r.source as usize)
                .map_or("", String::as_str),
            advisory_id: r.advisory,
            fixed_versions: r.fixed,
            status,
            source_severity: severity_from(r.severity),
            withdrawn: r.withdrawn,
            indeterminate: problem,
        })
    }

    fn vuln_blob(&self, idx: u32) -> Result<&[u8]> {
        if idx as usize >= self.vuln_count() {
            return Err(corrupt(
                &self.path,
                format!("vulnerability {idx} out of range"),
            ));
        }
        let at = self.vuln.0 + idx as usize * 8;
        let b = &self.map[..];
        self.heap_slice(u32_at(b, at), u32_at(b, at + 4))
    }

    fn vuln_rec(&self, idx: u32) -> Result<VulnRec> {
        postcard::from_bytes(self.vuln_blob(idx)?)
            .map_err(|e| corrupt(&self.path, format!("vulnerability {idx}: {e}")))
    }

    fn vuln_id(&self, idx: u32) -> Result<&str> {
        // The ID is the first field, so only it is decoded (`verify` checks entry heads by it).
        let blob = self.vuln_blob(idx)?;
        let (id, _): (&str, _) = postcard::take_from_bytes(blob)
            .map_err(|e| corrupt(&self.path, format!("vulnerability {idx}: {e}")))?;
        Ok(id)
    }

    /// The vulnerability at an index (from [`Match::vuln`]).
    pub fn vulnerability_at(&self, idx: u32) -> Result<VulnDetail> {
        let r = self.vuln_rec(idx)?;
        Ok(VulnDetail {
            vulnerability: Vulnerability {
                id: r.id,
                aliases: r.aliases,
                title: r.title,
                description: r.description,
                severity: severity_from(r.severity).unwrap_or_default(),
                severity_source: r.severity_source,
                cvss: r
                    .cvss
                    .into_iter()
                    .map(|(source, vector, score)| Cvss {
                        source,
                        vector,
                        score,
                    })
                    .collect(),
                references: r.references,
                cwes: r.cwes,
                kev: r.kev.is_some(),
                epss: r.epss.map(|e| f64::from(e.0)),
                published: r.published,
                sources: r.sources,
                withdrawn: r.withdrawn,
            },
            kev: r.kev.map(|(date_added, due_date, ransomware)| KevEntry {
                date_added,
                due_date,
                ransomware,
            }),
            epss_percentile: r.epss.map(|e| f64::from(e.1)),
            advisories: r.advisories,
        })
    }

    /// The vulnerability known by `id` (its primary ID or any alias).
    pub fn vulnerability(&self, id: &str) -> Result<Option<VulnDetail>> {
        let (mut lo, mut hi) = (0usize, self.alias.1 / 16);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (k, v) = self.alias_entry(mid)?;
            match k.cmp(id.as_bytes()) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return self.vulnerability_at(v).map(Some),
            }
        }
        Ok(None)
    }

    /// The raw blob of one package (see [`eval_blob`]).
    #[doc(hidden)]
    pub fn package_blob(&self, eco_key: &str, package: &str) -> Result<Option<&[u8]>> {
        let mut key = eco_key.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(package.as_bytes());
        self.find_package(&key)
    }

    /// Every stored `(ecosystem key, package)`, in order. For tools and benchmarks.
    pub fn packages(&self) -> Result<Vec<(String, String)>> {
        (0..self.package_count())
            .map(|i| {
                let (k, _) = self.pkg_entry(i)?;
                let s = String::from_utf8_lossy(k);
                let (e, p) = s.split_once('\0').ok_or_else(|| {
                    corrupt(&self.path, format!("package key {i} has no separator"))
                })?;
                Ok((e.to_string(), p.to_string()))
            })
            .collect()
    }

    /// The version strings a package's ranges mention (bounds, fixed, exact versions): realistic
    /// query inputs for benchmarks and tests.
    pub fn versions_mentioned(&self, eco_key: &str, package: &str) -> Result<Vec<String>> {
        let mut key = eco_key.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(package.as_bytes());
        let Some(blob) = self.find_package(&key)? else {
            return Ok(vec![]);
        };
        let bad = |e: String| corrupt(&self.path, format!("package {eco_key}/{package}: {e}"));
        let view = PkgView::new(blob).map_err(bad)?;
        let mut out = std::collections::BTreeSet::new();
        for i in 0..view.len() {
            let (r, ranges) = view.record(&view.entry(i).map_err(bad)?).map_err(bad)?;
            out.extend(r.fixed.iter().map(|s| s.to_string()));
            for rg in ranges {
                match rg {
                    RangeRec::Interval {
                        introduced,
                        fixed,
                        last_affected,
                    } => out.extend(
                        [introduced, fixed, last_affected]
                            .into_iter()
                            .flatten()
                            .map(str::to_string),
                    ),
                    RangeRec::Exact(v) => out.extend(v.into_iter().map(str::to_string)),
                    _ => {}
                }
            }
        }
        Ok(out.into_iter().collect())
    }
}

/// Evaluates one package blob against `version` as [`Db::query_all`] does, returning how many
/// entries match (indeterminate ones included). The storage-independent half of a query, so a
/// benchmark can time the same work over another container (SQLite).
#[doc(hidden)]
pub fn eval_blob(eco_key: &str, blob: &[u8], version: &str) -> std::result::Result<usize, String> {
    let view = PkgView::new(blob)?;
    let scheme = scheme_for_key(eco_key).ok_or_else(|| format!("no ordering for {eco_key}"))?;
    let q = version_cached(scheme, version);
    let code = match &q {
        Ok(v) if v.is_ordered() => view.code(|t| compare_bound(scheme, v, t)),
        _ => None,
    };
    let pre = is_release_part_sensitive(&q);
    let mut n = 0;
    for i in 0..view.len() {
        let e = view.entry(i)?;
        let hit = match code {
            Some(c) if indexed_for(e.flags, pre) => view.hits(&e, c),
            _ => view
                .record(&e)?
                .1
                .iter()
                .any(|rg| range_hits(scheme, version, &q, rg).unwrap_or(true)),
        };
        n += usize::from(hit);
    }
    Ok(n)
}

/// Whether an entry's precomputed spans answer for the queried version: not when the entry
/// is evaluated from its ranges, nor for a pre-release when its spans assume a release.
fn indexed_for(flags: u32, pre: bool) -> bool {
    flags & SLOW == 0 && !(pre && flags & RELEASE_ONLY != 0)
}

/// A RubyGems or npm pre-release: `~>` compares its release part, and npm admits it only to
/// comparator sets naming a pre-release of its release, neither of which the spans model.
fn is_release_part_sensitive(q: &Parsed<Version>) -> bool {
    match q.as_deref() {
        Ok(Version::Gem(g)) => g.is_prerelease(),
        Ok(Version::Npm(n)) => !n.pre.is_empty(),
        _ => false,
    }
}

/// Orders the parsed query `v` against a bound text. dpkg and apk read the bound in place
/// (`Version::compare_text`), so a process's first ask of a Debian, Ubuntu or Alpine package
/// parses no bound; the other schemes parse each bound once per thread.
fn compare_bound(scheme: Scheme, v: &Version, bound: &str) -> Option<Ordering> {
    match v {
        Version::Dpkg(_) | Version::Apk(_) => v.compare_text(bound).ok(),
        _ => v.compare(&*version_cached(scheme, bound).ok()?).ok(),
    }
}

/// Whether `version` (`q`, parsed once) falls in one stored range.
pub(crate) fn range_hits(
    scheme: Scheme,
    version: &str,
    q: &Parsed<Version>,
    range: &RangeRec<'_>,
) -> std::result::Result<bool, String> {
    let cmp = |b: &str| compare_to_text(scheme, q, b);
    Ok(match range {
        RangeRec::Any => true,
        RangeRec::Interval {
            introduced,
            fixed,
            last_affected,
        } => {
            if let Some(i) = introduced {
                if cmp(i)? == Ordering::Less {
                    return Ok(false);
                }
            }
            if let Some(f) = fixed {
                if cmp(f)? != Ordering::Less {
                    return Ok(false);
                }
            }
            if let Some(l) = last_affected {
                if cmp(l)? == Ordering::Greater {
                    return Ok(false);
                }
            }
            true
        }
        RangeRec::Constraint(c) => satisfies_cached(scheme, q, c)?,
        RangeRec::Unless(list) => {
            for c in list {
                if satisfies_cached(scheme, q, c)? {
                    return Ok(false);
                }
            }
            true
        }
        RangeRec::Exact(list) => {
            // A listed version that does not parse cannot equal a parsed one, so it only
            // matches by text; it must not turn every verdict on the list indeterminate.
            list.iter()
                .any(|v| *v == version || cmp(v) == Ok(Ordering::Equal))
        }
    })
}

/// Texts parsed once per thread and scheme, kept with their parse error so a bad bound is not
/// re-parsed either. Thread-local, because `Db` is shared between threads and a lock on every
/// range would cost more than it saves.
struct ParseCache<T>(
    std::collections::HashMap<Scheme, std::collections::HashMap<Box<str>, Parsed<T>>>,
);

/// One cached parse: the value, or why the text did not parse.
type Parsed<T> = std::result::Result<std::rc::Rc<T>, String>;

impl<T> ParseCache<T> {
    /// Entries kept per scheme; past this the cache starts over, so a long-running scanner's
    /// memory stays flat.
    const MAX: usize = 65_536;

    fn new() -> Self {
        ParseCache(std::collections::HashMap::new())
    }

    fn get<E: std::fmt::Display>(
        &mut self,
        scheme: Scheme,
        text: &str,
        parse: impl FnOnce(Scheme, &str) -> std::result::Result<T, E>,
    ) -> Parsed<T> {
        let per_scheme = self.0.entry(scheme).or_default();
        if let Some(v) = per_scheme.get(text) {
            return v.clone();
        }
        if per_scheme.len() >= Self::MAX {
            per_scheme.clear();
        }
        let v = parse(scheme, text)
            .map(std::rc::Rc::new)
            .map_err(|e| e.to_string());
        per_scheme.insert(Box::from(text), v.clone());
        v
    }
}

thread_local! {
    /// npm and Composer ranges are parsed with the tools' own regex grammar, which costs
    /// microseconds each; `nodejs/node` carries hundreds of them, so re-parsing per query made
    /// its lookups take milliseconds (bench/db.sh).
    static CONSTRAINTS: std::cell::RefCell<ParseCache<Constraint>> =
        std::cell::RefCell::new(ParseCache::new());
    /// The queried version and every range bound: `pypi/tensorflow` has hundreds of advisories
    /// with several bounds each, and parsing both sides of every comparison again made its
    /// lookups take milliseconds (bench/db.sh).
    static VERSIONS: std::cell::RefCell<ParseCache<Version>> =
        std::cell::RefCell::new(ParseCache::new());
}

/// A version parsed once per thread.
fn version_cached(scheme: Scheme, text: &str) -> Parsed<Version> {
    VERSIONS.with(|c| c.borrow_mut().get(scheme, text, Version::parse))
}

/// Forgets every version and constraint this thread has parsed, so a benchmark can time
/// queries as a process's first lookups of their packages.
#[doc(hidden)]
pub fn clear_parse_caches() {
    VERSIONS.with(|c| c.borrow_mut().0.clear());
    CONSTRAINTS.with(|c| c.borrow_mut().0.clear());
}

/// `warden_version::compare`, with both sides parsed once per thread.
fn compare_cached(scheme: Scheme, a: &str, b: &str) -> std::result::Result<Ordering, String> {
    let a = version_cached(scheme, a)?;
    compare_to_text(scheme, &Ok(a), b)
}

/// Orders the parsed `a` (or its parse error) against the text `b`; `a`'s error comes first,
/// as with `warden_version::compare`.
fn compare_to_text(
    scheme: Scheme,
    a: &Parsed<Version>,
    b: &str,
) -> std::result::Result<Ordering, String> {
    let a = a.clone()?;
    let b = version_cached(scheme, b)?;
    a.compare(&b).map_err(|e| e.to_string())
}

/// Orders a parsed `a` against the parsed `b` (or `b`'s parse error).
fn compare_to(a: &Version, b: &Parsed<Version>) -> std::result::Result<Ordering, String> {
    a.compare(b.as_ref().map_err(Clone::clone)?)
        .map_err(|e| e.to_string())
}

/// `warden_version::satisfies` with the constraint parsed once per thread and the version
/// once per query.
fn satisfies_cached(
    scheme: Scheme,
    q: &Parsed<Version>,
    text: &str,
) -> std::result::Result<bool, String> {
    let parsed = CONSTRAINTS.with(|c| c.borrow_mut().get(scheme, text, Constraint::parse))?;
    parsed
        .matches_parsed(q.as_ref().map_err(Clone::clone)?)
        .map_err(|e| e.to_string())
}

pub(crate) fn status_code(s: FixStatus) -> u8 {
    match s {
        FixStatus::Fixed => 0,
        FixStatus::Affected => 1,
        FixStatus::WillNotFix => 2,
        FixStatus::FixDeferred => 3,
        FixStatus::Unknown => 4,
    }
}

fn status_from(c: u8) -> FixStatus {
    match c {
        0 => FixStatus::Fixed,
        1 => FixStatus::Affected,
        2 => FixStatus::WillNotFix,
        3 => FixStatus::FixDeferred,
        _ => FixStatus::Unknown,
    }
}

pub(crate) fn severity_code(s: Option<Severity>) -> u8 {
    match s {
        None => 0,
        Some(s) => Severity::ALL
            .iter()
            .position(|x| *x == s)
            .map(|p| p as u8 + 1)
            .unwrap_or(0),
    }
}

fn severity_from(c: u8) -> Option<Severity> {
    if c == 0 {
        return None;
    }
    Severity::ALL.get(c as usize - 1).copied()
}
