//! Whiteouts (`.wh.name`), opaque directories (`.wh..wh..opq`) and the merge that applies them.
//!
//! The merge works on every entry of every layer sorted by (path, layer, tar order), where the
//! path order keeps a directory's descendants right after it. One pass with a stack of ancestors
//! then decides what survives: an entry from layer `p` is hidden when an ancestor was whited out,
//! made opaque or replaced by a non-directory in a layer above `p`, or when a later entry at the
//! same path replaces it.

use crate::view::{is_ancestor, Kind};

const WH_PREFIX: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// What a tar entry's base name says about whiteouts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Marker<'a> {
    /// An ordinary entry.
    None,
    /// Deletes `dir/name` from lower layers: carries `name`.
    Whiteout(&'a str),
    /// Hides everything lower layers put in the parent directory.
    Opaque,
    /// An aufs-internal or malformed marker: skipped with this reason.
    Invalid(&'static str),
}

/// Classifies a base name.
pub(crate) fn marker(base: &str) -> Marker<'_> {
    if base == OPAQUE {
        return Marker::Opaque;
    }
    let Some(name) = base.strip_prefix(WH_PREFIX) else {
        return Marker::None;
    };
    if name.starts_with(WH_PREFIX) {
        return Marker::Invalid("aufs metadata whiteout (.wh..wh.*) ignored");
    }
    match name {
        "" | "." | ".." => Marker::Invalid("whiteout without a valid target name"),
        _ => Marker::Whiteout(name),
    }
}

/// Returns the surviving references, in the order of `refs` (sorted by path).
pub(crate) fn apply<'a, R: Copy + 'a>(
    refs: &[(u32, R)],
    path: impl Fn((u32, R)) -> &'a str,
    kind: impl Fn((u32, R)) -> Kind,
) -> Vec<(u32, R)> {
    struct Frame<'p> {
        path: &'p str,
        /// Descendants from layers below this one are hidden.
        hide_below: u32,
    }
    let mut out = Vec::new();
    let mut stack: Vec<Frame<'a>> = Vec::new();
    let mut i = 0;
    while i < refs.len() {
        let p = path(refs[i]);
        let mut j = i + 1;
        while j < refs.len() && path(refs[j]) == p {
            j += 1;
        }
        while stack.last().is_some_and(|f| !is_ancestor(f.path, p)) {
            stack.pop();
        }
        let inherited = stack.last().map_or(0, |f| f.hide_below);
        let mut state = None;
        let mut hide_below = inherited;
        for &r in &refs[i..j] {
            let layer = r.0;
            if layer < inherited {
                continue;
            }
            match kind(r) {
                Kind::Whiteout => {
                    state = None;
                    hide_below = hide_below.max(layer);
                }
                Kind::Opaque => hide_below = hide_below.max(layer),
                Kind::Dir => {
                    if state.is_some_and(|s| kind(s) != Kind::Dir) {
                        hide_below = hide_below.max(layer);
                    }
                    state = Some(r);
                }
                _ => {
                    // Nothing can live under a non-directory from this layer or below.
                    state = Some(r);
                    hide_below = hide_below.max(layer + 1);
                }
            }
        }
        if let Some(s) = state {
            out.push(s);
        }
        stack.push(Frame {
            path: p,
            hide_below,
        });
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(marker(".wh..wh..opq"), Marker::Opaque);
        assert_eq!(marker(".wh.foo"), Marker::Whiteout("foo"));
        assert_eq!(marker("foo"), Marker::None);
        assert!(matches!(marker(".wh..wh.plnk"), Marker::Invalid(_)));
        assert!(matches!(marker(".wh.."), Marker::Invalid(_)));
    }

    fn run(entries: &[(u32, &'static str, Kind)]) -> Vec<(u32, &'static str)> {
        let mut refs: Vec<(u32, usize)> =
            entries.iter().enumerate().map(|(i, e)| (e.0, i)).collect();
        refs.sort_by(|a, b| crate::view::path_cmp(entries[a.1].1, entries[b.1].1).then(a.cmp(b)));
        apply(&refs, |r| entries[r.1].1, |r| entries[r.1].2)
            .into_iter()
            .map(|r| (r.0, entries[r.1].1))
            .collect()
    }

    #[test]
    fn whiteout_opaque_and_replacement() {
        let got = run(&[
            (0, "/a", Kind::Dir),
            (0, "/a/f", Kind::File),
            (0, "/b", Kind::Dir),
            (0, "/b/old", Kind::File),
            (0, "/c", Kind::Dir),
            (0, "/c/x", Kind::File),
            (0, "/keep", Kind::File),
            (1, "/a", Kind::Whiteout),
            (1, "/b", Kind::Dir),
            (1, "/b", Kind::Opaque),
            (1, "/b/new", Kind::File),
            (1, "/c", Kind::File),
            (2, "/a", Kind::Dir),
            (2, "/a/g", Kind::File),
        ]);
        assert_eq!(
            got,
            [
                (2, "/a"),
                (2, "/a/g"),
                (1, "/b"),
                (1, "/b/new"),
                (1, "/c"),
                (0, "/keep")
            ]
        );
    }
}
