//! CycloneDX JSON (1.4 to 1.7) into an inventory: warden's own documents, Syft's and Trivy's.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use warden_core::{
    Ecosystem, ImageMeta, Inventory, LayerMeta, Location, OsInfo, Package, SkipNote,
};

use crate::common::{self, Draft};
use crate::props;
use crate::value::{child, index, Ctx};
use crate::{purl, SbomError};

const SUPPORTED: &str = "1.4, 1.5, 1.6, 1.7";

/// Who wrote the document; decides which property vocabulary is trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Producer {
    Warden,
    Other,
}

pub(crate) fn inventory(doc: &Value, source: &str) -> Result<Inventory, SbomError> {
    let ctx = Ctx { source };
    let root = ctx.object(doc, "")?;
    let spec = ctx.opt_str(root, "", "specVersion")?.unwrap_or("");
    if !matches!(spec, "1.4" | "1.5" | "1.6" | "1.7") {
        return Err(SbomError::UnsupportedVersion {
            source_name: source.to_string(),
            pointer: "/specVersion".into(),
            format: "CycloneDX",
            version: spec.to_string(),
            supported: SUPPORTED,
        });
    }

    let metadata = ctx.opt_object(root, "", "metadata")?;
    let producer = match metadata {
        Some(m) => producer(&ctx, m)?,
        None => Producer::Other,
    };

    let mut inv = Inventory {
        target: source.to_string(),
        ..Inventory::default()
    };
    if let Some(m) = metadata {
        if let Some(c) = ctx.opt_object(m, "/metadata", "component")? {
            read_root(&ctx, c, "/metadata/component", &mut inv)?;
        }
    }

    let mut drafts = Vec::new();
    let mut walk = Walk {
        ctx,
        producer,
        drafts: &mut drafts,
        inv: &mut inv,
    };
    for (i, c) in ctx.opt_array(root, "", "components")?.iter().enumerate() {
        walk.component(c, &index("/components", i))?;
    }

    let mut edges = Vec::new();
    for (i, d) in ctx.opt_array(root, "", "dependencies")?.iter().enumerate() {
        let ptr = index("/dependencies", i);
        let d = ctx.object(d, &ptr)?;
        let Some(from) = ctx.opt_str(d, &ptr, "ref")? else {
            return Err(ctx.err(&child(&ptr, "ref"), "missing the required \"ref\""));
        };
        for (j, to) in ctx.opt_array(d, &ptr, "dependsOn")?.iter().enumerate() {
            let to = to.as_str().ok_or_else(|| {
                ctx.err(
                    &index(&child(&ptr, "dependsOn"), j),
                    "expected a bom-ref string",
                )
            })?;
            edges.push((from.to_string(), to.to_string()));
        }
    }

    common::assemble(&mut inv, drafts, &edges, producer == Producer::Warden);
    Ok(inv)
}

fn producer(ctx: &Ctx<'_>, metadata: &Map<String, Value>) -> Result<Producer, SbomError> {
    // 1.4 has `tools` as an array of {vendor,name,version}; 1.5+ as {components:[...]}.
    let tools: Vec<&Value> = match metadata.get("tools") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Object(o)) => ctx
            .opt_array(o, "/metadata/tools", "components")?
            .iter()
            .collect(),
        Some(other) => {
            return Err(ctx.err(
                "/metadata/tools",
                format!(
                    "expected an array or an object, found {}",
                    crate::value::kind(other)
                ),
            ))
        }
    };
    let is_warden = tools
        .iter()
        .any(|t| t.get("name").and_then(Value::as_str) == Some("warden"));
    Ok(if is_warden {
        Producer::Warden
    } else {
        Producer::Other
    })
}

/// `(name, value)` pairs of a `properties` array; a property without a value counts as empty.
fn properties<'v>(
    ctx: &Ctx<'_>,
    c: &'v Map<String, Value>,
    ptr: &str,
) -> Result<Vec<(&'v str, &'v str)>, SbomError> {
    let mut out = Vec::new();
    for (i, p) in ctx.opt_array(c, ptr, "properties")?.iter().enumerate() {
        let pp = index(&child(ptr, "properties"), i);
        let p = ctx.object(p, &pp)?;
        let Some(name) = ctx.opt_str(p, &pp, "name")? else {
            return Err(ctx.err(&child(&pp, "name"), "missing the required \"name\""));
        };
        out.push((name, ctx.opt_str(p, &pp, "value")?.unwrap_or("")));
    }
    Ok(out)
}

fn prop<'v>(props: &[(&'v str, &'v str)], name: &str) -> Option<&'v str> {
    props
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .filter(|v| !v.is_empty())
}

