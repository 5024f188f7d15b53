//! The dispatcher: one [`Selector`] over every cataloger, then the merge into an
//! [`Inventory`] (layer filtering, OS-ownership dropping, ids and relationships).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use warden_core::{Ecosystem, Inventory, Package, Relationship, SkipNote};
use warden_image::{
    EntryMeta, Filesystem, InspectedFile, Interest, OpenOptions, Progress, Selector,
};

use crate::ecosystems::os;
use crate::{CatalogError, Cataloger, Context, Found, CATALOGERS};

/// Results of one inspected file, kept until the walk ends and the final view is known.
struct Inspected {
    path: String,
    layer: usize,
    found: Found,
}

/// Routes files to catalogers during the walk and merges their results afterwards.
pub struct Dispatcher<'c> {
    catalogers: &'c [&'c dyn Cataloger],
    inspected: Mutex<Vec<Inspected>>,
}

impl Default for Dispatcher<'static> {
    fn default() -> Self {
        Dispatcher::new()
    }
}

impl Dispatcher<'static> {
    /// A dispatcher over every cataloger in [`CATALOGERS`].
    pub fn new() -> Self {
        Dispatcher::with(CATALOGERS)
    }
}

impl<'c> Dispatcher<'c> {
    /// A dispatcher over a chosen set of catalogers.
    pub fn with(catalogers: &'c [&'c dyn Cataloger]) -> Self {
        Dispatcher {
            catalogers,
            inspected: Mutex::new(Vec::new()),
        }
    }

    /// Runs the collectors over the walked view, keeps inspected results whose file survives in
    /// the final view, drops language packages an OS package owns, and builds the inventory.
    /// `target` and `image` are left for the caller to fill.
    pub fn finish(self, fs: &Filesystem) -> Inventory {
        let os = os::detect(fs);
        let ctx = Context {
            fs,
            os: os.as_ref(),
        };
        let mut all = Found::default();
        for c in self.catalogers {
            let mut f = Found::default();
            match c.collect(&ctx, &mut f) {
                Ok(()) => all.append(f),
                Err(e) => {
                    // Keep what the cataloger found before failing: it is still evidence.
                    all.append(f);
                    all.skip(format!("cataloger {}", c.id()), e.to_string());
                }
            }
        }
        let mut inspected = self
            .inspected
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        // Walker threads finish in any order; the output must not depend on it.
        inspected.sort_by(|a, b| (&a.path, a.layer).cmp(&(&b.path, b.layer)));
        for i in inspected {
            if fs.survives(&i.path, i.layer) {
                all.append(i.found);
            } else {
                tracing::debug!(path = %i.path, layer = i.layer, "inspected file replaced or deleted in a later layer");
            }
        }
        let mut inv = build_inventory(all);
        inv.os = os;
        inv
    }
}

impl Selector for Dispatcher<'_> {
    fn select(&self, e: &EntryMeta<'_>) -> Interest {
        let mut best = if os::wants(e.path) {
            Interest::Keep
        } else {
            Interest::Skip
        };
        for c in self.catalogers {
            match c.interest(e) {
                Interest::Inspect => return Interest::Inspect,
                Interest::Keep => best = Interest::Keep,
                Interest::Skip => {}
            }
        }
        best
    }

    fn inspect(&self, file: &InspectedFile<'_>) {
        let mut found = Found::default();
        for c in self.catalogers {
            let mut f = Found::default();
            let res = c.inspect(file, &mut f);
            found.append(f);
            if let Err(e) = res {
                found.skip(at(file), format!("{}: {e}", c.id()));
            }
        }
        if found.packages.is_empty() && found.skipped.is_empty() {
            return;
        }
        let layer = (!file.diff_id.is_empty()).then(|| file.diff_id.to_string());
        for p in &mut found.packages {
            // Catalogers name nested parts (`outer.jar!/inner.jar`); the layer is ours to set.
            if p.locations.is_empty() {
                p.locations.push(warden_core::Location {
                    path: file.path.to_string(),
                    layer: layer.clone(),
                });
            }
            for l in &mut p.locations {
                if l.layer.is_none() {
                    l.layer = layer.clone();
                }
            }
        }
        let item = Inspected {
            path: file.path.to_string(),
            layer: file.layer,
            found,
        };
        match self.inspected.lock() {
            Ok(mut g) => g.push(item),
            Err(p) => p.into_inner().push(item),
        }
    }
}

fn at(file: &InspectedFile<'_>) -> String {
    if file.diff_id.is_empty() {
        file.path.to_string()
    } else {
        format!("{} (layer {})", file.path, file.diff_id)
    }
}

/// The ecosystems Trivy's system-file filter applies to (`pkg/fanal/handler/sysfile`): gems,
/// Python, npm and Go binaries; plus classified programs (`generic`), which Syft likewise drops
/// when an OS package owns the file. Jars and the rest stay even when a distro package ships
/// them, as in Trivy, because distro jars keep their upstream coordinates.
const OWNERSHIP_DROPS: [Ecosystem; 5] = [
    Ecosystem::Generic,
    Ecosystem::Gem,
    Ecosystem::Pypi,
    Ecosystem::Npm,
    Ecosystem::Golang,
];

