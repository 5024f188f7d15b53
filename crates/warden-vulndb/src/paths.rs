//! Where the database lives by default, and durations as users write them.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The default database file: `$XDG_CACHE_HOME/warden/db/warden.db`, else
/// `~/.cache/warden/db/warden.db` (`~/Library/Caches/...` on macOS), else `./warden.db`.
pub fn default_db_path() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| {
                let h = PathBuf::from(h);
                if cfg!(target_os = "macos") {
                    h.join("Library").join("Caches")
                } else {
                    h.join(".cache")
                }
            })
        });
    match base {
        Some(b) => b.join("warden").join("db").join("warden.db"),
        None => PathBuf::from("warden.db"),
    }
}

/// Parses `90s`, `30m`, `12h`, `7d`, `2w` (or a bare number of days) into seconds.
pub fn parse_duration(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let invalid = |reason: &str| Error::Invalid {
        what: "duration",
        value: s.to_string(),
        reason: reason.to_string(),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| invalid("expected a number followed by s, m, h, d or w (for example 7d)"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "" | "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(invalid("unknown unit; use s, m, h, d or w")),
    };
    n.checked_mul(mult).ok_or_else(|| invalid("too large"))
}

/// `3d 4h`, `5h 12m`, `42s`.
pub fn human_duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {}s", secs % 60)
    } else {
        format!("{secs}s")
    }
}
