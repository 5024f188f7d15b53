//! Python: installed distributions (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`,
//! `*.egg-info` files, `EGG-INFO/PKG-INFO` in eggs).

use std::collections::BTreeMap;

use warden_core::{Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use super::parent;
use crate::parse::python_metadata::parse_metadata;
use crate::{CatalogError, Cataloger, Context, Found};

/// Metadata files bigger than this carry a long description only; the headers come first,
/// but a file this large in a metadata location is not worth keeping.
const MAX_METADATA: u64 = 4 << 20;

/// The installed-Python-distribution cataloger.
pub struct PythonInstalled;

fn is_metadata(path: &str) -> bool {
    path.ends_with(".dist-info/METADATA")
        || path.ends_with(".egg-info/PKG-INFO")
        || path.ends_with("/EGG-INFO/PKG-INFO")
        // distutils wrote a single `name-version.egg-info` file instead of a directory.
        || (path.ends_with(".egg-info") && path.contains("-packages/"))
}

/// PEP 503 normalisation, for resolving `Requires-Dist` names.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The directory that holds the distribution (`site-packages`), which scopes name resolution.
fn site_dir(path: &str) -> &str {
    let dir = if path.ends_with(".egg-info") {
        path
    } else {
        parent(path)
    };
    parent(dir)
}

impl Cataloger for PythonInstalled {
    fn id(&self) -> &'static str {
        "python-installed"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if is_metadata(e.path) && e.size <= MAX_METADATA {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let mut by_site: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut wants: Vec<(usize, String, Vec<String>)> = Vec::new();
        for (path, data) in ctx.kept_where(is_metadata) {
            let m = match parse_metadata(data) {
                Ok(m) => m,
                Err(e) => {
                    out.skip(path, format!("python metadata: {e}"));
                    continue;
                }
            };
            let mut p = Package::new(Ecosystem::Pypi, &m.name, &m.version);
            p.licenses = m.licenses;
            p.found_by = self.id().to_string();
            p.locations.push(ctx.location(path));
            let site = site_dir(path).to_string();
            let i = out.add(p);
            by_site
                .entry((site.clone(), normalize(&m.name)))
                .or_insert(i);
            wants.push((i, site, m.requires));
        }
        for (i, site, requires) in wants {
            for r in requires {
                if let Some(&j) = by_site.get(&(site.clone(), normalize(&r))) {
                    out.relate(i, j);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sites() {
        assert_eq!(normalize("Charset_Normalizer"), "charset-normalizer");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(
            site_dir("/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"),
            "/usr/lib/python3/dist-packages"
        );
        assert_eq!(
            site_dir("/usr/lib/python3/dist-packages/foo-1.0.egg-info"),
            "/usr/lib/python3/dist-packages"
        );
        assert!(is_metadata("/x/site-packages/a-1.egg-info/PKG-INFO"));
        assert!(!is_metadata("/x/site-packages/a-1.dist-info/RECORD"));
    }
}
