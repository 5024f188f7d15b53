//! .NET: `*.deps.json` beside published applications.

use std::collections::BTreeMap;

use warden_core::{Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use crate::parse::dotnet_deps::parse_deps_json;
use crate::{CatalogError, Cataloger, Context, Found};

const MAX_JSON: u64 = 64 << 20;

/// The .NET deps.json cataloger.
pub struct DotnetDeps;

fn is_deps_json(path: &str) -> bool {
    path.ends_with(".deps.json")
}

impl Cataloger for DotnetDeps {
    fn id(&self) -> &'static str {
        "dotnet-deps"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if is_deps_json(e.path) && e.size <= MAX_JSON {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        for (path, data) in ctx.kept_where(is_deps_json) {
            let libs = match parse_deps_json(data) {
                Ok(l) => l,
                Err(e) => {
                    out.skip(path, format!("deps.json: {e}"));
                    continue;
                }
            };
            let location = ctx.location(path);
            let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
            let mut wants = Vec::new();
            for l in libs {
                let mut p = Package::new(Ecosystem::Nuget, &l.name, &l.version);
                p.found_by = self.id().to_string();
                p.locations.push(location.clone());
                if !l.sha512.is_empty() {
                    p.metadata.insert("sha512".into(), l.sha512.clone());
                }
                let i = out.add(p);
                by_key.insert(format!("{}/{}", l.name, l.version), i);
                wants.push((i, l.depends_on));
            }
            for (i, deps) in wants {
                for d in deps {
                    if let Some(&j) = by_key.get(&d) {
                        out.relate(i, j);
                    }
                }
            }
        }
        Ok(())
    }
}
