//! The crate's error type. Every variant names the file, record or field it is about.

use std::path::PathBuf;

/// Everything that can go wrong while ingesting feeds, building, opening, querying, downloading
/// or exchanging a database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An archive member could not be read, or the archive is malformed.
    #[error("{archive}: {reason}")]
    Archive {
        /// The archive (and member, after `!`).
        archive: String,
        /// What went wrong.
        reason: String,
    },
    /// An archive expands beyond the configured bound (a zip or tar bomb).
    #[error("{archive}: uncompressed size exceeds the limit of {limit} bytes (possible archive bomb); raise --max-uncompressed if the feed is genuine")]
    TooLarge {
        /// The archive (and member, after `!`).
        archive: String,
        /// The bound in bytes.
        limit: u64,
    },
    /// The database file is not a warden database, is truncated or is damaged.
    #[error("database {path}: {reason}")]
    Corrupt {
        /// The database file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The database was written by another schema version.
    #[error("database {path}: schema version {found}, this warden reads schema {expected}; run `warden db update` or `warden db pull` for a matching database")]
    Schema {
        /// The database file.
        path: String,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The database is older than the allowed maximum age.
    #[error("database {path} is {age} old, more than --db-max-age {max}; run `warden db update`")]
    TooOld {
        /// The database file.
        path: String,
        /// Its age, human-readable.
        age: String,
        /// The allowed maximum, human-readable.
        max: String,
    },
    /// A build found no usable advisory at all.
    #[error("no advisories found in {inputs}: nothing to build")]
    Empty {
        /// The inputs, comma-separated.
        inputs: String,
    },
    /// A download failed.
    #[error("download {url}: {reason}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A downloaded file does not match its published checksum.
    #[error("{file}: sha256 {actual} does not match the published {expected}")]
    Checksum {
        /// The file.
        file: String,
        /// The expected digest.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// An OCI registry operation failed.
    #[error("registry {reference}: {reason}")]
    Registry {
        /// The reference.
        reference: String,
        /// What went wrong.
        reason: String,
    },
    /// A value given by the user is invalid (a duration, a reference, a key).
    #[error("invalid {what} '{value}': {reason}")]
    Invalid {
        /// What kind of value.
        what: &'static str,
        /// The value.
        value: String,
        /// Why.
        reason: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether the error is about the database file itself (missing, corrupt, wrong schema or
    /// too old), which the CLI reports with its database exit code.
    pub fn is_database(&self) -> bool {
        matches!(
            self,
            Error::Corrupt { .. } | Error::Schema { .. } | Error::TooOld { .. }
        ) || matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
