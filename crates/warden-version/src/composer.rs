//! Composer (Packagist) versions and constraints, ported from `composer/semver` 3.3
//! (`VersionParser::normalize`, `VersionParser::parseConstraints`, `Constraint::matchSpecific`)
//! and PHP's `version_compare`, which Composer applies to normalized versions.
//!
//! Versions normalize to four numbers plus a stability (`1.2-beta2` → `1.2.0.0-beta2`);
//! `dev-*` branches only equal themselves. Constraints: `||` (or `|`) for OR, `,` or space for
//! AND, `^`, `~`, wildcards (`1.2.*`), hyphen ranges (`1.0 - 2.0`), `@stability` flags and the
//! comparison operators `<>`, `!=`, `>`, `>=`, `<`, `<=`, `=`, `==`.

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::{Captures, Regex};

use crate::{digits, Scheme, VersionError};

const MODIFIER: &str =
    r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?[0-9]+)*)?)?([.-]?dev)?";
const STABILITIES: &str = "stable|RC|beta|alpha|dev";
/// PCRE's `\s` without UTF mode.
const S: &str = r"[ \t\n\x0B\x0C\r]";

struct Res {
    alias: Regex,
    stability_flag: Regex,
    build: Regex,
    classical: Regex,
    date: Regex,
    dev_suffix: Regex,
    branch: Regex,
    or_split: Regex,
    flag_in_constraint: Regex,
    hash_ref: Regex,
    match_all: Regex,
    tilde: Regex,
    caret: Regex,
    xrange: Regex,
    hyphen: Regex,
    basic: Regex,
    has_modifier: Regex,
    non_digit: Regex,
}

fn res() -> &'static Res {
    static RES: OnceLock<Res> = OnceLock::new();
    RES.get_or_init(|| {
        let re = |p: String| Regex::new(&p).unwrap_or_else(|e| unreachable!("{e}"));
        let version = format!(r"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?(?:{MODIFIER}|\.([xX*][.-]?dev))(?:\+[^ \t\n\x0B\x0C\r]+)?");
        Res {
            alias: re(format!(r"^([^,{s}]+) +as +([^,{s}]+)$", s = &S[1..S.len() - 1])),
            stability_flag: re(format!(r"(?i)@(?:{STABILITIES})$")),
            build: re(format!(r"^([^,{s}+]+)\+[^{s}]+$", s = &S[1..S.len() - 1])),
            classical: re(format!(r"(?i)^v?([0-9]{{1,5}})(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?{MODIFIER}$")),
            date: re(format!(r"(?i)^v?([0-9]{{4}}(?:[.:-]?[0-9]{{2}}){{1,6}}(?:[.:-]?[0-9]{{1,3}})?){MODIFIER}$")),
            dev_suffix: re(r"(?i)^(.*?)[.-]?dev$".into()),
            branch: re(r"(?i)^v?([0-9]+)(\.(?:[0-9]+|[xX*]))?(\.(?:[0-9]+|[xX*]))?(\.(?:[0-9]+|[xX*]))?$".into()),
            or_split: re(format!(r"{S}*\|\|?{S}*")),
            flag_in_constraint: re(format!(r"(?i)^([^,{s}]*?)@({STABILITIES})$", s = &S[1..S.len() - 1])),
            hash_ref: re(format!(r"(?i)^(dev-[^,{s}@]+?|[^,{s}@]+?\.x-dev)#.+$", s = &S[1..S.len() - 1])),
            match_all: re(r"(?i)^(v)?[xX*](\.[xX*])*$".into()),
            tilde: re(format!(r"(?i)^~>?{version}$")),
            caret: re(format!(r"(?i)^\^{version}($)")),
            xrange: re(r"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.[xX*])+$".into()),
            hyphen: re(format!(r"(?i)^(?P<from>{version}) +- +(?P<to>{version})($)")),
            basic: re(format!(r"^(<>|!=|>=?|<=?|==?)?{S}*(.*)")),
            has_modifier: re(format!(r"-{MODIFIER}$")),
            non_digit: re(r"[^0-9]".into()),
        }
    })
}

fn php_trim(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0B'))
}

/// PHP's `empty()` on a capture: unset, `""` and `"0"` are empty.
fn empty(c: &Captures<'_>, i: usize) -> bool {
    c.get(i)
        .is_none_or(|m| m.as_str().is_empty() || m.as_str() == "0")
}

