//! Small matching helpers shared by the policy sources: purls, globs and dates.

use std::collections::BTreeMap;

use time::Date;

/// A parsed package URL, percent-decoded, enough to compare two purls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    pub ty: String,
    pub namespace: String,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: BTreeMap<String, String>,
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`; `None` if it is not a purl.
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.trim().strip_prefix("pkg:")?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (rest, quals) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        // The version separator is the last '@' after the last '/', so scoped npm names survive.
        let slash = rest.rfind('/').unwrap_or(0);
        let (path, version) = match rest[slash..].rfind('@') {
            Some(at) => (
                &rest[..slash + at],
                Some(pct_decode(&rest[slash + at + 1..])),
            ),
            None => (rest, None),
        };
        let (ty, path) = path.split_once('/')?;
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (ns, n),
            None => ("", path),
        };
        if ty.is_empty() || name.is_empty() {
            return None;
        }
        let qualifiers = quals
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), pct_decode(v)))
            .collect();
        Some(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace: namespace
                .split('/')
                .map(pct_decode)
                .collect::<Vec<_>>()
                .join("/"),
            name: pct_decode(name),
            version,
            qualifiers,
        })
    }

    /// Whether `self`, used as a pattern, covers `other`: same type, namespace and name; the same
    /// version when the pattern has one; and every qualifier of the pattern present in `other`.
    pub fn covers(&self, other: &Purl) -> bool {
        let ci = matches!(
            self.ty.as_str(),
            "pypi" | "npm" | "golang" | "deb" | "apk" | "gem" | "composer" | "nuget"
        );
        let eq = |a: &str, b: &str| {
            if ci {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        self.ty == other.ty
            && eq(&self.namespace, &other.namespace)
            && eq(
                &normalise_name(&self.ty, &self.name),
                &normalise_name(&other.ty, &other.name),
            )
            && self
                .version
                .as_ref()
                .is_none_or(|v| other.version.as_deref() == Some(v.as_str()))
            && self
                .qualifiers
                .iter()
                .all(|(k, v)| other.qualifiers.get(k) == Some(v))
    }
}

fn normalise_name(ty: &str, name: &str) -> String {
    // PyPI names compare after PEP 503 normalisation: `PyYAML` and `pyyaml` are one project.
    if ty == "pypi" {
        name.to_ascii_lowercase().replace(['_', '.'], "-")
    } else {
        name.to_string()
    }
}

/// Whether a purl pattern string covers a package purl string; false when either is not a purl.
pub(crate) fn purl_covers(pattern: &str, purl: &str) -> bool {
    match (Purl::parse(pattern), Purl::parse(purl)) {
        (Some(p), Some(q)) => p.covers(&q),
        _ => false,
    }
}

/// A glob over `/`-separated paths: `*` and `?` stay inside one segment, `**` spans segments.
/// A leading `/` is optional on both sides, because Trivy writes image paths without one.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
                (0..=s.len())
                    .any(|i| (i == 0 || s[i - 1] == b'/' || rest.is_empty()) && go(rest, &s[i..]))
                    || go(&p[2..], s)
            }
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| go(&p[1..], &s[i..])),
            Some(b'?') => s.first().is_some_and(|&c| c != b'/') && go(&p[1..], &s[1..]),
            Some(&c) => s.first() == Some(&c) && go(&p[1..], &s[1..]),
        }
    }
    let p = pattern.trim_start_matches('/');
    let s = path.trim_start_matches('/');
    go(p.as_bytes(), s.as_bytes())
}

/// Parses `YYYY-MM-DD`, also accepting an RFC 3339 timestamp whose date part is taken.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let day =
        if s.len() > 10 && s.is_char_boundary(10) && matches!(s.as_bytes()[10], b'T' | b't' | b' ')
        {
            &s[..10]
        } else {
            s
        };
    Date::parse(
        day,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Formats a date as `YYYY-MM-DD`.
pub(crate) fn fmt_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The 1-based line of the first line at or after `from` that contains every needle.
pub(crate) fn find_line(text: &str, from: usize, needles: &[&str]) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| needles.iter().all(|n| l.contains(n)))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_cover_by_name_version_and_qualifiers() {
        assert!(purl_covers(
            "pkg:npm/%40babel/traverse",
            "pkg:npm/%40babel/traverse@7.22.10"
        ));
        assert!(purl_covers(
            "pkg:npm/%40babel/traverse@7.22.10",
            "pkg:npm/@babel/traverse@7.22.10"
        ));
        assert!(!purl_covers(
            "pkg:npm/%40babel/traverse@7.22.9",
            "pkg:npm/%40babel/traverse@7.22.10"
        ));
        assert!(purl_covers(
            "pkg:pypi/pyyaml@5.3.1",
            "pkg:pypi/PyYAML@5.3.1"
        ));
        assert!(purl_covers(
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4",
            "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12"
        ));
        assert!(!purl_covers(
            "pkg:deb/debian/libc6?arch=arm64",
            "pkg:deb/debian/libc6@2.36?arch=amd64"
        ));
        assert!(!purl_covers(
            "pkg:maven/org.apache/log4j-core",
            "pkg:maven/org.apache/log4j-api@2"
        ));
        assert!(!purl_covers("not a purl", "pkg:npm/a@1"));
    }

    #[test]
    fn globs_respect_segments() {
        assert!(glob_match(
            "usr/local/lib/python3.9/site-packages/*/METADATA",
            "/usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA"
        ));
        assert!(!glob_match("usr/*/METADATA", "usr/a/b/METADATA"));
        assert!(glob_match("/app/**", "/app/lib/x.jar"));
        assert!(glob_match(
            "**/node_modules/lodash/package.json",
            "/srv/app/node_modules/lodash/package.json"
        ));
        assert!(glob_match("/a/?.txt", "/a/b.txt"));
        assert!(!glob_match("/a/?.txt", "/a/bc.txt"));
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2023-09-01").map(fmt_date).as_deref(),
            Some("2023-09-01")
        );
        assert_eq!(
            parse_date("2023-09-01T10:00:00Z").map(fmt_date).as_deref(),
            Some("2023-09-01")
        );
        assert!(parse_date("2023-13-01").is_none());
        assert!(parse_date("tomorrow").is_none());
    }
}
