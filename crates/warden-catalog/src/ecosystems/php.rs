//! PHP: Composer's `vendor/composer/installed.json`.

use std::collections::BTreeMap;

use warden_core::{Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use crate::parse::composer::parse_installed_json;
use crate::{CatalogError, Cataloger, Context, Found};

const MAX_JSON: u64 = 64 << 20;

/// The Composer installed.json cataloger.
pub struct ComposerInstalled;

fn is_installed_json(path: &str) -> bool {
    path.ends_with("/composer/installed.json")
}

impl Cataloger for ComposerInstalled {
    fn id(&self) -> &'static str {
        "php-composer-installed"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if is_installed_json(e.path) && e.size <= MAX_JSON {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        for (path, data) in ctx.kept_where(is_installed_json) {
            let pkgs = match parse_installed_json(data) {
                Ok(p) => p,
                Err(e) => {
                    out.skip(path, format!("composer installed.json: {e}"));
                    continue;
                }
            };
            let location = ctx.location(path);
            let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
            let mut wants = Vec::new();
            for c in pkgs {
                let mut p = Package::new(Ecosystem::Composer, &c.name, &c.version);
                p.licenses = c.licenses;
                p.found_by = self.id().to_string();
                p.locations.push(location.clone());
                if c.dev {
                    p.metadata.insert("dev".into(), "true".into());
                }
                let i = out.add(p);
                by_name.insert(c.name, i);
                wants.push((i, c.requires));
            }
            for (i, reqs) in wants {
                for r in reqs {
                    if let Some(&j) = by_name.get(&r) {
                        out.relate(i, j);
                    }
                }
            }
        }
        Ok(())
    }
}
