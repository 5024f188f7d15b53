//! A package's blob: its affected entries plus a precomputed index, so a query compares the
//! queried version with O(log n) range bounds and checks integers per entry instead of
//! evaluating every advisory's ranges, and decodes only the entries that match.
//!
//! ```text
//! header    n_entries, n_bounds, n_spans, n_fixed                     (u32 LE each)
//! bounds    (n_bounds + 1) offsets into the text area: every range bound, exact and fixed
//!           version of the package that parses and is ordered, sorted ascending in the
//!           package's scheme, compare-equal texts kept once
//! entries   n_entries × (record offset, record length, first span, span count,
//!                        first fixed, fixed count, flags)
//! spans     n_spans × (lo, hi): inclusive ranges of version codes the entry affects
//! fixed     n_fixed bound indices, parallel to each record's `fixed` list
//! text      the bound texts
//! records   per entry, a postcard-encoded `EntryHead` followed by its postcard-encoded ranges
//! ```
//!
//! A version's code places it among the sorted bounds `b`: `2i + 1` when it equals `b[i]`,
//! `2i` when it lies between `b[i-1]` and `b[i]`. Each interval of an entry is then one span
//! of codes. RubyGems requirement lists (rubysec's `Constraint` and `Unless` ranges) and npm
//! ranges (nodejs-wg's `Constraint`s) are comparator lists, so they become spans too: each
//! comparator is an interval of codes, a list their intersection, a range the union of its
//! lists, `Unless` the complement of the union; `~> r` is `[r, r.bump())` with the bump added
//! to the bounds. `~>` compares only the release part of the queried version, and npm leaves a
//! pre-release out of a comparator set that names no pre-release of its release, so such
//! entries are also flagged `RELEASE_ONLY`: a pre-release query evaluates them from their
//! stored ranges. Entries whose ranges cannot be precomputed (Composer and Cargo constraints,
//! `Unless` lists of other schemes, a bound that does not parse) are flagged `SLOW` and
//! evaluated from their stored ranges at query time, as are all entries when the reader's
//! [`warden_version::ORDERING_REVISION`] differs from the builder's.

use std::cmp::Ordering;
use std::collections::HashMap;

use warden_version::gem::{GemOp, GemRequirement};
use warden_version::npm::{CmpOp, NpmRange};
use warden_version::{Scheme, Version};

use crate::format::{u32_at, EntryHead, EntryRec, RangeRec};

/// The entry was withdrawn by its publisher.
pub(crate) const WITHDRAWN: u32 = 1;
/// The entry's ranges are evaluated at query time; its spans and fixed indices are unused.
pub(crate) const SLOW: u32 = 2;
/// The entry's spans hold for queried versions that are not pre-releases; a pre-release is
/// evaluated from the stored ranges (RubyGems `~>` compares the release part only, npm's
/// pre-release rule depends on the comparator set).
pub(crate) const RELEASE_ONLY: u32 = 4;

const HEADER: usize = 16;
const ENTRY: usize = 28;

