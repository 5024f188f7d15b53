//! The property names warden writes (CycloneDX `properties`, SPDX package `annotations` with
//! `name=value` comments) and the ones it reads from Syft and Trivy.
//!
//! Warden uses one vocabulary in both formats, modelled on Syft's indexed location properties so
//! several locations keep their path and layer paired:
//!
//! | name | meaning |
//! |---|---|
//! | `warden:package:ecosystem` | the [`warden_core::Ecosystem`] (the purl type can fall back to `generic`) |
//! | `warden:package:foundBy` | the cataloger |
//! | `warden:package:sourceName` / `sourceVersion` | OS source package |
//! | `warden:location:<i>:path` | path of location `i` (also in CycloneDX `evidence.occurrences`) |
//! | `warden:location:<i>:layerID` | diff ID of the layer that brought location `i` |
//! | `warden:metadata:<key>` | one entry of [`warden_core::Package::metadata`] |
//! | `warden:image:*` | image facts on the container component (see `IMAGE_*`) |
//! | `warden:os:*` | OS facts on the operating-system component |
//!
//! Read as well: Syft's `syft:location:<i>:{path,layerID}`, `syft:package:foundBy`,
//! `syft:metadata:source`, `syft:distro:*`; Trivy's `aquasecurity:trivy:{FilePath,LayerDiffID,
//! SrcName,SrcVersion,SrcRelease,SrcEpoch,PkgType,ImageID,DiffID,RepoTag,RepoDigest}`.

pub(crate) const ECOSYSTEM: &str = "warden:package:ecosystem";
pub(crate) const FOUND_BY: &str = "warden:package:foundBy";
pub(crate) const SOURCE_NAME: &str = "warden:package:sourceName";
pub(crate) const SOURCE_VERSION: &str = "warden:package:sourceVersion";
pub(crate) const LOCATION_PREFIX: &str = "warden:location:";
pub(crate) const METADATA_PREFIX: &str = "warden:metadata:";

pub(crate) const IMAGE_REFERENCE: &str = "warden:image:reference";
pub(crate) const IMAGE_ID: &str = "warden:image:id";
pub(crate) const IMAGE_MANIFEST_DIGEST: &str = "warden:image:manifestDigest";
pub(crate) const IMAGE_TAG: &str = "warden:image:tag";
pub(crate) const IMAGE_REPO_DIGEST: &str = "warden:image:repoDigest";
pub(crate) const IMAGE_OS: &str = "warden:image:os";
pub(crate) const IMAGE_ARCH: &str = "warden:image:architecture";
pub(crate) const IMAGE_VARIANT: &str = "warden:image:variant";
pub(crate) const IMAGE_CREATED: &str = "warden:image:created";
pub(crate) const IMAGE_USER: &str = "warden:image:user";
pub(crate) const IMAGE_LAYER_PREFIX: &str = "warden:image:layer:";
pub(crate) const IMAGE_LABEL_PREFIX: &str = "warden:image:label:";

pub(crate) const TARGET: &str = "warden:target";
pub(crate) const OS_ID: &str = "warden:os:id";
pub(crate) const OS_CODENAME: &str = "warden:os:codename";
pub(crate) const OS_ID_LIKE: &str = "warden:os:idLike";

/// Every fixed property name warden writes, plus the indexed/prefixed families as patterns,
/// so the CLI's docs can list them.
pub const PROPERTY_NAMES: &[&str] = &[
    ECOSYSTEM,
    FOUND_BY,
    SOURCE_NAME,
    SOURCE_VERSION,
    "warden:location:<i>:path",
    "warden:location:<i>:layerID",
    "warden:metadata:<key>",
    TARGET,
    IMAGE_REFERENCE,
    IMAGE_ID,
    IMAGE_MANIFEST_DIGEST,
    IMAGE_TAG,
    IMAGE_REPO_DIGEST,
    IMAGE_OS,
    IMAGE_ARCH,
    IMAGE_VARIANT,
    IMAGE_CREATED,
    IMAGE_USER,
    "warden:image:layer:<i>:diffID",
    "warden:image:layer:<i>:digest",
    "warden:image:layer:<i>:size",
    "warden:image:layer:<i>:createdBy",
    "warden:image:label:<key>",
    OS_ID,
    OS_CODENAME,
    OS_ID_LIKE,
];

/// Properties as ordered `(name, value)` pairs; a name may repeat (tags, repo digests).
pub(crate) type Props = Vec<(String, String)>;

pub(crate) fn push(props: &mut Props, name: &str, value: impl Into<String>) {
    let value = value.into();
    if !value.is_empty() {
        props.push((name.to_string(), value));
    }
}

/// Pairs the indexed location properties (`<prefix><i>:path`, `<prefix><i>:layerID`) back up.
/// Returns `(path, layer)` in index order.
pub(crate) fn indexed_locations<'a>(
    props: impl Iterator<Item = (&'a str, &'a str)>,
    prefix: &str,
) -> Vec<(String, Option<String>)> {
    let mut by_index: std::collections::BTreeMap<u64, (Option<String>, Option<String>)> =
        std::collections::BTreeMap::new();
    for (name, value) in props {
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let Some((idx, field)) = rest.split_once(':') else {
            continue;
        };
        let Ok(idx) = idx.parse::<u64>() else {
            continue;
        };
        let slot = by_index.entry(idx).or_default();
        match field {
            "path" => slot.0 = Some(value.to_string()),
            "layerID" => slot.1 = Some(value.to_string()),
            _ => {}
        }
    }
    by_index
        .into_values()
        .filter_map(|(path, layer)| path.map(|p| (p, layer.filter(|l| !l.is_empty()))))
        .collect()
}

/// Applies one `warden:image:layer:<i>:<field>` property to the layer table both readers share.
/// Returns `Ok(false)` when `name` is not a layer property, and the reason when its value is bad.
pub(crate) fn apply_layer_property(
    layers: &mut std::collections::BTreeMap<u64, warden_core::LayerMeta>,
    name: &str,
    value: &str,
) -> Result<bool, String> {
    let Some((i, field)) = name
        .strip_prefix(IMAGE_LAYER_PREFIX)
        .and_then(|r| r.split_once(':'))
    else {
        return Ok(false);
    };
    let Ok(i) = i.parse::<u64>() else {
        return Ok(false);
    };
    let l = layers
        .entry(i)
        .or_insert_with(|| warden_core::LayerMeta::from_diff_id(""));
    match field {
        "diffID" => l.diff_id = value.to_string(),
        "digest" => l.digest = Some(value.to_string()),
        "size" => {
            l.size = Some(
                value
                    .parse()
                    .map_err(|_| format!("{name}: '{value}' is not a byte count"))?,
            )
        }
        "createdBy" => l.created_by = Some(value.to_string()),
        _ => {}
    }
    Ok(true)
}
