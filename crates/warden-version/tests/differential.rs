//! Differential tests: warden-version against each ecosystem's own tool, on thousands of pairs
//! mixing seeded generated versions with every version string found in ../shared/vulndata
//! (committed under tests/fixtures/vulndata by tests/fixtures/extract_vulndata.py).
//!
//! Each reference runs once per test over a batch. When a tool is missing, the test fails if
//! `CI` is set and otherwise prints why it skipped. Print the figures with `--nocapture`.

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use warden_version::{compare, rpm, satisfies, Scheme};

const MIN_PAIRS: usize = 5_000;

// ---- fixtures and generation ------------------------------------------------------------

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools")
}

fn lines(scheme: &str, kind: &str) -> Vec<String> {
    let path = fixtures().join("vulndata").join(format!("{scheme}.{kind}"));
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        Err(e) => panic!("fixture {} unreadable: {e}", path.display()),
    }
}

/// SplitMix64: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn num(r: &mut Rng) -> String {
    match r.below(10) {
        0 => "0".into(),
        1 => format!("0{}", r.below(10)),
        2 => format!("{}", r.below(100_000)),
        3 => "20230101".into(),
        _ => format!("{}", r.below(12)),
    }
}

/// A version from a small alphabet of pieces, so generated pairs are often close or equal.
fn from_pieces(r: &mut Rng, first: &[&str], pieces: &[&str], max: usize) -> String {
    let mut s = String::new();
    let p = r.pick(first);
    s.push_str(if *p == "N" { "" } else { p });
    if *p == "N" {
        s.push_str(&num(r));
    }
    for _ in 0..r.below(max) {
        let mut p = r.pick(pieces);
        // mostly avoid doubled separators, which every tool rejects, to keep most pairs valid
        let sep = |x: &str| !x.is_empty() && x.chars().all(|c| !c.is_ascii_alphanumeric());
        if sep(p) && s.chars().last().is_some_and(|c| !c.is_ascii_alphanumeric()) && r.chance(80) {
            p = &"N";
        }
        if *p == "N" {
            s.push_str(&num(r));
        } else {
            s.push_str(p);
        }
    }
    s
}

/// A close relative of `v`: one piece changed, added or removed.
fn mutate(r: &mut Rng, v: &str, pieces: &[&str]) -> String {
    let mut chars: Vec<char> = v.chars().collect();
    match r.below(4) {
        0 if !chars.is_empty() => {
            let i = r.below(chars.len());
            chars.remove(i);
        }
        1 => {
            let i = r.below(chars.len() + 1);
            let p = r.pick(pieces);
            let ins = if *p == "N" { num(r) } else { p.to_string() };
            for (k, c) in ins.chars().enumerate() {
                chars.insert(i + k, c);
            }
        }
        2 => {
            if let Some(pos) = chars.iter().rposition(|c| c.is_ascii_digit()) {
                chars[pos] = char::from(b'0' + r.below(10) as u8);
            }
        }
        _ => {}
    }
    chars.into_iter().collect()
}

/// Builds at least `n` pairs: every real version once beside its neighbour, then real×real,
/// generated×mutation and real×generated.
fn pairs(
    r: &mut Rng,
    real: &[String],
    gen: &mut dyn FnMut(&mut Rng) -> String,
    pieces: &[&str],
    n: usize,
) -> Vec<(String, String)> {
    // every real version once, next to its sorted neighbour (close versions are the hard
    // cases), then at least n/2 more pairs built from generated versions
    let mut out: Vec<(String, String)> = real
        .chunks(2)
        .map(|c| (c[0].clone(), c.get(1).unwrap_or(&real[0]).clone()))
        .collect();
    let target = n.max(out.len() + n / 2);
    while out.len() < target {
        let kind = r.below(4);
        let a = if kind == 0 && !real.is_empty() {
            r.pick(real).clone()
        } else {
            gen(r)
        };
        let b = match kind {
            0 if !real.is_empty() => r.pick(real).clone(),
            1 => mutate(r, &a, pieces),
            2 if !real.is_empty() => r.pick(real).clone(),
            _ => gen(r),
        };
        if !a.contains(['\t', '\n']) && !b.contains(['\t', '\n']) {
            out.push((a, b));
        }
    }
    out
}

// ---- running references -----------------------------------------------------------------

/// Whether a reference can run; if not, fail under CI and skip (loudly) otherwise.
fn require(name: &str, ok: bool, why: &str) -> bool {
    if ok {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("reference {name} missing under CI: {why} (run scripts/setup.sh)");
    }
    eprintln!("SKIP {name} differential test: {why} (run scripts/setup.sh)");
    false
}