/// The path whose ownership decides a language package's fate: the first location, outside any
/// archive (`/app/x.jar!/BOOT-INF/lib/y.jar` → `/app/x.jar`).
fn evidence_path(p: &Package) -> Option<&str> {
    p.locations
        .first()
        .map(|l| l.path.split("!/").next().unwrap_or(&l.path))
}

/// On merged-/usr systems dpkg lists `/bin/x` while the file lives at `/usr/bin/x` (and the
/// reverse); ownership must match either spelling.
fn usrmerge_aliases(path: &str) -> Option<String> {
    for d in ["/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/"] {
        if path.starts_with(d) {
            return Some(format!("/usr{path}"));
        }
    }
    path.strip_prefix("/usr")
        .filter(|r| {
            ["/bin/", "/sbin/", "/lib/", "/lib64/"]
                .iter()
                .any(|d| r.starts_with(d))
        })
        .map(str::to_string)
}

fn build_inventory(all: Found) -> Inventory {
    let Found {
        packages,
        relationships,
        owned_files,
        skipped,
    } = all;
    let mut owned: BTreeSet<String> = BTreeSet::new();
    for f in owned_files {
        if let Some(a) = usrmerge_aliases(&f) {
            owned.insert(a);
        }
        owned.insert(f);
    }
    // Trivy's rule: files an OS package installed are patched and versioned by the distro, so a
    // language package found in them would be matched against the wrong advisories.
    let mut dropped = 0;
    let mut keep: Vec<Option<Package>> = Vec::with_capacity(packages.len());
    for mut p in packages {
        if OWNERSHIP_DROPS.contains(&p.ecosystem)
            && evidence_path(&p).is_some_and(|e| owned.contains(e))
        {
            dropped += 1;
            keep.push(None);
            continue;
        }
        p.locations.sort();
        p.locations.dedup();
        p.licenses.sort();
        p.licenses.dedup();
        keep.push(Some(p));
    }
    let mut order: Vec<usize> = (0..keep.len()).filter(|i| keep[*i].is_some()).collect();
    let base_ids: Vec<String> = keep
        .iter()
        .map(|p| p.as_ref().map(Package::compute_id).unwrap_or_default())
        .collect();
    let key = |i: usize| {
        let p = keep[i].as_ref();
        (
            p.map(|p| p.ecosystem),
            p.map(|p| p.name.as_str()),
            p.map(|p| p.version.as_str()),
            base_ids[i].as_str(),
        )
    };
    order.sort_by(|a, b| key(*a).cmp(&key(*b)).then(a.cmp(b)));
    // The same ids Inventory::normalize would give, fixed now so relationships can use them.
    let mut ids: Vec<String> = vec![String::new(); keep.len()];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for &i in &order {
        let n = seen.entry(base_ids[i].clone()).or_insert(0);
        *n += 1;
        ids[i] = if *n > 1 {
            format!("{}#{}", base_ids[i], n)
        } else {
            base_ids[i].clone()
        };
    }
    let mut rels: Vec<Relationship> = relationships
        .into_iter()
        .filter(|(a, b)| {
            keep.get(*a).is_some_and(Option::is_some) && keep.get(*b).is_some_and(Option::is_some)
        })
        .map(|(a, b)| Relationship {
            from: ids[a].clone(),
            to: ids[b].clone(),
        })
        .filter(|r| r.from != r.to)
        .collect();
    rels.sort();
    rels.dedup();
    let mut out = Vec::with_capacity(order.len());
    for i in order {
        if let Some(mut p) = keep[i].take() {
            p.id = std::mem::take(&mut ids[i]);
            out.push(p);
        }
    }
    let mut skipped: Vec<SkipNote> = skipped;
    skipped.sort();
    skipped.dedup();
    let mut inv = Inventory {
        packages: out,
        relationships: rels,
        dropped_os_owned: dropped,
        skipped,
        ..Inventory::default()
    };
    inv.normalize();
    inv
}

/// Opens `reference` with every cataloger attached, walks it once and returns its inventory:
/// packages, relationships, the detected OS, the image metadata and everything skipped.
pub fn catalog_image(
    reference: &str,
    opts: &OpenOptions,
    progress: &dyn Progress,
) -> Result<Inventory, CatalogError> {
    let dispatcher = Dispatcher::new();
    let image = warden_image::open(reference, opts, &dispatcher, progress)?;
    let mut inv = dispatcher.finish(&image.fs);
    inv.target = reference.to_string();
    inv.image = Some(image.meta);
    inv.skipped.extend(image.skipped);
    inv.normalize();
    Ok(inv)
}

/// Catalogs a filesystem that was walked with `dispatcher` as its selector (for example a
/// `dir:` tree opened by the caller). Same as [`Dispatcher::finish`].
pub fn catalog_filesystem(fs: &Filesystem, dispatcher: Dispatcher<'_>) -> Inventory {
    dispatcher.finish(fs)
}