fn set<'h>(c: &Captures<'h>, i: usize) -> Option<&'h str> {
    c.get(i).map(|m| m.as_str()).filter(|s| !s.is_empty())
}

fn expand_stability(s: &str) -> String {
    let s = s.to_lowercase();
    match s.as_str() {
        "a" => "alpha".into(),
        "b" => "beta".into(),
        "p" | "pl" => "patch".into(),
        "rc" => "RC".into(),
        _ => s,
    }
}

fn normalize_branch(name: &str) -> String {
    let name = php_trim(name);
    if let Some(c) = res().branch.captures(name) {
        let mut v = String::new();
        for i in 1..5 {
            match c.get(i) {
                Some(m) => v.push_str(&m.as_str().replace(['*', 'X'], "x")),
                None => v.push_str(".x"),
            }
        }
        return format!("{}-dev", v.replace('x', "9999999"));
    }
    format!("dev-{name}")
}

/// Normalizes a version as `VersionParser::normalize` does (`1.2` → `1.2.0.0`, `1.0-rc1` →
/// `1.0.0.0-RC1`, `dev-main` stays a branch).
pub fn normalize(input: &str) -> Result<String, VersionError> {
    // fast path for plain `1.2.3` (at most four parts, a first part of at most five digits,
    // which is what the "classical" pattern takes before any date pattern could)
    let parts: Vec<&str> = input.split('.').collect();
    if parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[0].len() <= 5
    {
        let mut v = parts.join(".");
        for _ in parts.len()..4 {
            v.push_str(".0");
        }
        return Ok(v);
    }
    let r = res();
    let mut version = php_trim(input).to_string();
    if let Some(c) = r.alias.captures(&version) {
        version = c[1].to_string();
    }
    if let Some(m) = r.stability_flag.find(&version) {
        version.truncate(m.start());
    }
    if matches!(version.as_str(), "master" | "trunk" | "default") {
        version = format!("dev-{version}");
    }
    if version
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("dev-"))
    {
        return Ok(format!("dev-{}", &version[4..]));
    }
    if let Some(c) = r.build.captures(&version) {
        version = c[1].to_string();
    }
    let matched = if let Some(c) = r.classical.captures(&version) {
        let part = |i: usize| set(&c, i).map_or(".0".to_string(), str::to_string);
        Some((format!("{}{}{}{}", &c[1], part(2), part(3), part(4)), c, 5))
    } else {
        r.date
            .captures(&version)
            .map(|c| (r.non_digit.replace_all(&c[1], ".").into_owned(), c, 2))
    };
    if let Some((mut v, c, index)) = matched {
        if let Some(stab) = c
            .get(index)
            .map(|m| m.as_str())
            .filter(|s| !s.is_empty() && *s != "0")
        {
            if stab == "stable" {
                return Ok(v);
            }
            let num = set(&c, index + 1)
                .map(|n| n.trim_start_matches(['.', '-']))
                .unwrap_or("");
            v = format!("{v}-{}{num}", expand_stability(stab));
        }
        if !empty(&c, index + 2) {
            v.push_str("-dev");
        }
        return Ok(v);
    }
    if let Some(c) = r.dev_suffix.captures(&version) {
        let normalized = normalize_branch(&c[1]);
        if !normalized.contains("dev-") {
            return Ok(normalized);
        }
    }
    Err(VersionError::version(
        Scheme::Composer,
        input,
        "invalid version string",
    ))
}

/// PHP's `php_canonicalize_version`: `-`, `_`, `+` and other marks become `.`, and a `.` is
/// put between digits and letters.
fn canonicalize(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() * 2);
    let Some(&first) = b.first() else { return out };
    out.push(first);
    let mut lp = first;
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    for &c in &b[1..] {
        let last = out.last().copied().unwrap_or(0);
        if matches!(c, b'-' | b'_' | b'+') {
            if last != b'.' {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)) {
            if last != b'.' {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if last != b'.' {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        lp = c;
    }
    out
}

fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name.as_bytes()))
        .map_or(-1, |(_, o)| *o)
}

/// C `strtol` on a part that starts with a digit: leading digits, saturating like `LONG_MAX`.
fn strtol(p: &[u8]) -> i64 {
    let mut v: i64 = 0;
    for &c in p.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    v
}

/// PHP's `version_compare($a, $b)`.
pub fn php_version_compare(a: &str, b: &str) -> Ordering {
    php_compare_bytes(a.as_bytes(), b.as_bytes())
}

