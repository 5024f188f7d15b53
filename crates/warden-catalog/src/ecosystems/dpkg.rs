//! dpkg: `/var/lib/dpkg/status`, distroless `/var/lib/dpkg/status.d/*`, the `info/*.list` file
//! lists (for OS ownership) and DEP-5 `copyright` files (for licences).

use std::collections::BTreeMap;

use warden_core::{purl_encode, Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use super::{distro_qualifier, file_name};
use crate::parse::deb_control::{
    copyright_licenses, parse_list, parse_md5sums, parse_status, DpkgEntry,
};
use crate::{CatalogError, Cataloger, Context, Found};

const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d/";
const INFO: &str = "/var/lib/dpkg/info/";
/// Copyright files are text; a bigger one is not worth keeping for a licence name.
const MAX_COPYRIGHT: u64 = 256 << 10;

/// The dpkg database cataloger.
pub struct DpkgDb;

fn copyright_path(path: &str) -> bool {
    path.starts_with("/usr/share/doc/")
        && path.ends_with("/copyright")
        && path.matches('/').count() == 5
}

impl Cataloger for DpkgDb {
    fn id(&self) -> &'static str {
        "dpkg-db"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        let p = e.path;
        let wanted = p == STATUS
            || p.starts_with(STATUS_D)
            || (p.starts_with(INFO) && (p.ends_with(".list") || p.ends_with(".md5sums")))
            || (copyright_path(p) && e.size <= MAX_COPYRIGHT);
        if wanted {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let mut entries: Vec<(String, DpkgEntry)> = Vec::new();
        for (path, data) in
            ctx.kept_where(|p| p == STATUS || (p.starts_with(STATUS_D) && !p.ends_with(".md5sums")))
        {
            let (found, errors) = parse_status(data);
            for e in errors {
                out.skip(path, format!("dpkg status: {e}"));
            }
            entries.extend(found.into_iter().map(|e| (path.to_string(), e)));
        }
        // Ownership: every installed package's file list (the `.list` of a removed package is
        // deleted with it). md5sums cover distroless images, which have no `.list` files.
        for (path, data) in ctx.kept_where(|p| p.starts_with(INFO) || p.starts_with(STATUS_D)) {
            if path.ends_with(".list") {
                out.owned_files.extend(parse_list(data));
            } else if path.ends_with(".md5sums") {
                out.owned_files.extend(parse_md5sums(data));
            }
        }
        if entries.is_empty() {
            return Ok(());
        }
        let namespace = ctx
            .os
            .map(|o| o.id.as_str())
            .filter(|id| !id.is_empty())
            .unwrap_or("debian");
        let distro = distro_qualifier(ctx.os);
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        let mut deps: Vec<(usize, Vec<String>)> = Vec::new();
        for (path, e) in entries {
            let mut p = Package::new(Ecosystem::Deb, &e.package, &e.version);
            let upstream = match &e.source_version {
                Some(sv) => format!("{}@{sv}", e.source),
                None if e.source != e.package => e.source.clone(),
                None => String::new(),
            };
            p.purl = purl_encode(
                Ecosystem::Deb,
                Some(namespace),
                &e.package,
                &e.version,
                &[
                    ("arch", &e.arch),
                    ("distro", &distro),
                    ("upstream", &upstream),
                ],
            );
            p.source_name = Some(e.source.clone());
            p.source_version = e.source_version.clone();
            p.found_by = self.id().to_string();
            p.locations.push(ctx.location(&path));
            if !e.arch.is_empty() {
                p.metadata.insert("arch".into(), e.arch.clone());
            }
            if !e.maintainer.is_empty() {
                p.metadata.insert("maintainer".into(), e.maintainer.clone());
            }
            if let Some(s) = e.installed_size {
                p.metadata.insert("installedSize".into(), s.to_string());
            }
            let copyright = format!("/usr/share/doc/{}/copyright", e.package);
            if let Some(c) = ctx.fs.read(&copyright) {
                p.licenses = copyright_licenses(c);
            }
            let name = file_name(&e.package).to_string();
            let i = out.add(p);
            by_name.entry(name).or_insert(i);
            deps.push((i, e.depends));
        }
        for (i, names) in deps {
            for n in names {
                if let Some(&j) = by_name.get(&n) {
                    out.relate(i, j);
                }
            }
        }
        Ok(())
    }
}
