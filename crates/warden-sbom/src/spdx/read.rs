//! SPDX JSON (2.2 and 2.3) into an inventory: warden's own documents, Syft's and Trivy's.
//!
//! Where each producer keeps what SPDX has no field for:
//! - warden: `annotations` with `name=value` comments (see [`crate::props`]);
//! - Syft: `files` linked by `OTHER` "evident-by" relationships, the layer in the file `comment`
//!   (`layerID: sha256:...`), the source package in the purl's `upstream` qualifier;
//! - Trivy: `attributionTexts` (`LayerDiffID: ...`, `ImageID: ...`, `DiffID: ...`), files linked
//!   by `CONTAINS`, the source package in `sourceInfo` ("built package from: glibc 2.36-9").

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use warden_core::{
    Ecosystem, ImageMeta, Inventory, LayerMeta, Location, OsInfo, Package, SkipNote,
};

use crate::common::{self, Draft};
use crate::props;
use crate::value::{child, index, Ctx};
use crate::{license, purl, SbomError};

const SUPPORTED: &str = "SPDX-2.2, SPDX-2.3";

struct Rel {
    from: String,
    kind: String,
    to: String,
    comment: String,
}

pub(crate) fn inventory(doc: &Value, source: &str) -> Result<Inventory, SbomError> {
    let ctx = Ctx { source };
    let root = ctx.object(doc, "")?;
    let version = ctx.opt_str(root, "", "spdxVersion")?.unwrap_or("");
    if !matches!(version, "SPDX-2.2" | "SPDX-2.3") {
        return Err(SbomError::UnsupportedVersion {
            source_name: source.to_string(),
            pointer: "/spdxVersion".into(),
            format: "SPDX",
            version: version.to_string(),
            supported: SUPPORTED,
        });
    }
    let warden = match ctx.opt_object(root, "", "creationInfo")? {
        Some(ci) => ctx
            .opt_array(ci, "/creationInfo", "creators")?
            .iter()
            .any(|c| c.as_str().is_some_and(|c| c.starts_with("Tool: warden-"))),
        None => false,
    };

    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    for (i, e) in ctx
        .opt_array(root, "", "hasExtractedLicensingInfos")?
        .iter()
        .enumerate()
    {
        let ptr = index("/hasExtractedLicensingInfos", i);
        let e = ctx.object(e, &ptr)?;
        if let Some(id) = ctx.opt_str(e, &ptr, "licenseId")? {
            let text = ctx
                .opt_str(e, &ptr, "name")?
                .or(ctx.opt_str(e, &ptr, "extractedText")?)
                .unwrap_or(id);
            extracted.insert(id.to_string(), text.to_string());
        }
    }

    // SPDXID -> (absolute path, layer)
    let mut files: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for (i, f) in ctx.opt_array(root, "", "files")?.iter().enumerate() {
        let ptr = index("/files", i);
        let f = ctx.object(f, &ptr)?;
        let (Some(id), Some(name)) = (
            ctx.opt_str(f, &ptr, "SPDXID")?,
            ctx.opt_str(f, &ptr, "fileName")?,
        ) else {
            return Err(ctx.err(&ptr, "a file needs \"SPDXID\" and \"fileName\""));
        };
        let layer = ctx
            .opt_str(f, &ptr, "comment")?
            .and_then(|c| c.strip_prefix("layerID: "))
            .map(|l| l.trim().to_string());
        files.insert(id.to_string(), (absolute(name), layer));
    }

    let mut rels = Vec::new();
    for (i, r) in ctx.opt_array(root, "", "relationships")?.iter().enumerate() {
        let ptr = index("/relationships", i);
        let r = ctx.object(r, &ptr)?;
        let from = ctx.opt_str(r, &ptr, "spdxElementId")?;
        let to = ctx.opt_str(r, &ptr, "relatedSpdxElement")?;
        let kind = ctx.opt_str(r, &ptr, "relationshipType")?;
        let (Some(from), Some(to), Some(kind)) = (from, to, kind) else {
            return Err(ctx.err(
                &ptr,
                "a relationship needs spdxElementId, relatedSpdxElement and relationshipType",
            ));
        };
        let comment = ctx.opt_str(r, &ptr, "comment")?.unwrap_or("").to_string();
        rels.push(Rel {
            from: from.into(),
            kind: kind.into(),
            to: to.into(),
            comment,
        });
    }
    let described: BTreeSet<&str> = rels
        .iter()
        .filter(|r| r.kind == "DESCRIBES" && r.from == "SPDXRef-DOCUMENT")
        .map(|r| r.to.as_str())
        .chain(
            ctx.opt_array(root, "", "documentDescribes")?
                .iter()
                .filter_map(Value::as_str),
        )
        .collect();

    let raw_packages = ctx.opt_array(root, "", "packages")?;
    let mut package_ids: BTreeSet<&str> = BTreeSet::new();
    for (i, p) in raw_packages.iter().enumerate() {
        let ptr = index("/packages", i);
        let p = ctx.object(p, &ptr)?;
        match ctx.opt_str(p, &ptr, "SPDXID")? {
            Some(id) => {
                package_ids.insert(id);
            }
            None => return Err(ctx.err(&child(&ptr, "SPDXID"), "missing the required \"SPDXID\"")),
        }
    }

    let mut inv = Inventory {
        target: source.to_string(),
        ..Inventory::default()
    };
    if let Some(n) = ctx.opt_str(root, "", "name")?.filter(|n| !n.is_empty()) {
        inv.target = n.to_string();
    }
    let mut drafts = Vec::new();
    let mut element_ids: BTreeSet<String> = BTreeSet::new();
    for (i, p) in raw_packages.iter().enumerate() {
        let ptr = index("/packages", i);
        let p = ctx.object(p, &ptr)?;
        let sid = ctx.opt_str(p, &ptr, "SPDXID")?.unwrap_or("").to_string();
        let purpose = ctx.opt_str(p, &ptr, "primaryPackagePurpose")?.unwrap_or("");
        let purl_str = purl_of(&ctx, p, &ptr)?;
        let notes = annotations(&ctx, p, &ptr, warden)?;
        let contains_packages = rels
            .iter()
            .any(|r| r.from == sid && r.kind == "CONTAINS" && package_ids.contains(r.to.as_str()));
        let is_root = described.contains(sid.as_str())
            && (matches!(purpose, "CONTAINER" | "FILE" | "SOURCE")
                || purl_str
                    .as_deref()
                    .is_none_or(|u| u.starts_with("pkg:oci/")));
        if is_root {
            read_root(&ctx, p, &ptr, purpose, &notes, &mut inv)?;
        } else if matches!(purpose, "OPERATING_SYSTEM" | "OPERATING-SYSTEM") {
            if inv.os.is_none() {
                inv.os = Some(os_info(&ctx, p, &ptr, &notes)?);
            }
        } else if purl_str.is_none() && contains_packages {
            // Trivy groups language packages under per-ecosystem "Application" packages.
        } else {
            let mut d = package(
                &ctx,
                p,
                &ptr,
                warden,
                purl_str.as_deref(),
                &notes,
                &extracted,
                &mut inv,
            )?;
            if !warden && !d.package.locations.iter().any(|l| !l.path.is_empty()) {
                d.package.locations = file_locations(&sid, &rels, &files, &notes);
                if d.package.locations.is_empty() {
                    d.package.locations = source_info_locations(&ctx, p, &ptr)?;
                }
            }
            if d.package.locations.is_empty() {
                if let Some(layer) = prop(&notes, "aquasecurity:trivy:LayerDiffID") {
                    d.package
                        .metadata
                        .insert("layerDiffID".into(), layer.to_string());
                }
            }
            element_ids.insert(sid.clone());
            drafts.push(d);
        }
    }

    let mut edges = Vec::new();
    for r in &rels {
        if !element_ids.contains(&r.from) || !element_ids.contains(&r.to) {
            continue;
        }
        match r.kind.as_str() {
            "DEPENDS_ON" => edges.push((r.from.clone(), r.to.clone())),
            "DEPENDENCY_OF" | "RUNTIME_DEPENDENCY_OF" => edges.push((r.to.clone(), r.from.clone())),
            _ => {}
        }
    }
    common::assemble(&mut inv, drafts, &edges, false);
    Ok(inv)
}

