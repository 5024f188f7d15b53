//! apk: `/lib/apk/db/installed` (Alpine, Wolfi, Chainguard).

use std::collections::BTreeMap;

use warden_core::{purl_encode, Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use super::distro_qualifier;
use crate::parse::apk_db::parse_installed;
use crate::{CatalogError, Cataloger, Context, Found};

const DB: &str = "/lib/apk/db/installed";

/// The apk installed-database cataloger.
pub struct ApkDb;

impl Cataloger for ApkDb {
    fn id(&self) -> &'static str {
        "apk-db"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if e.path == DB {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let Some(data) = ctx.fs.read(DB) else {
            return Ok(());
        };
        let (entries, errors) = parse_installed(data);
        for e in errors {
            out.skip(DB, format!("apk database: {e}"));
        }
        let namespace = ctx
            .os
            .map(|o| o.id.as_str())
            .filter(|id| !id.is_empty())
            .unwrap_or("alpine");
        let distro = distro_qualifier(ctx.os);
        let location = ctx.location(DB);
        // Dependencies name packages or things they provide (`so:libc.musl-x86_64.so.1`).
        let mut provider: BTreeMap<String, usize> = BTreeMap::new();
        let mut deps = Vec::new();
        for e in entries {
            let mut p = Package::new(Ecosystem::Apk, &e.name, &e.version);
            let upstream = e
                .origin
                .clone()
                .filter(|o| *o != e.name)
                .unwrap_or_default();
            p.purl = purl_encode(
                Ecosystem::Apk,
                Some(namespace),
                &e.name,
                &e.version,
                &[
                    ("arch", &e.arch),
                    ("distro", &distro),
                    ("upstream", &upstream),
                ],
            );
            p.source_name = Some(e.origin.clone().unwrap_or_else(|| e.name.clone()));
            if !e.license.is_empty() {
                // apk writes SPDX expressions with spaces (`MIT AND BSD-2-Clause`) or, in old
                // packages, space-separated names; keep the field as one expression.
                p.licenses.push(e.license.clone());
            }
            p.found_by = self.id().to_string();
            p.locations.push(location.clone());
            for (k, v) in [
                ("arch", &e.arch),
                ("maintainer", &e.maintainer),
                ("commit", &e.commit),
                ("checksum", &e.checksum),
            ] {
                if !v.is_empty() {
                    p.metadata.insert(k.into(), v.clone());
                }
            }
            out.owned_files.extend(e.files.iter().cloned());
            let i = out.add(p);
            provider.entry(e.name.clone()).or_insert(i);
            for prov in &e.provides {
                provider.entry(prov.clone()).or_insert(i);
            }
            deps.push((i, e.depends));
        }
        for (i, names) in deps {
            for n in names {
                if let Some(&j) = provider.get(&n) {
                    out.relate(i, j);
                }
            }
        }
        Ok(())
    }
}
