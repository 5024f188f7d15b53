//! Verified layer digests of local files, so the same saved tar is not hashed again.
//!
//! CI pipelines run `warden sbom`, `warden scan` and `warden lint --image` one after another on
//! the same `docker save` tar, and hashing its layers for the diff IDs is the largest cost of
//! each run. After an image opened successfully (every diff ID and digest matched), the SHA-256
//! of each byte range hashed from a regular file is recorded against that file's identity:
//! device, inode, size, modification and status-change times in nanoseconds, and the range.
//! A later run with exactly the same identity takes the recorded digest instead of reading the
//! range again. The status-change time (ctime) cannot be set from user space, so rewriting or
//! touching the file, even to the same size and mtime, changes its identity and the range is
//! hashed again.
//!
//! Trust: an entry is believed, so the cache directory must be as private as the images; it
//! lives under the user's cache directory by default, and entries owned by another user are
//! ignored. Entries are written to a temp file and renamed (concurrent runs never see half an
//! entry); an entry that does not parse, or whose stored identity differs from the one looked
//! up, is a miss.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::hash::{HashPool, RangeJob};

/// Bumped whenever the entry format or the meaning of a key changes.
const FORMAT: &str = "warden-digest-cache-1";

/// A directory of verified digests, one small text file per byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestCache {
    dir: PathBuf,
}

/// The identity of one byte range of a file at one moment: equal identities are taken to hold
/// equal bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RangeId {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    offset: u64,
    len: u64,
}

impl RangeId {
    /// The identity of `len` bytes at `offset` of the open `file`, by `fstat`. `None` for
    /// anything but a regular file (a pipe or device has no stable identity).
    pub(crate) fn of(file: &File, offset: u64, len: u64) -> Option<RangeId> {
        let md = file.metadata().ok()?;
        if !md.is_file() {
            return None;
        }
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Some(RangeId {
            dev: md.dev(),
            ino: md.ino(),
            size: md.size(),
            mtime_ns: ns(md.mtime(), md.mtime_nsec()),
            ctime_ns: ns(md.ctime(), md.ctime_nsec()),
            offset,
            len,
        })
    }

    fn key(&self) -> String {
        format!(
            "{FORMAT} sha256 dev={} ino={} size={} mtime_ns={} ctime_ns={} offset={} len={}",
            self.dev, self.ino, self.size, self.mtime_ns, self.ctime_ns, self.offset, self.len
        )
    }
}

