//! rpm's NDB backend, `/usr/lib/sysimage/rpm/Packages.db` (openSUSE, SLES 15): a slot table of
//! `(package index, block offset, block count)` pointing at framed header blobs. Layout from rpm's
//! `lib/backend/ndb/rpmpkg.c`; every integer is little-endian.

use super::rpm_header::{parse_header, RpmPackage};
use super::ParseError;

const DB_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const BLOB_TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const HEADER_SIZE: usize = 32;
const SLOT_SIZE: usize = 16;
const PAGE_SIZE: usize = 4096;
const BLK_SIZE: usize = 16;
const BLOB_HEAD: usize = 16;

fn le32(b: &[u8], at: usize) -> Result<u32, ParseError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| ParseError::new(format!("truncated at byte {at}")))
}

/// The header blobs of an NDB `Packages.db`, by package index.
pub fn ndb_blobs(data: &[u8]) -> Result<Vec<(u32, Vec<u8>)>, ParseError> {
    if le32(data, 0)? != DB_MAGIC {
        return Err(ParseError::new("not an rpm ndb Packages.db (bad magic)"));
    }
    let version = le32(data, 4)?;
    if version != 0 {
        return Err(ParseError::new(format!(
            "unsupported ndb version {version}"
        )));
    }
    let slot_pages = le32(data, 12)? as usize;
    let slot_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|e| *e <= data.len())
        .ok_or_else(|| {
            ParseError::new(format!(
                "{slot_pages} slot pages do not fit in {} bytes",
                data.len()
            ))
        })?;
    let mut out = Vec::new();
    for at in (HEADER_SIZE..slot_end).step_by(SLOT_SIZE) {
        if le32(data, at)? != SLOT_MAGIC {
            return Err(ParseError::new(format!("bad slot magic at byte {at}")));
        }
        let pkgidx = le32(data, at + 4)?;
        if pkgidx == 0 {
            continue;
        }
        let blk_off = le32(data, at + 8)? as usize;
        let blk_cnt = le32(data, at + 12)? as usize;
        let start = blk_off * BLK_SIZE;
        let area = start
            .checked_add(blk_cnt * BLK_SIZE)
            .and_then(|end| data.get(start..end))
            .ok_or_else(|| {
                ParseError::new(format!("package {pkgidx}: blob area past end of file"))
            })?;
        if le32(area, 0)? != BLOB_HEAD_MAGIC || le32(area, 4)? != pkgidx {
            return Err(ParseError::new(format!(
                "package {pkgidx}: bad blob header"
            )));
        }
        let len = le32(area, 12)? as usize;
        let blob = area.get(BLOB_HEAD..BLOB_HEAD + len).ok_or_else(|| {
            ParseError::new(format!(
                "package {pkgidx}: blob of {len} bytes overruns its blocks"
            ))
        })?;
        let tail = BLOB_HEAD + len;
        if le32(area, tail)? != BLOB_TAIL_MAGIC || le32(area, tail + 8)? as usize != len {
            return Err(ParseError::new(format!(
                "package {pkgidx}: bad blob trailer"
            )));
        }
        if le32(area, tail + 4)? != adler32(&area[..tail]) {
            return Err(ParseError::new(format!(
                "package {pkgidx}: blob checksum mismatch"
            )));
        }
        out.push((pkgidx, blob.to_vec()));
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out)
}

/// rpm checksums the blob head and body with adler32 (zlib's, seeded with 1).
fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Reads every package of an NDB `Packages.db`.
pub fn parse_rpmdb_ndb(data: &[u8]) -> Result<(Vec<RpmPackage>, Vec<ParseError>), ParseError> {
    let mut pkgs = Vec::new();
    let mut errors = Vec::new();
    for (idx, blob) in ndb_blobs(data)? {
        match parse_header(&blob) {
            Ok(p) => pkgs.push(p),
            Err(e) => errors.push(ParseError::new(format!("package {idx}: {}", e.message))),
        }
    }
    Ok((pkgs, errors))
}

/// Writes an NDB file the way rpm's `rpmpkgPut` lays it out. Debian's rpm is built without the
/// NDB backend, so tests build the database from real header blobs with this writer.
#[cfg(test)]
pub(crate) fn write_ndb(blobs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let slot_pages = 1usize;
    let mut out = vec![0u8; slot_pages * PAGE_SIZE];
    out[0..4].copy_from_slice(b"RpmP");
    out[12..16].copy_from_slice(&(slot_pages as u32).to_le_bytes());
    out[16..20].copy_from_slice(&(blobs.len() as u32 + 1).to_le_bytes());
    for at in (HEADER_SIZE..slot_pages * PAGE_SIZE).step_by(SLOT_SIZE) {
        out[at..at + 4].copy_from_slice(b"Slot");
    }
    for (n, (idx, blob)) in blobs.iter().enumerate() {
        let start = out.len();
        let mut area = Vec::new();
        area.extend_from_slice(b"BlbS");
        area.extend_from_slice(&idx.to_le_bytes());
        area.extend_from_slice(&1u32.to_le_bytes());
        area.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        area.extend_from_slice(blob);
        let sum = adler32(&area);
        area.extend_from_slice(b"BlbE");
        area.extend_from_slice(&sum.to_le_bytes());
        area.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        while area.len() % BLK_SIZE != 0 {
            area.push(0);
        }
        let slot = HEADER_SIZE + n * SLOT_SIZE;
        out[slot + 4..slot + 8].copy_from_slice(&idx.to_le_bytes());
        out[slot + 8..slot + 12].copy_from_slice(&((start / BLK_SIZE) as u32).to_le_bytes());
        out[slot + 12..slot + 16].copy_from_slice(&((area.len() / BLK_SIZE) as u32).to_le_bytes());
        out.extend(area);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real_blobs() -> Vec<(u32, Vec<u8>)> {
        // The header blobs of the real rpmdb.sqlite fixture, as rpm wrote them.
        let p = format!("{}/tests/fixtures/rpm/Packages", env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let values = crate::parse::rpm_bdb::hash_values(&data).expect("bdb");
        values
            .into_iter()
            .filter(|v| v.len() > 8)
            .zip(1u32..)
            .map(|(v, i)| (i, v))
            .collect()
    }

    #[test]
    fn reads_ndb_built_from_real_headers() {
        let db = write_ndb(&real_blobs());
        let (pkgs, errors) = parse_rpmdb_ndb(&db).expect("parse");
        assert!(errors.is_empty(), "{errors:?}");
        let mut names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["bigpkg", "hello", "wardenlib"]);
    }

    #[test]
    fn checksum_and_bounds_are_enforced() {
        let mut db = write_ndb(&real_blobs());
        let last = db.len() - 40;
        db[last] ^= 0xff;
        let err = parse_rpmdb_ndb(&db).expect_err("corrupt");
        assert!(
            err.message.contains("checksum") || err.message.contains("trailer"),
            "{err}"
        );
        assert!(parse_rpmdb_ndb(b"RpmP\0\0\0\0\0\0\0\0\xff\xff\xff\xff").is_err());
        assert!(parse_rpmdb_ndb(b"nope").is_err());
    }

    #[test]
    fn adler32_matches_zlib() {
        // zlib.adler32(b"Wikipedia") == 0x11E60398
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }
}