fn works(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(cmd: &str, args: &[&str], input: &str) -> Vec<String> {
    let mut child = Command::new(cmd)
        .args(args)
        .env("PYTHONHASHSEED", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd}: {e}"));
    let mut stdin = child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("{cmd}: no stdin"));
    let text = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{cmd} failed: {e}"));
    let _ = writer.join();
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn tsv(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect()
}

fn ord_code(o: Result<Ordering, impl std::fmt::Debug>) -> String {
    match o {
        Ok(Ordering::Less) => "-1".into(),
        Ok(Ordering::Equal) => "0".into(),
        Ok(Ordering::Greater) => "1".into(),
        Err(_) => "E".into(),
    }
}

fn bool_code(b: Result<bool, impl std::fmt::Debug>) -> String {
    match b {
        Ok(true) => "T".into(),
        Ok(false) => "F".into(),
        Err(_) => "E".into(),
    }
}

/// Compares our answers with the tool's, prints the figures, fails on any difference.
fn check(name: &str, pairs: &[(String, String)], ours: &[String], theirs: &[String]) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: reference answered {} of {} lines",
        theirs.len(),
        ours.len()
    );
    let mut diffs = Vec::new();
    let mut undecided = 0;
    for ((p, o), t) in pairs.iter().zip(ours).zip(theirs) {
        if t.trim() == "O" {
            undecided += 1;
        } else if o != t.trim() {
            diffs.push(format!(
                "  {:?} vs {:?}: warden {o}, reference {}",
                p.0,
                p.1,
                t.trim()
            ));
        }
    }
    let errors = theirs.iter().filter(|t| t.trim() == "E").count();
    println!(
        "{name}: {} pairs, {} rejected by the reference, {} left out (reference order-dependent), {} differences",
        pairs.len(),
        errors,
        undecided,
        diffs.len()
    );
    assert!(
        undecided * 100 < pairs.len(),
        "{name}: {undecided} undecided pairs is too many"
    );
    assert!(
        diffs.is_empty(),
        "{name}: {} of {} differ from the reference:\n{}",
        diffs.len(),
        pairs.len(),
        diffs
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---- per ecosystem ----------------------------------------------------------------------

const DPKG_PIECES: [&str; 14] = [
    "N", ".", ".", "+", "~", "-", "a", "b", "rc", "deb", "ubuntu", "+dfsg", "~bpo", "N",
];

fn gen_dpkg(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(15) {
        s.push_str(&format!("{}:", r.below(3)));
    }
    s.push_str(&from_pieces(r, &["N", "N", "N", "a"], &DPKG_PIECES, 6));
    s
}

#[test]
fn dpkg_matches_dpkg_compare_versions() {
    if !require("dpkg", works("dpkg", &["--version"]), "dpkg not found") {
        return;
    }
    let mut r = Rng(0xD9C6);
    let real = lines("dpkg", "versions");
    let all = pairs(&mut r, &real, &mut gen_dpkg, &DPKG_PIECES, MIN_PAIRS + 200);
    // dpkg has no batch mode: one call per pair asks whether our relation holds (exit 0),
    // or, where we reject a version, whether dpkg rejects it too (exit 2)
    let all: Vec<(String, String)> = all
        .into_iter()
        .filter(|(a, b)| !a.starts_with('-') && !b.starts_with('-'))
        .collect();
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Dpkg, a, b)))
        .collect();
    let script = "while IFS=$'\\t' read -r a b op; do LC_ALL=C dpkg --compare-versions \"$a\" \"$op\" \"$b\" 2>/dev/null; echo $?; done";
    let input: String = all
        .iter()
        .zip(&ours)
        .map(|((a, b), o)| {
            let op = match o.as_str() {
                "-1" => "lt",
                "0" => "eq",
                "1" => "gt",
                _ => "lt",
            };
            format!("{a}\t{b}\t{op}\n")
        })
        .collect();
    let codes = run("bash", &["-c", script], &input);
    let theirs: Vec<String> = codes
        .iter()
        .zip(&ours)
        .map(|(code, o)| match (code.as_str(), o.as_str()) {
            ("0", o) if o != "E" => o.to_string(),
            ("0" | "1", _) => "not-as-warden".to_string(),
            _ => "E".to_string(),
        })
        .collect();
    check("dpkg", &all, &ours, &theirs);
    assert!(all.len() >= MIN_PAIRS);
}

const RPM_PIECES: [&str; 16] = [
    "N", ".", ".", "-", "~", "^", "_", "+", "a", "b", "rc", "el", "fc", "git", "Z", "N",
];

fn gen_rpm(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(15) {
        s.push_str(&format!("{}:", r.below(3)));
    }
    s.push_str(&from_pieces(r, &["N", "N", "a", "~", "."], &RPM_PIECES, 7));
    s
}

