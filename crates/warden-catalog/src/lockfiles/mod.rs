//! Lockfile catalogers for source trees (`warden scan fs DIR`): one file per format.
//!
//! A source tree has no installed packages to read, so the lockfiles (and the few manifests
//! that pin exact versions: `requirements*.txt`, `go.mod`, `pom.xml`) are the evidence.
//! Each format module turns one file's text into packages through a [`Sink`]; this module walks
//! the tree, routes files by name, turns per-file failures into [`SkipNote`]s and builds one
//! deterministic [`Inventory`].

mod cargo_lock;
mod composer_lock;
mod gemfile_lock;
mod go_mod;
mod maven_pom;
mod npm_lock;
mod nuget_lock;
mod pnpm_lock;
mod poetry_lock;
mod requirements;
mod uv_lock;
mod yarn_lock;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use warden_core::{Ecosystem, Inventory, Location, Package, Relationship, SkipNote};

use crate::parse::ParseError;
use crate::{CatalogError, Found};

/// Files bigger than this are not lockfiles anyone wrote by hand or tool; reading them whole
/// would only let a hostile tree exhaust memory.
const MAX_LOCKFILE: u64 = 64 << 20;

/// Directories never descended into: version-control metadata and Rust/Maven build output,
/// which hold copies of lockfiles rather than the project's own.
const SKIP_DIRS: [&str; 5] = [".git", ".hg", ".svn", "_darcs", "target"];

/// What a format module gets for one file.
pub(crate) struct Input<'a> {
    /// The file's text.
    pub text: &'a str,
    /// The file's directory on disk, for formats that read a sibling (`go.sum`).
    pub dir: &'a Path,
}