fn php_compare_bytes(orig1: &[u8], orig2: &[u8]) -> Ordering {
    match (orig1.is_empty(), orig2.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let v1 = if orig1[0] == b'#' {
        orig1.to_vec()
    } else {
        canonicalize(orig1)
    };
    let v2 = if orig2[0] == b'#' {
        orig2.to_vec()
    } else {
        canonicalize(orig2)
    };
    let at = |v: &[u8], i: usize| v.get(i).copied().unwrap_or(0);
    let dot = |v: &[u8], from: usize| {
        v.get(from..)
            .and_then(|r| r.iter().position(|&c| c == b'.'))
            .map(|k| from + k)
    };
    // the C loop's pointers: p is the current part, n the dot ending it (None: last part)
    let (mut p1, mut p2) = (0usize, 0usize);
    let (mut n1, mut n2) = (Some(0usize), Some(0usize));
    let mut compare = Ordering::Equal;
    while at(&v1, p1) != 0 && at(&v2, p2) != 0 && n1.is_some() && n2.is_some() {
        n1 = dot(&v1, p1);
        n2 = dot(&v2, p2);
        let s1 = &v1[p1..n1.unwrap_or(v1.len())];
        let s2 = &v2[p2..n2.unwrap_or(v2.len())];
        let (d1, d2) = (at(s1, 0).is_ascii_digit(), at(s2, 0).is_ascii_digit());
        compare = match (d1, d2) {
            (true, true) => strtol(s1).cmp(&strtol(s2)),
            (false, false) => special_form(s1).cmp(&special_form(s2)),
            (true, false) => special_form(b"#N#").cmp(&special_form(s2)),
            (false, true) => special_form(s1).cmp(&special_form(b"#N#")),
        };
        if compare != Ordering::Equal {
            break;
        }
        if let Some(n) = n1 {
            p1 = n + 1;
        }
        if let Some(n) = n2 {
            p2 = n + 1;
        }
    }
    if compare == Ordering::Equal {
        if n1.is_some() {
            compare = if at(&v1, p1).is_ascii_digit() {
                Ordering::Greater
            } else {
                php_compare_bytes(&v1[p1..], b"#N#")
            };
        } else if n2.is_some() {
            compare = if at(&v2, p2).is_ascii_digit() {
                Ordering::Less
            } else {
                php_compare_bytes(b"#N#", &v2[p2..])
            };
        }
    }
    compare
}

fn is_branch(v: &str) -> bool {
    v.starts_with("dev-")
}

/// Whether a version that [`normalize`] accepts is a `dev-` branch, which [`compare`] orders
/// against nothing but itself. `false` for text that does not normalize.
pub fn is_branch_version(v: &str) -> bool {
    normalize(v).is_ok_and(|n| is_branch(&n))
}

/// Compares two Composer versions: both are normalized, then ordered by `version_compare`.
/// A `dev-` branch has no order except equality with itself, so comparing it with anything
/// else is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (na, nb) = (normalize(a)?, normalize(b)?);
    if is_branch(&na) || is_branch(&nb) {
        if na == nb {
            return Ok(Ordering::Equal);
        }
        let which = if is_branch(&na) { a } else { b };
        return Err(VersionError::version(
            Scheme::Composer,
            which,
            "dev branches are not ordered",
        ));
    }
    Ok(php_version_compare(&na, &nb))
}

// ---- constraints ------------------------------------------------------------------------

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposerOp {
    /// `==`, `=` or none.
    Eq,
    /// `!=`, `<>`.
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// One atomic constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// `*`: matches everything.
    All,
    /// An operator and a normalized version.
    Cmp(ComposerOp, String),
}

/// A parsed Composer constraint: OR of AND groups.
#[derive(Debug, Clone)]
pub struct ComposerConstraint {
    /// The OR groups, each a list of atoms that must all hold.
    pub groups: Vec<Vec<Atom>>,
}

