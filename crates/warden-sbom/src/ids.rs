//! Deterministic identifiers and timestamps.

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A name-based (v5) UUID from arbitrary bytes. The bytes are the document content (or a seed), so
/// equal inventories get equal serial numbers and namespaces without any randomness.
pub(crate) fn uuid_from(bytes: &[u8]) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, bytes)
        .hyphenated()
        .to_string()
}

/// The first 16 hex digits of SHA-256, for short stable SPDX element IDs.
pub(crate) fn short_hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Keeps only the characters SPDX allows in an `SPDXRef-` identifier (letters, digits, `.`, `-`).
pub(crate) fn spdx_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Parses an RFC 3339 date-time and re-emits it in UTC with second precision
/// (`2024-01-02T03:04:05Z`), the shape both schemas and most consumers expect.
pub(crate) fn normalize_timestamp(s: &str) -> Option<String> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()?;
    t.format(&Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_stable_and_v5() {
        let a = uuid_from(b"x");
        assert_eq!(a, uuid_from(b"x"));
        assert_ne!(a, uuid_from(b"y"));
        assert_eq!(&a[14..15], "5");
    }

    #[test]
    fn timestamps_are_normalized_to_utc_seconds() {
        assert_eq!(
            normalize_timestamp("2024-05-01T12:30:00.123456789+02:00").as_deref(),
            Some("2024-05-01T10:30:00Z")
        );
        assert_eq!(normalize_timestamp("yesterday"), None);
    }

    #[test]
    fn spdx_safe_collapses_other_characters() {
        assert_eq!(spdx_safe("@babel/core@7.0.0"), "babel-core-7.0.0");
        assert_eq!(spdx_safe("a::b"), "a-b");
    }
}