/// Encodes one package's entries with their index. `scheme` is `None` for a key without a
/// version ordering: every entry is then `SLOW`.
pub(crate) fn encode(scheme: Option<Scheme>, entries: &[EntryRec<'_>]) -> Result<Vec<u8>, String> {
    // RubyGems requirement lists, parsed once, per entry and range; `None` where a range is
    // not one or does not parse (the entry is then evaluated at query time).
    let reqs: Vec<Vec<Option<Vec<Req>>>> = entries
        .iter()
        .map(|e| {
            e.ranges
                .iter()
                .map(|r| requirement_sets(scheme, r))
                .collect::<Vec<_>>()
        })
        .collect();
    // Every text an entry compares the queried version with, parsed once.
    let mut parsed: HashMap<&str, Option<Version>> = HashMap::new();
    let req_texts = reqs
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .flatten()
        .flat_map(|(_, v, bump)| std::iter::once(v.as_str()).chain(bump.as_deref()));
    for t in entries.iter().flat_map(texts).chain(req_texts) {
        parsed.entry(t).or_insert_with(|| {
            scheme
                .and_then(|s| Version::parse(s, t).ok())
                .filter(Version::is_ordered)
        });
    }
    let mut ordered: Vec<(&str, &Version)> = parsed
        .iter()
        .filter_map(|(t, v)| v.as_ref().map(|v| (*t, v)))
        .collect();
    // Ordered versions of one scheme compare without error (`Version::is_ordered`); the text
    // breaks ties so the file is the same on every build.
    ordered.sort_by(|a, b| {
        a.1.compare(b.1)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.0.cmp(b.0))
    });
    let mut bounds: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut last: Option<&Version> = None;
    for (t, v) in ordered {
        if last.is_none_or(|l| l.compare(v) != Ok(Ordering::Equal)) {
            bounds.push(t);
            last = Some(v);
        }
        index.insert(t, (bounds.len() - 1) as u32);
    }
    let top = 2 * bounds.len() as u32;
    let rank = |t: &str| index.get(t).copied();

    let mut table = Vec::with_capacity(entries.len() * ENTRY);
    let (mut spans, mut fixed, mut records) = (Vec::new(), Vec::new(), Vec::new());
    let (mut n_spans, mut n_fixed) = (0u32, 0u32);
    for (e, reqs) in entries.iter().zip(&reqs) {
        let mut rec = postcard::to_allocvec(&e.head).map_err(|err| err.to_string())?;
        rec.extend(postcard::to_allocvec(&e.ranges).map_err(|err| err.to_string())?);
        let mut own_spans: Vec<(u32, u32)> = Vec::new();
        let mut fast = scheme.is_some();
        let mut release_only = false;
        for (r, req) in e.ranges.iter().zip(reqs) {
            match r {
                RangeRec::Any => own_spans.push((0, top)),
                RangeRec::Interval {
                    introduced,
                    fixed,
                    last_affected,
                } => {
                    let (i, f, l) = (
                        introduced.map(rank),
                        fixed.map(rank),
                        last_affected.map(rank),
                    );
                    if [i, f, l].iter().any(|x| matches!(x, Some(None))) {
                        fast = false;
                        break;
                    }
                    let lo = i.flatten().map_or(0, |i| 2 * i + 1);
                    let mut hi = top;
                    if let Some(f) = f.flatten() {
                        hi = hi.min(2 * f);
                    }
                    if let Some(l) = l.flatten() {
                        hi = hi.min(2 * l + 1);
                    }
                    if lo <= hi {
                        own_spans.push((lo, hi));
                    }
                }
                RangeRec::Exact(list) => {
                    for v in list {
                        match rank(v) {
                            Some(i) => own_spans.push((2 * i + 1, 2 * i + 1)),
                            None => fast = false,
                        }
                    }
                }
                RangeRec::Constraint(_) | RangeRec::Unless(_) => {
                    let sets: Option<Vec<Vec<(u32, u32)>>> = req
                        .as_ref()
                        .and_then(|req| req.iter().map(|one| req_spans(one, &rank, top)).collect());
                    let Some(sets) = sets else {
                        fast = false;
                        break;
                    };
                    // npm leaves a pre-release out of a set that names no pre-release of
                    // its release, which the spans do not model either.
                    release_only |= scheme == Some(Scheme::Npm)
                        || req
                            .iter()
                            .flatten()
                            .flatten()
                            .any(|(op, _, _)| *op == GemOp::Pessimistic);
                    let any = union(sets.into_iter().flatten().collect());
                    own_spans.extend(match r {
                        RangeRec::Unless(_) => complement(&any, top),
                        _ => any,
                    });
                }
            }
        }
        let own_fixed: Option<Vec<u32>> = e.head.fixed.iter().map(|f| rank(f)).collect();
        let mut flags = if e.head.withdrawn { WITHDRAWN } else { 0 };
        let (span_start, fixed_start) = (n_spans, n_fixed);
        let (mut span_count, mut fixed_count) = (0u32, 0u32);
        match own_fixed {
            Some(own_fixed) if fast => {
                if release_only {
                    flags |= RELEASE_ONLY;
                }
                // Sorted and disjoint, so a query finds its span by binary search: OSV
                // entries list every affected version beside their intervals, up to hundreds
                // of point spans (pypi tensorflow: 70 per entry before merging).
                for (lo, hi) in union(own_spans) {
                    spans.extend_from_slice(&lo.to_le_bytes());
                    spans.extend_from_slice(&hi.to_le_bytes());
                    span_count += 1;
                }
                for f in own_fixed {
                    fixed.extend_from_slice(&f.to_le_bytes());
                    fixed_count += 1;
                }
            }
            _ => flags |= SLOW,
        }
        n_spans += span_count;
        n_fixed += fixed_count;
        for v in [
            records.len(),
            rec.len(),
            span_start as usize,
            span_count as usize,
            fixed_start as usize,
            fixed_count as usize,
            flags as usize,
        ] {
            table.extend_from_slice(&u32_of(v)?.to_le_bytes());
        }
        records.extend_from_slice(&rec);
    }
    let mut text = Vec::new();
    let mut offsets = Vec::with_capacity((bounds.len() + 1) * 4);
    for b in &bounds {
        offsets.extend_from_slice(&u32_of(text.len())?.to_le_bytes());
        text.extend_from_slice(b.as_bytes());
    }
    offsets.extend_from_slice(&u32_of(text.len())?.to_le_bytes());
    let mut out = Vec::with_capacity(
        HEADER
            + offsets.len()
            + table.len()
            + spans.len()
            + fixed.len()
            + text.len()
            + records.len(),
    );
    for n in [
        entries.len(),
        bounds.len(),
        n_spans as usize,
        n_fixed as usize,
    ] {
        out.extend_from_slice(&u32_of(n)?.to_le_bytes());
    }
    for part in [&offsets, &table, &spans, &fixed, &text, &records] {
        out.extend_from_slice(part);
    }
    Ok(out)
}