fn props_all<'v>(props: &[(&'v str, &'v str)], name: &str) -> Vec<String> {
    props
        .iter()
        .filter(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
        .collect()
}

fn read_root(
    ctx: &Ctx<'_>,
    c: &Map<String, Value>,
    ptr: &str,
    inv: &mut Inventory,
) -> Result<(), SbomError> {
    let props = properties(ctx, c, ptr)?;
    let name = ctx.opt_str(c, ptr, "name")?.unwrap_or("");
    let version = ctx.opt_str(c, ptr, "version")?.unwrap_or("");
    if let Some(t) = prop(&props, props::TARGET) {
        inv.target = t.to_string();
    } else if !name.is_empty() {
        inv.target = name.to_string();
    }
    if ctx.opt_str(c, ptr, "type")? != Some("container") {
        return Ok(());
    }
    let mut img = ImageMeta {
        reference: prop(&props, props::IMAGE_REFERENCE)
            .unwrap_or(name)
            .to_string(),
        ..ImageMeta::default()
    };
    if prop(&props, props::IMAGE_ID).is_some() {
        img.id = prop(&props, props::IMAGE_ID)
            .unwrap_or_default()
            .to_string();
        img.manifest_digest = prop(&props, props::IMAGE_MANIFEST_DIGEST).map(str::to_string);
        img.repo_tags = props_all(&props, props::IMAGE_TAG);
        img.repo_digests = props_all(&props, props::IMAGE_REPO_DIGEST);
        img.os = prop(&props, props::IMAGE_OS)
            .unwrap_or_default()
            .to_string();
        img.architecture = prop(&props, props::IMAGE_ARCH)
            .unwrap_or_default()
            .to_string();
        img.variant = prop(&props, props::IMAGE_VARIANT).map(str::to_string);
        img.created = prop(&props, props::IMAGE_CREATED).map(str::to_string);
        img.user = prop(&props, props::IMAGE_USER)
            .unwrap_or_default()
            .to_string();
        img.layers = warden_layers(ctx, &props, ptr)?;
        for (n, v) in &props {
            if let Some(k) = n.strip_prefix(props::IMAGE_LABEL_PREFIX) {
                img.labels.insert(k.to_string(), v.to_string());
            }
        }
    } else if let Some(id) = prop(&props, "aquasecurity:trivy:ImageID") {
        img.id = id.to_string();
        img.repo_tags = props_all(&props, "aquasecurity:trivy:RepoTag");
        img.repo_digests = props_all(&props, "aquasecurity:trivy:RepoDigest");
        // Trivy joins all diff IDs with commas in one property.
        img.layers = props_all(&props, "aquasecurity:trivy:DiffID")
            .iter()
            .flat_map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .map(LayerMeta::from_diff_id)
            .collect();
    } else if version.starts_with("sha256:") {
        // Syft writes the manifest digest as the container component's version.
        img.manifest_digest = Some(version.to_string());
    }
    img.repo_tags.sort();
    img.repo_digests.sort();
    inv.image = Some(img);
    Ok(())
}

fn warden_layers(
    ctx: &Ctx<'_>,
    props: &[(&str, &str)],
    ptr: &str,
) -> Result<Vec<LayerMeta>, SbomError> {
    let mut by_index: BTreeMap<u64, LayerMeta> = BTreeMap::new();
    for (n, v) in props {
        props::apply_layer_property(&mut by_index, n, v)
            .map_err(|reason| ctx.err(&child(ptr, "properties"), format!("property {reason}")))?;
    }
    Ok(by_index.into_values().collect())
}

struct Walk<'a, 'c> {
    ctx: Ctx<'c>,
    producer: Producer,
    drafts: &'a mut Vec<Draft>,
    inv: &'a mut Inventory,
}

impl Walk<'_, '_> {
    fn component(&mut self, c: &Value, ptr: &str) -> Result<(), SbomError> {
        let ctx = self.ctx;
        let c = ctx.object(c, ptr)?;
        let ty = ctx.opt_str(c, ptr, "type")?.unwrap_or("library");
        let props = properties(&ctx, c, ptr)?;
        match ty {
            "operating-system" => {
                if self.inv.os.is_none() {
                    self.inv.os = Some(os_info(&ctx, c, ptr, &props)?);
                }
            }
            // Containers nested in a BOM, files and data describe no installable package.
            "container" | "file" | "data" | "machine-learning-model" | "cryptographic-asset" => {}
            _ => {
                let d = self.package(c, ptr, &props)?;
                self.drafts.push(d);
            }
        }
        // Nested components (Syft nests shaded jars, some tools nest a package's parts).
        for (i, n) in ctx.opt_array(c, ptr, "components")?.iter().enumerate() {
            self.component(n, &index(&child(ptr, "components"), i))?;
        }
        Ok(())
    }

