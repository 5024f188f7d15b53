//! Layer blobs read in place from a memory map of the file that holds them.
//!
//! An uncompressed layer in a docker-archive, oci-archive or oci-dir is a byte range of a regular
//! file. Reading it through `read()` cost a kernel copy of every byte into our buffers and a
//! second copy to the hashing thread, although the walker needs only the tar headers and the few
//! files the catalogers want. Mapped, the walker parses headers in place and jumps over content it
//! does not want without touching it, and the hashers read the same page-cache pages directly
//! (see [`crate::hash::HashPool`]).
//!
//! # Why mapping is acceptable here
//!
//! Rust treats the mapped bytes as an immutable slice, but another process can still change or
//! truncate the file underneath. A *changed* file yields bytes that fail the SHA-256 diff-ID
//! check, so the image is refused, as it would be if the file had been changed before a `read()`.
//! A *truncated* file makes the kernel raise SIGBUS on the first access to a page past the new end
//! of file, which kills the process. Like ripgrep, which maps files for the same reason, warden
//! accepts that residual risk rather than installing a signal handler, and narrows it: the file's
//! length is checked before mapping and again every [`CHECK_STEP`] bytes as the walker and the
//! hashers advance, so a file truncated while it is read is reported as an error in all but a
//! microseconds-wide window. Anyone who can truncate the archive can also replace it, so no
//! integrity property depends on this. `WARDEN_NO_MMAP=1` turns mapping off (every layer is then
//! streamed, as for pipes and compressed layers); the outputs are identical.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use memmap2::{Mmap, MmapOptions, UncheckedAdvice};

use crate::hash::RangeJob;

/// Ranges smaller than this are read into memory instead: a map costs three system calls and
/// page faults, a read one call, and most layers of most images are small.
const MAP_MIN: u64 = 256 << 10;
/// How far the walker advances between two checks of the file's length and two releases of the
/// pages it has passed.
pub(crate) const CHECK_STEP: usize = 16 << 20;

/// Whether mapping is allowed at all (`WARDEN_NO_MMAP` unset, empty or `0`).
pub(crate) fn enabled() -> bool {
    !std::env::var_os("WARDEN_NO_MMAP").is_some_and(|v| !v.is_empty() && v != "0")
}

enum Bytes {
    Map(Mmap),
    Owned(Vec<u8>),
}

/// One byte range of a regular file (a layer blob), readable as a slice.
pub(crate) struct Blob {
    file: Arc<File>,
    offset: u64,
    bytes: Bytes,
    /// Bytes before this position have been released (their page mappings dropped).
    released: std::cell::Cell<usize>,
}

/// The error for a file shorter than the range that should be in it.
pub(crate) fn short_file(file_len: u64, end: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the file ends at byte {file_len}, before the end of this blob at byte {end} (truncated, or changed while being read)"),
    )
}

/// Fails unless `file` still holds every byte up to `end`.
pub(crate) fn check_len(file: &File, end: u64) -> io::Result<()> {
    let len = file.metadata()?.len();
    if len < end {
        return Err(short_file(len, end));
    }
    Ok(())
}

impl Blob {
    /// The `len` bytes at `offset` of `file`, mapped (or read, when small). `Ok(None)` when the
    /// file cannot be mapped (not a regular file, mapping refused, or turned off): the caller
    /// streams it instead. A regular file too short for the range is an error.
    pub(crate) fn open(file: &Arc<File>, offset: u64, len: u64) -> io::Result<Option<Blob>> {
        if !enabled() {
            return Ok(None);
        }
        let md = file.metadata()?;
        if !md.is_file() {
            return Ok(None);
        }
        let end = offset
            .checked_add(len)
            .ok_or_else(|| io::Error::other("blob range overflows"))?;
        if md.len() < end {
            return Err(short_file(md.len(), end));
        }
        let Ok(size) = usize::try_from(len) else {
            return Ok(None);
        };
        let bytes = if len < MAP_MIN {
            let mut buf = vec![0u8; size];
            file.read_exact_at(&mut buf, offset)?;
            Bytes::Owned(buf)
        } else {
            // SAFETY: a read-only shared mapping of a regular file; see the module docs for what a
            // concurrent writer can do (wrong bytes, caught by the digest check, or SIGBUS).
            #[allow(unsafe_code)]
            let map = unsafe { MmapOptions::new().offset(offset).len(size).map(&**file) };
            match map {
                Ok(m) => Bytes::Map(m),
                Err(e) => {
                    tracing::debug!(error = %e, "mapping refused; streaming the blob");
                    return Ok(None);
                }
            }
        };
        Ok(Some(Blob {
            file: Arc::clone(file),
            offset,
            bytes,
            released: std::cell::Cell::new(0),
        }))
    }

    /// Every byte of the blob.
    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Map(m) => m,
            Bytes::Owned(v) => v,
        }
    }

    /// The same range, for a hashing thread (which maps it again, window by window).
    pub(crate) fn job(&self) -> RangeJob {
        RangeJob {
            file: Arc::clone(&self.file),
            offset: self.offset,
            len: self.bytes().len() as u64,
        }
    }

    /// Called as the walker moves to `pos`: once per [`CHECK_STEP`], checks that the file still
    /// holds the whole blob and drops the page mappings of everything before `pos`, so the
    /// resident set stays at a few steps however large the layer (the pages stay in the page
    /// cache; only this process's mappings of them go).
    pub(crate) fn advance(&self, pos: usize) -> io::Result<()> {
        let Bytes::Map(m) = &self.bytes else {
            return Ok(());
        };
        let done = self.released.get();
        if pos < done + CHECK_STEP {
            return Ok(());
        }
        check_len(&self.file, self.offset + m.len() as u64)?;
        // SAFETY: the mapping is read-only and shared, so MADV_DONTNEED only drops page-table
        // entries; a later access faults the same file bytes back in. No slice into the range
        // is alive: the walker calls this between entries.
        #[allow(unsafe_code)]
        let dropped =
            unsafe { m.unchecked_advise_range(UncheckedAdvice::DontNeed, done, pos - done) };
        dropped?;
        self.released.set(pos);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn maps_and_reads_the_same_bytes_and_refuses_short_files() {
        let mut f = tempfile::tempfile().expect("temp file");
        let data: Vec<u8> = (0..(3 * MAP_MIN as usize + 123))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        f.write_all(&data).expect("write");
        let f = Arc::new(f);
        for (off, len) in [(0u64, 10u64), (5, MAP_MIN + 7), (4097, 2 * MAP_MIN), (0, 0)] {
            let b = Blob::open(&f, off, len).expect("open").expect("mapped");
            assert_eq!(b.bytes(), &data[off as usize..(off + len) as usize]);
            b.advance(len as usize).expect("advance");
            assert_eq!(b.bytes(), &data[off as usize..(off + len) as usize]);
        }
        let err = Blob::open(&f, 10, data.len() as u64)
            .err()
            .expect("range past the end");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}
