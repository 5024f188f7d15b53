//! SHA-256 of layer blobs, computed off the walking thread.
//!
//! The diff ID must cover every byte of a layer, content that no cataloger wants included, so
//! hashing is the largest single cost of reading an uncompressed layer. Two ways keep it off the
//! walker's path:
//!
//! - [`HashPool`], for blobs that are byte ranges of regular files (docker-archive,
//!   oci-archive, oci-dir): threads map the ranges themselves and hash them in place, several
//!   blobs at once, while the walker parses the same pages (see `mapped`).
//! - [`StreamHash`], for streams (pipes, the daemon, registries, decompressed layers): bytes are
//!   gathered into large chunks and handed to a thread that only hashes, so the two run on two
//!   cores; chunk buffers travel back for reuse, so the cost is one memcpy per byte and at most
//!   `DEPTH` chunks of memory.

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Bytes per hand-over: large enough that channel traffic is negligible, small enough that the
/// hashing thread starts early on small layers.
const CHUNK: usize = 1 << 20;
/// Chunks in flight; bounds memory at `DEPTH × CHUNK` when the hasher falls behind.
const DEPTH: usize = 4;
/// A SHA-256 that hashes on a background thread once the stream passes one chunk; smaller
/// streams (most layers of most images are small) are hashed inline with no thread at all.
pub(crate) struct StreamHash {
    pending: Vec<u8>,
    mode: Mode,
}

enum Mode {
    /// Less than one chunk seen so far.
    Gathering,
    Threaded(Worker),
    /// No thread could be spawned (resource limits): hash on the caller's thread.
    Inline(Sha256),
}

struct Worker {
    full: SyncSender<Vec<u8>>,
    empty: Receiver<Vec<u8>>,
    handle: JoinHandle<Sha256>,
}

impl StreamHash {
    pub(crate) fn new() -> StreamHash {
        StreamHash {
            pending: Vec::new(),
            mode: Mode::Gathering,
        }
    }

    /// Adds bytes to the hash.
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        if let Mode::Inline(h) = &mut self.mode {
            h.update(data);
            return;
        }
        while !data.is_empty() {
            if self.pending.capacity() == 0 {
                self.pending = self.take_buffer();
            }
            let n = (CHUNK - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.pending.len() == CHUNK {
                self.hand_over();
                if let Mode::Inline(h) = &mut self.mode {
                    h.update(data);
                    return;
                }
            }
        }
    }

    /// The digest of every byte given to [`StreamHash::update`].
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        match std::mem::replace(&mut self.mode, Mode::Gathering) {
            Mode::Gathering => Sha256::digest(&self.pending).into(),
            Mode::Inline(h) => h.finalize().into(),
            Mode::Threaded(w) => {
                if !self.pending.is_empty() {
                    // Fails only if the hasher panicked, which join reports below.
                    let _ = w.full.send(std::mem::take(&mut self.pending));
                }
                drop(w.full);
                match w.handle.join() {
                    Ok(h) => h.finalize().into(),
                    Err(p) => std::panic::resume_unwind(p),
                }
            }
        }
    }

    fn take_buffer(&mut self) -> Vec<u8> {
        match &self.mode {
            // A chunk the hasher is done with; blocks only while all DEPTH chunks are in flight,
            // which is the back-pressure that bounds memory.
            Mode::Threaded(w) => w.empty.recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK)),
            _ => Vec::with_capacity(CHUNK),
        }
    }

    fn hand_over(&mut self) {
        if let Mode::Gathering = self.mode {
            self.mode = match Worker::spawn() {
                Some(w) => Mode::Threaded(w),
                None => Mode::Inline(Sha256::new()),
            };
        }
        let chunk = std::mem::take(&mut self.pending);
        match &mut self.mode {
            Mode::Threaded(w) => {
                // Fails only if the hasher panicked; finalize() joins it and re-raises.
                let _ = w.full.send(chunk);
            }
            Mode::Inline(h) => h.update(&chunk),
            Mode::Gathering => unreachable!("set above"),
        }
    }
}

