//! CycloneDX 1.6 JSON from an inventory.
//!
//! Layout: `metadata.component` is the image (type `container`, version = manifest digest or
//! image ID) or, for a directory, a `file` component named after the target. The OS is an
//! `operating-system` component. Every package is a `library` or `application` with
//! `bom-ref` = package id, its purl, licences, `evidence.occurrences` for its paths and warden
//! properties (see [`crate::props`]) for the layer of each path. `dependencies` lists every
//! package that depends on another.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use warden_core::{Inventory, Package};

use crate::common;
use crate::props::Props;
use crate::{ids, license, SbomError, SerialNumber, WriteOptions};

const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

pub(crate) fn document(
    inv: &Inventory,
    opts: &WriteOptions,
    timestamp: Option<&str>,
) -> Result<Value, SbomError> {
    let root_ref = root_ref(inv);
    let os_ref = inv
        .os
        .as_ref()
        .map(|os| format!("os:{}@{}", os.id, os.version_id));

    let mut components = Vec::new();
    if let (Some(os), Some(r)) = (&inv.os, &os_ref) {
        let mut c = Map::new();
        c.insert("bom-ref".into(), json!(r));
        c.insert("type".into(), json!("operating-system"));
        c.insert("name".into(), json!(os.id));
        if !os.version_id.is_empty() {
            c.insert("version".into(), json!(os.version_id));
        }
        if let Some(d) = &os.pretty_name {
            c.insert("description".into(), json!(d));
        }
        insert_props(&mut c, &common::os_props(os));
        components.push(Value::Object(c));
    }
    for p in &inv.packages {
        components.push(component(p));
    }

    let known: std::collections::BTreeSet<&str> =
        inv.packages.iter().map(|p| p.id.as_str()).collect();
    let mut deps: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &inv.relationships {
        if known.contains(r.from.as_str()) && known.contains(r.to.as_str()) {
            deps.entry(r.from.as_str()).or_default().push(r.to.as_str());
        } else {
            tracing::warn!(from = %r.from, to = %r.to, "relationship names a package that is not in the inventory; left out");
        }
    }
    // Packages keep inventory order (the same sort as components) rather than bom-ref order.
    let dependencies: Vec<Value> = inv
        .packages
        .iter()
        .filter_map(|p| {
            let to = deps.get(p.id.as_str())?;
            let mut to = to.clone();
            to.sort();
            to.dedup();
            Some(json!({ "ref": p.id, "dependsOn": to }))
        })
        .collect();

    let mut metadata = Map::new();
    if let Some(t) = timestamp {
        metadata.insert("timestamp".into(), json!(t));
    }
    metadata.insert(
        "tools".into(),
        json!({ "components": [{ "type": "application", "name": "warden", "version": opts.tool_version }] }),
    );
    metadata.insert("component".into(), root_component(inv, &root_ref));

    let mut body = Map::new();
    body.insert("metadata".into(), Value::Object(metadata));
    body.insert("components".into(), Value::Array(components));
    if !dependencies.is_empty() {
        body.insert("dependencies".into(), Value::Array(dependencies));
    }

    let serial = match (&opts.serial_number, &opts.seed) {
        (SerialNumber::Omit, _) => None,
        (SerialNumber::FromContent, Some(seed)) => {
            Some(format!("urn:uuid:{}", ids::uuid_from(seed.as_bytes())))
        }
        (SerialNumber::FromContent, None) => {
            let bytes = serde_json::to_vec(&body).map_err(|e| SbomError::Serialize {
                format: crate::Format::CycloneDx,
                message: e.to_string(),
            })?;
            Some(format!("urn:uuid:{}", ids::uuid_from(&bytes)))
        }
        (SerialNumber::Given(s), _) => {
            if !is_urn_uuid(s) {
                return Err(SbomError::InvalidOption {
                    option: "serial number",
                    message: format!("'{s}' is not a urn:uuid: with an RFC 4122 version 1-5 UUID"),
                });
            }
            Some(s.clone())
        }
    };

    let mut doc = Map::new();
    doc.insert("$schema".into(), json!(SCHEMA));
    doc.insert("bomFormat".into(), json!("CycloneDX"));
    doc.insert("specVersion".into(), json!("1.6"));
    if let Some(s) = serial {
        doc.insert("serialNumber".into(), json!(s));
    }
    doc.insert("version".into(), json!(1));
    doc.extend(body);
    Ok(Value::Object(doc))
}