#[test]
fn rpm_matches_rpm_lua_vercmp() {
    if !require(
        "rpm",
        works("rpm", &["--eval", "%{lua: io.write('')}"]),
        "rpm with Lua not found",
    ) {
        return;
    }
    let mut r = Rng(0x4A11);
    // no rpm data in vulndata: Debian and Alpine version strings stand in as real-world inputs
    let mut real = lines("dpkg", "versions");
    real.extend(lines("apk", "versions"));
    let all: Vec<(String, String)> =
        pairs(&mut r, &real, &mut gen_rpm, &RPM_PIECES, MIN_PAIRS + 200)
            .into_iter()
            .filter(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && !a.contains(['%', '\r'])
                    && !b.contains(['%', '\r'])
            })
            .collect();
    let dir = std::env::temp_dir().join(format!("warden-version-rpm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let file = dir.join("pairs.tsv");
    std::fs::write(&file, tsv(&all)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let lua = format!(
        "%{{lua: for l in io.lines('{}') do local a, b = l:match('^(.-)\\t(.*)$'); \
         local x, y = rpm.ver(a), rpm.ver(b); local e = 1; if x < y then e = -1 elseif x == y then e = 0 end; \
         io.write(rpm.vercmp(a, b), ' ', e, '\\n') end}}",
        file.display()
    );
    // rpm --eval ends the expansion with an extra newline
    let out: Vec<String> = run("rpm", &["--eval", &lua], "")
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    // rpm 4.18's Lua rpm.vercmp parses both sides as [epoch:]version[-release] (rpmverCmp),
    // as does comparing rpm.ver objects; both must agree with compare(Scheme::Rpm)
    let vercmp_theirs: Vec<String> = out
        .iter()
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .collect();
    let ver_theirs: Vec<String> = out
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap_or("").to_string())
        .collect();
    let evr_ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Rpm, a, b)))
        .collect();
    check("rpm rpm.vercmp", &all, &evr_ours, &vercmp_theirs);
    check("rpm rpm.ver", &all, &evr_ours, &ver_theirs);
    // without ':' or '-' the whole string is the version field: that checks bare rpmvercmp
    let (plain, plain_theirs): (Vec<(String, String)>, Vec<String>) = all
        .iter()
        .zip(&vercmp_theirs)
        .filter(|((a, b), _)| !a.contains([':', '-']) && !b.contains([':', '-']))
        .map(|(p, t)| (p.clone(), t.clone()))
        .unzip();
    let plain_ours: Vec<String> = plain
        .iter()
        .map(|(a, b)| ord_code(Ok::<_, ()>(rpm::rpmvercmp(a, b))))
        .collect();
    check("rpm rpmvercmp", &plain, &plain_ours, &plain_theirs);
    assert!(all.len() >= MIN_PAIRS);
}

const PEP_PIECES: [&str; 22] = [
    "N", ".", ".N", "a", "b", "rc", "c", "alpha", "beta", "pre", "preview", ".post", "-", "_",
    ".dev", "dev", "+", "local", "r", "rev", "!", "N",
];

fn gen_pep440(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(5) {
        s.push('v');
    }
    if r.chance(10) {
        s.push_str(&format!("{}!", r.below(3)));
    }
    s.push_str(&num(r));
    for _ in 0..r.below(4) {
        s.push('.');
        s.push_str(&num(r));
    }
    if r.chance(30) {
        s.push_str(r.word(&[
            "a", "b", "rc", "c", "alpha", "beta", ".pre", "-preview", "_a", "RC",
        ]));
        if r.chance(70) {
            s.push_str(&num(r));
        }
    }
    if r.chance(20) {
        s.push_str(r.word(&[".post", "-post", "post", ".rev", "r", "-"]));
        s.push_str(&num(r));
    }
    if r.chance(20) {
        s.push_str(r.word(&[".dev", "dev", "-dev", "_dev"]));
        if r.chance(70) {
            s.push_str(&num(r));
        }
    }
    if r.chance(15) {
        s.push('+');
        s.push_str(r.word(&["ubuntu", "1", "abc.5", "Local-7", "0.x_y"]));
    }
    if r.chance(5) {
        s = mutate(r, &s, &PEP_PIECES);
    }
    s
}

fn python_with_packaging() -> Option<String> {
    let candidates = [
        std::env::var("WARDEN_PYTHON").unwrap_or_default(),
        "/usr/bin/python3".into(),
        "python3".into(),
    ];
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .find(|c| works(c, &["-c", "import packaging.version"]))
}

