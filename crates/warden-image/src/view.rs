//! The per-layer index and the merged filesystem view built from it.
//!
//! Memory per entry is what matters here (an image can hold millions of files), so paths live in
//! one string arena per layer and an entry is a fixed 32-byte record pointing into it. The merged
//! view is a sorted vector of 8-byte references to the surviving records.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::FileInfo;

const NONE: u32 = u32::MAX;

/// What one tar entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink,
    /// A hard link whose target was not in the same layer: resolved against the final view.
    Hardlink,
    Whiteout,
    Opaque,
    /// Devices and fifos: they exist but are not regular files.
    Other,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    off: u32,
    len: u32,
    size: u64,
    mode: u32,
    /// Content index (File) or target index (Symlink, Hardlink), or `NONE`.
    aux: u32,
    kind: Kind,
}

/// The index of one layer blob, in tar order, with the bytes the selector kept.
#[derive(Debug, Default)]
pub(crate) struct LayerIndex {
    names: String,
    entries: Vec<Entry>,
    targets: Vec<Box<str>>,
    contents: Vec<Arc<[u8]>>,
    /// `sha256:` of the uncompressed stream (empty for `dir:` sources).
    pub(crate) diff_id: String,
    /// `sha256:` of the stored blob and its size, when it was read from a blob.
    pub(crate) digest: Option<(String, u64)>,
}

impl LayerIndex {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn path(&self, i: u32) -> &str {
        let e = &self.entries[i as usize];
        &self.names[e.off as usize..(e.off + e.len) as usize]
    }

    fn push(
        &mut self,
        path: &str,
        kind: Kind,
        size: u64,
        mode: u32,
        aux: u32,
    ) -> Result<(), String> {
        let off = u32::try_from(self.names.len())
            .ok()
            .filter(|o| o.checked_add(path.len() as u32).is_some())
            .ok_or_else(|| "the layer's path names exceed 4 GiB".to_string())?;
        self.names.push_str(path);
        self.entries.push(Entry {
            off,
            len: path.len() as u32,
            size,
            mode,
            aux,
            kind,
        });
        Ok(())
    }

    pub(crate) fn push_file(
        &mut self,
        path: &str,
        size: u64,
        mode: u32,
        content: Option<Arc<[u8]>>,
    ) -> Result<(), String> {
        let aux = match content {
            Some(c) => {
                self.contents.push(c);
                (self.contents.len() - 1) as u32
            }
            None => NONE,
        };
        self.push(path, Kind::File, size, mode, aux)
    }

    pub(crate) fn push_link(
        &mut self,
        path: &str,
        kind: Kind,
        target: &str,
        mode: u32,
    ) -> Result<(), String> {
        self.targets.push(target.into());
        let aux = (self.targets.len() - 1) as u32;
        self.push(path, kind, 0, mode, aux)
    }

    pub(crate) fn push_plain(&mut self, path: &str, kind: Kind, mode: u32) -> Result<(), String> {
        self.push(path, kind, 0, mode, NONE)
    }

    /// Resolves hard links whose target is an earlier entry of the same layer into a copy of that
    /// entry, so the link keeps the content even when the target is later deleted or replaced.
    /// Returns the links whose target is not in this layer.
    pub(crate) fn resolve_hardlinks(&mut self) -> usize {
        if !self.entries.iter().any(|e| e.kind == Kind::Hardlink) {
            return 0;
        }
        let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
        order.sort_by(|&a, &b| self.path(a).cmp(self.path(b)).then(a.cmp(&b)));
        let mut unresolved = 0;
        for i in 0..self.entries.len() {
            if self.entries[i].kind != Kind::Hardlink {
                continue;
            }
            let target = &self.targets[self.entries[i].aux as usize];
            // The last entry with the target's path that precedes the link.
            let start = order.partition_point(|&j| self.path(j) < &**target);
            let mut found = None;
            for &j in &order[start..] {
                if self.path(j) != &**target || j as usize >= i {
                    break;
                }
                found = Some(j as usize);
            }
            match found.map(|j| self.entries[j]) {
                Some(t) if matches!(t.kind, Kind::File | Kind::Symlink | Kind::Other) => {
                    let e = &mut self.entries[i];
                    e.kind = t.kind;
                    e.size = t.size;
                    e.mode = t.mode;
                    e.aux = t.aux;
                }
                _ => unresolved += 1,
            }
        }
        unresolved
    }

    /// Gives back the growth slack of the arena and records once the layer is complete.
    pub(crate) fn shrink(&mut self) {
        self.names.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.targets.shrink_to_fit();
        self.contents.shrink_to_fit();
    }

    /// Heap bytes held by this index (arena, records, link targets, kept contents).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.names.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.targets.iter().map(|t| t.len() + 16).sum::<usize>()
            + self.contents.iter().map(|c| c.len() + 16).sum::<usize>()
    }
}

/// A reference to one entry: (layer position, entry index).
type NodeRef = (u32, u32);

