//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3. The format work
//! (v1's nesting, node's resolution of each dependency) lives in [`crate::parse::npm`]; this
//! adapter keeps development dependencies, marked, because a source scan reports what the
//! project uses to build too.

use warden_core::Ecosystem;

use super::{Input, LineFinder, Sink};
use crate::parse::npm::parse_lock;
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let lock = parse_lock(input.text.as_bytes())?;
    let mut idx = Vec::with_capacity(lock.packages.len());
    // parse_lock sorts by install path, which is not file order; find each entry from the top.
    for lp in &lock.packages {
        let needle = if lock.version >= 2 {
            format!("\"{}\"", lp.path)
        } else {
            format!("\"{}\"", lp.name)
        };
        let line = LineFinder::new(input.text).find(&needle);
        let i = sink.package(Ecosystem::Npm, &lp.name, &lp.version, line);
        if !lp.licenses.is_empty() {
            let p = sink.get_mut(i);
            p.licenses.extend(lp.licenses.iter().cloned());
        }
        idx.push(i);
    }
    // The same name@version can be installed at several paths, dev at one and not another;
    // it is dev only when every copy is.
    let mut prod = vec![false; sink.len()];
    for (k, lp) in lock.packages.iter().enumerate() {
        if !lp.dev {
            prod[idx[k]] = true;
        }
        for d in &lp.depends_on {
            sink.relate(idx[k], idx[*d]);
        }
    }
    for (i, is_prod) in prod.iter().enumerate() {
        if !is_prod {
            sink.mark_dev(i);
        }
    }
    Ok(())
}
