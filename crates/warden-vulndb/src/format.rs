//! The database file: a small header, a section table, and sections that are read in place from
//! a read-only memory map.
//!
//! ```text
//! 0   magic "WARDENDB"
//! 8   schema version (u32 LE)
//! 12  section count (u32 LE)
//! 16  file length (u64 LE): a truncated file is detected before anything else is read
//! 24  sha256 of bytes [64, len): checked by `verify`, `pull` and `update`
//! 56  reserved (zero)
//! 64  section table: count × (kind u32, reserved u32, offset u64, length u64)
//! ..  sections
//! ```
//!
//! Sections: `META` (JSON metadata), `PKG` (sorted 16-byte entries: key offset, key length, blob
//! offset, blob length into `HEAP`; keys are `ecosystem NUL package`), `VULN` (8-byte entries:
//! blob offset and length), `ALIAS` (sorted 16-byte entries: key offset, key length, vulnerability
//! index, 0), `PKG_HASH` (a power of two of 8-byte slots: the high half of the key's FNV-1a
//! hash and the package's index in `PKG`, `u32::MAX` when empty; linear probing), and `HEAP`.
//! A package blob is its entries plus a precomputed index of their ranges (see `pkgblob`),
//! read in place; entries and vulnerability blobs are postcard-encoded, so a
//! query decodes only the entries that match, borrowing strings straight from the map.
//!
//! Schema 2 (from 1): package blobs carry the range index. Schema 3: RubyGems requirement
//! lists are indexed too, with the `RELEASE_ONLY` entry flag a schema-2 reader would ignore,
//! and each entry head carries its vulnerability's ID. Schema 4: npm ranges are indexed (their
//! entries flagged `RELEASE_ONLY`, which a schema-3 reader would apply to RubyGems
//! pre-releases only), and the package hash table.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The schema this build writes and reads. Bump it on any layout or blob change.
pub const SCHEMA_VERSION: u32 = 4;
/// The first eight bytes of every database file.
pub const MAGIC: &[u8; 8] = b"WARDENDB";

pub(crate) const HEADER_LEN: usize = 64;
pub(crate) const SEC_META: u32 = 1;
pub(crate) const SEC_PKG: u32 = 2;
pub(crate) const SEC_VULN: u32 = 3;
pub(crate) const SEC_ALIAS: u32 = 4;
pub(crate) const SEC_HEAP: u32 = 5;
pub(crate) const SEC_PKG_HASH: u32 = 6;

/// FNV-1a, 64 bits: the package hash table's hash. Fixed by the format (a reader must hash as
/// the builder did), and cheap for the short keys it sees.
pub(crate) fn key_hash(key: &[u8]) -> u64 {
    key.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The empty slot of the package hash table.
pub(crate) const NO_PACKAGE: u32 = u32::MAX;

/// One affected entry as the build assembles it: the stored head, then its ranges (stored after
/// the head, see [`EntryHead`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EntryRec<'a> {
    pub head: EntryHead<'a>,
    pub ranges: Vec<RangeRec<'a>>,
}

/// An entry's stored head: everything but its ranges, which a stored record keeps after this
/// part, so a query that already knows the entry matches (from the package index) decodes
/// only what the answer needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct EntryHead<'a> {
    pub vuln: u32,
    /// The vulnerability's primary ID, repeated beside the entry: a query returning many
    /// matches then reads only its package's blob, not one vulnerability record per match
    /// scattered over the file (each a cache miss on a process's first ask).
    #[serde(borrow)]
    pub vuln_id: &'a str,
    pub source: u16,
    #[serde(borrow)]
    pub advisory: &'a str,
    pub status: u8,
    pub severity: u8,
    pub withdrawn: bool,
    #[serde(borrow)]
    pub fixed: Vec<&'a str>,
}