fn root_ref(inv: &Inventory) -> String {
    match &inv.image {
        Some(img) if !img.id.is_empty() => format!("image:{}", img.id),
        _ => format!("target:{}", common::subject_name(inv)),
    }
}

fn root_component(inv: &Inventory, root_ref: &str) -> Value {
    let mut c = Map::new();
    c.insert("bom-ref".into(), json!(root_ref));
    match &inv.image {
        Some(img) => {
            c.insert("type".into(), json!("container"));
            c.insert("name".into(), json!(common::subject_name(inv)));
            let version = common::image_version(img);
            if !version.is_empty() {
                c.insert("version".into(), json!(version));
            }
            // The manifest digest is the hash that pins the image in a registry.
            if let Some(hex) = img
                .manifest_digest
                .as_deref()
                .and_then(|d| d.strip_prefix("sha256:"))
            {
                if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    c.insert(
                        "hashes".into(),
                        json!([{ "alg": "SHA-256", "content": hex }]),
                    );
                }
            }
            insert_props(&mut c, &common::image_props(inv, img));
        }
        None => {
            c.insert("type".into(), json!("file"));
            c.insert("name".into(), json!(common::subject_name(inv)));
            let mut p = Props::new();
            crate::props::push(&mut p, crate::props::TARGET, inv.target.clone());
            insert_props(&mut c, &p);
        }
    }
    Value::Object(c)
}

fn component(p: &Package) -> Value {
    let mut c = Map::new();
    c.insert("bom-ref".into(), json!(p.id));
    c.insert(
        "type".into(),
        json!(if common::is_application(p) {
            "application"
        } else {
            "library"
        }),
    );
    // CycloneDX (and Syft) keep a Maven groupId in `group`; other names stay whole.
    match (p.ecosystem, p.name.split_once(':')) {
        (warden_core::Ecosystem::Maven, Some((g, a))) => {
            c.insert("group".into(), json!(g));
            c.insert("name".into(), json!(a));
        }
        _ => {
            c.insert("name".into(), json!(p.name));
        }
    }
    if !p.version.is_empty() {
        c.insert("version".into(), json!(p.version));
    }
    if let Some(l) = license::cyclonedx(&p.licenses) {
        c.insert("licenses".into(), l);
    }
    if !p.purl.is_empty() {
        c.insert("purl".into(), json!(p.purl));
    }
    if !p.locations.is_empty() {
        let occ: Vec<Value> = p
            .locations
            .iter()
            .map(|l| json!({ "location": l.path }))
            .collect();
        c.insert("evidence".into(), json!({ "occurrences": occ }));
    }
    insert_props(&mut c, &common::package_props(p));
    Value::Object(c)
}

fn insert_props(c: &mut Map<String, Value>, props: &Props) {
    if props.is_empty() {
        return;
    }
    let v: Vec<Value> = props
        .iter()
        .map(|(n, v)| json!({ "name": n, "value": v }))
        .collect();
    c.insert("properties".into(), Value::Array(v));
}

/// The schema's `serialNumber` pattern: `urn:uuid:` and a version 1-5, variant 10xx UUID.
fn is_urn_uuid(s: &str) -> bool {
    let Some(u) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let b = u.as_bytes();
    if b.len() != 36 {
        return false;
    }
    let hex_ok = b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    hex_ok
        && (b'1'..=b'5').contains(&b[14])
        && matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urn_uuid_check_follows_the_schema_pattern() {
        assert!(is_urn_uuid("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_urn_uuid(
            "urn:uuid:3e671687-395b-71f5-a30f-a58921a69b79"
        ));
        assert!(!is_urn_uuid("3e671687-395b-41f5-a30f-a58921a69b79"));
    }
}