/// One comparator list: every `(op, version text, bump text for ~>)` must hold. npm's
/// operators are RubyGems' without `!=` and `~>`.
type Req = Vec<(GemOp, String, Option<String>)>;

/// A `Constraint` or `Unless` range as comparator lists whose union is what its texts accept
/// (for versions that are not pre-releases), or `None` when the scheme has no such reading
/// here or a text does not parse. RubyGems requirements are one list each; an npm range is a
/// union of comparator sets, parsed as the query does (`Constraint::parse`).
fn requirement_sets(scheme: Option<Scheme>, r: &RangeRec<'_>) -> Option<Vec<Req>> {
    let texts: &[&str] = match r {
        RangeRec::Constraint(c) => std::slice::from_ref(c),
        RangeRec::Unless(l) => l,
        _ => return None,
    };
    match scheme? {
        Scheme::Gem => texts
            .iter()
            .map(|t| {
                let req = GemRequirement::parse(t).ok()?;
                Some(
                    req.parts
                        .iter()
                        .map(|(op, v)| {
                            let bump = (*op == GemOp::Pessimistic).then(|| v.bump().text);
                            (*op, v.text.clone(), bump)
                        })
                        .collect(),
                )
            })
            .collect(),
        Scheme::Npm => {
            let mut sets = Vec::new();
            for t in texts {
                let range = NpmRange::parse(t).ok()?;
                for set in range.comparator_sets() {
                    sets.push(
                        set.into_iter()
                            // A comparator without a version holds for every version.
                            .filter_map(|(op, v)| {
                                let op = match op {
                                    CmpOp::Lt => GemOp::Lt,
                                    CmpOp::Le => GemOp::Le,
                                    CmpOp::Eq => GemOp::Eq,
                                    CmpOp::Ge => GemOp::Ge,
                                    CmpOp::Gt => GemOp::Gt,
                                };
                                Some((op, v?.text(), None))
                            })
                            .collect(),
                    );
                }
            }
            Some(sets)
        }
        _ => None,
    }
}