    fn package(
        &mut self,
        c: &Map<String, Value>,
        ptr: &str,
        props: &[(&str, &str)],
    ) -> Result<Draft, SbomError> {
        let ctx = self.ctx;
        let warden = self.producer == Producer::Warden;
        let bom_ref = ctx.opt_str(c, ptr, "bom-ref")?.unwrap_or("").to_string();
        let group = ctx.opt_str(c, ptr, "group")?.filter(|g| !g.is_empty());
        let raw_name = ctx.opt_str(c, ptr, "name")?.unwrap_or("");
        let comp_version = ctx.opt_str(c, ptr, "version")?.unwrap_or("");
        let purl_str = ctx.opt_str(c, ptr, "purl")?.unwrap_or("");

        let parsed = if purl_str.is_empty() {
            None
        } else {
            match purl::parse(purl_str) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.inv.skipped.push(SkipNote {
                        at: format!("{}#{}", ctx.source, child(ptr, "purl")),
                        reason: format!("{e}; package kept with the generic ecosystem"),
                    });
                    None
                }
            }
        };
        let ecosystem =
            match prop(props, props::ECOSYSTEM).and_then(|e| e.parse::<Ecosystem>().ok()) {
                Some(e) => e,
                None => parsed
                    .as_ref()
                    .map(|p| p.ecosystem)
                    .unwrap_or(Ecosystem::Generic),
            };
        let comp_name = match group {
            Some(g) if ecosystem == Ecosystem::Maven => format!("{g}:{raw_name}"),
            Some(g) if !raw_name.starts_with(g) => format!("{g}/{raw_name}"),
            _ => raw_name.to_string(),
        };
        let name = match &parsed {
            Some(p) if !warden && !common::same_name(&p.name, &comp_name) => p.name.clone(),
            _ => comp_name,
        };
        if name.is_empty() {
            return Err(ctx.err(
                &child(ptr, "name"),
                "component has neither a name nor a purl",
            ));
        }
        let version = match &parsed {
            Some(p) if !warden => p
                .version
                .clone()
                .unwrap_or_else(|| comp_version.to_string()),
            _ => comp_version.to_string(),
        };

        let mut pkg = Package::new(ecosystem, name, version);
        pkg.purl = if purl_str.is_empty() {
            pkg.purl
        } else {
            purl_str.to_string()
        };
        pkg.licenses = licenses(&ctx, c, ptr)?;
        pkg.locations = self.locations(c, ptr, props, &mut pkg)?;
        pkg.found_by = prop(props, props::FOUND_BY)
            .or_else(|| prop(props, "syft:package:foundBy"))
            .or_else(|| prop(props, "aquasecurity:trivy:PkgType"))
            .unwrap_or_default()
            .to_string();
        self.source_package(props, parsed.as_ref(), &mut pkg);
        for (n, v) in props {
            if let Some(k) = n.strip_prefix(props::METADATA_PREFIX) {
                pkg.metadata.insert(k.to_string(), v.to_string());
            }
        }
        if !warden {
            if let Some(arch) = parsed.as_ref().and_then(|p| p.qualifiers.get("arch")) {
                pkg.metadata
                    .entry("arch".into())
                    .or_insert_with(|| arch.clone());
            }
        }
        Ok(Draft {
            doc_ref: bom_ref,
            package: pkg,
        })
    }

    fn locations(
        &mut self,
        c: &Map<String, Value>,
        ptr: &str,
        props: &[(&str, &str)],
        pkg: &mut Package,
    ) -> Result<Vec<Location>, SbomError> {
        let ctx = self.ctx;
        let mut out: Vec<Location> = Vec::new();
        for prefix in [props::LOCATION_PREFIX, "syft:location:"] {
            for (path, layer) in props::indexed_locations(props.iter().copied(), prefix) {
                out.push(Location { path, layer });
            }
        }
        let trivy_layer = prop(props, "aquasecurity:trivy:LayerDiffID").map(str::to_string);
        if let Some(fp) = prop(props, "aquasecurity:trivy:FilePath") {
            out.push(Location {
                path: absolute(fp),
                layer: trivy_layer.clone(),
            });
        } else if let Some(layer) = &trivy_layer {
            // Trivy gives OS packages a layer but no path; keep the layer without inventing one.
            if out.is_empty() {
                pkg.metadata.insert("layerDiffID".into(), layer.clone());
            }
        }
        if let Some(ev) = ctx.opt_object(c, ptr, "evidence")? {
            let eptr = child(ptr, "evidence");
            for (i, o) in ctx.opt_array(ev, &eptr, "occurrences")?.iter().enumerate() {
                let optr = index(&child(&eptr, "occurrences"), i);
                let o = ctx.object(o, &optr)?;
                if let Some(path) = ctx.opt_str(o, &optr, "location")? {
                    if !out.iter().any(|l| l.path == path) {
                        out.push(Location::path(path));
                    }
                }
            }
        }
        Ok(out)
    }

    fn source_package(
        &self,
        props: &[(&str, &str)],
        parsed: Option<&purl::Parsed>,
        pkg: &mut Package,
    ) {
        if let Some(n) = prop(props, props::SOURCE_NAME) {
            pkg.source_name = Some(n.to_string());
            pkg.source_version = prop(props, props::SOURCE_VERSION).map(str::to_string);
            return;
        }
        if self.producer == Producer::Warden || !pkg.ecosystem.is_os() {
            return;
        }
        if let Some(n) = prop(props, "aquasecurity:trivy:SrcName") {
            pkg.source_name = Some(n.to_string());
            if let Some(v) = prop(props, "aquasecurity:trivy:SrcVersion") {
                let mut full = v.to_string();
                if let Some(r) = prop(props, "aquasecurity:trivy:SrcRelease") {
                    full = format!("{full}-{r}");
                }
                if let Some(e) = prop(props, "aquasecurity:trivy:SrcEpoch").filter(|e| *e != "0") {
                    full = format!("{e}:{full}");
                }
                pkg.source_version = Some(full);
            }
        } else if let Some(n) = prop(props, "syft:metadata:source") {
            pkg.source_name = Some(n.to_string());
            pkg.source_version = prop(props, "syft:metadata:sourceVersion").map(str::to_string);
        } else if let Some(u) = parsed.and_then(|p| p.qualifiers.get("upstream")) {
            let (n, v) = common::upstream_qualifier(u);
            pkg.source_name = Some(n);
            pkg.source_version = v;
        }
        if pkg.source_version.as_deref() == Some(pkg.version.as_str()) {
            pkg.source_version = None;
        }
    }
}

