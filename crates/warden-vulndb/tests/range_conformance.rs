//! Range conformance: for every PyPI, Go and crates.io OSV advisory, and every boundary version
//! of its ranges (introduced, just below fixed, fixed, last_affected), warden's verdict (a
//! database built from the real records, queried the way the scanner queries it) must equal a
//! reference verdict computed independently: the raw OSV record read here, the OSV spec's
//! evaluation algorithm, and each ecosystem's own comparator (Python `packaging`, Go's
//! `golang.org/x/mod/semver`, the `semver` crate Cargo uses).
//!
//! Two runs: the small subset committed under `tests/fixtures/range/` (always), and the full
//! sets under `/work/shared/vulndata/osv` (or `$WARDEN_VULNDATA/osv`), which print `SKIPPED`
//! when absent. A missing reference tool skips that ecosystem loudly, or fails when `CI` is set.
//! See docs/range-conformance.md for the method and figures; `--nocapture` prints them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use warden_vulndb::{BuildOptions, Db, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Eco {
    PyPI,
    Go,
    Crates,
}

impl Eco {
    fn from_osv(s: &str) -> Option<Eco> {
        match s {
            "PyPI" => Some(Eco::PyPI),
            "Go" => Some(Eco::Go),
            "crates.io" => Some(Eco::Crates),
            _ => None,
        }
    }

    /// The key the scanner queries the database with.
    fn key(self) -> &'static str {
        match self {
            Eco::PyPI => "pypi",
            Eco::Go => "golang",
            Eco::Crates => "cargo",
        }
    }

    /// The version as the scanner sees it: Go module versions carry their `v`, OSV's don't.
    fn installed(self, v: &str) -> String {
        match self {
            Eco::Go if !v.starts_with('v') => format!("v{v}"),
            _ => v.to_string(),
        }
    }

    /// Packages are grouped the way the ecosystem identifies them (PEP 503 for PyPI).
    fn group(self, name: &str) -> String {
        match self {
            Eco::PyPI => {
                let mut out = String::new();
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                    } else {
                        if sep && !out.is_empty() {
                            out.push('-');
                        }
                        sep = false;
                        out.extend(c.to_lowercase());
                    }
                }
                out
            }
            _ => name.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

#[derive(Debug, Clone)]
struct Event {
    kind: Kind,
    version: String,
}

/// One advisory's view of one package: every affected entry naming it, merged (OSV: a version is
/// affected when any entry's ranges or versions list says so).
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    withdrawn: bool,
    eco: Eco,
    name: String,
    ranges: Vec<Vec<Event>>,
    versions: Vec<String>,
}

fn yaml_or_json(name: &str, data: &[u8]) -> Option<Value> {
    if name.ends_with(".json") {
        serde_json::from_slice(data).ok()
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        serde_yaml::from_slice(data).ok()
    } else {
        None
    }
}