/// The codes one requirement accepts (for versions that are not pre-releases), as sorted
/// disjoint inclusive spans; `None` when a version of it is not among the bounds.
fn req_spans(req: &Req, rank: &impl Fn(&str) -> Option<u32>, top: u32) -> Option<Vec<(u32, u32)>> {
    let mut set = vec![(0, top)];
    for (op, v, bump) in req {
        let i = rank(v)?;
        let (at, above) = (2 * i + 1, 2 * i + 2);
        let part: Vec<(u32, u32)> = match op {
            GemOp::Eq => vec![(at, at)],
            GemOp::Ne => vec![(0, 2 * i), (above, top)],
            GemOp::Gt => vec![(above, top)],
            GemOp::Ge => vec![(at, top)],
            GemOp::Lt => vec![(0, 2 * i)],
            GemOp::Le => vec![(0, at)],
            // `>= r` and, for a release, `< r.bump()`.
            GemOp::Pessimistic => vec![(at, 2 * rank(bump.as_deref()?)?)],
        };
        set = intersect(&set, &part);
    }
    Some(set)
}

/// The intersection of two sorted lists of disjoint inclusive spans.
fn intersect(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (lo, hi) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if lo <= hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Spans merged into a sorted list of disjoint ones.
fn union(mut spans: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    spans.retain(|s| s.0 <= s.1);
    spans.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The codes in `[0, top]` outside sorted disjoint `spans`.
fn complement(spans: &[(u32, u32)], top: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in spans {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi.saturating_add(1);
    }
    if next <= top {
        out.push((next, top));
    }
    out
}

fn u32_of(v: usize) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| "package blob exceeds 4 GiB, the format's limit".to_string())
}

/// Every version text an entry compares the queried version with.
fn texts<'a, 'b>(e: &'b EntryRec<'a>) -> impl Iterator<Item = &'a str> + 'b {
    e.ranges
        .iter()
        .flat_map(|r| -> Vec<&'a str> {
            match r {
                RangeRec::Interval {
                    introduced,
                    fixed,
                    last_affected,
                } => [*introduced, *fixed, *last_affected]
                    .into_iter()
                    .flatten()
                    .collect(),
                RangeRec::Exact(l) => l.clone(),
                _ => Vec::new(),
            }
        })
        .chain(e.head.fixed.iter().copied())
}

/// One entry's place in the blob.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryIdx {
    rec: (usize, usize),
    spans: (usize, usize),
    fixed: (usize, usize),
    pub flags: u32,
}

/// A package blob read in place. Construction checks that the tables fit; each reference into
/// them is checked when followed, so a damaged blob is an error, never a panic.
pub(crate) struct PkgView<'a> {
    b: &'a [u8],
    n_entries: usize,
    n_bounds: usize,
    n_spans: usize,
    n_fixed: usize,
    entries_at: usize,
    spans_at: usize,
    fixed_at: usize,
    text: &'a [u8],
    records: &'a [u8],
}