/// `preg_split` with `(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)`, which needs lookaround.
fn and_split(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let n = b.len();
    let match_at = |p: usize| -> Option<usize> {
        if p == 0 || b"=>< ,".contains(&b[p - 1]) || (p >= 2 && &b[p - 2..p] == b"as") {
            return None;
        }
        let lead = b[p..].iter().take_while(|&&c| c == b' ').count();
        for k in (0..=lead).rev() {
            let q = p + k;
            if q >= n
                || !(b[q] == b',' || b[q] == b' ')
                || (q > 0 && b[q - 1] == b'-')
                || b.get(q + 1) == Some(&b'-')
            {
                continue;
            }
            let trail = b[q + 1..].iter().take_while(|&&c| c == b' ').count();
            for t in (0..=trail).rev() {
                let r = q + 1 + t;
                if r == n || b[r] == b',' || b[r..].starts_with(b"as") {
                    continue;
                }
                return Some(r);
            }
        }
        None
    };
    let mut out = Vec::new();
    let (mut last, mut p) = (0usize, 0usize);
    while p < n {
        match match_at(p) {
            Some(end) => {
                out.push(&s[last..p]);
                last = end;
                p = end;
            }
            None => p += 1,
        }
    }
    out.push(&s[last..]);
    out
}

fn manipulate(m: [Option<String>; 5], position: usize, increment: bool) -> String {
    let mut m = m;
    for i in (1..=4).rev() {
        if i > position {
            m[i] = Some("0".into());
        } else if i == position && increment {
            m[i] = Some(digits::succ(m[i].as_deref().unwrap_or("0")));
        }
    }
    format!(
        "{}.{}.{}.{}",
        m[1].as_deref().unwrap_or(""),
        m[2].as_deref().unwrap_or(""),
        m[3].as_deref().unwrap_or(""),
        m[4].as_deref().unwrap_or("")
    )
}

fn nums(c: &Captures<'_>, first: usize) -> [Option<String>; 5] {
    let g = |i: usize| set(c, i).map(str::to_string);
    [None, g(first), g(first + 1), g(first + 2), g(first + 3)]
}

fn parse_stability(version: &str) -> &'static str {
    let v = match version.find('#') {
        Some(i) => &version[..i],
        None => version,
    };
    if v.starts_with("dev-") || v.ends_with("-dev") {
        return "dev";
    }
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(&format!(r"(?i){MODIFIER}(?:\+.*)?$")).unwrap_or_else(|_| unreachable!())
    });
    let lower = v.to_lowercase();
    let Some(c) = re.captures(&lower) else {
        return "stable";
    };
    if !empty(&c, 3) {
        return "dev";
    }
    match c.get(1).map(|m| m.as_str()) {
        Some("beta" | "b") => "beta",
        Some("alpha" | "a") => "alpha",
        Some("rc") => "RC",
        _ => "stable",
    }
}

