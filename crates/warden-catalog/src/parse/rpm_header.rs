//! The rpm header blob, the record every rpmdb backend (sqlite, BerkeleyDB, NDB) stores per
//! installed package: a big-endian index of `(tag, type, offset, count)` entries over a data store.

use super::ParseError;

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_SIZE: i32 = 1009;
const TAG_VENDOR: i32 = 1011;
const TAG_LICENSE: i32 = 1014;
const TAG_ARCH: i32 = 1022;
const TAG_OLDFILENAMES: i32 = 1027;
const TAG_SOURCERPM: i32 = 1044;
const TAG_REQUIRENAME: i32 = 1049;
const TAG_DIRINDEXES: i32 = 1116;
const TAG_BASENAMES: i32 = 1117;
const TAG_DIRNAMES: i32 = 1118;
const TAG_MODULARITYLABEL: i32 = 5096;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own bounds (`hdrblobVerifyInfo`): more is a corrupt or hostile blob.
const MAX_INDEX: usize = 0xffff;
const MAX_DATA: usize = 256 << 20;

/// One installed rpm package as its header describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    /// `NAME`.
    pub name: String,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `EPOCH`, when set.
    pub epoch: Option<u32>,
    /// `ARCH` (`noarch`, `x86_64`...). Empty for the `gpg-pubkey` pseudo-packages.
    pub arch: String,
    /// `SOURCERPM` (`bash-5.1.8-9.el9.src.rpm`).
    pub source_rpm: String,
    /// `LICENSE`.
    pub license: String,
    /// `VENDOR`.
    pub vendor: String,
    /// `MODULARITYLABEL`, when the package came from a module stream.
    pub modularity_label: String,
    /// `SIZE` in bytes.
    pub size: Option<u32>,
    /// `REQUIRENAME` entries (capabilities, not only package names).
    pub requires: Vec<String>,
    /// Absolute paths of the package's files.
    pub files: Vec<String>,
}

impl RpmPackage {
    /// `[epoch:]version-release`, the version warden reports for rpm.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }

    /// The source package name and `version-release` from `SOURCERPM`
    /// (`bash-5.1.8-9.el9.src.rpm` → `("bash", "5.1.8-9.el9")`).
    pub fn source(&self) -> Option<(String, String)> {
        let s = self.source_rpm.strip_suffix(".rpm")?;
        let s = s.rsplit_once('.')?.0; // drop `.src` / `.nosrc`
        let (rest, release) = s.rsplit_once('-')?;
        let (name, version) = rest.rsplit_once('-')?;
        Some((name.to_string(), format!("{version}-{release}")))
    }
}

struct Entry {
    tag: i32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// Parses one header blob (without the 8-byte `8eade801` magic that `.rpm` files carry).
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, ParseError> {
    let be32 = |at: usize| -> Result<u32, ParseError> {
        blob.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| ParseError::new(format!("header truncated at byte {at}")))
    };
    let il = be32(0)? as usize;
    let dl = be32(4)? as usize;
    if il == 0 || il > MAX_INDEX || dl > MAX_DATA {
        return Err(ParseError::new(format!(
            "implausible header sizes: {il} entries, {dl} data bytes"
        )));
    }
    let data_start = 8 + il * 16;
    let data = blob.get(data_start..data_start + dl).ok_or_else(|| {
        ParseError::new(format!(
            "header claims {dl} data bytes, blob has {}",
            blob.len()
        ))
    })?;
    let mut entries = Vec::with_capacity(il);
    for i in 0..il {
        let at = 8 + i * 16;
        entries.push(Entry {
            tag: be32(at)? as i32,
            ty: be32(at + 4)?,
            offset: be32(at + 8)? as usize,
            count: be32(at + 12)? as usize,
        });
    }
    let find = |tag: i32| entries.iter().find(|e| e.tag == tag);
    let string = |tag: i32| -> Result<String, ParseError> {
        match find(tag) {
            Some(e) if matches!(e.ty, TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY) => {
                Ok(strings(data, e.offset, 1, tag)?
                    .into_iter()
                    .next()
                    .unwrap_or_default())
            }
            Some(e) => Err(ParseError::new(format!(
                "tag {tag} has type {}, expected a string",
                e.ty
            ))),
            None => Ok(String::new()),
        }
    };
    let string_array = |tag: i32| -> Result<Vec<String>, ParseError> {
        match find(tag) {
            Some(e) if e.ty == TYPE_STRING_ARRAY => strings(data, e.offset, e.count, tag),
            Some(e) => Err(ParseError::new(format!(
                "tag {tag} has type {}, expected a string array",
                e.ty
            ))),
            None => Ok(Vec::new()),
        }
    };
    let int32s = |tag: i32| -> Result<Vec<u32>, ParseError> {
        match find(tag) {
            Some(e) if e.ty == TYPE_INT32 => {
                let end = e.count.checked_mul(4).and_then(|n| n.checked_add(e.offset));
                let bytes = end.and_then(|end| data.get(e.offset..end)).ok_or_else(|| {
                    ParseError::new(format!("tag {tag} runs past the data store"))
                })?;
                Ok(bytes
                    .chunks_exact(4)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    .collect())
            }
            Some(e) => Err(ParseError::new(format!(
                "tag {tag} has type {}, expected int32",
                e.ty
            ))),
            None => Ok(Vec::new()),
        }
    };

