//! SPDX 2.3 JSON from an inventory.
//!
//! Layout: the document `DESCRIBES` one root package (the image, purpose `CONTAINER`, or the
//! scanned directory, purpose `FILE`), which `CONTAINS` the operating system (purpose
//! `OPERATING_SYSTEM`) and every package. Packages carry their purl as a `PACKAGE-MANAGER`
//! external reference, `licenseDeclared`, `primaryPackagePurpose`, and `DEPENDS_ON` each other.
//! SPDX has no field for locations or layers, so warden's properties (see [`crate::props`]) ride
//! in `annotations` of type `OTHER` whose comment is `name=value`. No `files` are written: SPDX
//! 2.3 requires a checksum per file and the inventory keeps none.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use warden_core::{Inventory, Package};

use crate::common;
use crate::props::Props;
use crate::{ids, license, SbomError, WriteOptions};

pub(crate) const ROOT_ID: &str = "SPDXRef-DocumentRoot";
pub(crate) const OS_ID: &str = "SPDXRef-OperatingSystem";
const EPOCH: &str = "1970-01-01T00:00:00Z";

pub(crate) fn document(
    inv: &Inventory,
    opts: &WriteOptions,
    timestamp: Option<&str>,
) -> Result<Value, SbomError> {
    let created = match timestamp {
        Some(t) => t.to_string(),
        None => inv
            .image
            .as_ref()
            .and_then(|i| i.created.as_deref())
            .and_then(ids::normalize_timestamp)
            .unwrap_or_else(|| EPOCH.to_string()),
    };
    let annotator = format!("Tool: warden-{}", opts.tool_version);
    let notes = |props: &Props| -> Vec<Value> {
        props
            .iter()
            .map(|(n, v)| {
                json!({
                    "annotationDate": created,
                    "annotationType": "OTHER",
                    "annotator": annotator,
                    "comment": format!("{n}={v}"),
                })
            })
            .collect()
    };

    let subject = common::subject_name(inv);
    let mut packages = Vec::new();
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relatedSpdxElement": ROOT_ID,
        "relationshipType": "DESCRIBES",
    })];

    let mut root = Map::new();
    root.insert("name".into(), json!(subject));
    root.insert("SPDXID".into(), json!(ROOT_ID));
    if let Some(img) = &inv.image {
        let v = common::image_version(img);
        if !v.is_empty() {
            root.insert("versionInfo".into(), json!(v));
        }
    }
    root.insert("downloadLocation".into(), json!("NOASSERTION"));
    root.insert("filesAnalyzed".into(), json!(false));
    if let Some(hex) = inv
        .image
        .as_ref()
        .and_then(|i| i.manifest_digest.as_deref())
        .and_then(|d| d.strip_prefix("sha256:"))
    {
        root.insert(
            "checksums".into(),
            json!([{ "algorithm": "SHA256", "checksumValue": hex }]),
        );
    }
    root.insert("licenseConcluded".into(), json!("NOASSERTION"));
    root.insert("licenseDeclared".into(), json!("NOASSERTION"));
    root.insert("copyrightText".into(), json!("NOASSERTION"));
    root.insert(
        "primaryPackagePurpose".into(),
        json!(if inv.image.is_some() {
            "CONTAINER"
        } else {
            "FILE"
        }),
    );
    let root_props = match &inv.image {
        Some(img) => common::image_props(inv, img),
        None => {
            let mut p = Props::new();
            crate::props::push(&mut p, crate::props::TARGET, inv.target.clone());
            p
        }
    };
    if !root_props.is_empty() {
        root.insert("annotations".into(), Value::Array(notes(&root_props)));
    }
    packages.push(Value::Object(root));

    if let Some(os) = &inv.os {
        let mut o = Map::new();
        o.insert("name".into(), json!(os.id));
        o.insert("SPDXID".into(), json!(OS_ID));
        if !os.version_id.is_empty() {
            o.insert("versionInfo".into(), json!(os.version_id));
        }
        o.insert("downloadLocation".into(), json!("NOASSERTION"));
        o.insert("filesAnalyzed".into(), json!(false));
        o.insert("licenseConcluded".into(), json!("NOASSERTION"));
        o.insert("licenseDeclared".into(), json!("NOASSERTION"));
        o.insert("copyrightText".into(), json!("NOASSERTION"));
        if let Some(d) = &os.pretty_name {
            o.insert("description".into(), json!(d));
        }
        o.insert("primaryPackagePurpose".into(), json!("OPERATING_SYSTEM"));
        let p = common::os_props(os);
        if !p.is_empty() {
            o.insert("annotations".into(), Value::Array(notes(&p)));
        }
        packages.push(Value::Object(o));
        relationships.push(json!({
            "spdxElementId": ROOT_ID,
            "relatedSpdxElement": OS_ID,
            "relationshipType": "CONTAINS",
        }));
    }

    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    let mut spdx_ids: BTreeMap<&str, String> = BTreeMap::new();
    for p in &inv.packages {
        let sid = package_spdx_id(p);
        spdx_ids.insert(p.id.as_str(), sid.clone());
        let mut o = Map::new();
        o.insert("name".into(), json!(p.name));
        o.insert("SPDXID".into(), json!(sid));
        if !p.version.is_empty() {
            o.insert("versionInfo".into(), json!(p.version));
        }
        o.insert("downloadLocation".into(), json!("NOASSERTION"));
        o.insert("filesAnalyzed".into(), json!(false));
        if let Some(src) = &p.source_name {
            let v = p.source_version.as_deref().unwrap_or(&p.version);
            o.insert(
                "sourceInfo".into(),
                json!(format!("built package from: {src} {v}")),
            );
        }
        o.insert("licenseConcluded".into(), json!("NOASSERTION"));
        o.insert(
            "licenseDeclared".into(),
            json!(license::spdx_declared(&p.licenses, &mut extracted)),
        );
        o.insert("copyrightText".into(), json!("NOASSERTION"));
        if !p.purl.is_empty() {
            o.insert(
                "externalRefs".into(),
                json!([{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": p.purl,
                }]),
            );
        }
        o.insert(
            "primaryPackagePurpose".into(),
            json!(if common::is_application(p) {
                "APPLICATION"
            } else {
                "LIBRARY"
            }),
        );
        let props = common::package_props(p);
        if !props.is_empty() {
            o.insert("annotations".into(), Value::Array(notes(&props)));
        }
        packages.push(Value::Object(o));
        relationships.push(json!({
            "spdxElementId": ROOT_ID,
            "relatedSpdxElement": sid,
            "relationshipType": "CONTAINS",
        }));
    }
    for r in &inv.relationships {
        match (spdx_ids.get(r.from.as_str()), spdx_ids.get(r.to.as_str())) {
            (Some(f), Some(t)) => relationships.push(json!({
                "spdxElementId": f,
                "relatedSpdxElement": t,
                "relationshipType": "DEPENDS_ON",
            })),
            _ => {
                tracing::warn!(from = %r.from, to = %r.to, "relationship names a package that is not in the inventory; left out")
            }
        }
    }

    let mut body = Map::new();
    body.insert("packages".into(), Value::Array(packages));
    if !extracted.is_empty() {
        let infos: Vec<Value> = extracted
            .iter()
            .map(|(id, text)| json!({ "licenseId": id, "name": text, "extractedText": text }))
            .collect();
        body.insert("hasExtractedLicensingInfos".into(), Value::Array(infos));
    }
    body.insert("relationships".into(), Value::Array(relationships));

    let uuid = match &opts.seed {
        Some(seed) => ids::uuid_from(seed.as_bytes()),
        None => {
            let bytes =
                serde_json::to_vec(&(&subject, &body)).map_err(|e| SbomError::Serialize {
                    format: crate::Format::Spdx,
                    message: e.to_string(),
                })?;
            ids::uuid_from(&bytes)
        }
    };
    let safe = ids::spdx_safe(&subject);
    let namespace = format!(
        "{}/{}-{uuid}",
        opts.namespace_base.trim_end_matches('/'),
        if safe.is_empty() {
            "document"
        } else {
            safe.as_str()
        }
    );

    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    doc.insert("name".into(), json!(subject));
    doc.insert("documentNamespace".into(), json!(namespace));
    doc.insert(
        "creationInfo".into(),
        json!({ "created": created, "creators": [annotator] }),
    );
    doc.extend(body);
    Ok(Value::Object(doc))
}

/// `SPDXRef-Package-<readable part>-<hash of the package id>`: readable for people, unique
/// because package ids are.
fn package_spdx_id(p: &Package) -> String {
    let readable = ids::spdx_safe(&format!("{}-{}", p.ecosystem.purl_type(), p.name));
    let readable: String = readable.chars().take(80).collect();
    format!(
        "SPDXRef-Package-{}-{}",
        readable.trim_end_matches('-'),
        ids::short_hash(&p.id)
    )
}