impl<'a> PkgView<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Result<PkgView<'a>, String> {
        if b.len() < HEADER {
            return Err(format!("{} bytes is shorter than the blob header", b.len()));
        }
        let n = |i: usize| u32_at(b, i * 4) as usize;
        let (n_entries, n_bounds, n_spans, n_fixed) = (n(0), n(1), n(2), n(3));
        let tables = (n_bounds + 1)
            .checked_mul(4)
            .and_then(|x| x.checked_add(n_entries.checked_mul(ENTRY)?))
            .and_then(|x| x.checked_add(n_spans.checked_mul(8)?))
            .and_then(|x| x.checked_add(n_fixed.checked_mul(4)?))
            .and_then(|x| x.checked_add(HEADER))
            .filter(|&end| end <= b.len())
            .ok_or("the blob's tables do not fit in it")?;
        let text_len = u32_at(b, HEADER + n_bounds * 4) as usize;
        if text_len > b.len() - tables {
            return Err("the blob's bound texts do not fit in it".into());
        }
        let entries_at = HEADER + (n_bounds + 1) * 4;
        let spans_at = entries_at + n_entries * ENTRY;
        let fixed_at = spans_at + n_spans * 8;
        Ok(PkgView {
            b,
            n_entries,
            n_bounds,
            n_spans,
            n_fixed,
            entries_at,
            spans_at,
            fixed_at,
            text: &b[tables..tables + text_len],
            records: &b[tables + text_len..],
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.n_entries
    }

    pub(crate) fn bound_count(&self) -> usize {
        self.n_bounds
    }

    /// The text of bound `i`.
    pub(crate) fn bound(&self, i: usize) -> Result<&'a str, String> {
        if i >= self.n_bounds {
            return Err(format!("bound {i} of {}", self.n_bounds));
        }
        let at = HEADER + i * 4;
        let (s, e) = (u32_at(self.b, at) as usize, u32_at(self.b, at + 4) as usize);
        let t = self
            .text
            .get(s..e)
            .ok_or_else(|| format!("bound {i} [{s}, {e}) outside the texts"))?;
        std::str::from_utf8(t).map_err(|_| format!("bound {i} is not UTF-8"))
    }

    pub(crate) fn entry(&self, i: usize) -> Result<EntryIdx, String> {
        if i >= self.n_entries {
            return Err(format!("entry {i} of {}", self.n_entries));
        }
        let at = self.entries_at + i * ENTRY;
        let f = |k: usize| u32_at(self.b, at + k * 4) as usize;
        let e = EntryIdx {
            rec: (f(0), f(1)),
            spans: (f(2), f(3)),
            fixed: (f(4), f(5)),
            flags: f(6) as u32,
        };
        let fits =
            |(s, n): (usize, usize), total: usize| s.checked_add(n).is_some_and(|x| x <= total);
        if !fits(e.rec, self.records.len())
            || !fits(e.spans, self.n_spans)
            || !fits(e.fixed, self.n_fixed)
        {
            return Err(format!("entry {i} points outside the blob"));
        }
        Ok(e)
    }

    /// The stored entry and its ranges.
    pub(crate) fn record(
        &self,
        e: &EntryIdx,
    ) -> Result<(EntryHead<'a>, Vec<RangeRec<'a>>), String> {
        let b = &self.records[e.rec.0..e.rec.0 + e.rec.1];
        let (head, rest) = postcard::take_from_bytes(b).map_err(|x| x.to_string())?;
        let ranges = postcard::from_bytes(rest).map_err(|x| x.to_string())?;
        Ok((head, ranges))
    }