fn parse_atom(text: &str, whole: &str) -> Result<Vec<Atom>, VersionError> {
    let r = res();
    let bad = |why: String| VersionError::constraint(Scheme::Composer, whole, why);
    let norm = |v: &str| normalize(v).map_err(|e| bad(format!("'{v}': {}", e.reason)));
    let mut constraint = text.to_string();
    let mut stability_modifier: Option<String> = None;
    if let Some(c) = r.alias.captures(&constraint) {
        constraint = c[1].to_string();
    }
    if let Some(c) = r.flag_in_constraint.captures(&constraint) {
        let stab = c[2].to_string();
        constraint = if c[1].is_empty() {
            "*".into()
        } else {
            c[1].to_string()
        };
        if stab != "stable" {
            stability_modifier = Some(stab);
        }
    }
    if let Some(c) = r.hash_ref.captures(&constraint) {
        constraint = c[1].to_string();
    }
    if let Some(c) = r.match_all.captures(&constraint) {
        if !empty(&c, 1) || !empty(&c, 2) {
            return Ok(vec![Atom::Cmp(ComposerOp::Ge, "0.0.0.0-dev".into())]);
        }
        return Ok(vec![Atom::All]);
    }
    if let Some(c) = r.tilde.captures(&constraint) {
        if constraint.starts_with("~>") {
            return Err(bad(
                "invalid operator \"~>\", you probably meant to use the \"~\" operator".into(),
            ));
        }
        let mut position = (1..=4).rev().find(|&i| set(&c, i).is_some()).unwrap_or(1);
        if !empty(&c, 8) {
            position += 1;
        }
        let suffix = if empty(&c, 5) && empty(&c, 7) && empty(&c, 8) {
            "-dev"
        } else {
            ""
        };
        let low = norm(&format!("{}{suffix}", &constraint[1..]))?;
        let high = format!(
            "{}-dev",
            manipulate(nums(&c, 1), position.saturating_sub(1).max(1), true)
        );
        return Ok(vec![
            Atom::Cmp(ComposerOp::Ge, low),
            Atom::Cmp(ComposerOp::Lt, high),
        ]);
    }
    if let Some(c) = r.caret.captures(&constraint) {
        let (m1, m2, m3) = (c.get(1).map_or("", |m| m.as_str()), set(&c, 2), set(&c, 3));
        let position = if m1 != "0" || m2.is_none() {
            1
        } else if m2 != Some("0") || m3.is_none() {
            2
        } else {
            3
        };
        let suffix = if empty(&c, 5) && empty(&c, 7) && empty(&c, 8) {
            "-dev"
        } else {
            ""
        };
        let low = norm(&format!("{}{suffix}", &constraint[1..]))?;
        let high = format!("{}-dev", manipulate(nums(&c, 1), position, true));
        return Ok(vec![
            Atom::Cmp(ComposerOp::Ge, low),
            Atom::Cmp(ComposerOp::Lt, high),
        ]);
    }
    if let Some(c) = r.xrange.captures(&constraint) {
        let position = (1..=3).rev().find(|&i| set(&c, i).is_some()).unwrap_or(1);
        let low = format!("{}-dev", manipulate(nums(&c, 1), position, false));
        let high = format!("{}-dev", manipulate(nums(&c, 1), position, true));
        if low == "0.0.0.0-dev" {
            return Ok(vec![Atom::Cmp(ComposerOp::Lt, high)]);
        }
        return Ok(vec![
            Atom::Cmp(ComposerOp::Ge, low),
            Atom::Cmp(ComposerOp::Lt, high),
        ]);
    }
    if let Some(c) = r.hyphen.captures(&constraint) {
        let low_suffix = if empty(&c, 6) && empty(&c, 8) && empty(&c, 9) {
            "-dev"
        } else {
            ""
        };
        let low = format!("{}{low_suffix}", norm(&c["from"])?);
        // PHP's $empty() here treats "0" as present
        let present = |i: usize| set(&c, i).is_some();
        let upper =
            if (present(12) && present(13)) || !empty(&c, 15) || !empty(&c, 17) || !empty(&c, 18) {
                Atom::Cmp(ComposerOp::Le, norm(&c["to"])?)
            } else {
                norm(&c["to"])?;
                let position = if present(12) { 2 } else { 1 };
                Atom::Cmp(
                    ComposerOp::Lt,
                    format!("{}-dev", manipulate(nums(&c, 11), position, true)),
                )
            };
        return Ok(vec![Atom::Cmp(ComposerOp::Ge, low), upper]);
    }
    if let Some(c) = r.basic.captures(&constraint) {
        let op_text = c.get(1).map_or("", |m| m.as_str());
        let raw = c.get(2).map_or("", |m| m.as_str());
        let mut version = match normalize(raw) {
            Ok(v) => v,
            Err(e) => {
                let devish = raw.ends_with("-dev")
                    && !raw.is_empty()
                    && raw
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-./".contains(&b));
                if devish {
                    norm(&format!("dev-{}", &raw[..raw.len() - 4]))?
                } else {
                    return Err(bad(format!("'{raw}': {}", e.reason)));
                }
            }
        };
        let op = match op_text {
            "<>" | "!=" => ComposerOp::Ne,
            ">" => ComposerOp::Gt,
            ">=" => ComposerOp::Ge,
            "<" => ComposerOp::Lt,
            "<=" => ComposerOp::Le,
            _ => ComposerOp::Eq,
        };
        let eqish = matches!(op_text, "" | "=" | "==");
        match &stability_modifier {
            Some(m) if !eqish && parse_stability(&version) == "stable" => {
                version = format!("{version}-{m}");
            }
            _ => {
                if (op_text == "<" || op_text == ">=")
                    && !r.has_modifier.is_match(&raw.to_lowercase())
                    && !raw.starts_with("dev-")
                {
                    version.push_str("-dev");
                }
            }
        }
        return Ok(vec![Atom::Cmp(op, version)]);
    }
    Err(bad(format!(
        "could not parse version constraint {constraint}"
    )))
}