/// A stored range (see [`crate::Range`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) enum RangeRec<'a> {
    Any,
    Interval {
        #[serde(borrow)]
        introduced: Option<&'a str>,
        #[serde(borrow)]
        fixed: Option<&'a str>,
        #[serde(borrow)]
        last_affected: Option<&'a str>,
    },
    Constraint(&'a str),
    Unless(#[serde(borrow)] Vec<&'a str>),
    Exact(#[serde(borrow)] Vec<&'a str>),
}

/// A stored vulnerability. Postcard has no field names, so this mirrors
/// `warden_core::Vulnerability` without its `skip_serializing_if` attributes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct VulnRec {
    pub id: String,
    pub aliases: Vec<String>,
    pub title: String,
    pub description: String,
    pub severity: u8,
    pub severity_source: String,
    pub cvss: Vec<(String, String, f64)>,
    pub references: Vec<String>,
    pub cwes: Vec<String>,
    pub kev: Option<(String, String, String)>,
    pub epss: Option<(f32, f32)>,
    pub published: Option<String>,
    pub sources: Vec<String>,
    pub withdrawn: bool,
    pub advisories: Vec<(String, String)>,
}

/// The tables a database is made of, before they are laid out in a file. Kept separate from the
/// layout so a benchmark can store the very same blobs in SQLite and compare.
#[doc(hidden)]
pub struct Tables {
    /// `ecosystem NUL package` → package blob, sorted by key.
    pub packages: Vec<(Vec<u8>, Vec<u8>)>,
    /// Vulnerability blobs, by index.
    pub vulns: Vec<Vec<u8>>,
    /// Every ID and alias → vulnerability index, sorted by ID.
    pub aliases: Vec<(Vec<u8>, u32)>,
    /// The metadata JSON.
    pub meta: Vec<u8>,
}

fn push_u32(out: &mut Vec<u8>, v: usize, what: &str) -> Result<(), String> {
    let v = u32::try_from(v).map_err(|_| format!("{what} exceeds 4 GiB, the format's limit"))?;
    out.extend_from_slice(&v.to_le_bytes());
    Ok(())
}

/// Lays the tables out as one file image.
pub(crate) fn layout(t: &Tables) -> Result<Vec<u8>, String> {
    let mut heap = Vec::new();
    // Every package key first, then the blobs: a binary search over the keys (a file without
    // the hash table, `verify`) then reads ~0.5 MB that stays cached instead of one page per
    // key spread over the whole file.
    let mut key_at = Vec::with_capacity(t.packages.len());
    for (k, _) in &t.packages {
        key_at.push(heap.len());
        heap.extend_from_slice(k);
    }
    let mut pkg = Vec::with_capacity(t.packages.len() * 16);
    for ((k, v), at) in t.packages.iter().zip(key_at) {
        push_u32(&mut pkg, at, "heap")?;
        push_u32(&mut pkg, k.len(), "key")?;
        push_u32(&mut pkg, heap.len(), "heap")?;
        push_u32(&mut pkg, v.len(), "blob")?;
        heap.extend_from_slice(v);
    }
    // Open addressing with linear probing, a power of two of slots at most 2/3 full; a slot is
    // (high half of the key's hash, package index). A lookup then reads one or two adjacent
    // slots and one key instead of binary-searching 15 keys.
    let slots = (t.packages.len() * 3 / 2).max(1).next_power_of_two();
    let mut table = vec![(0u32, NO_PACKAGE); slots];
    for (i, (k, _)) in t.packages.iter().enumerate() {
        let h = key_hash(k);
        let mut s = h as usize & (slots - 1);
        while table[s].1 != NO_PACKAGE {
            s = (s + 1) & (slots - 1);
        }
        let i = u32::try_from(i)
            .ok()
            .filter(|&i| i != NO_PACKAGE)
            .ok_or("more packages than the format's limit")?;
        table[s] = ((h >> 32) as u32, i);
    }
    let mut pkg_hash = Vec::with_capacity(slots * 8);
    for (tag, i) in table {
        pkg_hash.extend_from_slice(&tag.to_le_bytes());
        pkg_hash.extend_from_slice(&i.to_le_bytes());
    }
    let mut vuln = Vec::with_capacity(t.vulns.len() * 8);
    for v in &t.vulns {
        push_u32(&mut vuln, heap.len(), "heap")?;
        push_u32(&mut vuln, v.len(), "blob")?;
        heap.extend_from_slice(v);
    }
    let mut alias = Vec::with_capacity(t.aliases.len() * 16);
    for (k, idx) in &t.aliases {
        push_u32(&mut alias, heap.len(), "heap")?;
        push_u32(&mut alias, k.len(), "key")?;
        heap.extend_from_slice(k);
        push_u32(&mut alias, *idx as usize, "index")?;
        push_u32(&mut alias, 0, "pad")?;
    }
    let sections: [(u32, &[u8]); 6] = [
        (SEC_META, &t.meta),
        (SEC_PKG, &pkg),
        (SEC_PKG_HASH, &pkg_hash),
        (SEC_VULN, &vuln),
        (SEC_ALIAS, &alias),
        (SEC_HEAP, &heap),
    ];
    let table_len = sections.len() * 24;
    let mut off = (HEADER_LEN + table_len) as u64;
    let mut table = Vec::with_capacity(table_len);
    for (kind, data) in &sections {
        table.extend_from_slice(&kind.to_le_bytes());
        table.extend_from_slice(&0u32.to_le_bytes());
        table.extend_from_slice(&off.to_le_bytes());
        table.extend_from_slice(&(data.len() as u64).to_le_bytes());
        off += data.len() as u64;
    }
    let total = off;
    let mut out = Vec::with_capacity(total as usize);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&[0u8; 32]);
    out.extend_from_slice(&[0u8; 8]);
    out.extend_from_slice(&table);
    for (_, data) in &sections {
        out.extend_from_slice(data);
    }
    let digest = Sha256::digest(&out[HEADER_LEN..]);
    out[24..56].copy_from_slice(&digest);
    Ok(out)
}

pub(crate) fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(a)
}

pub(crate) fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}
