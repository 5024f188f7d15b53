use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Ecosystem, ImageMeta, OsInfo};

/// Where a package was found: a path inside the image and the layer that brought it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Absolute path inside the image or scanned tree, `/`-separated (for example
    /// `/usr/lib/python3/dist-packages/yaml-5.3.1.dist-info/METADATA`). A file nested in an
    /// archive is written `outer.jar!/BOOT-INF/lib/inner.jar`.
    pub path: String,
    /// The diff ID (`sha256:...` of the uncompressed layer) that brought this file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

impl Location {
    /// A location with no layer information (a directory scan, or an SBOM without layers).
    pub fn path(path: impl Into<String>) -> Self {
        Location {
            path: path.into(),
            layer: None,
        }
    }
}

/// One installed or declared software package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Stable identifier, unique within one [`Inventory`]; derived from the package coordinates
    /// and first location so output is deterministic (see [`Package::compute_id`]).
    pub id: String,
    /// The packaging world.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it. Maven uses `group:artifact`, npm keeps its `@scope/`.
    pub name: String,
    /// Version as the ecosystem spells it (dpkg keeps its epoch, rpm is `[epoch:]version-release`).
    pub version: String,
    /// Package URL (<https://github.com/package-url/purl-spec>).
    pub purl: String,
    /// For OS packages: the source package it was built from (dpkg `Source:`, apk `o:`, rpm
    /// source RPM name). Distro advisories are keyed by this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// For OS packages: the source package version when it differs from `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Declared licences, SPDX identifiers or expressions where possible, as found otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Every place the package was found, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// The cataloger that found it (for example `dpkg-db`, `python-installed`, `java-archive`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub found_by: String,
    /// Ecosystem-specific facts (`arch`, `epoch`, `release`, `groupId`, `checksum`...), sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

impl Package {
    /// A package with its purl computed from ecosystem, name and version.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        let mut p = Package {
            id: String::new(),
            ecosystem,
            name: name.into(),
            version: version.into(),
            purl: String::new(),
            source_name: None,
            source_version: None,
            licenses: Vec::new(),
            locations: Vec::new(),
            found_by: String::new(),
            metadata: BTreeMap::new(),
        };
        p.purl = purl_encode(ecosystem, None, &p.name, &p.version, &[]);
        p
    }

    /// Adds a location and returns the package (builder style).
    pub fn at(mut self, location: Location) -> Self {
        self.locations.push(location);
        self
    }

    /// Recomputes the purl with an explicit namespace (OS packages use the distro vendor, such as
    /// `debian` or `alpine`) and qualifiers (for example `arch`, `distro`, `epoch`).
    pub fn set_purl(&mut self, namespace: Option<&str>, qualifiers: &[(&str, &str)]) {
        self.purl = purl_encode(
            self.ecosystem,
            namespace,
            &self.name,
            &self.version,
            qualifiers,
        );
    }

    /// The identifier [`Inventory::normalize`] assigns: `<purl>` plus, when the same purl is found
    /// in several places, the first location path. It never contains random parts.
    pub fn compute_id(&self) -> String {
        match self.locations.first() {
            Some(l) => format!(
                "{}?path={}",
                self.purl.split('?').next().unwrap_or(&self.purl),
                l.path
            ),
            None => self.purl.clone(),
        }
    }

    /// The key used for de-duplication and package-set comparison.
    pub fn coordinates(&self) -> (Ecosystem, &str, &str) {
        (self.ecosystem, &self.name, &self.version)
    }
}

/// Builds a purl. With no explicit `namespace`, the name is split into namespace and name the way
/// each purl type expects (Maven `group:artifact`, npm `@scope/name`, Go module paths).
///
/// Falls back to a `generic` purl with the raw name if the type rejects it, so a package never
/// loses its purl because of an unusual name.
pub fn purl_encode(
    eco: Ecosystem,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let (ns, short) = match namespace {
        Some(ns) => (Some(ns), name),
        None => split_name(eco, name),
    };
    let build = |ty: &str, ns: Option<&str>, short: &str| -> Option<String> {
        let mut p = packageurl::PackageUrl::new(ty.to_string(), short.to_string()).ok()?;
        if let Some(ns) = ns {
            p.with_namespace(ns.to_string());
        }
        if !version.is_empty() {
            p.with_version(version.to_string());
        }
        for (k, v) in qualifiers {
            if !v.is_empty() {
                p.add_qualifier(k.to_string(), v.to_string()).ok()?;
            }
        }
        Some(p.to_string())
    };
    build(eco.purl_type(), ns, short)
        .or_else(|| build("generic", None, name))
        .unwrap_or_else(|| format!("pkg:generic/unnamed@{version}"))
}