/// A version as written: YAML may have typed an unquoted `1.5` as a number.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads raw OSV records (independently of warden's ingest) from a directory or `.tar.zst`.
fn read_records(input: &Path, out: &mut Vec<(String, Value)>) {
    let mut take = |name: &str, data: &[u8]| {
        if let Some(v) = yaml_or_json(name, data) {
            if v.get("id").and_then(Value::as_str).is_some() && v.get("affected").is_some() {
                out.push((name.to_string(), v));
            }
        }
    };
    if input.is_dir() {
        let mut stack = vec![input.to_path_buf()];
        let mut files = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
                let p = e.expect("dir entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        files.sort();
        for p in files {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            take(&p.to_string_lossy(), &data);
        }
    } else {
        let f = std::fs::File::open(input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        let dec = zstd::Decoder::new(f).expect("zstd");
        let mut ar = tar::Archive::new(dec);
        for e in ar.entries().expect("tar entries") {
            let mut e = e.expect("tar entry");
            let name = e.path().expect("tar path").to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).expect("tar read");
            take(&name, &data);
        }
    }
}

fn entries(records: &[(String, Value)]) -> Vec<Entry> {
    let mut merged: BTreeMap<(String, Eco, String), Entry> = BTreeMap::new();
    for (_, r) in records {
        let id = r["id"].as_str().unwrap_or_default().to_string();
        let withdrawn = r.get("withdrawn").is_some_and(|w| !w.is_null());
        for a in r["affected"].as_array().into_iter().flatten() {
            let Some(eco) = a
                .pointer("/package/ecosystem")
                .and_then(Value::as_str)
                .and_then(Eco::from_osv)
            else {
                continue;
            };
            let Some(name) = a.pointer("/package/name").and_then(Value::as_str) else {
                continue;
            };
            let e = merged
                .entry((id.clone(), eco, eco.group(name)))
                .or_insert_with(|| Entry {
                    id: id.clone(),
                    withdrawn,
                    eco,
                    name: name.to_string(),
                    ranges: Vec::new(),
                    versions: Vec::new(),
                });
            for rg in a
                .get("ranges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                // GIT ranges are commit hashes: no package version can be compared to them.
                if !matches!(
                    rg.get("type").and_then(Value::as_str),
                    Some("ECOSYSTEM" | "SEMVER")
                ) {
                    continue;
                }
                let mut evs = Vec::new();
                for ev in rg
                    .get("events")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for (k, kind) in [
                        ("introduced", Kind::Introduced),
                        ("fixed", Kind::Fixed),
                        ("last_affected", Kind::LastAffected),
                        ("limit", Kind::Limit),
                    ] {
                        if let Some(v) = ev.get(k).and_then(text) {
                            evs.push(Event { kind, version: v });
                        }
                    }
                }
                e.ranges.push(evs);
            }
            for v in a
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(v) = text(v) {
                    e.versions.push(v);
                }
            }
        }
    }
    merged.into_values().collect()
}

// ---- the real comparators -------------------------------------------------------------------

/// Rank of each version within its package group per the real comparator (`None`: rejected).
type Ranks = BTreeMap<(String, String), Option<u32>>;

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/conformance")
}

fn require(name: &str, ok: bool, why: &str) -> bool {
    if ok {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("range conformance: reference {name} missing under CI: {why}");
    }
    println!("SKIPPED range conformance for {name}: {why}");
    false
}

