//! Well-known programs copied into an image without a package manager (`COPY busybox /bin/`,
//! a runtime built from source under /usr/local): no database records them, so they are
//! recognised by file name and the version string the program embeds, as Syft's binary
//! classifiers do. A program that an OS package installed is dropped afterwards by the
//! dispatcher's ownership rule: the distro package is the one advisories apply to.

use std::sync::LazyLock;

use regex::bytes::Regex;
use warden_core::{Ecosystem, Location, Package};
use warden_image::{EntryMeta, InspectedFile, Interest};

use crate::{CatalogError, Cataloger, Found};

/// The binary classifier cataloger.
pub struct BinaryClassifier;

/// How a file's name selects a classifier.
#[derive(Clone, Copy)]
enum Name {
    /// The base name, exactly.
    Exact(&'static str),
    /// A name pattern whose first group is the version's leading part (`python3.11`,
    /// `libpython3.11.so.1.0`), which the evidence must then repeat: a template, so
    /// `\x003.11.2\x00` is found and not any NUL-delimited number.
    Versioned(&'static str),
}

struct Classifier {
    /// Recorded as the package's `binaryClass` metadata, so a finding says how it was made.
    class: &'static str,
    names: &'static [Name],
    /// Byte patterns tried in order; each has a `version` group.
    patterns: &'static [&'static str],
    package: &'static str,
}

/// Evidence patterns: the strings each project's build embeds (checked against real builds:
/// Debian 12's busybox-static, bash, nginx, redis, postgres and Node binaries).
const CLASSIFIERS: &[Classifier] = &[
    Classifier {
        class: "busybox-binary",
        names: &[Name::Exact("busybox")],
        patterns: &[r"BusyBox\s+v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
        package: "busybox",
    },
    Classifier {
        class: "bash-binary",
        names: &[Name::Exact("bash")],
        patterns: &[
            r"@\(#\)Bash version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\([0-9]\) [a-z0-9]+ GNU",
        ],
        package: "bash",
    },
    Classifier {
        class: "nodejs-binary",
        names: &[Name::Exact("node")],
        patterns: &[
            r"node\.js/v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
            r"\x00(?:node )?v(?P<version>(?:0|4|5|6)\.[0-9]+\.[0-9]+)\x00",
        ],
        package: "node",
    },
    Classifier {
        class: "python-binary",
        names: &[
            Name::Versioned(r"^python([0-9]+(?:\.[0-9]+)+)$"),
            Name::Versioned(r"^libpython([0-9]+(?:\.[0-9]+)+)[a-z]?\.so(?:\.[0-9.]+)?$"),
        ],
        patterns: &[],
        package: "python",
    },
    Classifier {
        class: "redis-binary",
        names: &[Name::Exact("redis-server")],
        patterns: &[
            r"[^\d](?P<version>\d+\.\d+\.\d+)buildkitsandbox-\d+",
            r"[^\d](?P<version>[0-9]+\.[0-9]+\.[0-9]+)\w{12}-\d+",
            r"Redis version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
        ],
        package: "redis",
    },
    Classifier {
        class: "nginx-binary",
        names: &[Name::Exact("nginx")],
        patterns: &[
            r"(?:\x00|\?)nginx version: [^/]+/(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:\+\d+)?(?:-\d+)?)",
        ],
        package: "nginx",
    },
    Classifier {
        class: "httpd-binary",
        names: &[Name::Exact("httpd")],
        patterns: &[r"Apache/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
        package: "httpd",
    },
    Classifier {
        class: "postgresql-binary",
        names: &[Name::Exact("postgres")],
        patterns: &[
            r"(?:\x00|\?)PostgreSQL (?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ],
        package: "postgresql",
    },
    Classifier {
        class: "memcached-binary",
        names: &[Name::Exact("memcached")],
        patterns: &[r"memcached\s(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
        package: "memcached",
    },
    Classifier {
        class: "haproxy-binary",
        names: &[Name::Exact("haproxy")],
        patterns: &[
            r"version (?P<version>[0-9]+\.[0-9]+(?:\.|-dev|-rc)[0-9]+)(?:-[a-z0-9]{7})?, released 20",
            r"HA-Proxy version (?P<version>[0-9]+\.[0-9]+(?:\.|-dev)[0-9]+)",
        ],
        package: "haproxy",
    },
    Classifier {
        class: "openssl-binary",
        names: &[Name::Exact("openssl")],
        patterns: &[
            r"\x00OpenSSL (?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:[a-z]+|-alpha[0-9]|-beta[0-9]|-rc[0-9])?)",
        ],
        package: "openssl",
    },
    Classifier {
        class: "curl-binary",
        names: &[Name::Exact("curl")],
        patterns: &[r"curl/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
        package: "curl",
    },
    Classifier {
        class: "perl-binary",
        names: &[Name::Exact("perl")],
        patterns: &[r"/usr/local/lib/perl\d/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
        package: "perl",
    },
    Classifier {
        class: "ruby-binary",
        names: &[Name::Exact("ruby")],
        patterns: &[r"ruby (?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:(?:p|preview|rc|dev)[0-9]*)?) "],
        package: "ruby",
    },
];

/// Compiled once: `(?-u)` so `.`/`\w` work on bytes and a binary's invalid UTF-8 is no obstacle.
static COMPILED: LazyLock<Vec<Vec<Regex>>> = LazyLock::new(|| {
    CLASSIFIERS
        .iter()
        .map(|c| {
            c.patterns
                .iter()
                .map(|p| Regex::new(&format!("(?-u){p}")).expect("classifier patterns are valid"))
                .collect()
        })
        .collect()
});

/// Name patterns of [`Name::Versioned`] classifiers, compiled once, in table order.
static NAME_PATTERNS: LazyLock<Vec<(usize, regex::Regex)>> = LazyLock::new(|| {
    let mut v = Vec::new();
    for (i, c) in CLASSIFIERS.iter().enumerate() {
        for n in c.names {
            if let Name::Versioned(p) = n {
                v.push((i, regex::Regex::new(p).expect("name patterns are valid")));
            }
        }
    }
    v
});

fn classifier_for(base: &str) -> Option<(usize, Option<&str>)> {
    let exact = CLASSIFIERS.iter().position(|c| {
        c.names
            .iter()
            .any(|n| matches!(n, Name::Exact(x) if *x == base))
    });
    if let Some(i) = exact {
        return Some((i, None));
    }
    NAME_PATTERNS.iter().find_map(|(i, re)| {
        re.captures(base)
            .and_then(|c| c.get(1))
            .map(|m| (*i, Some(m.as_str())))
    })
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The version a classifier finds in `data`, if any.
fn classify(i: usize, name_version: Option<&str>, data: &[u8]) -> Option<String> {
    if let Some(prefix) = name_version {
        // The version sits NUL-delimited in the binary and the shared library alike: the first
        // field between two NULs that is the name's version followed by version characters.
        // A field scan, not a regex built per file for this file's prefix.
        let is_version = |f: &[u8]| {
            f.strip_prefix(prefix.as_bytes()).is_some_and(|rest| {
                rest.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
            })
        };
        // Skip the field before the first NUL; the last field has no NUL after it.
        let mut fields = data.split(|&b| b == 0).skip(1).peekable();
        while let Some(f) = fields.next() {
            if fields.peek().is_none() {
                break;
            }
            if is_version(f) {
                return Some(String::from_utf8_lossy(f).into_owned());
            }
        }
        return None;
    }
    COMPILED[i].iter().find_map(|re| {
        re.captures(data)
            .and_then(|c| c.name("version"))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    })
}

impl Cataloger for BinaryClassifier {
    fn id(&self) -> &'static str {
        "binary-classifier"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        // An executable or a shared object, with an ELF magic: cheap checks before any read.
        let elf = e.head.starts_with(b"\x7fELF");
        if e.size >= 1024 && elf && classifier_for(base_name(e.path)).is_some() {
            Interest::Inspect
        } else {
            Interest::Skip
        }
    }

    fn inspect(&self, file: &InspectedFile<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let Some((i, name_version)) = classifier_for(base_name(file.path)) else {
            return Ok(());
        };
        let Some(version) = classify(i, name_version, file.data) else {
            return Ok(());
        };
        let c = &CLASSIFIERS[i];
        let mut p = Package::new(Ecosystem::Generic, c.package, version);
        p.found_by = self.id().to_string();
        p.metadata.insert("binaryClass".into(), c.class.into());
        p.locations.push(Location {
            path: file.path.to_string(),
            layer: (!file.diff_id.is_empty()).then(|| file.diff_id.to_string()),
        });
        out.add(p);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, data: &[u8]) -> Option<(String, String)> {
        let (i, v) = classifier_for(base_name(path))?;
        classify(i, v, data).map(|ver| (CLASSIFIERS[i].package.to_string(), ver))
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(COMPILED.len(), CLASSIFIERS.len());
    }

    #[test]
    fn names_select_classifiers() {
        assert!(classifier_for("busybox").is_some());
        assert!(classifier_for("busybox.old").is_none());
        assert_eq!(classifier_for("python3.11").unwrap().1, Some("3.11"));
        assert_eq!(
            classifier_for("libpython3.11.so.1.0").unwrap().1,
            Some("3.11")
        );
        assert_eq!(classifier_for("libpython3.9d.so").unwrap().1, Some("3.9"));
        assert!(
            classifier_for("python3").is_none(),
            "no version in the name"
        );
        assert!(classifier_for("python3.11-config").is_none());
        assert!(classifier_for("libpython3.11.a").is_none());
    }

    #[test]
    fn evidence_strings_give_versions() {
        let cases: &[(&str, &[u8], &str, &str)] = &[
            (
                "/bin/busybox",
                b"\x00BusyBox v1.36.1 (2023-11-07) multi-call binary.\x00",
                "busybox",
                "1.36.1",
            ),
            (
                "/usr/local/bin/bash",
                b"\x00@(#)Bash version 5.2.15(1) release GNU\x00",
                "bash",
                "5.2.15",
            ),
            (
                "/usr/local/bin/node",
                b"xx node.js/v20.11.1 yy",
                "node",
                "20.11.1",
            ),
            (
                "/usr/local/bin/python3.12",
                b"\x003.12\x00junk\x003.12.1\x00",
                "python",
                "3.12",
            ),
            (
                "/usr/sbin/nginx",
                b"\x00nginx version: nginx/1.25.3\x00",
                "nginx",
                "1.25.3",
            ),
            (
                "/usr/local/bin/redis-server",
                b"\x007.2.4buildkitsandbox-1709000000000000000\x00",
                "redis",
                "7.2.4",
            ),
            (
                "/usr/lib/postgresql/bin/postgres",
                b"\x00PostgreSQL 16.2 on x86_64",
                "postgresql",
                "16.2",
            ),
            (
                "/usr/bin/openssl",
                b"\x00OpenSSL 3.0.11 19 Sep 2023\x00",
                "openssl",
                "3.0.11",
            ),
            (
                "/usr/local/bin/ruby",
                b"ruby 3.3.0 (2023-12-25 revision 5124f9ac75) [x86_64-linux]",
                "ruby",
                "3.3.0",
            ),
        ];
        for (path, data, pkg, ver) in cases {
            assert_eq!(
                found(path, data),
                Some((pkg.to_string(), ver.to_string())),
                "{path}"
            );
        }
        // A name match with no evidence is no package: no version is guessed.
        assert_eq!(found("/bin/busybox", b"\x00nothing here\x00"), None);
    }

    /// The real busybox-static of this machine (scripts/setup.sh installs it), not a string
    /// written for the test.
    #[test]
    fn real_busybox_binary() {
        let data = std::fs::read("/bin/busybox")
            .expect("/bin/busybox missing: run scripts/setup.sh (busybox-static)");
        let (pkg, ver) = found("/bin/busybox", &data).expect("busybox classified");
        assert_eq!(pkg, "busybox");
        assert!(
            ver.split('.').count() == 3 && ver.split('.').all(|p| p.parse::<u32>().is_ok()),
            "{ver}"
        );
    }
}