fn split_name(eco: Ecosystem, name: &str) -> (Option<&str>, &str) {
    match eco {
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, name),
        },
        Ecosystem::Npm if name.starts_with('@') => match name.split_once('/') {
            Some((s, n)) => (Some(s), n),
            None => (None, name),
        },
        Ecosystem::Golang | Ecosystem::Composer | Ecosystem::Generic => match name.rsplit_once('/')
        {
            Some((ns, n)) => (Some(ns), n),
            None => (None, name),
        },
        _ => (None, name),
    }
}

/// A directed relationship between two packages of one inventory, by [`Package::id`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Relationship {
    /// The package that depends.
    pub from: String,
    /// The package depended on.
    pub to: String,
}

/// Something a stage passed over, with the reason: never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkipNote {
    /// Where (a path, `path` in `layer`, or a reference).
    pub at: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Everything catalogued from one target: the package set plus where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The image the packages came from, when the target was an image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageMeta>,
    /// What the user asked for (the reference or path as given).
    pub target: String,
    /// The detected operating system, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    /// Packages, sorted by (ecosystem, name, version, id).
    pub packages: Vec<Package>,
    /// Dependency relationships, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
    /// Language packages dropped because an OS package owns their files (Trivy's rule).
    #[serde(default)]
    pub dropped_os_owned: usize,
    /// Files or entries passed over, with reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkipNote>,
}

impl Inventory {
    /// Sorts everything, fills missing ids, makes ids unique and drops duplicate relationships,
    /// so two runs over the same input serialise byte for byte the same.
    pub fn normalize(&mut self) {
        for p in &mut self.packages {
            p.locations.sort();
            p.locations.dedup();
            p.licenses.sort();
            p.licenses.dedup();
            if p.id.is_empty() {
                p.id = p.compute_id();
            }
        }
        self.packages.sort_by(|a, b| {
            (a.ecosystem, &a.name, &a.version, &a.id).cmp(&(
                b.ecosystem,
                &b.name,
                &b.version,
                &b.id,
            ))
        });
        // Ids must be unique for SBOM bom-refs; suffix true duplicates deterministically.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for p in &mut self.packages {
            let n = seen.entry(p.id.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                // Relationships keep pointing at the first occurrence, the one with the plain id.
                p.id = format!("{}#{}", p.id, n);
            }
        }
        self.relationships.sort();
        self.relationships.dedup();
        self.skipped.sort();
        self.skipped.dedup();
    }

    /// The package set as `(ecosystem, name, version)` triples, for comparisons between sources.
    pub fn coordinates(&self) -> std::collections::BTreeSet<(Ecosystem, String, String)> {
        self.packages
            .iter()
            .map(|p| (p.ecosystem, p.name.clone(), p.version.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_each_type() {
        assert_eq!(
            Package::new(Ecosystem::Npm, "@babel/core", "7.0.0").purl,
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            Package::new(
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                "2.14.1"
            )
            .purl,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            Package::new(Ecosystem::Golang, "golang.org/x/net", "v0.1.0").purl,
            "pkg:golang/golang.org/x/net@v0.1.0"
        );
        let mut d = Package::new(Ecosystem::Deb, "libc6", "2.36-9+deb12u4");
        d.set_purl(
            Some("debian"),
            &[("distro", "debian-12"), ("arch", "amd64")],
        );
        assert_eq!(
            d.purl,
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn normalize_is_deterministic_and_ids_unique() {
        let mut inv = Inventory::default();
        inv.packages
            .push(Package::new(Ecosystem::Npm, "b", "1").at(Location::path("/x/package.json")));
        inv.packages.push(Package::new(Ecosystem::Npm, "a", "1"));
        inv.packages.push(Package::new(Ecosystem::Npm, "a", "1"));
        inv.normalize();
        let ids: Vec<_> = inv.packages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "pkg:npm/a@1",
                "pkg:npm/a@1#2",
                "pkg:npm/b@1?path=/x/package.json"
            ]
        );
    }
}
