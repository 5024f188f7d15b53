//! The configurable bounds that keep a hostile image from exhausting memory, disk or time.

/// Bounds applied while reading an image. Every limit, when hit, gives either a clear error
/// (the image cannot be read faithfully) or a skip note (one entry is passed over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Total uncompressed bytes over all layers (a gzip bomb stops here with an error).
    pub max_total_uncompressed: u64,
    /// Total tar entries over all layers.
    pub max_entries: u64,
    /// Total bytes of Kept file content held in memory.
    pub max_kept_bytes: u64,
    /// Largest manifest, index or config JSON read into memory.
    pub max_metadata_size: u64,
    /// Longest path (in bytes) accepted in a layer; longer entries are skipped with a note.
    pub max_path_len: usize,
    /// Symlinks followed while resolving one path (the kernel's `MAXSYMLINKS` is 40).
    pub max_symlink_hops: usize,
    /// Layers in one image.
    pub max_layers: usize,
    /// Skip notes recorded one by one; later ones are counted in a single summary note.
    pub max_skip_notes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_uncompressed: 64 << 30,
            max_entries: 20_000_000,
            max_kept_bytes: 2 << 30,
            max_metadata_size: 16 << 20,
            max_path_len: 4096,
            max_symlink_hops: 40,
            max_layers: 1000,
            max_skip_notes: 10_000,
        }
    }
}