type ParseFn = fn(&Input<'_>, &mut Sink) -> Result<(), ParseError>;

/// One format: which file names it reads, its `found_by` id, and its parser.
struct Format {
    id: &'static str,
    matches: fn(&str) -> bool,
    parse: ParseFn,
}

/// Every format, sorted by id.
const FORMATS: &[Format] = &[
    Format {
        id: "cargo-lock",
        matches: |n| n == "Cargo.lock",
        parse: cargo_lock::parse,
    },
    Format {
        id: "composer-lock",
        matches: |n| n == "composer.lock",
        parse: composer_lock::parse,
    },
    Format {
        id: "gemfile-lock",
        matches: |n| n == "Gemfile.lock" || n == "gems.locked",
        parse: gemfile_lock::parse,
    },
    Format {
        id: "go-mod",
        matches: |n| n == "go.mod",
        parse: go_mod::parse,
    },
    Format {
        id: "maven-pom",
        matches: |n| n == "pom.xml",
        parse: maven_pom::parse,
    },
    Format {
        id: "npm-lock",
        matches: |n| n == "package-lock.json" || n == "npm-shrinkwrap.json",
        parse: npm_lock::parse,
    },
    Format {
        id: "nuget-lock",
        matches: |n| n == "packages.lock.json",
        parse: nuget_lock::parse,
    },
    Format {
        id: "pnpm-lock",
        matches: |n| n == "pnpm-lock.yaml",
        parse: pnpm_lock::parse,
    },
    Format {
        id: "poetry-lock",
        matches: |n| n == "poetry.lock",
        parse: poetry_lock::parse,
    },
    Format {
        id: "python-requirements",
        matches: |n| n.starts_with("requirements") && n.ends_with(".txt"),
        parse: requirements::parse,
    },
    Format {
        id: "uv-lock",
        matches: |n| n == "uv.lock",
        parse: uv_lock::parse,
    },
    Format {
        id: "yarn-lock",
        matches: |n| n == "yarn.lock",
        parse: yarn_lock::parse,
    },
];

/// Collects one file's packages: de-duplicates by coordinates, stamps location and `found_by`,
/// and keeps per-entry skip notes.
pub(crate) struct Sink {
    found: Found,
    by_coords: BTreeMap<(Ecosystem, String, String), usize>,
    rel: String,
    found_by: &'static str,
}

impl Sink {
    fn new(rel: &str, found_by: &'static str) -> Self {
        Sink {
            found: Found::default(),
            by_coords: BTreeMap::new(),
            rel: rel.to_string(),
            found_by,
        }
    }

    /// Adds a package (or returns the one already added with the same coordinates). `line` is
    /// the 1-based line where the lockfile declares it, when the format makes that cheap.
    pub fn package(
        &mut self,
        eco: Ecosystem,
        name: &str,
        version: &str,
        line: Option<usize>,
    ) -> usize {
        let key = (eco, name.to_string(), version.to_string());
        if let Some(&i) = self.by_coords.get(&key) {
            return i;
        }
        let mut p = Package::new(eco, name, version);
        p.found_by = self.found_by.to_string();
        p.locations.push(Location::path(self.rel.clone()));
        if let Some(l) = line {
            p.metadata.insert("line".into(), l.to_string());
        }
        let i = self.found.add(p);
        self.by_coords.insert(key, i);
        i
    }

    /// Mutable access to a package added earlier, for metadata.
    pub fn get_mut(&mut self, i: usize) -> &mut Package {
        &mut self.found.packages[i]
    }

    /// Sets a metadata entry on package `i`.
    pub fn meta(&mut self, i: usize, key: &str, value: impl Into<String>) {
        self.found.packages[i]
            .metadata
            .insert(key.to_string(), value.into());
    }

    /// Marks package `i` as needed only for development or tests.
    pub fn mark_dev(&mut self, i: usize) {
        self.meta(i, "dev", "true");
    }

    /// Records that `from` depends on `to`.
    pub fn relate(&mut self, from: usize, to: usize) {
        self.found.relate(from, to);
    }

    /// Records an entry passed over, at a line of this file when known.
    pub fn skip(&mut self, line: Option<usize>, reason: impl std::fmt::Display) {
        let at = match line {
            Some(l) => format!("{}:{l}", self.rel),
            None => self.rel.clone(),
        };
        self.found.skip(at, format!("{}: {reason}", self.found_by));
    }

    /// How many packages were added.
    pub fn len(&self) -> usize {
        self.found.packages.len()
    }
}

/// Marks as dev every package reachable from `dev_roots` but not from `prod_roots`, for formats
/// that say which roots are dev (pnpm v9 importers, uv dev groups) but not per package.
pub(crate) fn mark_dev_only(sink: &mut Sink, prod_roots: &[usize], dev_roots: &[usize]) {
    let n = sink.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &sink.found.relationships {
        edges[a].push(b);
    }
    let reach = |roots: &[usize]| {
        let mut seen = vec![false; n];
        let mut stack: Vec<usize> = roots.to_vec();
        while let Some(i) = stack.pop() {
            if i < n && !seen[i] {
                seen[i] = true;
                stack.extend(edges[i].iter().copied());
            }
        }
        seen
    };
    let prod = reach(prod_roots);
    let dev = reach(dev_roots);
    for i in 0..n {
        if dev[i] && !prod[i] {
            sink.mark_dev(i);
        }
    }
}

/// The 1-based line of byte offset `pos` in `text`.
pub(crate) fn line_at(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Finds successive needles in a text and reports their lines, scanning forward only so a file
/// is read once however many packages it declares.
pub(crate) struct LineFinder<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> LineFinder<'a> {
    pub fn new(text: &'a str) -> Self {
        LineFinder {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The line of the next occurrence of `needle` at or after the previous hit; `None` (and no
    /// movement) when it does not occur, so one odd entry does not lose the rest.
    pub fn find(&mut self, needle: &str) -> Option<usize> {
        let off = self.text[self.pos..].find(needle)?;
        let end = self.pos + off;
        self.line += self.text.as_bytes()[self.pos..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        let at = self.line;
        self.line += needle.bytes().filter(|b| *b == b'\n').count();
        self.pos = end + needle.len();
        Some(at)
    }
}

/// PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` become one `-`. PyPI purls and
/// name matching both use it.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn toml_error(text: &str, e: &toml::de::Error) -> ParseError {
    let msg = e.message().to_string();
    match e.span() {
        Some(s) => ParseError::at_line(line_at(text, s.start), format!("invalid toml: {msg}")),
        None => ParseError::new(format!("invalid toml: {msg}")),
    }
}

fn yaml_error(e: &serde_yaml::Error) -> ParseError {
    match e.location() {
        Some(l) => ParseError::at_line(l.line(), format!("invalid yaml: {e}")),
        None => ParseError::new(format!("invalid yaml: {e}")),
    }
}

/// Walks `root` and catalogs every lockfile and pinned manifest in it.
///
/// Per-file problems (unreadable, malformed, an entry without a version) never fail the walk:
/// they become [`SkipNote`]s naming the file and line. Only an unreadable `root` is an error.
/// Locations are paths relative to `root`; the declaring line is `metadata["line"]`.
pub fn catalog_lockfiles(root: &Path) -> Result<Inventory, CatalogError> {
    let meta = std::fs::metadata(root)
        .map_err(|e| CatalogError::parse(&root.display().to_string(), None, e))?;
    if !meta.is_dir() {
        return Err(CatalogError::parse(
            &root.display().to_string(),
            None,
            "not a directory",
        ));
    }
    let mut all = Found::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n)))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| root.display().to_string());
                all.skip(at, format!("unreadable: {e}"));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(name) = entry.file_name().to_str() else {
            continue;
        };
        let Some(format) = FORMATS.iter().find(|f| (f.matches)(name)) else {
            continue;
        };
        let rel = relative(root, entry.path());
        all.append(catalog_file(format, entry.path(), &rel));
    }
    let mut inv = into_inventory(all);
    inv.target = root.display().to_string();
    Ok(inv)
}