#[test]
fn pep440_matches_python_packaging() {
    let py = python_with_packaging();
    if !require(
        "packaging",
        py.is_some(),
        "no python3 with the packaging module (python3-packaging)",
    ) {
        return;
    }
    let py = py.unwrap_or_default();
    let script = tools().join("packaging_ref.py");
    let script = script.to_string_lossy();
    let mut r = Rng(0x9E44);
    let real = lines("pep440", "versions");
    let all = pairs(&mut r, &real, &mut gen_pep440, &PEP_PIECES, MIN_PAIRS * 2);
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Pep440, a, b)))
        .collect();
    let theirs = run(&py, &[&script, "compare"], &tsv(&all));
    check("pep440 compare", &all, &ours, &theirs);

    // specifiers: generated sets over real and generated versions
    let mut specs = Vec::new();
    while specs.len() < MIN_PAIRS {
        let v = if r.chance(50) {
            r.pick(&real).clone()
        } else {
            gen_pep440(&mut r)
        };
        let mut parts = Vec::new();
        for _ in 0..=r.below(3) {
            let op = r.word(&["==", "!=", "<=", ">=", "<", ">", "~=", "===", "=="]);
            let mut bound = if r.chance(50) {
                r.pick(&real).clone()
            } else {
                gen_pep440(&mut r)
            };
            if r.chance(30) {
                bound = mutate(&mut r, &v, &PEP_PIECES);
            }
            if (op == "==" || op == "!=") && r.chance(30) {
                let cut: Vec<&str> = bound.split('.').collect();
                bound = format!("{}.*", cut[..cut.len().max(2) - 1].join("."));
            }
            let sep = r.word(&["", " ", ""]);
            parts.push(format!("{op}{sep}{bound}"));
        }
        let spec = parts.join(r.word(&[",", ", "]));
        if !spec.contains(['\t', '\n']) {
            specs.push((v, spec));
        }
    }
    let ours: Vec<String> = specs
        .iter()
        .map(|(v, s)| bool_code(satisfies(Scheme::Pep440, v, s)))
        .collect();
    let theirs = run(&py, &[&script, "specifier"], &tsv(&specs));
    check("pep440 specifiers", &specs, &ours, &theirs);
}

const NPM_PIECES: [&str; 14] = [
    "N", ".", "-", "alpha", "beta", "rc", ".N", "+", "build", "x", "-0", "0a", "--", "N",
];

fn gen_npm(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(5) {
        s.push_str(r.word(&["v", "=", " ", "v "]));
    }
    let n = |r: &mut Rng| {
        if r.chance(90) {
            format!("{}", r.below(12))
        } else {
            num(r)
        }
    };
    s.push_str(&format!("{}.{}.{}", n(r), n(r), n(r)));
    if r.chance(35) {
        s.push('-');
        let ids: Vec<String> = (0..=r.below(3))
            .map(|_| {
                if r.chance(40) {
                    n(r)
                } else {
                    r.word(&["alpha", "beta", "rc", "0a", "x-y", "-", "Beta", "pre"])
                        .to_string()
                }
            })
            .collect();
        s.push_str(&ids.join("."));
    }
    if r.chance(10) {
        s.push('+');
        s.push_str(r.word(&["build", "001", "sha.5114f85", "x-1"]));
    }
    if r.chance(5) {
        s = mutate(r, &s, &NPM_PIECES);
    }
    s
}

