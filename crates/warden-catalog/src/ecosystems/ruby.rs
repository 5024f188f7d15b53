//! Ruby: installed gem specifications (`…/specifications/*.gemspec`, including `default/`).

use warden_core::{Ecosystem, Package};
use warden_image::{EntryMeta, Interest};

use super::parent;
use crate::parse::gemspec::parse_gemspec;
use crate::{CatalogError, Cataloger, Context, Found};

const MAX_GEMSPEC: u64 = 1 << 20;

/// The installed-gemspec cataloger.
pub struct RubyGemspec;

fn is_gemspec(path: &str) -> bool {
    if !path.ends_with(".gemspec") {
        return false;
    }
    let dir = parent(path);
    dir.ends_with("/specifications") || dir.ends_with("/specifications/default")
}

impl Cataloger for RubyGemspec {
    fn id(&self) -> &'static str {
        "ruby-gemspec"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if is_gemspec(e.path) && e.size <= MAX_GEMSPEC {
            Interest::Keep
        } else {
            Interest::Skip
        }
    }

    fn collect(&self, ctx: &Context<'_>, out: &mut Found) -> Result<(), CatalogError> {
        let mut by_dir: std::collections::BTreeMap<(String, String), usize> = Default::default();
        let mut wants = Vec::new();
        for (path, data) in ctx.kept_where(is_gemspec) {
            let g = match parse_gemspec(data) {
                Ok(g) => g,
                Err(e) => {
                    out.skip(path, format!("gemspec: {e}"));
                    continue;
                }
            };
            let mut p = Package::new(Ecosystem::Gem, &g.name, &g.version);
            p.licenses = g.licenses;
            p.found_by = self.id().to_string();
            p.locations.push(ctx.location(path));
            // Gems resolve against the same GEM_HOME; `default/` sits one level deeper.
            let home = parent(parent(path).trim_end_matches("/default")).to_string();
            let i = out.add(p);
            by_dir.entry((home.clone(), g.name.clone())).or_insert(i);
            wants.push((i, home, g.dependencies));
        }
        for (i, home, deps) in wants {
            for d in deps {
                if let Some(&j) = by_dir.get(&(home.clone(), d)) {
                    out.relate(i, j);
                }
            }
        }
        Ok(())
    }
}