fn relative(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn catalog_file(format: &Format, path: &Path, rel: &str) -> Found {
    let mut sink = Sink::new(rel, format.id);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_LOCKFILE {
        sink.skip(
            None,
            format!("{size} bytes is larger than the {MAX_LOCKFILE}-byte limit"),
        );
        return sink.found;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            sink.skip(None, format!("unreadable: {e}"));
            return sink.found;
        }
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = line_at(&String::from_utf8_lossy(&bytes), e.valid_up_to());
            sink.skip(Some(line), "not valid UTF-8");
            return sink.found;
        }
    };
    let input = Input {
        text: text.strip_prefix('\u{feff}').unwrap_or(text),
        dir: path.parent().unwrap_or(Path::new(".")),
    };
    match (format.parse)(&input, &mut sink) {
        Ok(()) => sink.found,
        Err(e) => {
            // A file that does not parse gives no packages: half a lockfile would understate
            // what the project uses while looking complete.
            let mut failed = Sink::new(rel, format.id);
            failed.skip(e.line, &e.message);
            failed.found
        }
    }
}

/// Sorts packages, assigns the ids [`Inventory::normalize`] would, and maps relationship indices
/// to those ids.
fn into_inventory(all: Found) -> Inventory {
    let Found {
        packages,
        relationships,
        skipped,
        ..
    } = all;
    let base: Vec<String> = packages.iter().map(Package::compute_id).collect();
    let mut order: Vec<usize> = (0..packages.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&packages[a], &packages[b]);
        (pa.ecosystem, &pa.name, &pa.version, &base[a])
            .cmp(&(pb.ecosystem, &pb.name, &pb.version, &base[b]))
            .then(a.cmp(&b))
    });
    let mut ids = vec![String::new(); packages.len()];
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &order {
        let n = seen.entry(base[i].as_str()).or_insert(0);
        *n += 1;
        ids[i] = if *n > 1 {
            format!("{}#{}", base[i], n)
        } else {
            base[i].clone()
        };
    }
    let relationships: BTreeSet<Relationship> = relationships
        .into_iter()
        .map(|(a, b)| Relationship {
            from: ids[a].clone(),
            to: ids[b].clone(),
        })
        .filter(|r| r.from != r.to)
        .collect();
    let mut slots: Vec<Option<Package>> = packages.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for i in order {
        if let Some(mut p) = slots[i].take() {
            p.id = std::mem::take(&mut ids[i]);
            out.push(p);
        }
    }
    let mut skipped: Vec<SkipNote> = skipped;
    skipped.sort();
    skipped.dedup();
    let mut inv = Inventory {
        packages: out,
        relationships: relationships.into_iter().collect(),
        skipped,
        ..Inventory::default()
    };
    inv.normalize();
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("PyYAML"), "pyyaml");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("Charset__Normalizer"), "charset-normalizer");
    }

    #[test]
    fn line_finder_moves_forward_only() {
        let t = "a\nb\na\nc\n";
        let mut f = LineFinder::new(t);
        assert_eq!(f.find("a"), Some(1));
        assert_eq!(f.find("a"), Some(3));
        assert_eq!(f.find("c"), Some(4));
        assert_eq!(f.find("b"), None);
        assert_eq!(line_at(t, 4), 3);
    }

    #[test]
    fn formats_sorted_and_unique() {
        let ids: Vec<_> = FORMATS.iter().map(|f| f.id).collect();
        let mut s = ids.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(ids, s);
    }
}