/// The merged view after every layer (whiteouts and opaque dirs applied).
#[derive(Debug, Default)]
pub struct Filesystem {
    /// Unique layer blobs.
    blobs: Vec<LayerIndex>,
    /// For each layer position, the blob it uses (the same blob may appear twice).
    positions: Vec<u32>,
    /// Surviving entries, sorted by path (component-wise).
    nodes: Vec<NodeRef>,
    max_hops: usize,
}

/// Orders paths component by component, so a directory's descendants directly follow it: byte
/// order with `/` below every other byte.
///
/// Only the first differing byte decides, so it is found eight bytes at a time (this comparison
/// is the inner loop of sorting every path of an image); the result equals comparing the
/// byte-mapped strings.
pub(crate) fn path_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_le_bytes(a[i..i + 8].try_into().unwrap_or_default());
        let y = u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        if x != y {
            i += ((x ^ y).trailing_zeros() / 8) as usize;
            break;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    if i == n {
        return a.len().cmp(&b.len());
    }
    let key = |c: u8| if c == b'/' { 0 } else { c };
    key(a[i]).cmp(&key(b[i]))
}

pub(crate) fn is_ancestor(dir: &str, path: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

impl Filesystem {
    /// Merges layer blobs applied in `positions` order.
    pub(crate) fn merge(
        blobs: Vec<LayerIndex>,
        positions: Vec<u32>,
        max_hops: usize,
    ) -> Filesystem {
        let mut fs = Filesystem {
            blobs,
            positions,
            nodes: Vec::new(),
            max_hops,
        };
        let mut refs: Vec<NodeRef> = Vec::with_capacity(
            fs.positions
                .iter()
                .map(|&b| fs.blobs[b as usize].len())
                .sum(),
        );
        for (pos, &b) in fs.positions.iter().enumerate() {
            refs.extend((0..fs.blobs[b as usize].len() as u32).map(|e| (pos as u32, e)));
        }
        refs.sort_unstable_by(|&a, &b| path_cmp(fs.path(a), fs.path(b)).then(a.cmp(&b)));
        let nodes = crate::whiteout::apply(&refs, |r| fs.path(r), |r| fs.entry(r).kind);
        fs.nodes = nodes;
        fs
    }

    fn blob(&self, pos: u32) -> &LayerIndex {
        &self.blobs[self.positions[pos as usize] as usize]
    }

    fn path(&self, r: NodeRef) -> &str {
        self.blob(r.0).path(r.1)
    }

    fn entry(&self, r: NodeRef) -> &Entry {
        &self.blob(r.0).entries[r.1 as usize]
    }

    fn target(&self, r: NodeRef) -> Option<&str> {
        let e = self.entry(r);
        match e.kind {
            Kind::Symlink | Kind::Hardlink if e.aux != NONE => {
                Some(&self.blob(r.0).targets[e.aux as usize])
            }
            _ => None,
        }
    }

    fn content(&self, r: NodeRef) -> Option<&[u8]> {
        let e = self.entry(r);
        (e.kind == Kind::File && e.aux != NONE).then(|| &*self.blob(r.0).contents[e.aux as usize])
    }

    fn lookup(&self, path: &str) -> Option<NodeRef> {
        self.nodes
            .binary_search_by(|&r| path_cmp(self.path(r), path))
            .ok()
            .map(|i| self.nodes[i])
    }

    /// Resolves `path` through symlinks (and cross-layer hard links) inside the root only:
    /// absolute targets restart at the image root and `..` stops at it, like a chroot.
    fn resolve(&self, path: &str) -> Option<NodeRef> {
        let mut pending: Vec<String> = components(path).rev().map(str::to_string).collect();
        let mut cur: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(c) = pending.pop() {
            match c.as_str() {
                "" | "." => continue,
                ".." => {
                    cur.pop();
                    continue;
                }
                _ => cur.push(c),
            }
            let joined = join(&cur);
            let Some(r) = self.lookup(&joined) else {
                // A missing directory entry can still have children (layers without parent dirs).
                continue;
            };
            if let Some(target) = self.target(r) {
                hops += 1;
                if hops > self.max_hops {
                    tracing::debug!(path, "symlink resolution exceeded the hop limit");
                    return None;
                }
                let kind = self.entry(r).kind;
                cur.pop();
                // Hard link names are root-relative; symlink targets are relative to the link's dir.
                if target.starts_with('/') || kind == Kind::Hardlink {
                    cur.clear();
                }
                pending.extend(target.split('/').rev().map(str::to_string));
            }
        }
        self.lookup(&join(&cur))
    }

    fn file_info(&self, r: NodeRef, path: String) -> FileInfo {
        let e = self.entry(r);
        FileInfo {
            path,
            size: e.size,
            mode: e.mode,
            layer: r.0 as usize,
            diff_id: self.blob(r.0).diff_id.clone(),
        }
    }

    /// Kept content of the regular file at `path`, following symlinks inside the root.
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.content(self.resolve(path)?)
    }

    /// The regular file at `path` after following symlinks; `path` in the result is the real one.
    pub fn info(&self, path: &str) -> Option<FileInfo> {
        let r = self.resolve(path)?;
        (self.entry(r).kind == Kind::File).then(|| self.file_info(r, self.path(r).to_string()))
    }

    /// Whether anything (file, dir, link target) exists at `path`, following symlinks.
    pub fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_some()
    }

    /// Whether the entry at `path` in the final view came from `layer` (or from a layer with the
    /// same diff ID). No symlink is followed.
    pub fn survives(&self, path: &str, layer: usize) -> bool {
        let Some(r) = self.lookup(&normalize_query(path)) else {
            return false;
        };
        let here = r.0 as usize;
        here == layer
            || self
                .positions
                .get(layer)
                .is_some_and(|&b| b == self.positions[here])
    }

    /// Every Kept file of the final view, sorted by path (hard links to a Kept file included).
    pub fn kept(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.nodes
            .iter()
            .filter_map(|&r| Some((self.path(r), self.content(r)?)))
    }

    /// Every surviving regular file, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = FileInfo> + '_ {
        self.nodes.iter().filter_map(|&r| {
            let e = self.entry(r);
            match e.kind {
                Kind::File => Some(self.file_info(r, self.path(r).to_string())),
                Kind::Hardlink => {
                    let t = self.resolve(self.target(r)?)?;
                    (self.entry(t).kind == Kind::File)
                        .then(|| self.file_info(t, self.path(r).to_string()))
                }
                _ => None,
            }
        })
    }

    /// Every surviving directory entry, sorted by path (`size` is 0). Directories that exist only
    /// because a layer holds files below them, without an entry of their own, are not listed.
    pub fn dirs(&self) -> impl Iterator<Item = FileInfo> + '_ {
        self.nodes
            .iter()
            .filter(|&&r| self.entry(r).kind == Kind::Dir)
            .map(|&r| self.file_info(r, self.path(r).to_string()))
    }

    /// Entries in the merged index (files, dirs, links).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the merged index is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every surviving path with its kind (`file`, `dir`, `symlink`, `hardlink`, `other`) and, for
    /// links, the target: the whole index, sorted; used to compare sources.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &'static str, Option<&str>)> {
        self.nodes.iter().map(|&r| {
            let kind = match self.entry(r).kind {
                Kind::File => "file",
                Kind::Dir => "dir",
                Kind::Symlink => "symlink",
                Kind::Hardlink => "hardlink",
                Kind::Whiteout | Kind::Opaque | Kind::Other => "other",
            };
            (self.path(r), kind, self.target(r))
        })
    }

    /// Heap bytes held by the index (all layer records, path arenas, kept content, merged view).
    pub fn index_bytes(&self) -> usize {
        self.blobs.iter().map(LayerIndex::heap_bytes).sum::<usize>()
            + self.nodes.capacity() * std::mem::size_of::<NodeRef>()
    }

    /// Entries recorded over all layers, before merging.
    pub fn layer_entries(&self) -> usize {
        self.positions
            .iter()
            .map(|&b| self.blobs[b as usize].len())
            .sum()
    }
}

fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

fn join(parts: &[String]) -> String {
    if parts.is_empty() {
        return "/".to_string();
    }
    let mut s = String::new();
    for p in parts {
        s.push('/');
        s.push_str(p);
    }
    s
}

/// Normalises a query path lexically (`..` stops at the root).
fn normalize_query(path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for c in components(path) {
        if c == ".." {
            out.pop();
        } else {
            out.push(c.to_string());
        }
    }
    join(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_cmp_equals_the_byte_mapped_order() {
        let slow = |a: &str, b: &str| {
            let key = |c: u8| if c == b'/' { 0 } else { c };
            a.bytes().map(key).cmp(b.bytes().map(key))
        };
        // Every pair from a set with shared prefixes of every length around the 8-byte steps,
        // and differences at `/` against bytes above and below it.
        let mut paths: Vec<String> = Vec::new();
        for stem in [
            "",
            "/usr/lib",
            "/usr/lib/python3/dist-packages",
            "/a/b/c/d/e/f/g/h",
        ] {
            for tail in [
                "", "/", "/x", "-x", ".x", "0", "/x/y", "\u{e9}", "a", "/\u{e9}",
            ] {
                paths.push(format!("{stem}{tail}"));
            }
        }
        for a in &paths {
            for b in &paths {
                assert_eq!(path_cmp(a, b), slow(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn entry_record_is_small() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }

    #[test]
    fn component_order_keeps_children_together() {
        let mut v = vec!["/a/b", "/a-x", "/a", "/a.b", "/a/c"];
        v.sort_by(|a, b| path_cmp(a, b));
        assert_eq!(v, ["/a", "/a/b", "/a/c", "/a-x", "/a.b"]);
    }
}
