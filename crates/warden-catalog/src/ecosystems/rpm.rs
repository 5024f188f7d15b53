//! rpm: `rpmdb.sqlite`, BerkeleyDB `Packages` and NDB `Packages.db` under `/var/lib/rpm`,
//! `/usr/lib/sysimage/rpm` and `/usr/share/rpm`.

use std::collections::BTreeMap;

use warden_core::{purl_encode, Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use super::{distro_qualifier, file_name, parent};
use crate::parse::rpm_header::RpmPackage;
use crate::parse::{rpm_bdb, rpm_ndb, rpm_sqlite, ParseError};
use crate::{CatalogError, Cataloger, Context, Found};

const DIRS: [&str; 3] = ["/var/lib/rpm", "/usr/lib/sysimage/rpm", "/usr/share/rpm"];

/// The rpm database cataloger.
pub struct RpmDb;

type Reader = fn(&[u8]) -> Result<(Vec<RpmPackage>, Vec<ParseError>), ParseError>;

fn reader(path: &str) -> Option<Reader> {
    if !DIRS.contains(&parent(path)) {
        return None;
    }
    match file_name(path) {
        "rpmdb.sqlite" => Some(rpm_sqlite::parse_rpmdb_sqlite),
        "Packages" => Some(rpm_bdb::parse_rpmdb_bdb),
        "Packages.db" => Some(rpm_ndb::parse_rpmdb_ndb),
        _ => None,
    }
}

/// The purl namespace Syft uses: the distro id, with RHEL spelled `redhat`.
fn namespace(ctx: &Context<'_>, vendor: &str) -> String {
    match ctx.os.map(|o| o.id.as_str()) {
        Some("rhel") => "redhat".into(),
        Some(id) if !id.is_empty() => id.into(),
        _ => vendor
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase(),
    }
}

impl Cataloger for RpmDb {
    fn id(&self) -> &'static str {
        "rpm-db"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if reader(e.path).is_some() {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let distro = distro_qualifier(ctx.os);
        for (path, data) in ctx.kept_where(|p| reader(p).is_some()) {
            let Some(read) = reader(path) else { continue };
            let (pkgs, errors) = match read(data) {
                Ok(r) => r,
                Err(e) => {
                    out.skip(path, format!("rpm database: {e}"));
                    continue;
                }
            };
            for e in errors {
                out.skip(path, format!("rpm database: {e}"));
            }
            let location = ctx.location(path);
            let mut provider: BTreeMap<String, usize> = BTreeMap::new();
            let mut deps = Vec::new();
            for r in pkgs {
                // gpg-pubkey entries are imported signing keys, not software.
                if r.name == "gpg-pubkey" {
                    continue;
                }
                let mut p = Package::new(Ecosystem::Rpm, &r.name, r.evr());
                let epoch = r.epoch.map(|e| e.to_string()).unwrap_or_default();
                let ns = namespace(ctx, &r.vendor);
                let vr = format!("{}-{}", r.version, r.release);
                let ns = (!ns.is_empty()).then_some(ns.as_str());
                p.purl = purl_encode(
                    Ecosystem::Rpm,
                    ns,
                    &r.name,
                    &vr,
                    &[
                        ("arch", &r.arch),
                        ("epoch", &epoch),
                        ("distro", &distro),
                        ("upstream", &r.source_rpm),
                    ],
                );
                if let Some((sn, sv)) = r.source() {
                    p.source_version = (sv != vr).then_some(sv);
                    p.source_name = Some(sn);
                }
                if !r.license.is_empty() {
                    p.licenses.push(r.license.clone());
                }
                p.found_by = self.id().to_string();
                p.locations.push(location.clone());
                for (k, v) in [
                    ("arch", &r.arch),
                    ("vendor", &r.vendor),
                    ("sourceRpm", &r.source_rpm),
                    ("modularityLabel", &r.modularity_label),
                    ("release", &r.release),
                ] {
                    if !v.is_empty() {
                        p.metadata.insert(k.into(), v.clone());
                    }
                }
                if !epoch.is_empty() {
                    p.metadata.insert("epoch".into(), epoch);
                }
                out.owned_files.extend(r.files.iter().cloned());
                let i = out.add(p);
                provider.entry(r.name.clone()).or_insert(i);
                deps.push((i, r.requires));
            }
            for (i, names) in deps {
                for n in names {
                    if let Some(&j) = provider.get(&n) {
                        out.relate(i, j);
                    }
                }
            }
        }
        Ok(())
    }
}