fn gen_npm_range(r: &mut Rng, real: &[String]) -> String {
    let partial = |r: &mut Rng| -> String {
        let v = if r.chance(50) && !real.is_empty() {
            r.pick(real).clone()
        } else {
            gen_npm(r)
        };
        match r.below(6) {
            0 => v.split('.').take(2).collect::<Vec<_>>().join("."),
            1 => v.split('.').next().unwrap_or("1").to_string(),
            2 => format!("{}.x", v.split('.').take(2).collect::<Vec<_>>().join(".")),
            3 => r.word(&["*", "x", "1.x", "1.2.*", "X", ""]).to_string(),
            _ => v,
        }
    };
    let comparator = |r: &mut Rng| -> String {
        let op = r.word(&[
            "", "=", "<", "<=", ">", ">=", "~", "^", "~>", "> ", ">= ", "~ ", "^ ",
        ]);
        format!("{op}{}", partial(r))
    };
    let set = |r: &mut Rng| -> String {
        if r.chance(15) {
            return format!("{} - {}", partial(r), partial(r));
        }
        (0..=r.below(2))
            .map(|_| comparator(r))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (0..=r.below(2))
        .map(|_| set(r))
        .collect::<Vec<_>>()
        .join(r.word(&[" || ", "||", " ||  "]))
}

#[test]
fn npm_matches_node_semver() {
    let dir = std::env::var("WARDEN_NPM_SEMVER_DIR")
        .unwrap_or_else(|_| "/opt/warden-test/node_modules/semver".into());
    let ok = works("node", &["--version"]) && Path::new(&dir).join("package.json").exists();
    if !require(
        "npm semver",
        ok,
        &format!("node or the semver package in {dir} not found"),
    ) {
        return;
    }
    let script = tools().join("npm_ref.js");
    let script = script.to_string_lossy();
    let mut r = Rng(0x5E4E);
    let real = lines("npm", "versions");
    let all = pairs(&mut r, &real, &mut gen_npm, &NPM_PIECES, MIN_PAIRS * 2);
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Npm, a, b)))
        .collect();
    let theirs = run("node", &[&script, "compare"], &tsv(&all));
    check("npm compare", &all, &ours, &theirs);

    let mut ranges: Vec<(String, String)> = Vec::new();
    let real_ranges = lines("npm", "constraints");
    for (i, range) in real_ranges.iter().enumerate() {
        for k in 0..4 {
            let v = if k % 2 == 0 {
                r.pick(&real).clone()
            } else {
                gen_npm(&mut r)
            };
            ranges.push((v, range.clone()));
        }
        let _ = i;
    }
    while ranges.len() < MIN_PAIRS * 2 {
        let v = if r.chance(50) {
            r.pick(&real).clone()
        } else {
            gen_npm(&mut r)
        };
        ranges.push((v, gen_npm_range(&mut r, &real)));
    }
    let ours: Vec<String> = ranges
        .iter()
        .map(|(v, c)| bool_code(satisfies(Scheme::Npm, v, c)))
        .collect();
    let theirs = run("node", &[&script, "satisfies"], &tsv(&ranges));
    check("npm ranges", &ranges, &ours, &theirs);

    // npm's includePrerelease option, which changes how ranges expand
    let ours: Vec<String> = ranges
        .iter()
        .map(|(v, c)| {
            let parsed = warden_version::npm::NpmRange::parse_with(c, true);
            let version = warden_version::npm::NpmVersion::parse(v);
            bool_code(parsed.and_then(|r| version.map(|v| r.test(&v))))
        })
        .collect();
    let theirs = run("node", &[&script, "satisfies-pre"], &tsv(&ranges));
    check("npm ranges (includePrerelease)", &ranges, &ours, &theirs);
}

const GEM_PIECES: [&str; 12] = [
    "N", ".", ".", "-", "a", "b", "pre", "rc", "beta", ".N", "A", "N",
];

fn gen_gem(r: &mut Rng) -> String {
    let mut segs = vec![num(r)];
    for _ in 0..r.below(5) {
        let seg = if r.chance(60) {
            num(r)
        } else {
            r.word(&[
                "a", "b", "pre", "rc", "beta", "A", "1a", "rc1", "beta2", "Z",
            ])
            .to_string()
        };
        segs.push(seg);
    }
    let mut s = segs.join(".");
    if r.chance(10) {
        s.push('-');
        s.push_str(r.word(&["1", "pre", "beta.2", "x-y"]));
    }
    if r.chance(5) {
        s = mutate(r, &s, &GEM_PIECES);
    }
    s
}

#[test]
fn gem_matches_rubygems() {
    if !require(
        "ruby",
        works("ruby", &["-e", "Gem::Version"]),
        "ruby not found",
    ) {
        return;
    }
    let script = tools().join("gem_ref.rb");
    let script = script.to_string_lossy();
    let mut r = Rng(0x6E3);
    let real = lines("gem", "versions");
    let all = pairs(&mut r, &real, &mut gen_gem, &GEM_PIECES, MIN_PAIRS + 200);
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Gem, a, b)))
        .collect();
    let theirs = run("ruby", &[&script, "compare"], &tsv(&all));
    check("gem compare", &all, &ours, &theirs);

    let mut reqs: Vec<(String, String)> = Vec::new();
    for req in lines("gem", "constraints") {
        for _ in 0..3 {
            let v = if r.chance(50) {
                r.pick(&real).clone()
            } else {
                gen_gem(&mut r)
            };
            reqs.push((v, req.clone()));
        }
    }
    while reqs.len() < MIN_PAIRS + 200 {
        let v = if r.chance(50) {
            r.pick(&real).clone()
        } else {
            gen_gem(&mut r)
        };
        let parts: Vec<String> = (0..=r.below(2))
            .map(|_| {
                let b = if r.chance(40) {
                    mutate(&mut r, &v, &GEM_PIECES)
                } else {
                    gen_gem(&mut r)
                };
                format!(
                    "{}{}",
                    r.word(&["", "= ", "!= ", "> ", "< ", ">= ", "<= ", "~> ", "~>", " >="]),
                    b
                )
            })
            .collect();
        reqs.push((v, parts.join(", ")));
    }
    let ours: Vec<String> = reqs
        .iter()
        .map(|(v, c)| bool_code(satisfies(Scheme::Gem, v, c)))
        .collect();
    let theirs = run("ruby", &[&script, "requirement"], &tsv(&reqs));
    check("gem requirements", &reqs, &ours, &theirs);
}