impl Worker {
    fn spawn() -> Option<Worker> {
        let (full, rx) = mpsc::sync_channel::<Vec<u8>>(DEPTH);
        let (back, empty) = mpsc::sync_channel::<Vec<u8>>(DEPTH + 1);
        for _ in 0..DEPTH - 1 {
            let _ = back.try_send(Vec::with_capacity(CHUNK));
        }
        let handle = std::thread::Builder::new()
            .name("warden-layer-hash".into())
            .spawn(move || {
                let mut h = Sha256::new();
                for mut chunk in rx {
                    h.update(&chunk);
                    chunk.clear();
                    // The walker may be gone (error path); the buffer is then just dropped.
                    let _ = back.try_send(chunk);
                }
                h
            })
            .ok()?;
        Some(Worker {
            full,
            empty,
            handle,
        })
    }
}

/// One byte range of a file to hash (a layer blob inside an archive, or a whole blob file).
pub(crate) struct RangeJob {
    pub(crate) file: Arc<File>,
    pub(crate) offset: u64,
    pub(crate) len: u64,
}

/// Bytes a hashing thread maps at a time: few system calls, and its resident set stays small
/// however large the blob.
const WINDOW: u64 = 8 << 20;
/// Below this many bytes in all, no thread is started: the caller hashes in [`HashPool::finish`].
const POOL_MIN: u64 = 4 << 20;

/// SHA-256 of file ranges computed on background threads, straight from the page cache.
///
/// The diff ID of a layer must cover every byte, so for an uncompressed layer the hash, not the
/// walk, is the longest job (~1.4 GB/s with the CPU's SHA extensions, against a walk that skips
/// the content it does not want). Each job is one blob; blobs are hashed in parallel, largest
/// first (the longest job bounds the wall time), by up to one thread per spare core; the caller
/// joins in when it is done walking. A thread maps its range [`WINDOW`] bytes at a time,
/// pre-faulted, so no byte is copied and the resident set stays small.
pub(crate) struct HashPool {
    shared: Arc<PoolShared>,
    threads: Vec<JoinHandle<()>>,
}

struct PoolShared {
    jobs: Vec<RangeJob>,
    /// Job indices, largest first.
    order: Vec<usize>,
    next: AtomicUsize,
    results: Mutex<Vec<Option<io::Result<[u8; 32]>>>>,
    cancel: AtomicBool,
}

impl PoolShared {
    /// Runs jobs until none is left.
    fn work(&self) {
        loop {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&j) = self.order.get(k) else { return };
            let r = hash_range(&self.jobs[j], &self.cancel);
            if let Ok(mut res) = self.results.lock() {
                res[j] = Some(r);
            }
        }
    }
}

impl HashPool {
    /// Starts hashing `jobs` in the background.
    pub(crate) fn start(jobs: Vec<RangeJob>) -> HashPool {
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&j| std::cmp::Reverse(jobs[j].len));
        let total: u64 = jobs.iter().map(|j| j.len).sum();
        let results = (0..jobs.len()).map(|_| None).collect();
        let shared = Arc::new(PoolShared {
            jobs,
            order,
            next: AtomicUsize::new(0),
            results: Mutex::new(results),
            cancel: AtomicBool::new(false),
        });
        // The walking thread keeps one core busy; it joins the pool when it is done.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let wanted = if total < POOL_MIN {
            0
        } else {
            cores.saturating_sub(1).max(1).min(shared.jobs.len())
        };
        let mut threads = Vec::with_capacity(wanted);
        for _ in 0..wanted {
            let sh = Arc::clone(&shared);
            match std::thread::Builder::new()
                .name("warden-blob-hash".into())
                .spawn(move || sh.work())
            {
                Ok(t) => threads.push(t),
                // Resource limits: finish() does the work on the caller's thread.
                Err(_) => break,
            }
        }
        HashPool { shared, threads }
    }

    /// Helps with the jobs still waiting, waits for the others and returns every digest, in job
    /// order.
    pub(crate) fn finish(mut self) -> Vec<io::Result<[u8; 32]>> {
        self.shared.work();
        for t in self.threads.drain(..) {
            if let Err(p) = t.join() {
                std::panic::resume_unwind(p);
            }
        }
        let mut res = match self.shared.results.lock() {
            Ok(mut g) => std::mem::take(&mut *g),
            Err(_) => Vec::new(),
        };
        res.resize_with(self.shared.jobs.len(), || None);
        res.into_iter()
            .map(|r| r.unwrap_or_else(|| Err(io::Error::other("hashing thread failed"))))
            .collect()
    }
}

