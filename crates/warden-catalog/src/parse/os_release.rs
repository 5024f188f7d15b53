//! `/etc/os-release` (shell-style `KEY=value` lines) and the single-line release files some
//! images carry instead (`/etc/alpine-release`, `/etc/debian_version`).

use warden_core::OsInfo;

/// Parses os-release text. Returns `None` when there is no `ID`.
pub fn parse_os_release(data: &[u8]) -> Option<OsInfo> {
    let text = String::from_utf8_lossy(data);
    let mut os = OsInfo::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = unquote(v.trim());
        match k.trim() {
            "ID" => os.id = v.to_ascii_lowercase(),
            "VERSION_ID" => os.version_id = v,
            "VERSION_CODENAME" if !v.is_empty() => os.codename = Some(v),
            "PRETTY_NAME" if !v.is_empty() => os.pretty_name = Some(v),
            "ID_LIKE" => os.id_like = v.split_whitespace().map(str::to_ascii_lowercase).collect(),
            _ => {}
        }
    }
    (!os.id.is_empty()).then_some(os)
}

/// os-release values may be double- or single-quoted with backslash escapes.
fn unquote(v: &str) -> String {
    let inner = if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `/etc/alpine-release` holds `3.20.3`.
pub fn from_alpine_release(data: &[u8]) -> Option<OsInfo> {
    let v = String::from_utf8_lossy(data).trim().to_string();
    (!v.is_empty()).then(|| OsInfo {
        id: "alpine".into(),
        version_id: v.clone(),
        pretty_name: Some(format!("Alpine Linux v{v}")),
        ..OsInfo::default()
    })
}

/// `/etc/debian_version` holds `12.11` (a point release) or `trixie/sid`. Advisory feeds key
/// Debian by major release, so the major number becomes `VERSION_ID` as os-release writes it.
pub fn from_debian_version(data: &[u8]) -> Option<OsInfo> {
    let v = String::from_utf8_lossy(data).trim().to_string();
    if v.is_empty() {
        return None;
    }
    let major = v.split('.').next().unwrap_or(&v);
    let version_id = if major.chars().all(|c| c.is_ascii_digit()) {
        major.to_string()
    } else {
        String::new()
    };
    Some(OsInfo {
        id: "debian".into(),
        version_id,
        codename: (!v.as_bytes()[0].is_ascii_digit())
            .then(|| v.split('/').next().unwrap_or(&v).to_string()),
        pretty_name: Some(format!("Debian GNU/Linux {v}")),
        ..OsInfo::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/fixtures/os/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn debian_os_release() {
        let os = parse_os_release(&fixture("debian-12.os-release")).expect("os");
        assert_eq!(os.id, "debian");
        assert_eq!(os.version_id, "12");
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        assert_eq!(
            os.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    #[test]
    fn id_like_and_single_quotes() {
        let os =
            parse_os_release(b"ID='rocky'\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n")
                .expect("os");
        assert_eq!(os.id, "rocky");
        assert_eq!(os.id_like, ["rhel", "centos", "fedora"]);
        assert_eq!(os.version_id, "9.4");
        assert!(parse_os_release(b"NAME=x\n").is_none());
    }

    #[test]
    fn fallbacks() {
        let a = from_alpine_release(b"3.20.3\n").expect("alpine");
        assert_eq!((a.id.as_str(), a.version_id.as_str()), ("alpine", "3.20.3"));
        let d = from_debian_version(&fixture("debian_version")).expect("debian");
        assert_eq!(d.version_id, "12");
        let sid = from_debian_version(b"trixie/sid\n").expect("sid");
        assert_eq!(sid.version_id, "");
        assert_eq!(sid.codename.as_deref(), Some("trixie"));
        assert!(from_debian_version(b"\n").is_none());
    }
}