type Notes = Vec<(String, String)>;

fn prop<'a>(notes: &'a Notes, name: &str) -> Option<&'a str> {
    notes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn props_all(notes: &Notes, name: &str) -> Vec<String> {
    notes
        .iter()
        .filter(|(n, v)| n == name && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

/// Warden's `name=value` annotations and Trivy's `Key: value` attribution texts, as one list of
/// properties (Trivy's keys get the `aquasecurity:trivy:` prefix its CycloneDX output uses).
fn annotations(
    ctx: &Ctx<'_>,
    p: &Map<String, Value>,
    ptr: &str,
    warden: bool,
) -> Result<Notes, SbomError> {
    let mut out = Notes::new();
    if warden {
        for (i, a) in ctx.opt_array(p, ptr, "annotations")?.iter().enumerate() {
            let aptr = index(&child(ptr, "annotations"), i);
            let a = ctx.object(a, &aptr)?;
            if !ctx
                .opt_str(a, &aptr, "annotator")?
                .unwrap_or("")
                .starts_with("Tool: warden-")
            {
                continue;
            }
            let comment = ctx.opt_str(a, &aptr, "comment")?.unwrap_or("");
            let Some((n, v)) = comment.split_once('=') else {
                return Err(ctx.err(
                    &child(&aptr, "comment"),
                    format!("expected name=value, found '{comment}'"),
                ));
            };
            out.push((n.to_string(), v.to_string()));
        }
    }
    for (i, t) in ctx
        .opt_array(p, ptr, "attributionTexts")?
        .iter()
        .enumerate()
    {
        let t = t.as_str().ok_or_else(|| {
            ctx.err(
                &index(&child(ptr, "attributionTexts"), i),
                "expected a string",
            )
        })?;
        if let Some((k, v)) = t.split_once(": ") {
            if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()) {
                out.push((format!("aquasecurity:trivy:{k}"), v.to_string()));
            }
        }
    }
    Ok(out)
}

fn purl_of(ctx: &Ctx<'_>, p: &Map<String, Value>, ptr: &str) -> Result<Option<String>, SbomError> {
    for (i, r) in ctx.opt_array(p, ptr, "externalRefs")?.iter().enumerate() {
        let rptr = index(&child(ptr, "externalRefs"), i);
        let r = ctx.object(r, &rptr)?;
        if ctx.opt_str(r, &rptr, "referenceType")? == Some("purl") {
            if let Some(l) = ctx.opt_str(r, &rptr, "referenceLocator")? {
                return Ok(Some(l.to_string()));
            }
        }
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
fn package(
    ctx: &Ctx<'_>,
    p: &Map<String, Value>,
    ptr: &str,
    warden: bool,
    purl_str: Option<&str>,
    notes: &Notes,
    extracted: &BTreeMap<String, String>,
    inv: &mut Inventory,
) -> Result<Draft, SbomError> {
    let sid = ctx.opt_str(p, ptr, "SPDXID")?.unwrap_or("").to_string();
    let raw_name = ctx.opt_str(p, ptr, "name")?.unwrap_or("");
    let raw_version = ctx.opt_str(p, ptr, "versionInfo")?.unwrap_or("");
    let parsed = match purl_str {
        None => None,
        Some(u) => match purl::parse(u) {
            Ok(x) => Some(x),
            Err(e) => {
                inv.skipped.push(SkipNote {
                    at: format!("{}#{}", ctx.source, child(ptr, "externalRefs")),
                    reason: format!("{e}; package kept with the generic ecosystem"),
                });
                None
            }
        },
    };
    let ecosystem = match prop(notes, props::ECOSYSTEM).and_then(|e| e.parse::<Ecosystem>().ok()) {
        Some(e) => e,
        None => parsed
            .as_ref()
            .map(|x| x.ecosystem)
            .unwrap_or(Ecosystem::Generic),
    };
    let name = match &parsed {
        Some(x) if !warden && !common::same_name(&x.name, raw_name) => x.name.clone(),
        _ => raw_name.to_string(),
    };
    if name.is_empty() {
        return Err(ctx.err(&child(ptr, "name"), "package has neither a name nor a purl"));
    }
    let version = match &parsed {
        Some(x) if !warden => x.version.clone().unwrap_or_else(|| raw_version.to_string()),
        _ => raw_version.to_string(),
    };
    let mut pkg = Package::new(ecosystem, name, version);
    if let Some(u) = purl_str {
        pkg.purl = u.to_string();
    }
    let declared = ctx
        .opt_str(p, ptr, "licenseDeclared")?
        .unwrap_or("NOASSERTION");
    let declared = if matches!(declared, "NOASSERTION" | "NONE" | "") {
        ctx.opt_str(p, ptr, "licenseConcluded")?
            .unwrap_or("NOASSERTION")
    } else {
        declared
    };
    pkg.licenses = license::split_declared(declared, extracted);
    pkg.locations = props::indexed_locations(
        notes.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        props::LOCATION_PREFIX,
    )
    .into_iter()
    .map(|(path, layer)| Location { path, layer })
    .collect();
    pkg.found_by = prop(notes, props::FOUND_BY).unwrap_or_default().to_string();
    if let Some(n) = prop(notes, props::SOURCE_NAME) {
        pkg.source_name = Some(n.to_string());
        pkg.source_version = prop(notes, props::SOURCE_VERSION).map(str::to_string);
    } else if !warden && pkg.ecosystem.is_os() {
        let src_info = ctx.opt_str(p, ptr, "sourceInfo")?.unwrap_or("");
        if let Some(rest) = src_info.strip_prefix("built package from: ") {
            let mut it = rest.splitn(2, ' ');
            pkg.source_name = it.next().filter(|s| !s.is_empty()).map(str::to_string);
            pkg.source_version = it
                .next()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
        } else if let Some(u) = parsed.as_ref().and_then(|x| x.qualifiers.get("upstream")) {
            let (n, v) = common::upstream_qualifier(u);
            pkg.source_name = Some(n);
            pkg.source_version = v;
        }
        if pkg.source_version.as_deref() == Some(pkg.version.as_str()) {
            pkg.source_version = None;
        }
    }
    for (n, v) in notes {
        if let Some(k) = n.strip_prefix(props::METADATA_PREFIX) {
            pkg.metadata.insert(k.to_string(), v.clone());
        }
    }
    if !warden {
        if let Some(arch) = parsed.as_ref().and_then(|x| x.qualifiers.get("arch")) {
            pkg.metadata
                .entry("arch".into())
                .or_insert_with(|| arch.clone());
        }
    }
    Ok(Draft {
        doc_ref: sid,
        package: pkg,
    })
}

/// Files a package is evident by (Syft: `OTHER` with an "evident-by" comment) or contains (Trivy).
fn file_locations(
    sid: &str,
    rels: &[Rel],
    files: &BTreeMap<String, (String, Option<String>)>,
    notes: &Notes,
) -> Vec<Location> {
    let trivy_layer = prop(notes, "aquasecurity:trivy:LayerDiffID").map(str::to_string);
    rels.iter()
        .filter(|r| {
            r.from == sid
                && (r.kind == "CONTAINS"
                    || (r.kind == "OTHER" && r.comment.starts_with("evident-by")))
        })
        .filter_map(|r| files.get(&r.to))
        .map(|(path, layer)| Location {
            path: path.clone(),
            layer: layer.clone().or_else(|| trivy_layer.clone()),
        })
        .collect()
}

/// Syft's SPDX `sourceInfo` ("acquired package info from DPKG DB: /a, /b") when no files are listed.
fn source_info_locations(
    ctx: &Ctx<'_>,
    p: &Map<String, Value>,
    ptr: &str,
) -> Result<Vec<Location>, SbomError> {
    let s = ctx.opt_str(p, ptr, "sourceInfo")?.unwrap_or("");
    if !s.starts_with("acquired package info from ") {
        return Ok(Vec::new());
    }
    let Some((_, paths)) = s.split_once(": ") else {
        return Ok(Vec::new());
    };
    Ok(paths
        .split(", ")
        .map(str::trim)
        .filter(|p| p.starts_with('/'))
        .map(Location::path)
        .collect())
}

fn read_root(
    ctx: &Ctx<'_>,
    p: &Map<String, Value>,
    ptr: &str,
    purpose: &str,
    notes: &Notes,
    inv: &mut Inventory,
) -> Result<(), SbomError> {
    let name = ctx.opt_str(p, ptr, "name")?.unwrap_or("");
    if let Some(t) = prop(notes, props::TARGET) {
        inv.target = t.to_string();
    } else if !name.is_empty() {
        inv.target = name.to_string();
    }
    if purpose != "CONTAINER" {
        return Ok(());
    }
    let version = ctx.opt_str(p, ptr, "versionInfo")?.unwrap_or("");
    let mut img = ImageMeta {
        reference: prop(notes, props::IMAGE_REFERENCE)
            .unwrap_or(name)
            .to_string(),
        ..ImageMeta::default()
    };
    if let Some(id) = prop(notes, props::IMAGE_ID) {
        img.id = id.to_string();
        img.manifest_digest = prop(notes, props::IMAGE_MANIFEST_DIGEST).map(str::to_string);
        img.repo_tags = props_all(notes, props::IMAGE_TAG);
        img.repo_digests = props_all(notes, props::IMAGE_REPO_DIGEST);
        img.os = prop(notes, props::IMAGE_OS).unwrap_or_default().to_string();
        img.architecture = prop(notes, props::IMAGE_ARCH)
            .unwrap_or_default()
            .to_string();
        img.variant = prop(notes, props::IMAGE_VARIANT).map(str::to_string);
        img.created = prop(notes, props::IMAGE_CREATED).map(str::to_string);
        img.user = prop(notes, props::IMAGE_USER)
            .unwrap_or_default()
            .to_string();
        let mut layers: BTreeMap<u64, LayerMeta> = BTreeMap::new();
        for (n, v) in notes {
            if let Some(k) = n.strip_prefix(props::IMAGE_LABEL_PREFIX) {
                img.labels.insert(k.to_string(), v.clone());
                continue;
            }
            props::apply_layer_property(&mut layers, n, v)
                .map_err(|reason| ctx.err(&child(ptr, "annotations"), reason))?;
        }
        img.layers = layers.into_values().collect();
    } else if let Some(id) = prop(notes, "aquasecurity:trivy:ImageID") {
        img.id = id.to_string();
        img.repo_tags = props_all(notes, "aquasecurity:trivy:RepoTag");
        img.repo_digests = props_all(notes, "aquasecurity:trivy:RepoDigest");
        img.layers = props_all(notes, "aquasecurity:trivy:DiffID")
            .into_iter()
            .map(LayerMeta::from_diff_id)
            .collect();
    } else if version.starts_with("sha256:") {
        // Syft writes the manifest digest as the image package's version.
        img.manifest_digest = Some(version.to_string());
    }
    img.repo_tags.sort();
    img.repo_digests.sort();
    inv.image = Some(img);
    Ok(())
}

fn os_info(
    ctx: &Ctx<'_>,
    p: &Map<String, Value>,
    ptr: &str,
    notes: &Notes,
) -> Result<OsInfo, SbomError> {
    let name = ctx.opt_str(p, ptr, "name")?.unwrap_or("");
    Ok(OsInfo {
        id: prop(notes, props::OS_ID).unwrap_or(name).to_string(),
        version_id: ctx
            .opt_str(p, ptr, "versionInfo")?
            .unwrap_or("")
            .to_string(),
        codename: prop(notes, props::OS_CODENAME).map(str::to_string),
        pretty_name: ctx.opt_str(p, ptr, "description")?.map(str::to_string),
        id_like: props_all(notes, props::OS_ID_LIKE),
    })
}

fn absolute(p: &str) -> String {
    let p = p.strip_prefix("./").unwrap_or(p);
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}
