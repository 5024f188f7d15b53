//! Reads feed inputs: directories, plain files, `.tar`, `.tar.zst`, `.tar.gz`, single `.gz` and
//! `.zst` files, and `.zip` archives (OSV's `all.zip`). Archives are streamed, never unpacked to disk, and every
//! byte read is counted against [`Limits`] so a zip or tar bomb stops the build with an error.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Bounds on what feed archives may expand to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total uncompressed bytes over every input of one build.
    pub max_total: u64,
    /// Uncompressed bytes of any single file or archive member.
    pub max_member: u64,
}

impl Default for Limits {
    /// 8 GiB in total and 512 MiB per member: the full public OSV export unpacks to a few GiB,
    /// and no single advisory file comes near 512 MiB.
    fn default() -> Self {
        Limits {
            max_total: 8 << 30,
            max_member: 512 << 20,
        }
    }
}

/// One file handed to the feed dispatcher.
pub struct Member<'a> {
    /// Where it is, for messages: `path` or `archive!member`.
    pub display: &'a str,
    /// The path used to recognise the feed: the member path inside an archive, or the file path.
    pub path: &'a str,
    /// Its bytes.
    pub data: &'a [u8],
    /// Modification time (seconds since the epoch), when known.
    pub mtime: Option<i64>,
}

/// Counts bytes across a whole build.
pub(crate) struct Budget {
    limits: Limits,
    used: u64,
}

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Budget { limits, used: 0 }
    }

    /// Reads `r` fully, failing once the member or total bound is crossed. Only bound + 1 bytes
    /// are ever read, so a bomb costs at most the bound in memory.
    fn read_bounded(&mut self, r: &mut dyn Read, at: &str, hint: u64) -> Result<Vec<u8>> {
        let remaining_total = self.limits.max_total.saturating_sub(self.used);
        let cap = self.limits.max_member.min(remaining_total);
        let mut buf = Vec::with_capacity(hint.min(cap).min(64 << 20) as usize);
        r.take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Archive {
                archive: at.to_string(),
                reason: format!("read failed: {e}"),
            })?;
        if buf.len() as u64 > cap {
            let limit = if cap == self.limits.max_member {
                self.limits.max_member
            } else {
                self.limits.max_total
            };
            return Err(Error::TooLarge {
                archive: at.to_string(),
                limit,
            });
        }
        self.used += buf.len() as u64;
        Ok(buf)
    }

    /// Total uncompressed bytes read so far.
    pub(crate) fn used(&self) -> u64 {
        self.used
    }
}

/// Walks one `--from` input and calls `f` for every regular file, in a deterministic order
/// (directory entries sorted by name, archive members in archive order).
pub(crate) fn walk(
    input: &Path,
    budget: &mut Budget,
    f: &mut dyn FnMut(Member<'_>) -> Result<()>,
) -> Result<()> {
    let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
            .map_err(|e| Error::io(input, e))?
            .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(input, err)))
            .collect::<Result<_>>()?;
        entries.sort();
        for p in entries {
            walk(&p, budget, f)?;
        }
        return Ok(());
    }
    let name = input.to_string_lossy().to_string();
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.zst") || lower.ends_with(".tzst") {
        let file = File::open(input).map_err(|e| Error::io(input, e))?;
        let dec = zstd::Decoder::new(file).map_err(|e| Error::Archive {
            archive: name.clone(),
            reason: format!("zstd: {e}"),
        })?;
        walk_tar(&name, dec, budget, f)
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        let file = File::open(input).map_err(|e| Error::io(input, e))?;
        walk_tar(&name, flate2::read::GzDecoder::new(file), budget, f)
    } else if lower.ends_with(".gz") {
        // A single compressed file (EPSS's daily CSV, NVD's yearly JSON).
        let file = File::open(input).map_err(|e| Error::io(input, e))?;
        let mut dec = flate2::read::GzDecoder::new(file);
        let data = budget.read_bounded(&mut dec, &name, meta.len() * 8)?;
        let inner = name[..name.len() - 3].to_string();
        f(Member {
            display: &name,
            path: &inner,
            data: &data,
            mtime,
        })
    } else if lower.ends_with(".tar") {
        let file = File::open(input).map_err(|e| Error::io(input, e))?;
        walk_tar(&name, file, budget, f)
    } else if lower.ends_with(".zip") {
        walk_zip(&name, input, budget, f)
    } else if lower.ends_with(".zst") {
        // A single compressed file (for example a mirrored `CVE_2024_EPSS.csv.zst`).
        let file = File::open(input).map_err(|e| Error::io(input, e))?;
        let mut dec = zstd::Decoder::new(file).map_err(|e| Error::Archive {
            archive: name.clone(),
            reason: format!("zstd: {e}"),
        })?;
        let data = budget.read_bounded(&mut dec, &name, meta.len() * 4)?;
        let inner = name.trim_end_matches(".zst").to_string();
        f(Member {
            display: &name,
            path: &inner,
            data: &data,
            mtime,
        })
    } else {
        let mut file = File::open(input).map_err(|e| Error::io(input, e))?;
        let data = budget.read_bounded(&mut file, &name, meta.len())?;
        f(Member {
            display: &name,
            path: &name,
            data: &data,
            mtime,
        })
    }
}

fn walk_tar(
    name: &str,
    reader: impl Read,
    budget: &mut Budget,
    f: &mut dyn FnMut(Member<'_>) -> Result<()>,
) -> Result<()> {
    let mut ar = tar::Archive::new(reader);
    let entries = ar.entries().map_err(|e| Error::Archive {
        archive: name.to_string(),
        reason: format!("tar: {e}"),
    })?;
    for entry in entries {
        let mut entry = entry.map_err(|e| Error::Archive {
            archive: name.to_string(),
            reason: format!("tar entry: {e}"),
        })?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| Error::Archive {
                archive: name.to_string(),
                reason: format!("tar path: {e}"),
            })?
            .to_string_lossy()
            .to_string();
        let display = format!("{name}!{path}");
        let mtime = entry.header().mtime().ok().map(|m| m as i64);
        let size = entry.header().size().unwrap_or(0);
        let data = budget.read_bounded(&mut entry, &display, size)?;
        f(Member {
            display: &display,
            path: &path,
            data: &data,
            mtime,
        })?;
    }
    Ok(())
}

fn walk_zip(
    name: &str,
    path: &Path,
    budget: &mut Budget,
    f: &mut dyn FnMut(Member<'_>) -> Result<()>,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| Error::Archive {
        archive: name.to_string(),
        reason: format!("zip: {e}"),
    })?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| Error::Archive {
            archive: name.to_string(),
            reason: format!("zip entry {i}: {e}"),
        })?;
        if !entry.is_file() {
            continue;
        }
        let member = entry.name().to_string();
        let display = format!("{name}!{member}");
        // The declared size is attacker-controlled: it is only a capacity hint, the bound is
        // enforced on the bytes actually inflated.
        let hint = entry.size();
        let data = budget.read_bounded(&mut entry, &display, hint)?;
        f(Member {
            display: &display,
            path: &member,
            data: &data,
            mtime: None,
        })?;
    }
    Ok(())
}