/// Composer's `Constraint::versionCompare` without branch comparison.
fn version_compare(a: &str, b: &str, op: ComposerOp) -> bool {
    let (ab, bb) = (is_branch(a), is_branch(b));
    if op == ComposerOp::Ne && (ab || bb) {
        return a != b;
    }
    if ab && bb {
        return op == ComposerOp::Eq && a == b;
    }
    if ab || bb {
        return false;
    }
    let o = php_version_compare(a, b);
    match op {
        ComposerOp::Eq => o == Ordering::Equal,
        ComposerOp::Ne => o != Ordering::Equal,
        ComposerOp::Lt => o == Ordering::Less,
        ComposerOp::Le => o != Ordering::Greater,
        ComposerOp::Gt => o == Ordering::Greater,
        ComposerOp::Ge => o != Ordering::Less,
    }
}

impl ComposerConstraint {
    /// Parses like `VersionParser::parseConstraints`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let trimmed = php_trim(text);
        let mut groups = Vec::new();
        for or_part in res().or_split.split(trimmed) {
            let mut atoms = Vec::new();
            for and_part in and_split(or_part) {
                atoms.extend(parse_atom(and_part, text)?);
            }
            groups.push(atoms);
        }
        Ok(ComposerConstraint { groups })
    }

    /// `Semver::satisfies`: the normalized version as an `==` provider against every atom.
    pub fn matches(&self, version: &str) -> Result<bool, VersionError> {
        let v = normalize(version)?;
        Ok(self.groups.iter().any(|g| {
            g.iter().all(|a| match a {
                Atom::All => true,
                Atom::Cmp(ComposerOp::Eq, c) => version_compare(c, &v, ComposerOp::Eq),
                Atom::Cmp(op, c) => version_compare(&v, c, *op),
            })
        }))
    }
}

/// Whether `version` satisfies the Composer constraint, as `Composer\Semver\Semver::satisfies`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    ComposerConstraint::parse(constraint)?.matches(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_composer() {
        for (i, want) in [
            ("1.0.0", "1.0.0.0"),
            ("v1.2", "1.2.0.0"),
            ("1.0.0-RC1", "1.0.0.0-RC1"),
            ("1.0.0-rc.1", "1.0.0.0-RC1"),
            ("1.0.0-beta", "1.0.0.0-beta"),
            ("1.0-stable", "1.0.0.0"),
            ("1.0.0-pl3", "1.0.0.0-patch3"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("dev-master", "dev-master"),
            ("master", "dev-master"),
            ("2010.01.02", "2010.01.02.0"),
            ("20100102", "20100102"),
            ("1.0.0+foo", "1.0.0.0"),
            ("1.0.0-alpha3.1", "1.0.0.0-alpha3.1"),
        ] {
            assert_eq!(normalize(i).as_deref(), Ok(want), "{i}");
        }
        assert!(normalize("foo bar").is_err());
    }

    #[test]
    fn php_version_compare_vectors() {
        let lt = |a, b| assert_eq!(php_version_compare(a, b), Ordering::Less, "{a} < {b}");
        lt("1.0.0.0-dev", "1.0.0.0-alpha1");
        lt("1.0.0.0-alpha1", "1.0.0.0-beta1");
        lt("1.0.0.0-RC1", "1.0.0.0");
        lt("1.0.0.0", "1.0.0.0-patch1");
        lt("1.0", "1.0.1");
        lt("5.2", "5.10");
        assert_eq!(php_version_compare("1.0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn constraints() {
        let yes = |v, c| assert_eq!(satisfies(v, c), Ok(true), "{v} in {c}");
        let no = |v, c| assert_eq!(satisfies(v, c), Ok(false), "{v} not in {c}");
        yes("1.2.3", "^1.2");
        no("2.0.0", "^1.2");
        yes("0.3.9", "^0.3");
        no("0.4.0", "^0.3");
        yes("1.9", "~1.2");
        no("2.0", "~1.2");
        no("1.3.0", "~1.2.3");
        yes("1.2.5", "1.2.*");
        yes("7.4.11", ">=7.4.0,<7.4.12");
        no("7.4.12", ">=7.4.0,<7.4.12");
        yes("2.5", ">=1.0 <1.1 || >=2.0");
        yes("1.5", "1.0 - 2.0");
        no("2.1", "1.0 - 2.0");
        yes("2.0.5", "1.0 - 2.0.5");
        // `>=` bounds get `-dev` appended, so pre-releases of the bound match
        yes("1.0.0-beta", ">=1.0.0");
        yes("dev-main", "dev-main");
        no("dev-main", ">=1.0");
        assert!(satisfies("1.0", "~>1.0").is_err());
    }
}