const MAVEN_PIECES: [&str; 22] = [
    "N",
    ".",
    ".",
    "-",
    "alpha",
    "a",
    "beta",
    "b",
    "milestone",
    "m",
    "rc",
    "cr",
    "snapshot",
    "SNAPSHOT",
    "ga",
    "final",
    "release",
    "sp",
    "foo",
    "x",
    "N",
    "N",
];

fn gen_maven(r: &mut Rng) -> String {
    from_pieces(r, &["N", "N", "N", "a", "-"], &MAVEN_PIECES, 7)
}

/// Debian's maven-artifact jar and commons-lang3 (which DefaultArtifactVersion needs), as a
/// class path.
fn maven_classpath() -> Option<String> {
    let dir = Path::new("/usr/share/maven/lib");
    let find = |prefix: &str| -> Option<PathBuf> {
        let mut jars: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
            })
            .collect();
        jars.sort();
        jars.into_iter().next()
    };
    Some(format!(
        "{}:{}",
        find("maven-artifact")?.display(),
        find("commons-lang3")?.display()
    ))
}

#[test]
fn maven_matches_comparable_version() {
    let jar = maven_classpath();
    let ok = jar.is_some() && works("java", &["-version"]);
    if !require(
        "maven",
        ok,
        "java or maven-artifact/commons-lang3 jars in /usr/share/maven/lib not found",
    ) {
        return;
    }
    let jar = jar.unwrap_or_default();
    let src = tools().join("MavenCompare.java");
    let src = src.to_string_lossy();
    let mut r = Rng(0x3A7E);
    let real = lines("maven", "versions");
    let all: Vec<(String, String)> = pairs(
        &mut r,
        &real,
        &mut gen_maven,
        &MAVEN_PIECES,
        MIN_PAIRS + 200,
    )
    .into_iter()
    .filter(|(a, b)| !a.trim().is_empty() && !b.trim().is_empty())
    .collect();
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Maven, a, b)))
        .collect();
    let theirs = run("java", &["-cp", &jar, &src, "compare"], &tsv(&all));
    check("maven compare", &all, &ours, &theirs);

    let mut ranges = Vec::new();
    while ranges.len() < MIN_PAIRS {
        let v = if r.chance(50) {
            r.pick(&real).clone()
        } else {
            gen_maven(&mut r)
        };
        let bound = |r: &mut Rng| {
            if r.chance(20) {
                String::new()
            } else if r.chance(50) {
                r.pick(&real).clone()
            } else {
                gen_maven(r)
            }
        };
        let n = 1 + r.below(2);
        // a lower bound above the upper one is an error in Maven; keep most ranges ordered
        let ordered = |r: &mut Rng, lo: String, hi: String| -> (String, String) {
            let above = !lo.is_empty()
                && !hi.is_empty()
                && compare(Scheme::Maven, &lo, &hi) == Ok(Ordering::Greater);
            if above && r.chance(90) {
                (hi, lo)
            } else {
                (lo, hi)
            }
        };
        let spec = (0..n)
            .map(|_| {
                let open = r.word(&["[", "("]);
                let close = r.word(&["]", ")"]);
                if r.chance(20) {
                    format!("[{}]", bound(&mut r))
                } else {
                    let (lo, hi) = (bound(&mut r), bound(&mut r));
                    let (lo, hi) = ordered(&mut r, lo, hi);
                    format!("{open}{lo},{hi}{close}")
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        if !v.trim().is_empty() {
            ranges.push((v, spec));
        }
    }
    let ours: Vec<String> = ranges
        .iter()
        .map(|(v, c)| bool_code(satisfies(Scheme::Maven, v, c)))
        .collect();
    let theirs = run("java", &["-cp", &jar, &src, "range"], &tsv(&ranges));
    check("maven ranges", &ranges, &ours, &theirs);
}

const COMPOSER_PIECES: [&str; 18] = [
    "N", ".", ".", "-", "beta", "b", "RC", "rc", "alpha", "a", "patch", "pl", "p", "dev", "-dev",
    ".x", "stable", "N",
];

fn gen_composer(r: &mut Rng) -> String {
    match r.below(10) {
        0 => format!("dev-{}", r.word(&["main", "master", "feature"])),
        1 => format!("{}.x-dev", r.below(4)),
        2 => from_pieces(r, &["N"], &COMPOSER_PIECES, 5),
        _ => {
            let mut s = if r.chance(10) {
                "v".to_string()
            } else {
                String::new()
            };
            let parts: Vec<String> = (0..=r.below(4))
                .map(|_| {
                    if r.chance(85) {
                        r.below(12).to_string()
                    } else {
                        num(r)
                    }
                })
                .collect();
            s.push_str(&parts.join("."));
            if r.chance(35) {
                s.push_str(r.word(&["-", ".", "", "_"]));
                s.push_str(r.word(&[
                    "beta", "b", "RC", "rc", "alpha", "a", "patch", "pl", "p", "stable", "dev",
                ]));
                if r.chance(60) {
                    s.push_str(&r.below(5).to_string());
                }
            }
            if r.chance(10) {
                s.push_str(r.word(&["-dev", ".dev", "+build", "@dev"]));
            }
            s
        }
    }
}

#[test]
fn composer_matches_composer_semver() {
    let autoload = std::env::var("WARDEN_COMPOSER_SEMVER")
        .unwrap_or_else(|_| "/usr/share/php/Composer/Semver/autoload.php".into());
    let ok = works("php", &["--version"]) && Path::new(&autoload).exists();
    if !require(
        "composer semver",
        ok,
        &format!("php or {autoload} (php-composer-semver) not found"),
    ) {
        return;
    }
    let script = tools().join("composer_ref.php");
    let script = script.to_string_lossy();
    let mut r = Rng(0xC0);
    let real = lines("composer", "versions");
    let all = pairs(
        &mut r,
        &real,
        &mut gen_composer,
        &COMPOSER_PIECES,
        MIN_PAIRS + 200,
    );
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Composer, a, b)))
        .collect();
    let theirs = run("php", &[&script, "compare"], &tsv(&all));
    check("composer compare", &all, &ours, &theirs);

    let mut cons: Vec<(String, String)> = Vec::new();
    for c in lines("composer", "constraints") {
        for _ in 0..2 {
            let v = if r.chance(50) {
                r.pick(&real).clone()
            } else {
                gen_composer(&mut r)
            };
            cons.push((v, c.clone()));
        }
    }
    while cons.len() < MIN_PAIRS + 200 {
        let v = if r.chance(50) {
            r.pick(&real).clone()
        } else {
            gen_composer(&mut r)
        };
        let atom = |r: &mut Rng| -> String {
            let b = if r.chance(50) {
                r.pick(&real).clone()
            } else {
                gen_composer(r)
            };
            match r.below(8) {
                0 => format!("^{b}"),
                1 => format!("~{b}"),
                2 => format!("{} - {}", b, gen_composer(r)),
                3 => format!("{}.*", b.split('.').take(2).collect::<Vec<_>>().join(".")),
                4 => format!("{b}@{}", r.word(&["dev", "beta", "stable", "RC"])),
                _ => format!(
                    "{}{b}",
                    r.word(&["", "=", "==", "!=", "<>", "<", "<=", ">", ">=", ">= "])
                ),
            }
        };
        let groups: Vec<String> = (0..=r.below(2))
            .map(|_| {
                (0..=r.below(2))
                    .map(|_| atom(&mut r))
                    .collect::<Vec<_>>()
                    .join(r.word(&[",", " ", ", "]))
            })
            .collect();
        cons.push((v, groups.join(r.word(&[" || ", "|", "||"]))));
    }
    let ours: Vec<String> = cons
        .iter()
        .map(|(v, c)| bool_code(satisfies(Scheme::Composer, v, c)))
        .collect();
    let theirs = run("php", &[&script, "satisfies"], &tsv(&cons));
    check("composer constraints", &cons, &ours, &theirs);
}

