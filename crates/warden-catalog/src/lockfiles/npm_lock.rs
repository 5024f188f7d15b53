//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3. The format work
//! (v1's nesting, node's resolution of each dependency) lives in [`crate::parse::npm`]; this
//! adapter keeps development dependencies, marked, because a source scan reports what the
//! project uses to build too.

use std::collections::BTreeMap;

use warden_core::Ecosystem;

use super::{Input, Sink};
use crate::parse::npm::parse_lock;
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let lock = parse_lock(input.text.as_bytes())?;
    // One pass maps every object key (`"node_modules/debug": {`) to its first line: searching
    // per package would be quadratic on lockfiles with thousands of entries.
    let mut key_lines: BTreeMap<&str, usize> = BTreeMap::new();
    for (n, l) in input.text.lines().enumerate() {
        if let Some(key) = l
            .trim()
            .strip_suffix('{')
            .map(str::trim_end)
            .and_then(|k| k.strip_suffix(':'))
            .and_then(|k| k.trim_end().strip_prefix('"'))
            .and_then(|k| k.strip_suffix('"'))
        {
            key_lines.entry(key).or_insert(n + 1);
        }
    }
    let mut idx = Vec::with_capacity(lock.packages.len());
    for lp in &lock.packages {
        // v2+ keys are install paths; v1 nests objects keyed by name.
        let key = if lock.version >= 2 {
            &lp.path
        } else {
            &lp.name
        };
        let line = key_lines.get(key.as_str()).copied();
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
