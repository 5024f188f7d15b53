//! The one error type of this crate; every variant names the image and, where it applies, the
//! layer, blob or path.

/// Why an image could not be opened or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The reference could not be understood.
    #[error("invalid image reference '{reference}': {reason}")]
    Reference {
        /// The reference as given.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No source could provide the image.
    #[error("image '{reference}' not found: {tried}")]
    NotFound {
        /// The reference as given.
        reference: String,
        /// What was tried, and why each attempt failed.
        tried: String,
    },
    /// An I/O error while reading something of the image.
    #[error("{image}: {context}: {source}")]
    Io {
        /// The image reference.
        image: String,
        /// What was being read (a path, a blob, a layer).
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A layer could not be read (corrupt, truncated, not a tar).
    #[error("{image}: layer {layer}: {reason}")]
    Layer {
        /// The image reference.
        image: String,
        /// The layer, as its position and digest or its path inside an archive.
        layer: String,
        /// What went wrong.
        reason: String,
    },
    /// The uncompressed layer does not hash to the diff ID the config promises.
    #[error(
        "{image}: layer {index} diff ID mismatch: config says {expected}, content is {actual}"
    )]
    DiffIdMismatch {
        /// The image reference.
        image: String,
        /// Layer position.
        index: usize,
        /// The diff ID from the image config.
        expected: String,
        /// The sha256 of the uncompressed stream.
        actual: String,
    },
    /// A blob does not hash to the digest that names it.
    #[error("{image}: blob {expected} has digest {actual}")]
    DigestMismatch {
        /// The image reference.
        image: String,
        /// The digest that named the blob.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// A manifest or index names a blob the source does not hold.
    #[error("{image}: missing blob {blob}")]
    MissingBlob {
        /// The image reference.
        image: String,
        /// The blob digest or archive path.
        blob: String,
    },
    /// A manifest, index or config is malformed or inconsistent.
    #[error("{image}: {what}: {reason}")]
    Metadata {
        /// The image reference.
        image: String,
        /// Which document (`manifest.json`, `index.json`, the config blob...).
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A configured bound was exceeded (see [`crate::Limits`]).
    #[error("{image}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// The image reference.
        image: String,
        /// What grew too large, with where.
        what: String,
        /// The limit, with its unit.
        limit: String,
    },
    /// No manifest in an index matches the requested platform.
    #[error("{image}: no manifest for platform {wanted} (available: {available})")]
    Platform {
        /// The image reference.
        image: String,
        /// The platform asked for.
        wanted: String,
        /// The platforms the index offers.
        available: String,
    },
    /// The Docker engine refused or failed.
    #[error("{image}: docker engine: {reason}")]
    Daemon {
        /// The image reference.
        image: String,
        /// The engine's error.
        reason: String,
    },
    /// The registry refused or failed.
    #[error("{image}: registry: {reason}")]
    Registry {
        /// The image reference.
        image: String,
        /// The registry's error.
        reason: String,
    },
}

impl ImageError {
    pub(crate) fn io(image: &str, context: impl Into<String>, source: std::io::Error) -> Self {
        ImageError::Io {
            image: image.to_string(),
            context: context.into(),
            source,
        }
    }

    pub(crate) fn meta(image: &str, what: impl Into<String>, reason: impl ToString) -> Self {
        ImageError::Metadata {
            image: image.to_string(),
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}
