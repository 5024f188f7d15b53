//! SHA-256 of a layer stream, computed on a second thread.
//!
//! Hashing was about half of the CPU time of reading an uncompressed layer (the diff ID must
//! cover every byte, content that no cataloger wants included), and the tar walk could not start
//! the next header until the hash of the previous bytes was done. Bytes are gathered into large
//! chunks and handed to a thread that only hashes, so the two run on two cores; chunk buffers
//! travel back for reuse, so the cost is one memcpy per byte and at most `DEPTH` chunks of memory.

use std::sync::mpsc::{self, Receiver, SyncSender};
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

#[cfg(test)]
mod tests {
    use super::*;

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