const GO_PIECES: [&str; 12] = [
    "N",
    ".",
    ".N",
    "-",
    "-pre",
    "-rc.N",
    "+incompatible",
    "+build",
    "-0.",
    "v",
    "x",
    "N",
];

fn gen_go(r: &mut Rng) -> String {
    let n = |r: &mut Rng| {
        if r.chance(92) {
            format!("{}", r.below(12))
        } else {
            num(r)
        }
    };
    let mut s = if r.chance(80) {
        "v".to_string()
    } else {
        String::new()
    };
    match r.below(10) {
        0 => s.push_str(&n(r)),
        1 => s.push_str(&format!("{}.{}", n(r), n(r))),
        2 => s.push_str(&format!(
            "{}.{}.{}-{}2023{:02}{:02}120000-{:012x}",
            n(r),
            n(r),
            n(r),
            r.word(&["", "0.", "pre.0."]),
            1 + r.below(12),
            1 + r.below(28),
            r.next() & 0xffff_ffff_ffff
        )),
        _ => {
            s.push_str(&format!("{}.{}.{}", n(r), n(r), n(r)));
            if r.chance(30) {
                s.push('-');
                let ids: Vec<String> = (0..=r.below(2))
                    .map(|_| {
                        if r.chance(40) {
                            n(r)
                        } else {
                            r.word(&["rc", "beta", "alpha", "0a", "x-y"]).into()
                        }
                    })
                    .collect();
                s.push_str(&ids.join("."));
            }
            if r.chance(15) {
                s.push_str(r.word(&["+incompatible", "+meta", "+001"]));
            }
        }
    }
    if r.chance(5) {
        s = mutate(r, &s, &GO_PIECES);
    }
    s
}