fn pipe(mut cmd: Command, input: String) -> String {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("reference output");
    let _ = writer.join();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn parse_ranks(out: &str, ranks: &mut Ranks, strip_v: bool) -> Option<String> {
    let mut tool = None;
    for l in out.lines() {
        let mut f = l.split('\t');
        let (Some(g), Some(v), Some(r)) = (f.next(), f.next(), f.next()) else {
            if let Some(x) = l.strip_prefix("#packaging\t") {
                tool = Some(format!("packaging {x}"));
            }
            continue;
        };
        let v = if strip_v {
            v.strip_prefix('v').unwrap_or(v)
        } else {
            v
        };
        ranks.insert((g.to_string(), v.to_string()), r.parse().ok());
    }
    tool
}

/// A Python with `packaging`: `WARDEN_PYTHON`, then Debian's (setup.sh installs
/// python3-packaging), then whatever `python3` is on PATH.
fn python() -> Option<String> {
    [
        std::env::var("WARDEN_PYTHON").unwrap_or_default(),
        "/usr/bin/python3".into(),
        "python3".into(),
    ]
    .into_iter()
    .filter(|c| !c.is_empty())
    .find(|cand| {
        Command::new(cand)
            .args(["-c", "import packaging.version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Ranks every version of every group with the ecosystem's real comparator. `None` when the
/// tool is not installed (and `CI` is unset).
fn rank(eco: Eco, versions: &BTreeSet<(String, String)>) -> Option<(Ranks, String)> {
    let mut ranks = Ranks::new();
    match eco {
        Eco::PyPI => {
            let py = python();
            if !require("PyPI", py.is_some(), "no python3 with `packaging`") {
                return None;
            }
            let mut cmd = Command::new(py.expect("checked"));
            cmd.arg(scripts().join("pypi_rank.py"));
            let input = versions
                .iter()
                .map(|(g, v)| format!("{g}\t{v}\n"))
                .collect();
            let tool = parse_ranks(&pipe(cmd, input), &mut ranks, false)
                .unwrap_or_else(|| "packaging".into());
            Some((ranks, tool))
        }
        Eco::Go => {
            let gopath =
                std::env::var("WARDEN_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".into());
            let have = Path::new(&gopath)
                .join("src/golang.org/x/mod/semver/semver.go")
                .is_file()
                && Command::new("go")
                    .arg("version")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
            if !require(
                "Go",
                have,
                "needs `go` and golang.org/x/mod under $WARDEN_GOPATH (Debian golang-golang-x-mod-dev)",
            ) {
                return None;
            }
            let cache =
                std::env::temp_dir().join(format!("warden-range-gocache-{}", std::process::id()));
            let mut cmd = Command::new("go");
            cmd.args(["run", &scripts().join("gorank/main.go").to_string_lossy()])
                .env("GO111MODULE", "off")
                .env("GOPATH", &gopath)
                .env("GOCACHE", &cache)
                .env("GOFLAGS", "");
            // x/mod/semver wants the `v`; ranks are keyed by the OSV spelling.
            let input = versions
                .iter()
                .map(|(g, v)| format!("{g}\tv{}\n", v.strip_prefix('v').unwrap_or(v)))
                .collect();
            let out = pipe(cmd, input);
            let _ = std::fs::remove_dir_all(&cache);
            parse_ranks(&out, &mut ranks, true);
            Some((ranks, "golang.org/x/mod/semver".into()))
        }
        Eco::Crates => {
            let mut by_group: BTreeMap<&str, Vec<(&str, Option<semver::Version>)>> =
                BTreeMap::new();
            for (g, v) in versions {
                by_group
                    .entry(g)
                    .or_default()
                    .push((v, semver::Version::parse(v).ok()));
            }
            for (g, mut vs) in by_group {
                // Cargo orders `semver::Version` with its `Ord` (precedence, then build metadata).
                vs.sort_by(|a, b| a.1.cmp(&b.1));
                let mut r: i64 = -1;
                let mut prev: Option<&semver::Version> = None;
                for (v, p) in &vs {
                    match p {
                        None => {
                            ranks.insert((g.to_string(), v.to_string()), None);
                        }
                        Some(p) => {
                            if prev != Some(p) {
                                r += 1;
                                prev = Some(p);
                            }
                            ranks.insert((g.to_string(), v.to_string()), Some(r as u32));
                        }
                    }
                }
            }
            Some((ranks, "semver crate (Cargo's comparator)".into()))
        }
    }
}

// ---- the reference verdict --------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Affected,
    NotAffected,
    /// The real comparator rejects a version involved, so it has no verdict.
    Undecidable,
}

/// OSV's evaluation (ossf/osv-schema, "Evaluation"): a version is affected when it is in the
/// entry's `versions` list or `IncludedInRanges`: per range, if `BeforeLimits`, walk the events
/// sorted by version (`introduced: 0` first, a `*` limit last) and let each event whose bound
/// `v` reaches set the state. The spec's `sorted()` is Python's, which is stable: events of
/// equal version keep the record's order. `ties` counts checks whose verdict would differ if
/// closing events sorted before an `introduced` of the same version instead.
fn reference(e: &Entry, v: &str, ranks: &Ranks, ties: &mut usize) -> Verdict {
    if e.withdrawn {
        return Verdict::NotAffected;
    }
    if e.versions.iter().any(|x| x == v) {
        return Verdict::Affected;
    }
    match in_ranges(e, v, ranks, false) {
        Some(r) => {
            if in_ranges(e, v, ranks, true) != Some(r) {
                *ties += 1;
            }
            if r {
                Verdict::Affected
            } else {
                Verdict::NotAffected
            }
        }
        None => Verdict::Undecidable,
    }
}

/// `IncludedInRanges`; `None` when the real comparator rejects a version involved.
/// `closing_first` changes the tie order at equal versions (see [`reference`]); the reference
/// itself never sets it.
fn in_ranges(e: &Entry, v: &str, ranks: &Ranks, closing_first: bool) -> Option<bool> {
    let g = e.eco.group(&e.name);
    let rank = |x: &str| -> Option<i64> {
        ranks
            .get(&(g.clone(), x.to_string()))
            .copied()
            .flatten()
            .map(i64::from)
    };
    let rv = rank(v)?;
    let mut undecidable = false;
    for evs in &e.ranges {
        let mut sorted: Vec<(i64, u8, usize, &Event)> = Vec::new();
        let mut ok = true;
        for (i, ev) in evs.iter().enumerate() {
            let r = match (ev.kind, ev.version.as_str()) {
                (Kind::Introduced, "0") => Some(-1),
                (Kind::Limit, "*") => Some(i64::MAX),
                _ => rank(&ev.version),
            };
            let tie = u8::from(closing_first && ev.kind == Kind::Introduced);
            match r {
                Some(r) => sorted.push((r, tie, i, ev)),
                None => ok = false,
            }
        }
        if !ok {
            undecidable = true;
            continue;
        }
        let limits: Vec<i64> = sorted
            .iter()
            .filter(|(_, _, _, ev)| ev.kind == Kind::Limit)
            .map(|(r, _, _, _)| *r)
            .collect();
        // BeforeLimits: no limit means an implicit `*`.
        if !limits.is_empty() && !limits.iter().any(|l| rv < *l) {
            continue;
        }
        sorted.sort_by_key(|(r, t, i, _)| (*r, *t, *i));
        let mut affected = false;
        for (r, _, _, ev) in sorted {
            match ev.kind {
                Kind::Introduced if rv >= r => affected = true,
                Kind::Fixed if rv >= r => affected = false,
                Kind::LastAffected if rv > r => affected = false,
                _ => {}
            }
        }
        if affected {
            return Some(true);
        }
    }
    if undecidable {
        None
    } else {
        Some(false)
    }
}

/// The boundary versions of an entry, each with what it is.
fn boundaries(
    e: &Entry,
    ranks: &Ranks,
    below: &BTreeMap<String, Vec<(u32, String)>>,
) -> BTreeMap<String, BTreeSet<&'static str>> {
    let g = e.eco.group(&e.name);
    let mut out: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for evs in &e.ranges {
        for ev in evs {
            match ev.kind {
                Kind::Introduced if ev.version == "0" => {}
                Kind::Limit => {}
                Kind::Introduced => {
                    out.entry(ev.version.clone())
                        .or_default()
                        .insert("introduced");
                }
                Kind::LastAffected => {
                    out.entry(ev.version.clone())
                        .or_default()
                        .insert("last_affected");
                }
                Kind::Fixed => {
                    out.entry(ev.version.clone()).or_default().insert("fixed");
                    let r = ranks
                        .get(&(g.clone(), ev.version.clone()))
                        .copied()
                        .flatten();
                    if let (Some(r), Some(list)) = (r, below.get(&g)) {
                        // The greatest known version strictly below `fixed`; of equal ones, the
                        // first in byte order so the choice is stable.
                        if let Some(top) =
                            list.iter().filter(|(x, _)| *x < r).map(|(x, _)| *x).max()
                        {
                            if let Some((_, v)) = list.iter().find(|(x, _)| *x == top) {
                                out.entry(v.clone()).or_default().insert("below_fixed");
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

// ---- the run ---------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Figures {
    tool: String,
    advisories: BTreeSet<String>,
    entries: usize,
    checks: usize,
    agree: usize,
    undecidable: usize,
    indeterminate: usize,
    /// Checks whose reference verdict depends on the tie order of equal-version events.
    ties: usize,
    /// `versions` entries that no range covers (warden does not store `versions` beside ranges).
    versions_outside_ranges: Vec<String>,
    disagreements: Vec<String>,
}

fn run(inputs: &[PathBuf], label: &str) -> BTreeMap<Eco, Figures> {
    let mut records = Vec::new();
    for i in inputs {
        read_records(i, &mut records);
    }
    let all = entries(&records);
    assert!(
        !all.is_empty(),
        "{label}: no PyPI/Go/crates.io OSV records in {inputs:?}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("range.db");
    warden_vulndb::build(&BuildOptions {
        inputs: inputs.to_vec(),
        output: db_path.clone(),
        limits: Limits::default(),
        built_at: Some(0),
    })
    .unwrap_or_else(|e| panic!("{label}: build: {e}"));
    let db = Db::open(&db_path).expect("open db");

    let mut figures = BTreeMap::new();
    for eco in [Eco::PyPI, Eco::Go, Eco::Crates] {
        let mine: Vec<&Entry> = all.iter().filter(|e| e.eco == eco).collect();
        if mine.is_empty() {
            continue;
        }
        // Every version the data set mentions for a package: the pool "just below fixed" is
        // chosen from.
        let mut pool: BTreeSet<(String, String)> = BTreeSet::new();
        for e in &mine {
            let g = eco.group(&e.name);
            for evs in &e.ranges {
                for ev in evs {
                    if ev.version != "0" {
                        pool.insert((g.clone(), ev.version.clone()));
                    }
                }
            }
            for v in &e.versions {
                pool.insert((g.clone(), v.clone()));
            }
        }
        let Some((ranks, tool)) = rank(eco, &pool) else {
            continue;
        };
        let mut below: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
        for ((g, v), r) in &ranks {
            if let Some(r) = r {
                below.entry(g.clone()).or_default().push((*r, v.clone()));
            }
        }
        let mut f = Figures {
            tool,
            ..Figures::default()
        };
        for e in &mine {
            f.advisories.insert(e.id.clone());
            f.entries += 1;
            // OSV makes every `versions` entry affected; entries no range covers are checked
            // too (outside the boundary figures), since a scanner reading only ranges misses them.
            let bounds = boundaries(e, &ranks, &below);
            if !e.ranges.is_empty() && !e.withdrawn {
                for v in &e.versions {
                    // A boundary version is checked below with the rest.
                    if bounds.contains_key(v) || in_ranges(e, v, &ranks, false) != Some(false) {
                        continue;
                    }
                    f.versions_outside_ranges
                        .push(format!("{} {} {v}", e.id, e.name));
                    let hit = db
                        .query(eco.key(), &e.name, &eco.installed(v))
                        .map(|ms| ms.iter().any(|m| m.advisory_id == e.id))
                        .unwrap_or(false);
                    if !hit {
                        f.disagreements.push(format!(
                            "{}\t{}\t{v}\tversions-list\treference=affected\twarden=not-affected",
                            e.id, e.name
                        ));
                    }
                }
            }
            for (v, kinds) in bounds {
                f.checks += 1;
                let expect = reference(e, &v, &ranks, &mut f.ties);
                let installed = eco.installed(&v);
                let (got, note) = match db.query(eco.key(), &e.name, &installed) {
                    Ok(ms) => match ms.iter().find(|m| m.advisory_id == e.id) {
                        Some(m) => (true, m.indeterminate.clone()),
                        None => (false, None),
                    },
                    Err(err) => (false, Some(format!("query error: {err}"))),
                };
                if note.is_some() {
                    f.indeterminate += 1;
                }
                let kinds: Vec<&str> = kinds.into_iter().collect();
                match expect {
                    Verdict::Undecidable => {
                        f.undecidable += 1;
                        f.disagreements.push(format!(
                            "{}\t{}\t{v}\t{}\treference rejects a version\twarden={}",
                            e.id,
                            e.name,
                            kinds.join("+"),
                            if got { "affected" } else { "not-affected" }
                        ));
                    }
                    _ if (expect == Verdict::Affected) == got => f.agree += 1,
                    _ => f.disagreements.push(format!(
                        "{}\t{}\t{v}\t{}\treference={}\twarden={}{}",
                        e.id,
                        e.name,
                        kinds.join("+"),
                        if expect == Verdict::Affected {
                            "affected"
                        } else {
                            "not-affected"
                        },
                        if got { "affected" } else { "not-affected" },
                        note.map(|n| format!(" ({n})")).unwrap_or_default()
                    )),
                }
            }
        }
        f.disagreements.sort();
        println!(
            "{label} {:>6}: {} advisories, {} advisory×package entries, {} boundary checks, {} agree ({:.2}%), {} disagree, {} undecidable by the reference, {} indeterminate in warden, {} decided by the equal-version tie order, {} `versions` entries outside every range ({} of them matched by warden); reference: {}",
            format!("{eco:?}"),
            f.advisories.len(),
            f.entries,
            f.checks,
            f.agree,
            100.0 * f.agree as f64 / f.checks.max(1) as f64,
            f.checks - f.agree - f.undecidable,
            f.undecidable,
            f.indeterminate,
            f.ties,
            f.versions_outside_ranges.len(),
            f.versions_outside_ranges.len()
                - f.disagreements
                    .iter()
                    .filter(|d| d.contains("\tversions-list\t"))
                    .count(),
            f.tool,
        );
        for v in &f.versions_outside_ranges {
            println!("  VERSIONS-ONLY {v}");
        }
        let boundary_disagreements = f
            .disagreements
            .iter()
            .filter(|d| !d.contains("\tversions-list\t"))
            .count();
        assert_eq!(
            boundary_disagreements,
            f.checks - f.agree,
            "every boundary check that did not agree is listed"
        );
        for d in &f.disagreements {
            println!("  DISAGREE {d}");
        }
        figures.insert(eco, f);
    }
    figures
}

fn known(file: &str) -> BTreeSet<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/range")
        .join(file);
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every disagreement must be a documented one: a new one (or one that went away) fails, so a
/// change in evaluation or data is never silent.
fn check(figures: &BTreeMap<Eco, Figures>, known_file: &str) {
    let got: BTreeSet<String> = figures
        .values()
        .flat_map(|f| f.disagreements.iter().cloned())
        .collect();
    let expected = known(known_file);
    let new: Vec<&String> = got.difference(&expected).collect();
    let gone: Vec<&String> = expected.difference(&got).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "disagreements changed.\nnew:\n{}\nno longer seen (update {known_file}):\n{}",
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        gone.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

#[test]
fn fixture_subset_conforms() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/range");
    let inputs: Vec<PathBuf> = ["pypi", "go", "crates"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    let figures = run(&inputs, "fixtures");
    for f in figures.values() {
        assert!(f.checks >= 20, "too few boundary checks: {f:?}");
    }
    check(&figures, "known-disagreements-fixtures.tsv");
}

#[test]
fn shared_osv_sets_conform() {
    let base = std::env::var_os("WARDEN_VULNDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/vulndata"));
    let inputs: Vec<PathBuf> = [
        "pypi-pypa-advisory-database.tar.zst",
        "go-vulndb-osv.tar.zst",
        "crates-rustsec-osv.tar.zst",
    ]
    .iter()
    .map(|f| base.join("osv").join(f))
    .collect();
    if let Some(missing) = inputs.iter().find(|p| !p.is_file()) {
        println!(
            "SKIPPED range conformance over the shared OSV sets: {} not found (set WARDEN_VULNDATA)",
            missing.display()
        );
        return;
    }
    let figures = run(&inputs, "shared");
    check(&figures, "known-disagreements-shared.tsv");
}
