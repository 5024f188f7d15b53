//! Where warden keeps its caches, shared by every stage so one setting moves them all.

use std::path::PathBuf;

/// The cache directory for `kind` (e.g. `shellcheck`, `digests`): `$WARDEN_CACHE_DIR/KIND`, else
/// `$XDG_CACHE_HOME/warden/KIND`, else `~/.cache/warden/KIND`. Empty variables count as unset,
/// as the XDG spec says. `None` when there is no home to put it in.
pub fn cache_dir(kind: &str) -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = env("WARDEN_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("warden")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("warden")))?;
    Some(base.join(kind))
}
