//! A small fast hasher for the engine's short keys (event type names, list items). The
//! standard SipHash resists hash flooding, which these tables do not need: their keys come from
//! the rules, not from events, and lookups with event data only read them. It mixes eight bytes
//! per multiply (the FxHash scheme) instead of one, which matters for `proc.name in (...)`-style
//! lookups done for most events.

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Word-at-a-time multiplicative hash.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fx(u64);

impl Fx {
    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak; fold the high half in, since hashbrown picks
        // buckets with the low bits.
        let h = (self.0 ^ (self.0 >> 32)).wrapping_mul(K);
        h ^ (h >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Byte by byte: a variable-length copy would call memmove, which costs more than
            // the whole hash for these short keys. The length keeps "a" and "a\0" apart.
            let w = rest
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b));
            self.mix(w ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// Builds [`Fx`] hashers.
pub type FxBuild = BuildHasherDefault<Fx>;