    /// Whether a version with this code lies in one of the entry's spans.
    /// The entry's spans are sorted and disjoint (`verify` checks it with
    /// [`PkgView::spans_sorted`]), so this is a binary search.
    pub(crate) fn hits(&self, e: &EntryIdx, code: u32) -> bool {
        let span = |s: usize| {
            let at = self.spans_at + (e.spans.0 + s) * 8;
            (u32_at(self.b, at), u32_at(self.b, at + 4))
        };
        // The first span that starts above `code`; the one before it is the only candidate.
        let (mut lo, mut hi) = (0, e.spans.1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if span(mid).0 <= code {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo > 0 && code <= span(lo - 1).1
    }

    /// Whether the entry's spans are sorted, disjoint and each non-empty, as `hits` needs.
    pub(crate) fn spans_sorted(&self, e: &EntryIdx) -> bool {
        let mut next = 0u64;
        for s in e.spans.0..e.spans.0 + e.spans.1 {
            let at = self.spans_at + s * 8;
            let (lo, hi) = (u32_at(self.b, at), u32_at(self.b, at + 4));
            if u64::from(lo) < next || lo > hi {
                return false;
            }
            next = u64::from(hi) + 1;
        }
        true
    }

    /// The bound index of the entry's `k`-th fixed version.
    pub(crate) fn fixed_rank(&self, e: &EntryIdx, k: usize) -> Result<u32, String> {
        if k >= e.fixed.1 {
            return Err(format!("fixed version {k} of {}", e.fixed.1));
        }
        let r = u32_at(self.b, self.fixed_at + (e.fixed.0 + k) * 4);
        if r as usize >= self.n_bounds {
            return Err(format!(
                "fixed version {k} names bound {r} of {}",
                self.n_bounds
            ));
        }
        Ok(r)
    }

    /// The code of a version among the bounds, ordering it against bound texts with `cmp`
    /// (O(log n) of them). `None` when a bound does not compare, so the caller evaluates the
    /// stored ranges.
    pub(crate) fn code(&self, mut cmp: impl FnMut(&str) -> Option<Ordering>) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.n_bounds);
        let mut equal = false;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match cmp(self.bound(mid).ok()?)? {
                Ordering::Greater => lo = mid + 1,
                Ordering::Equal => {
                    equal = true;
                    hi = mid;
                }
                Ordering::Less => hi = mid,
            }
        }
        Some(2 * lo as u32 + u32::from(equal))
    }

    /// The head of an entry the index says matches the version with `code`, its fixed
    /// versions already cut to those above that version, ascending (the bound indices order
    /// them, so nothing is compared). Decodes the postcard head by hand: the serde path
    /// allocated every fixed list before cutting it, and for answers of a hundred matches
    /// or more (Ubuntu kernels, webkitgtk) building the matches was most of the query.
    /// `ranked` is scratch space reused across one query's entries. `verify` checks that this
    /// agrees with the serde decoding of every stored head.
    pub(crate) fn indexed_head(
        &self,
        e: &EntryIdx,
        code: u32,
        ranked: &mut Vec<(u32, &'a str)>,
    ) -> Result<EntryHead<'a>, String> {
        let mut r = Reader(&self.records[e.rec.0..e.rec.0 + e.rec.1]);
        let vuln = u32::try_from(r.varint()?).map_err(|_| "vulnerability index overflows")?;
        let vuln_id = r.str()?;
        let source = u16::try_from(r.varint()?).map_err(|_| "source index overflows")?;
        let advisory = r.str()?;
        let status = r.byte()?;
        let severity = r.byte()?;
        let withdrawn = match r.byte()? {
            0 => false,
            1 => true,
            b => return Err(format!("withdrawn flag {b} is not a bool")),
        };
        let n = r.varint()?;
        ranked.clear();
        for k in 0..n {
            let text = r.str()?;
            let rank = self.fixed_rank(e, k as usize)?;
            if 2 * rank + 1 > code {
                ranked.push((rank, text));
            }
        }
        // Stable, like the evaluated path's sort, so compare-equal spellings keep their order.
        ranked.sort_by_key(|x| x.0);
        let mut fixed = Vec::with_capacity(ranked.len());
        fixed.extend(ranked.iter().map(|x| x.1));
        fixed.dedup();
        Ok(EntryHead {
            vuln,
            vuln_id,
            source,
            advisory,
            status,
            severity,
            withdrawn,
            fixed,
        })
    }
}

/// Reads postcard's encoding of the types an entry head is made of: LEB128 varints for
/// integers wider than a byte and for lengths, raw bytes for `u8` and `bool`.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.0.split_first().ok_or("entry head ends early")?;
        self.0 = rest;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint longer than 64 bits in an entry head".into())
    }

    fn str(&mut self) -> Result<&'a str, String> {
        let n = usize::try_from(self.varint()?).map_err(|_| "string length overflows")?;
        if n > self.0.len() {
            return Err("string runs past the entry head".into());
        }
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        std::str::from_utf8(s).map_err(|_| "string in an entry head is not UTF-8".into())
    }
}