fn absolute(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

fn licenses(ctx: &Ctx<'_>, c: &Map<String, Value>, ptr: &str) -> Result<Vec<String>, SbomError> {
    let mut out = Vec::new();
    let lptr = child(ptr, "licenses");
    for (i, l) in ctx.opt_array(c, ptr, "licenses")?.iter().enumerate() {
        let iptr = index(&lptr, i);
        let l = ctx.object(l, &iptr)?;
        if let Some(e) = ctx.opt_str(l, &iptr, "expression")? {
            // Same reading as SPDX: top-level AND members are separate licences that all apply.
            out.extend(crate::license::split_declared(e, &BTreeMap::new()));
            continue;
        }
        let Some(lic) = ctx.opt_object(l, &iptr, "license")? else {
            return Err(ctx.err(&iptr, "a licence entry needs \"license\" or \"expression\""));
        };
        let lp = child(&iptr, "license");
        let v = match (ctx.opt_str(lic, &lp, "id")?, ctx.opt_str(lic, &lp, "name")?) {
            (Some(id), _) => id,
            (None, Some(name)) => name,
            (None, None) => return Err(ctx.err(&lp, "a licence needs an \"id\" or a \"name\"")),
        };
        out.push(crate::license::strip_parens(v).to_string());
    }
    Ok(out)
}

fn os_info(
    ctx: &Ctx<'_>,
    c: &Map<String, Value>,
    ptr: &str,
    props: &[(&str, &str)],
) -> Result<OsInfo, SbomError> {
    let name = ctx.opt_str(c, ptr, "name")?.unwrap_or("");
    let mut id_like = props_all(props, props::OS_ID_LIKE);
    if id_like.is_empty() {
        // Syft writes `syft:distro:idLike:0`, `:1`, ...
        id_like = props
            .iter()
            .filter(|(n, v)| n.starts_with("syft:distro:idLike") && !v.is_empty())
            .map(|(_, v)| v.to_string())
            .collect();
    }
    Ok(OsInfo {
        id: prop(props, props::OS_ID)
            .or_else(|| prop(props, "syft:distro:id"))
            .unwrap_or(name)
            .to_string(),
        version_id: ctx
            .opt_str(c, ptr, "version")?
            .or_else(|| prop(props, "syft:distro:versionID"))
            .unwrap_or("")
            .to_string(),
        codename: prop(props, props::OS_CODENAME)
            .or_else(|| prop(props, "syft:distro:versionCodename"))
            .map(str::to_string),
        pretty_name: ctx
            .opt_str(c, ptr, "description")?
            .or_else(|| prop(props, "syft:distro:prettyName"))
            .map(str::to_string),
        id_like,
    })
}
