//! npm: installed packages (`node_modules/<name>/package.json`) with dependencies resolved the
//! way node resolves them, and `package-lock.json` / `npm-shrinkwrap.json` for projects whose
//! `node_modules` is not installed.

use std::collections::BTreeMap;

use warden_core::{Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use super::{file_name, parent};
use crate::parse::npm::{parse_lock, parse_package_json};
use crate::{CatalogError, Cataloger, Context, Found};

const MAX_JSON: u64 = 16 << 20;

/// The npm cataloger.
pub struct NpmPackages;

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
fn is_installed_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let (head, name) = dir.rsplit_once('/').unwrap_or(("", dir));
    if name.is_empty() || name.starts_with('.') {
        return false;
    }
    if head.ends_with("/node_modules") {
        return true;
    }
    let (head2, scope) = head.rsplit_once('/').unwrap_or(("", head));
    scope.starts_with('@') && head2.ends_with("/node_modules")
}

fn is_lockfile(path: &str) -> bool {
    matches!(file_name(path), "package-lock.json" | "npm-shrinkwrap.json")
        && !path.contains("/node_modules/")
}

/// Node's lookup: `<dir>/node_modules/<name>`, then each ancestor's `node_modules`.
fn resolve<'a>(
    installed: &'a BTreeMap<String, usize>,
    from_dir: &str,
    name: &str,
) -> Option<&'a usize> {
    let mut dir = from_dir.to_string();
    loop {
        if !dir.ends_with("/node_modules") {
            if let Some(i) = installed.get(&format!("{dir}/node_modules/{name}")) {
                return Some(i);
            }
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent(&dir).to_string();
    }
}

impl Cataloger for NpmPackages {
    fn id(&self) -> &'static str {
        "npm-package"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if e.size <= MAX_JSON && (is_installed_manifest(e.path) || is_lockfile(e.path)) {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        // Installed package directory → package index.
        let mut installed: BTreeMap<String, usize> = BTreeMap::new();
        let mut wants: Vec<(usize, String, Vec<String>)> = Vec::new();
        for (path, data) in ctx.kept_where(is_installed_manifest) {
            let pj = match parse_package_json(data) {
                Ok(Some(pj)) => pj,
                Ok(None) => continue,
                Err(e) => {
                    out.skip(path, format!("package.json: {e}"));
                    continue;
                }
            };
            let mut p = Package::new(Ecosystem::Npm, &pj.name, &pj.version);
            p.licenses = pj.licenses;
            p.found_by = self.id().to_string();
            p.locations.push(ctx.location(path));
            let dir = parent(path).to_string();
            let i = out.add(p);
            installed.insert(dir.clone(), i);
            wants.push((i, dir, pj.dependencies));
        }
        for (i, dir, deps) in wants {
            for d in deps {
                if let Some(&j) = resolve(&installed, &dir, &d) {
                    out.relate(i, j);
                }
            }
        }
        // A lockfile beside an installed tree adds nothing the tree does not show; without one
        // (a source tree, or an image that pruned node_modules) it is the only evidence.
        for (path, data) in ctx.kept_where(is_lockfile) {
            let project = parent(path);
            let prefix = format!("{project}/node_modules/");
            if installed.keys().any(|k| k.starts_with(&prefix)) {
                continue;
            }
            let lock = match parse_lock(data) {
                Ok(l) => l,
                Err(e) => {
                    out.skip(path, format!("npm lockfile: {e}"));
                    continue;
                }
            };
            let location = ctx.location(path);
            let mut idx = vec![None; lock.packages.len()];
            for (k, lp) in lock.packages.iter().enumerate() {
                // Development dependencies are not shipped; Trivy and Syft skip them too.
                if lp.dev {
                    continue;
                }
                let mut p = Package::new(Ecosystem::Npm, &lp.name, &lp.version);
                p.licenses = lp.licenses.clone();
                p.found_by = self.id().to_string();
                p.locations.push(location.clone());
                p.metadata.insert("lockPath".into(), lp.path.clone());
                idx[k] = Some(out.add(p));
            }
            for (k, lp) in lock.packages.iter().enumerate() {
                for d in &lp.depends_on {
                    if let (Some(a), Some(b)) = (idx[k], idx[*d]) {
                        out.relate(a, b);
                    }
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
    fn manifest_paths() {
        assert!(is_installed_manifest(
            "/app/node_modules/debug/package.json"
        ));
        assert!(is_installed_manifest(
            "/app/node_modules/@isaacs/string-locale-compare/package.json"
        ));
        assert!(is_installed_manifest(
            "/app/node_modules/debug/node_modules/ms/package.json"
        ));
        assert!(!is_installed_manifest("/app/package.json"));
        assert!(!is_installed_manifest(
            "/app/node_modules/debug/lib/package.json"
        ));
        assert!(!is_installed_manifest(
            "/app/node_modules/.bin/package.json"
        ));
        assert!(is_lockfile("/app/package-lock.json"));
        assert!(!is_lockfile("/app/node_modules/x/package-lock.json"));
    }

    #[test]
    fn node_resolution() {
        let mut m = BTreeMap::new();
        m.insert("/app/node_modules/debug".to_string(), 0);
        m.insert("/app/node_modules/ms".to_string(), 1);
        m.insert("/app/node_modules/debug/node_modules/ms".to_string(), 2);
        assert_eq!(resolve(&m, "/app/node_modules/debug", "ms"), Some(&2));
        assert_eq!(resolve(&m, "/app/node_modules/other", "ms"), Some(&1));
        assert_eq!(resolve(&m, "/app/node_modules/other", "missing"), None);
    }
}