impl DigestCache {
    /// A cache stored under `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> DigestCache {
        DigestCache { dir: dir.into() }
    }

    /// The default location: `$WARDEN_CACHE_DIR`, else `$XDG_CACHE_HOME/warden`, else
    /// `~/.cache/warden` (as for the ShellCheck cache), with a `digests` directory below it.
    /// `None` without a home.
    pub fn default_dir() -> Option<PathBuf> {
        warden_core::cache_dir("digests")
    }

    /// The cache at [`DigestCache::default_dir`], or `None` when `disabled` (`--no-cache`) or
    /// there is no home to put it in.
    pub fn unless(disabled: bool) -> Option<DigestCache> {
        if disabled {
            return None;
        }
        Self::default_dir().map(DigestCache::new)
    }

    /// The directory entries live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many entries the cache holds (files below its two-level layout); for tools that
    /// manage the cache, and for tests.
    pub fn entry_count(&self) -> usize {
        let Ok(top) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        top.flatten()
            .filter_map(|d| std::fs::read_dir(d.path()).ok())
            .map(|sub| sub.count())
            .sum()
    }

    /// The recorded SHA-256 (`sha256:HEX`) of `len` bytes at `offset` of `file`, if an entry
    /// exists for the file's current identity.
    pub fn get(&self, file: &File, offset: u64, len: u64) -> Option<String> {
        let id = RangeId::of(file, offset, len)?;
        self.lookup(&id)
            .map(|d| format!("sha256:{}", hex::encode(d)))
    }

    /// Records `digest` (`sha256:HEX`) for `len` bytes at `offset` of `file` under the file's
    /// current identity. Warden records only digests it has just verified; this is public for
    /// tools that manage the cache, and for tests.
    pub fn insert(&self, file: &File, offset: u64, len: u64, digest: &str) -> std::io::Result<()> {
        let bad = || std::io::Error::other(format!("not a sha256:HEX digest: {digest:?}"));
        let hex_part = digest.strip_prefix("sha256:").ok_or_else(bad)?;
        let mut d = [0u8; 32];
        hex::decode_to_slice(hex_part, &mut d).map_err(|_| bad())?;
        let id = RangeId::of(file, offset, len)
            .ok_or_else(|| std::io::Error::other("not a regular file"))?;
        self.write(&id, &d)
    }

    fn entry(&self, key: &str) -> PathBuf {
        let name = hex::encode(Sha256::digest(key.as_bytes()));
        self.dir.join(&name[..2]).join(&name[2..])
    }

    /// The digest recorded for `id`; anything unreadable, foreign or damaged is a miss.
    pub(crate) fn lookup(&self, id: &RangeId) -> Option<[u8; 32]> {
        let key = id.key();
        let path = self.entry(&key);
        let file = File::open(&path).ok()?;
        // An entry another user could plant would be believed: only our own count.
        #[allow(unsafe_code)]
        // SAFETY: geteuid has no preconditions and cannot fail.
        let euid = unsafe { libc::geteuid() };
        if file.metadata().ok()?.uid() != euid {
            tracing::debug!(entry = %path.display(), "digest cache entry owned by another user; ignored");
            return None;
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(&file, 1024), &mut text).ok()?;
        let parsed = (|| {
            let (stored_key, rest) = text.split_once('\n')?;
            if stored_key != key {
                return None;
            }
            let hex_part = rest.strip_suffix('\n')?.strip_prefix("sha256:")?;
            let mut d = [0u8; 32];
            hex::decode_to_slice(hex_part, &mut d).ok()?;
            Some(d)
        })();
        if parsed.is_none() {
            tracing::debug!(entry = %path.display(), "damaged digest cache entry; hashing again");
        }
        parsed
    }

    /// Stores `digest` for `id`, atomically.
    pub(crate) fn write(&self, id: &RangeId, digest: &[u8; 32]) -> std::io::Result<()> {
        let key = id.key();
        let path = self.entry(&key);
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
        write!(tmp, "{key}\nsha256:{}\n", hex::encode(digest))?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// [`DigestCache::write`] that only logs a failure: a cache that cannot be written costs
    /// time on the next run, never this run's result.
    pub(crate) fn record(&self, id: &RangeId, digest: &[u8; 32]) {
        if let Err(e) = self.write(id, digest) {
            tracing::debug!(dir = %self.dir.display(), error = %e, "could not write digest cache entry");
        }
    }
}

/// A [`HashPool`] that skips the ranges whose digest the cache holds for the file's current
/// identity. The identity is taken again after the walk, so a file changed meanwhile is an
/// error rather than a hit, and a fresh digest is only offered for recording if its file did
/// not change while it was hashed.
pub(crate) struct CachedPool {
    pool: HashPool,
    slots: Vec<Slot>,
}

/// One range of [`CachedPool`], in job order.
struct Slot {
    file: std::sync::Arc<File>,
    offset: u64,
    len: u64,
    id: Option<RangeId>,
    cached: Option<[u8; 32]>,
}

impl CachedPool {
    /// Looks every range up in `cache` (none without one) and starts hashing the misses.
    pub(crate) fn start(cache: Option<&DigestCache>, jobs: Vec<RangeJob>) -> CachedPool {
        let mut slots = Vec::with_capacity(jobs.len());
        let mut to_hash = Vec::new();
        for job in jobs {
            let id = cache.and_then(|_| RangeId::of(&job.file, job.offset, job.len));
            let cached = cache.zip(id.as_ref()).and_then(|(c, id)| c.lookup(id));
            slots.push(Slot {
                file: std::sync::Arc::clone(&job.file),
                offset: job.offset,
                len: job.len,
                id,
                cached,
            });
            if cached.is_none() {
                to_hash.push(job);
            }
        }
        if cache.is_some() {
            tracing::debug!(
                hashed = to_hash.len(),
                cached = slots.len() - to_hash.len(),
                "layer ranges to hash"
            );
        }
        CachedPool {
            pool: HashPool::start(to_hash),
            slots,
        }
    }