#[test]
fn go_matches_x_mod_semver() {
    let gopath = std::env::var("WARDEN_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".into());
    let ok = works("go", &["version"])
        && Path::new(&gopath)
            .join("src/golang.org/x/mod/semver")
            .exists();
    if !require(
        "go semver",
        ok,
        &format!("go or golang.org/x/mod in {gopath} (golang-golang-x-mod-dev) not found"),
    ) {
        return;
    }
    let mut r = Rng(0x6060);
    let real = lines("go", "versions");
    // x/mod/semver needs the `v` that OSV's Go records leave out; warden reads both
    let with_v = |s: &str| {
        if s.starts_with('v') {
            s.to_string()
        } else {
            format!("v{s}")
        }
    };
    let all: Vec<(String, String)> = pairs(&mut r, &real, &mut gen_go, &GO_PIECES, MIN_PAIRS + 200);
    let ours: Vec<String> = all
        .iter()
        .map(|(a, b)| ord_code(compare(Scheme::Go, a, b)))
        .collect();
    let fed: Vec<(String, String)> = all.iter().map(|(a, b)| (with_v(a), with_v(b))).collect();
    let cache = std::env::temp_dir().join(format!("warden-version-gocache-{}", std::process::id()));
    let main = tools().join("gosemver/main.go");
    let mut child = Command::new("go")
        .args(["run", &main.to_string_lossy()])
        .env("GO111MODULE", "off")
        .env("GOPATH", &gopath)
        .env("GOCACHE", &cache)
        .env("GOFLAGS", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start go: {e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("go: no stdin"));
    let input = tsv(&fed);
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("go failed: {e}"));
    let _ = writer.join();
    let _ = std::fs::remove_dir_all(&cache);
    assert!(
        out.status.success(),
        "go run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    check("go compare", &all, &ours, &theirs);
}

/// apk has no binary here: apk-tools' own test vectors (test/version.data) are the reference.
#[test]
fn apk_matches_apk_tools_vectors() {
    let path = fixtures().join("apk-tools-version.data");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut n = 0;
    let mut diffs = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [a, op, b] = parts[..] else { continue };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => continue,
        };
        n += 1;
        let got = compare(Scheme::Apk, a, b);
        if got != Ok(want) {
            diffs.push(format!("{a} {op} {b}: got {got:?}"));
        }
        // the relation must also hold reversed
        if compare(Scheme::Apk, b, a) != Ok(want.reverse()) {
            diffs.push(format!("{b} vs {a} (reversed) wrong"));
        }
    }
    println!("apk: {n} apk-tools vectors, {} differences", diffs.len());
    assert!(n > 500, "only {n} vectors read from {}", path.display());
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// Every apk version in the secdb must be one apk accepts, and ordering must be a total order
/// on them (antisymmetric and transitive on sorted neighbours).
#[test]
fn apk_secdb_versions_are_valid_and_totally_ordered() {
    let real = lines("apk", "versions");
    let invalid: Vec<&String> = real
        .iter()
        .filter(|v| !warden_version::apk::is_valid(v))
        .collect();
    println!(
        "apk: {} secdb versions, {} not valid for apk: {invalid:?}",
        real.len(),
        invalid.len()
    );
    let mut sorted = real.clone();
    sorted.sort_by(|a, b| compare(Scheme::Apk, a, b).unwrap_or(Ordering::Equal));
    for w in sorted.windows(2) {
        assert_ne!(
            compare(Scheme::Apk, &w[0], &w[1]),
            Ok(Ordering::Greater),
            "{} > {}",
            w[0],
            w[1]
        );
        assert_eq!(
            compare(Scheme::Apk, &w[1], &w[0]).map(Ordering::reverse),
            compare(Scheme::Apk, &w[0], &w[1])
        );
    }
    assert!(
        invalid.len() * 100 < real.len(),
        "too many invalid secdb versions: {invalid:?}"
    );
}

/// Every RustSec `patched`/`unaffected` requirement must parse as a Cargo requirement, since
/// the DB builder reads them with this crate (Cargo itself has no CLI to compare against).
#[test]
fn cargo_parses_every_rustsec_requirement() {
    let reqs = lines("cargo", "constraints");
    let bad: Vec<String> = reqs
        .iter()
        .filter_map(|r| {
            warden_version::Constraint::parse(Scheme::Cargo, r)
                .err()
                .map(|e| e.to_string())
        })
        .collect();
    println!(
        "cargo: {} RustSec requirements, {} rejected",
        reqs.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let versions = lines("cargo", "versions");
    let bad: Vec<&String> = versions
        .iter()
        .filter(|v| compare(Scheme::Cargo, v, v).is_err())
        .collect();
    println!(
        "cargo: {} OSV versions, {} rejected",
        versions.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{bad:?}");
}
