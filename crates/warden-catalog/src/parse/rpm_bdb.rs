//! BerkeleyDB hash databases as rpm < 4.16 wrote them (`/var/lib/rpm/Packages`: CentOS 7/8,
//! RHEL ≤ 8, Amazon Linux 2). Read page by page in Rust: no libdb. Keys are 4-byte package
//! numbers, values are header blobs, large values live on chains of overflow pages.

use super::rpm_header::{parse_header, RpmPackage};
use super::ParseError;

const HASH_MAGIC: u32 = 0x0006_1561;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
const PAGE_HEADER: usize = 26;

/// Every header blob value of a BerkeleyDB hash file, in page order.
pub fn hash_values(data: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let magic_le = read_u32(data, 12, false)?;
    let swapped = match magic_le {
        HASH_MAGIC => false,
        m if m.swap_bytes() == HASH_MAGIC => true,
        m => {
            return Err(ParseError::new(format!(
                "not a berkeleydb hash file (magic {m:#x})"
            )))
        }
    };
    let u32_at = |at: usize| read_u32(data, at, swapped);
    let page_size = u32_at(20)? as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(ParseError::new(format!("invalid page size {page_size}")));
    }
    if data.get(24).copied().unwrap_or(0) != 0 {
        return Err(ParseError::new(
            "encrypted berkeleydb files are not supported",
        ));
    }
    if data.get(25).copied() != Some(P_HASHMETA) {
        return Err(ParseError::new("first page is not a hash metadata page"));
    }
    let pages = data.len() / page_size;
    let last = (u32_at(32)? as usize).min(pages.saturating_sub(1));
    let mut values = Vec::new();
    for pgno in 1..=last {
        let page = &data[pgno * page_size..(pgno + 1) * page_size];
        let ty = page[25];
        if ty != P_HASH && ty != P_HASH_UNSORTED {
            continue;
        }
        let entries = read_u16(page, 20, swapped)? as usize;
        // Entries alternate key, value; values are the odd ones.
        for i in (1..entries).step_by(2) {
            let off = read_u16(page, PAGE_HEADER + 2 * i, swapped)? as usize;
            let end = if i == 0 {
                page_size
            } else {
                read_u16(page, PAGE_HEADER + 2 * (i - 1), swapped)? as usize
            };
            let item = page
                .get(off..end.max(off))
                .ok_or_else(|| ParseError::new(format!("page {pgno}: item {i} out of bounds")))?;
            match item.first() {
                Some(&H_KEYDATA) => values.push(item[1..].to_vec()),
                Some(&H_OFFPAGE) => {
                    let first = read_u32(item, 4, swapped)? as usize;
                    let total = read_u32(item, 8, swapped)? as usize;
                    values.push(overflow(data, page_size, first, total, swapped)?);
                }
                // Duplicates never occur in rpm's Packages database.
                Some(t) => {
                    return Err(ParseError::new(format!(
                        "page {pgno}: unsupported item type {t}"
                    )))
                }
                None => return Err(ParseError::new(format!("page {pgno}: empty item {i}"))),
            }
        }
    }
    Ok(values)
}

/// Follows an overflow chain, bounded by the declared length and the number of pages (so a
/// cycle cannot spin forever).
fn overflow(
    data: &[u8],
    page_size: usize,
    first: usize,
    total: usize,
    swapped: bool,
) -> Result<Vec<u8>, ParseError> {
    let pages = data.len() / page_size;
    if total > data.len() {
        return Err(ParseError::new(format!(
            "overflow item claims {total} bytes, file has {}",
            data.len()
        )));
    }
    let mut out = Vec::with_capacity(total);
    let mut pgno = first;
    let mut visited = 0;
    while out.len() < total {
        if pgno == 0 || pgno >= pages || visited > pages {
            return Err(ParseError::new(format!(
                "broken overflow chain at page {pgno}"
            )));
        }
        visited += 1;
        let page = &data[pgno * page_size..(pgno + 1) * page_size];
        if page[25] != P_OVERFLOW {
            return Err(ParseError::new(format!(
                "page {pgno} is not an overflow page"
            )));
        }
        let len = read_u16(page, 22, swapped)? as usize;
        let chunk = page
            .get(PAGE_HEADER..PAGE_HEADER + len)
            .ok_or_else(|| ParseError::new(format!("overflow page {pgno} claims {len} bytes")))?;
        out.extend_from_slice(chunk);
        pgno = read_u32(page, 16, swapped)? as usize;
    }
    out.truncate(total);
    Ok(out)
}

fn read_u32(b: &[u8], at: usize, swapped: bool) -> Result<u32, ParseError> {
    let s = b
        .get(at..at + 4)
        .ok_or_else(|| ParseError::new(format!("truncated at byte {at}")))?;
    let v = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
    Ok(if swapped { v.swap_bytes() } else { v })
}

fn read_u16(b: &[u8], at: usize, swapped: bool) -> Result<u16, ParseError> {
    let s = b
        .get(at..at + 2)
        .ok_or_else(|| ParseError::new(format!("truncated at byte {at}")))?;
    let v = u16::from_le_bytes([s[0], s[1]]);
    Ok(if swapped { v.swap_bytes() } else { v })
}

/// Reads every package of a BerkeleyDB `Packages` file. rpm keeps a 4-byte bookkeeping value
/// under key 0; values too short to be a header are skipped for that reason.
pub fn parse_rpmdb_bdb(data: &[u8]) -> Result<(Vec<RpmPackage>, Vec<ParseError>), ParseError> {
    let mut pkgs = Vec::new();
    let mut errors = Vec::new();
    for (i, v) in hash_values(data)?.into_iter().enumerate() {
        if v.len() <= 8 {
            continue;
        }
        match parse_header(&v) {
            Ok(p) => pkgs.push(p),
            Err(e) => errors.push(ParseError::new(format!("record {i}: {}", e.message))),
        }
    }
    Ok((pkgs, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<u8> {
        let p = format!("{}/tests/fixtures/rpm/Packages", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn reads_a_real_berkeleydb_hash_file() {
        let (mut pkgs, errors) = parse_rpmdb_bdb(&fixture()).expect("parse");
        assert!(errors.is_empty(), "{errors:?}");
        pkgs.sort_by(|a, b| a.name.cmp(&b.name));
        let got: Vec<_> = pkgs.iter().map(|p| (p.name.as_str(), p.evr())).collect();
        assert_eq!(
            got,
            [
                ("bigpkg", "3.0-7.fc40".into()),
                ("hello", "1.2.3-4".into()),
                ("wardenlib", "2:0.9-1".into())
            ]
        );
        // bigpkg's 48 KB header spans a dozen overflow pages.
        assert_eq!(
            pkgs[0].files.iter().filter(|f| f.ends_with(".txt")).count(),
            300
        );
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let good = fixture();
        assert!(hash_values(b"short").is_err());
        assert!(hash_values(&vec![0u8; 8192]).is_err());
        // Cut inside the overflow chain: the chain now points past the end.
        assert!(parse_rpmdb_bdb(&good[..good.len() / 2]).is_err());
        // Flip every byte of every page header after the metadata page: no panic, whatever the result.
        let mut bad = good.clone();
        for p in 1..bad.len() / 4096 {
            for b in &mut bad[p * 4096 + 16..p * 4096 + 26] {
                *b = !*b;
            }
        }
        let _ = parse_rpmdb_bdb(&bad);
    }
}