    let mut p = RpmPackage {
        name: string(TAG_NAME)?,
        version: string(TAG_VERSION)?,
        release: string(TAG_RELEASE)?,
        epoch: int32s(TAG_EPOCH)?.first().copied(),
        arch: string(TAG_ARCH)?,
        source_rpm: string(TAG_SOURCERPM)?,
        license: string(TAG_LICENSE)?,
        vendor: string(TAG_VENDOR)?,
        modularity_label: string(TAG_MODULARITYLABEL)?,
        size: int32s(TAG_SIZE)?.first().copied(),
        requires: string_array(TAG_REQUIRENAME)?,
        files: Vec::new(),
    };
    if p.name.is_empty() || p.version.is_empty() {
        return Err(ParseError::new("header without NAME or VERSION"));
    }
    p.requires.sort();
    p.requires.dedup();
    let basenames = string_array(TAG_BASENAMES)?;
    if basenames.is_empty() {
        p.files = string_array(TAG_OLDFILENAMES)?;
    } else {
        let dirnames = string_array(TAG_DIRNAMES)?;
        let dirindexes = int32s(TAG_DIRINDEXES)?;
        if dirindexes.len() != basenames.len() {
            return Err(ParseError::new(format!(
                "{} basenames but {} dir indexes",
                basenames.len(),
                dirindexes.len()
            )));
        }
        for (b, d) in basenames.iter().zip(dirindexes) {
            let dir = dirnames.get(d as usize).ok_or_else(|| {
                ParseError::new(format!("dir index {d} out of {} dirnames", dirnames.len()))
            })?;
            p.files.push(format!("{dir}{b}"));
        }
    }
    Ok(p)
}

/// `count` NUL-terminated strings starting at `offset`.
fn strings(data: &[u8], offset: usize, count: usize, tag: i32) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::with_capacity(count.min(4096));
    let mut at = offset;
    for _ in 0..count {
        let rest = data
            .get(at..)
            .ok_or_else(|| ParseError::new(format!("tag {tag} offset {at} past data")))?;
        let len = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(|| ParseError::new(format!("tag {tag}: unterminated string at {at}")))?;
        out.push(String::from_utf8_lossy(&rest[..len]).into_owned());
        at += len + 1;
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob the way rpm lays it out, for malformed-input tests.
    pub(crate) fn blob(entries: &[(i32, u32, Vec<u8>, u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, ty, bytes, count) in entries {
            if *ty == TYPE_INT32 {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn rejects_truncated_and_oversized_blobs() {
        assert!(parse_header(b"\0\0").is_err());
        assert!(parse_header(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]).is_err());
        let good = blob(&[
            (TAG_NAME, TYPE_STRING, b"a\0".to_vec(), 1),
            (TAG_VERSION, TYPE_STRING, b"1\0".to_vec(), 1),
        ]);
        let p = parse_header(&good).expect("parse");
        assert_eq!(p.evr(), "1-");
        assert!(parse_header(&good[..good.len() - 1]).is_err());
        let unterminated = blob(&[(TAG_NAME, TYPE_STRING, b"abc".to_vec(), 1)]);
        assert!(parse_header(&unterminated).is_err());
        let bad_dirs = blob(&[
            (TAG_NAME, TYPE_STRING, b"a\0".to_vec(), 1),
            (TAG_VERSION, TYPE_STRING, b"1\0".to_vec(), 1),
            (TAG_BASENAMES, TYPE_STRING_ARRAY, b"x\0".to_vec(), 1),
            (TAG_DIRNAMES, TYPE_STRING_ARRAY, b"/\0".to_vec(), 1),
            (TAG_DIRINDEXES, TYPE_INT32, 7u32.to_be_bytes().to_vec(), 1),
        ]);
        assert!(parse_header(&bad_dirs).is_err());
    }

    #[test]
    fn source_rpm_split() {
        let p = RpmPackage {
            source_rpm: "bash-5.1.8-9.el9.src.rpm".into(),
            ..Default::default()
        };
        assert_eq!(p.source(), Some(("bash".into(), "5.1.8-9.el9".into())));
    }
}
