//! What both writers say the same way: per-package properties, image and OS facts, and which
//! packages are applications.

use warden_core::{Ecosystem, ImageMeta, Inventory, OsInfo, Package};

use crate::props::{self, Props};

/// Warden's properties for one package (see [`crate::props`]).
pub(crate) fn package_props(p: &Package) -> Props {
    let mut out = Props::new();
    props::push(&mut out, props::ECOSYSTEM, p.ecosystem.purl_type());
    props::push(&mut out, props::FOUND_BY, p.found_by.clone());
    props::push(
        &mut out,
        props::SOURCE_NAME,
        p.source_name.clone().unwrap_or_default(),
    );
    props::push(
        &mut out,
        props::SOURCE_VERSION,
        p.source_version.clone().unwrap_or_default(),
    );
    for (i, l) in p.locations.iter().enumerate() {
        props::push(
            &mut out,
            &format!("{}{i}:path", props::LOCATION_PREFIX),
            l.path.clone(),
        );
        if let Some(layer) = &l.layer {
            props::push(
                &mut out,
                &format!("{}{i}:layerID", props::LOCATION_PREFIX),
                layer.clone(),
            );
        }
    }
    for (k, v) in &p.metadata {
        props::push(
            &mut out,
            &format!("{}{k}", props::METADATA_PREFIX),
            v.clone(),
        );
    }
    out
}

/// Image facts for the container component.
pub(crate) fn image_props(inv: &Inventory, img: &ImageMeta) -> Props {
    let mut out = Props::new();
    props::push(&mut out, props::TARGET, inv.target.clone());
    props::push(&mut out, props::IMAGE_REFERENCE, img.reference.clone());
    props::push(&mut out, props::IMAGE_ID, img.id.clone());
    props::push(
        &mut out,
        props::IMAGE_MANIFEST_DIGEST,
        img.manifest_digest.clone().unwrap_or_default(),
    );
    for t in &img.repo_tags {
        props::push(&mut out, props::IMAGE_TAG, t.clone());
    }
    for d in &img.repo_digests {
        props::push(&mut out, props::IMAGE_REPO_DIGEST, d.clone());
    }
    props::push(&mut out, props::IMAGE_OS, img.os.clone());
    props::push(&mut out, props::IMAGE_ARCH, img.architecture.clone());
    props::push(
        &mut out,
        props::IMAGE_VARIANT,
        img.variant.clone().unwrap_or_default(),
    );
    props::push(
        &mut out,
        props::IMAGE_CREATED,
        img.created.clone().unwrap_or_default(),
    );
    props::push(&mut out, props::IMAGE_USER, img.user.clone());
    for (i, l) in img.layers.iter().enumerate() {
        let p = format!("{}{i}:", props::IMAGE_LAYER_PREFIX);
        props::push(&mut out, &format!("{p}diffID"), l.diff_id.clone());
        props::push(
            &mut out,
            &format!("{p}digest"),
            l.digest.clone().unwrap_or_default(),
        );
        props::push(
            &mut out,
            &format!("{p}size"),
            l.size.map(|s| s.to_string()).unwrap_or_default(),
        );
        props::push(
            &mut out,
            &format!("{p}createdBy"),
            l.created_by.clone().unwrap_or_default(),
        );
    }
    for (k, v) in &img.labels {
        props::push(
            &mut out,
            &format!("{}{k}", props::IMAGE_LABEL_PREFIX),
            v.clone(),
        );
    }
    out
}

/// OS facts that have no standard field.
pub(crate) fn os_props(os: &OsInfo) -> Props {
    let mut out = Props::new();
    props::push(&mut out, props::OS_ID, os.id.clone());
    props::push(
        &mut out,
        props::OS_CODENAME,
        os.codename.clone().unwrap_or_default(),
    );
    for l in &os.id_like {
        props::push(&mut out, props::OS_ID_LIKE, l.clone());
    }
    out
}

/// Whether a package is an application rather than a library: binaries found without a better
/// ecosystem, a Go binary's main module, or a cataloger that said so in `metadata.componentType`.
pub(crate) fn is_application(p: &Package) -> bool {
    if let Some(t) = p.metadata.get("componentType") {
        return t == "application";
    }
    match p.ecosystem {
        Ecosystem::Generic => true,
        Ecosystem::Golang => p.metadata.get("mainModule").is_some_and(|m| m == &p.name),
        _ => false,
    }
}

/// The name the document and its root element carry.
pub(crate) fn subject_name(inv: &Inventory) -> String {
    match &inv.image {
        Some(img) if !img.reference.is_empty() => img.reference.clone(),
        Some(img) if !img.repo_tags.is_empty() => img.repo_tags[0].clone(),
        _ if !inv.target.is_empty() => inv.target.clone(),
        Some(img) => img.id.clone(),
        None => "unknown".to_string(),
    }
}

/// The image's version: its manifest digest when known (what `repo@digest` pins), else its ID.
pub(crate) fn image_version(img: &ImageMeta) -> String {
    img.manifest_digest
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| img.id.clone())
}

/// A package read from a document, still keyed by the document's own element ID.
pub(crate) struct Draft {
    /// `bom-ref` or `SPDXID`.
    pub doc_ref: String,
    pub package: Package,
}

/// Gives read packages their final ids and turns document-level edges into relationships.
///
/// Warden's own documents keep their ids (the `bom-ref` is the package id), so a round trip is
/// exact. Other producers' element IDs are random or tool-specific, so their packages get the ids
/// [`Package::compute_id`] gives, made unique the way [`Inventory::normalize`] does.
pub(crate) fn assemble(
    inv: &mut Inventory,
    mut drafts: Vec<Draft>,
    edges: &[(String, String)],
    keep_ids: bool,
) {
    for d in &mut drafts {
        d.package.locations.sort();
        d.package.locations.dedup();
        d.package.id = if keep_ids && !d.doc_ref.is_empty() {
            d.doc_ref.clone()
        } else {
            d.package.compute_id()
        };
    }
    drafts.sort_by(|a, b| {
        let (pa, pb) = (&a.package, &b.package);
        (pa.ecosystem, &pa.name, &pa.version, &pa.id, &a.doc_ref).cmp(&(
            pb.ecosystem,
            &pb.name,
            &pb.version,
            &pb.id,
            &b.doc_ref,
        ))
    });
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut by_ref: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for d in &mut drafts {
        let n = seen.entry(d.package.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            d.package.id = format!("{}#{}", d.package.id, n);
        }
        by_ref
            .entry(d.doc_ref.clone())
            .or_insert_with(|| d.package.id.clone());
    }
    for (from, to) in edges {
        if let (Some(f), Some(t)) = (by_ref.get(from), by_ref.get(to)) {
            if f != t {
                inv.relationships.push(warden_core::Relationship {
                    from: f.clone(),
                    to: t.clone(),
                });
            }
        }
    }
    inv.packages.extend(drafts.into_iter().map(|d| d.package));
    inv.normalize();
}

/// Source package facts from Syft's `upstream` purl qualifier (`glibc` or `glibc@2.36-9`).
pub(crate) fn upstream_qualifier(q: &str) -> (String, Option<String>) {
    match q.split_once('@') {
        Some((n, v)) => (n.to_string(), Some(v.to_string()).filter(|v| !v.is_empty())),
        None => (q.to_string(), None),
    }
}

/// Whether two spellings of a name are the same package (PyPI and friends normalise case and
/// `-`/`_`/`.`), so the producer's display spelling can be kept over the purl's normalised one.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if matches!(c, '_' | '.') {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    norm(a) == norm(b)
}