impl Drop for HashPool {
    /// An error elsewhere abandons the pool: stop at the next window rather than hash gigabytes
    /// nobody will look at.
    fn drop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn hash_range(job: &RangeJob, cancel: &AtomicBool) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    let mut done = 0u64;
    let mut buf = Vec::new();
    while done < job.len {
        if cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("cancelled"));
        }
        let at = job.offset + done;
        let n = (job.len - done).min(WINDOW);
        // A page past the end of a file truncated under us would fault (SIGBUS): check first.
        crate::mapped::check_len(&job.file, at + n)?;
        // SAFETY: a read-only shared mapping of a regular file, dropped before the next window;
        // see `mapped` for what a concurrent writer can do.
        #[allow(unsafe_code)]
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(at)
                .len(n as usize)
                .populate()
                .map(&*job.file)
        };
        match map {
            Ok(m) => h.update(&m[..]),
            Err(_) => {
                buf.resize(n as usize, 0);
                std::os::unix::fs::FileExt::read_exact_at(&*job.file, &mut buf, at)?;
                h.update(&buf);
            }
        }
        done += n;
    }
    Ok(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_hashes_ranges_of_files() {
        use std::io::Write;
        let data: Vec<u8> = (0..(3 * WINDOW as usize + 4099))
            .map(|i| (i * 13 % 253) as u8)
            .collect();
        let mut f = tempfile::tempfile().expect("temp file");
        f.write_all(&data).expect("write");
        let f = Arc::new(f);
        let ranges = [
            (0usize, data.len()),
            (1, 100),
            (4097, 2 * WINDOW as usize + 5),
            (7, 0),
        ];
        let jobs = ranges
            .iter()
            .map(|&(o, l)| RangeJob {
                file: Arc::clone(&f),
                offset: o as u64,
                len: l as u64,
            })
            .collect();
        let got = HashPool::start(jobs).finish();
        for (r, (o, l)) in got.into_iter().zip(ranges) {
            let want: [u8; 32] = Sha256::digest(&data[o..o + l]).into();
            assert_eq!(r.expect("hashed"), want, "range {o}+{l}");
        }
        // A range past the end of the file is an error naming the truncation, not a crash.
        let short = HashPool::start(vec![RangeJob {
            file: Arc::clone(&f),
            offset: 10,
            len: data.len() as u64,
        }])
        .finish();
        let err = short.into_iter().next().expect("one").expect_err("short");
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn matches_sha256_at_every_size_and_split() {
        for len in [
            0,
            1,
            63,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            3 * CHUNK + 17,
            9 * CHUNK,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let want: [u8; 32] = Sha256::digest(&data).into();
            for step in [1usize << 20, 4096, 511, 3 * CHUNK] {
                if len > 2 * CHUNK && step < 4096 {
                    continue;
                }
                let mut h = StreamHash::new();
                for part in data.chunks(step.max(1)) {
                    h.update(part);
                }
                assert_eq!(h.finalize(), want, "len {len} step {step}");
            }
        }
    }
}