    /// One digest per job, in order. Fresh digests of files that did not change are pushed to
    /// `fresh`, for [`DigestCache::record`] once the whole image verified.
    pub(crate) fn finish(
        self,
        fresh: &mut Vec<(RangeId, [u8; 32])>,
    ) -> Vec<std::io::Result<[u8; 32]>> {
        let mut hashed = self.pool.finish().into_iter();
        self.slots
            .into_iter()
            .map(|slot| {
                let unchanged =
                    slot.id.is_some() && RangeId::of(&slot.file, slot.offset, slot.len) == slot.id;
                match (slot.cached, slot.id) {
                    (Some(d), _) if unchanged => Ok(d),
                    (Some(_), _) => Err(std::io::Error::other(
                        "the file changed while it was read (its digest was taken from the cache)",
                    )),
                    (None, id) => {
                        let r = hashed
                            .next()
                            .unwrap_or_else(|| Err(std::io::Error::other("no digest")));
                        if let (Ok(d), Some(id), true) = (&r, id, unchanged) {
                            fresh.push((id, *d));
                        }
                        r
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_identity_field_matters() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = DigestCache::new(dir.path().join("digests"));
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(b"0123456789").expect("write");
        let file = f.as_file();
        let id = RangeId::of(file, 2, 5).expect("regular file");
        assert_eq!(cache.lookup(&id), None, "empty cache");
        let d = [7u8; 32];
        cache.record(&id, &d);
        assert_eq!(cache.lookup(&id), Some(d));
        assert_eq!(
            cache.get(file, 2, 5),
            Some(format!("sha256:{}", hex::encode(d)))
        );
        // Another range of the same file is another entry.
        assert_eq!(cache.get(file, 2, 4), None);
        assert_eq!(cache.get(file, 3, 5), None);
        // Each identity field is part of the key.
        let variants = [
            RangeId {
                dev: id.dev + 1,
                ..id.clone()
            },
            RangeId {
                ino: id.ino + 1,
                ..id.clone()
            },
            RangeId {
                size: id.size + 1,
                ..id.clone()
            },
            RangeId {
                mtime_ns: id.mtime_ns + 1,
                ..id.clone()
            },
            RangeId {
                ctime_ns: id.ctime_ns + 1,
                ..id.clone()
            },
        ];
        for v in &variants {
            assert_eq!(cache.lookup(v), None, "{v:?}");
        }
        // A write changes the identity (size, mtime, ctime): a miss.
        f.write_all(b"x").expect("append");
        assert_eq!(cache.get(f.as_file(), 2, 5), None);
    }

    #[test]
    fn damaged_or_mismatched_entries_are_misses() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = DigestCache::new(dir.path());
        let f = tempfile::NamedTempFile::new().expect("temp file");
        let id = RangeId::of(f.as_file(), 0, 0).expect("regular file");
        let path = cache.entry(&id.key());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let good = format!("{}\nsha256:{}\n", id.key(), "ab".repeat(32));
        for damaged in [
            String::new(),
            "garbage".into(),
            good.replace("sha256:ab", "sha256:zz"),
            good.replace("\nsha256:", "\nsha512:"),
            good[..good.len() - 3].to_string(),
            good.replace("offset=0", "offset=1"),
        ] {
            std::fs::write(&path, &damaged).expect("plant");
            assert_eq!(cache.lookup(&id), None, "{damaged:?}");
        }
        std::fs::write(&path, &good).expect("plant");
        assert_eq!(cache.lookup(&id), Some([0xab; 32]));
        assert!(cache.insert(f.as_file(), 0, 0, "md5:00").is_err());
        assert!(cache.insert(f.as_file(), 0, 0, "sha256:00").is_err());
    }
}
