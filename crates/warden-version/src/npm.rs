//! npm versions and ranges, ported from npm's `semver` package 7.x (`classes/semver.js`,
//! `classes/range.js`, `classes/comparator.js`, `internal/re.js`), strict (non-loose) mode.
//!
//! Ranges go through the same rewriting pipeline as node-semver (hyphen ranges, comparator
//! trimming, `~`, `^`, x-ranges, `*`) into sets of plain comparators, with the same regular
//! expressions, so corner cases (`>1.x`, `<=1.2`, `~>1`, `1.2.3 - 2`) expand identically.
//! Pre-release versions only match a comparator set that names a pre-release of the same
//! `major.minor.patch`, as in npm.

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::{Captures, Regex};

use crate::{digits, Scheme, VersionError};

/// JavaScript's `\s` (which differs from Rust's Unicode `\s` in two characters).
const WS: &str = r"\t\n\x0B\x0C\r \u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}";
const MAX_LENGTH: usize = 256;
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// The regular expressions of node-semver's `internal/re.js` (the "safe" variants, which
/// allow a single whitespace where the originals allow any: input is collapsed first).
struct Res {
    full: Regex,
    comparator: Regex,
    comparator_trim: Regex,
    hyphen: Regex,
    tilde_trim: Regex,
    tilde: Regex,
    caret_trim: Regex,
    caret: Regex,
    xrange: Regex,
    star: Regex,
    gte0: Regex,
    gte0_pre: Regex,
    build: Regex,
    spaces: Regex,
}

fn res() -> &'static Res {
    static RES: OnceLock<Res> = OnceLock::new();
    RES.get_or_init(|| {
        let s = format!("[{WS}]");
        let num = "0|[1-9][0-9]*";
        let num_loose = "[0-9]+";
        let nonnum = "[0-9]*[a-zA-Z-][a-zA-Z0-9-]*";
        let main = format!(r"({num})\.({num})\.({num})");
        let main_loose = format!(r"({num_loose})\.({num_loose})\.({num_loose})");
        let preid = format!("(?:{nonnum}|{num})");
        let preid_loose = format!("(?:{nonnum}|{num_loose})");
        let prerelease = format!(r"(?:-({preid}(?:\.{preid})*))");
        let prerelease_loose = format!(r"(?:-?({preid_loose}(?:\.{preid_loose})*))");
        let build = r"(?:\+([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*))".to_string();
        let fullplain = format!("v?{main}{prerelease}?{build}?");
        let looseplain = format!("[v={WS}]*{main_loose}{prerelease_loose}?{build}?");
        let gtlt = "((?:<|>)?=?)";
        let xid = format!(r"{num}|x|X|\*");
        let xplain =
            format!(r"[v={WS}]*({xid})(?:\.({xid})(?:\.({xid})(?:{prerelease})?{build}?)?)?");
        let re = |p: String| Regex::new(&p).unwrap_or_else(|e| unreachable!("{e}"));
        Res {
            full: re(format!("^{fullplain}$")),
            comparator: re(format!("^{gtlt}{s}?({fullplain})$|^$")),
            comparator_trim: re(format!("({s}?){gtlt}{s}?({looseplain}|{xplain})")),
            hyphen: re(format!("^{s}?({xplain}){s}-{s}({xplain}){s}?$")),
            tilde_trim: re(format!("({s}?)(?:~>?){s}")),
            tilde: re(format!("^(?:~>?){xplain}$")),
            caret_trim: re(format!(r"({s}?)(?:\^){s}")),
            caret: re(format!(r"^(?:\^){xplain}$")),
            xrange: re(format!("^{gtlt}{s}?{xplain}$")),
            star: re(format!(r"(<|>)?=?{s}?\*")),
            gte0: re(format!(r"^{s}?>={s}?0\.0\.0{s}?$")),
            gte0_pre: re(format!(r"^{s}?>={s}?0\.0\.0-0{s}?$")),
            build: re(build),
            spaces: re(format!("{s}+")),
        }
    })
}

/// A pre-release identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ident {
    /// Digits only: compared numerically, before any alphanumeric identifier.
    Num(String),
    /// Anything else: compared as text.
    Alpha(String),
}

impl Ident {
    fn new(s: &str) -> Ident {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            Ident::Num(s.to_string())
        } else {
            Ident::Alpha(s.to_string())
        }
    }
    fn as_str(&self) -> &str {
        match self {
            Ident::Num(s) | Ident::Alpha(s) => s,
        }
    }
}

impl Ord for Ident {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => digits::cmp(a, b),
            (Ident::Num(_), Ident::Alpha(_)) => Ordering::Less,
            (Ident::Alpha(_), Ident::Num(_)) => Ordering::Greater,
            // JavaScript compares UTF-16 code units; identifiers are ASCII, where that is bytes
            (Ident::Alpha(a), Ident::Alpha(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A strict semver version as npm parses it.
#[derive(Debug, Clone)]
pub struct NpmVersion {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
    /// Pre-release identifiers.
    pub pre: Vec<Ident>,
    /// Build metadata (ignored by ordering).
    pub build: Vec<String>,
}

impl NpmVersion {
    /// Parses like `new SemVer(v)`: trimmed, at most 256 characters, optional `v`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::version(Scheme::Npm, input, why);
        if input.chars().map(char::len_utf16).sum::<usize>() > MAX_LENGTH {
            return Err(bad("version is longer than 256 characters"));
        }
        let c = res()
            .full
            .captures(js_trim(input))
            .ok_or_else(|| bad("not a valid semver version"))?;
        let part = |i: usize| -> Result<u64, VersionError> {
            let s = c.get(i).map_or("", |m| m.as_str());
            match s.parse::<u64>() {
                Ok(n) if n <= MAX_SAFE_INTEGER => Ok(n),
                _ => Err(bad("version number above 2^53-1")),
            }
        };
        Ok(NpmVersion {
            major: part(1)?,
            minor: part(2)?,
            patch: part(3)?,
            pre: c
                .get(4)
                .map(|m| m.as_str().split('.').map(Ident::new).collect())
                .unwrap_or_default(),
            build: c
                .get(5)
                .map(|m| m.as_str().split('.').map(str::to_string).collect())
                .unwrap_or_default(),
        })
    }

    /// `major.minor.patch[-pre]`, as `SemVer.version`.
    pub fn text(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(
                &self
                    .pre
                    .iter()
                    .map(Ident::as_str)
                    .collect::<Vec<_>>()
                    .join("."),
            );
        }
        s
    }
}

impl Ord for NpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

eq_and_partial_ord_from_ord!(NpmVersion);

/// Compares two versions as `semver.compare` does (build metadata ignored).
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(NpmVersion::parse(a)?.cmp(&NpmVersion::parse(b)?))
}

// ---- ranges -----------------------------------------------------------------------------

/// A comparator's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=` or none.
    Eq,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

/// One comparator; `None` version means "any".
#[derive(Debug, Clone)]
struct Comparator {
    op: CmpOp,
    version: Option<NpmVersion>,
    value: String,
}

impl Comparator {
    fn parse(comp: &str, whole: &str) -> Result<Comparator, VersionError> {
        let comp = split_ws(js_trim(comp)).join(" ");
        let c = res().comparator.captures(&comp).ok_or_else(|| {
            VersionError::constraint(Scheme::Npm, whole, format!("invalid comparator '{comp}'"))
        })?;
        let op = match c.get(1).map_or("", |m| m.as_str()) {
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => CmpOp::Eq,
        };
        let op_text = match op {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "",
        };
        match c.get(2).map(|m| m.as_str()).filter(|s| !s.is_empty()) {
            None => Ok(Comparator {
                op,
                version: None,
                value: String::new(),
            }),
            Some(v) => {
                let version = NpmVersion::parse(v).map_err(|e| {
                    VersionError::constraint(Scheme::Npm, whole, format!("'{v}': {}", e.reason))
                })?;
                let value = format!("{op_text}{}", version.text());
                Ok(Comparator {
                    op,
                    version: Some(version),
                    value,
                })
            }
        }
    }

    fn test(&self, v: &NpmVersion) -> bool {
        let Some(bound) = &self.version else {
            return true;
        };
        let o = v.cmp(bound);
        match self.op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Gt => o == Ordering::Greater,
        }
    }
}

/// JavaScript `s.split(/\s+/)`.
fn split_ws(s: &str) -> Vec<&str> {
    res().spaces.split(s).collect()
}

fn is_x(id: Option<&str>) -> bool {
    match id {
        None | Some("") => true,
        Some(s) => s.eq_ignore_ascii_case("x") || s == "*",
    }
}

fn g<'h>(c: &'h Captures<'_>, i: usize) -> Option<&'h str> {
    c.get(i).map(|m| m.as_str())
}

fn s(c: &Captures<'_>, i: usize) -> String {
    g(c, i).unwrap_or("").to_string()
}

fn plus1(n: &str) -> String {
    digits::succ(n)
}

fn hyphen_replace(c: &Captures<'_>, inc: bool) -> String {
    let z = if inc { "-0" } else { "" };
    let (from_all, fmaj, fmin, fpat, fpr) = (s(c, 1), g(c, 2), g(c, 3), g(c, 4), g(c, 5));
    let (to_all, tmaj, tmin, tpat, tpr) = (s(c, 7), g(c, 8), g(c, 9), g(c, 10), g(c, 11));
    let from = if is_x(fmaj) {
        String::new()
    } else if is_x(fmin) {
        format!(">={}.0.0{z}", fmaj.unwrap_or(""))
    } else if is_x(fpat) {
        format!(">={}.{}.0{z}", fmaj.unwrap_or(""), fmin.unwrap_or(""))
    } else if fpr.is_some_and(|p| !p.is_empty()) {
        format!(">={from_all}")
    } else {
        format!(">={from_all}{z}")
    };
    let (tm, tn, tp) = (tmaj.unwrap_or(""), tmin.unwrap_or(""), tpat.unwrap_or(""));
    let to = if is_x(tmaj) {
        String::new()
    } else if is_x(tmin) {
        format!("<{}.0.0-0", plus1(tm))
    } else if is_x(tpat) {
        format!("<{tm}.{}.0-0", plus1(tn))
    } else if let Some(pr) = tpr.filter(|p| !p.is_empty()) {
        format!("<={tm}.{tn}.{tp}-{pr}")
    } else if inc {
        format!("<{tm}.{tn}.{}-0", plus1(tp))
    } else {
        format!("<={to_all}")
    };
    js_trim(&format!("{from} {to}")).to_string()
}

fn replace_tilde(comp: &str, inc: bool) -> String {
    let z = if inc { "-0" } else { "" };
    res()
        .tilde
        .replace(comp, |c: &Captures<'_>| {
            let (mj, mn, pt, pr) = (g(c, 1), g(c, 2), g(c, 3), g(c, 4));
            let (a, b, p) = (mj.unwrap_or(""), mn.unwrap_or(""), pt.unwrap_or(""));
            if is_x(mj) {
                String::new()
            } else if is_x(mn) {
                format!(">={a}.0.0{z} <{}.0.0-0", plus1(a))
            } else if is_x(pt) {
                format!(">={a}.{b}.0{z} <{a}.{}.0-0", plus1(b))
            } else if let Some(pr) = pr.filter(|p| !p.is_empty()) {
                format!(">={a}.{b}.{p}-{pr} <{a}.{}.0-0", plus1(b))
            } else {
                format!(">={a}.{b}.{p} <{a}.{}.0-0", plus1(b))
            }
        })
        .into_owned()
}

fn replace_caret(comp: &str, inc: bool) -> String {
    let z = if inc { "-0" } else { "" };
    res()
        .caret
        .replace(comp, |c: &Captures<'_>| {
            let (mj, mn, pt, pr) = (g(c, 1), g(c, 2), g(c, 3), g(c, 4).filter(|p| !p.is_empty()));
            let (a, b, p) = (mj.unwrap_or(""), mn.unwrap_or(""), pt.unwrap_or(""));
            if is_x(mj) {
                String::new()
            } else if is_x(mn) {
                format!(">={a}.0.0{z} <{}.0.0-0", plus1(a))
            } else if is_x(pt) {
                if a == "0" {
                    format!(">={a}.{b}.0{z} <{a}.{}.0-0", plus1(b))
                } else {
                    format!(">={a}.{b}.0{z} <{}.0.0-0", plus1(a))
                }
            } else {
                // node-semver adds `-0` to a plain lower bound only below 1.0.0
                let lower = match pr {
                    Some(pr) => format!(">={a}.{b}.{p}-{pr}"),
                    None if a == "0" => format!(">={a}.{b}.{p}{z}"),
                    None => format!(">={a}.{b}.{p}"),
                };
                let upper = if a == "0" {
                    if b == "0" {
                        format!("<{a}.{b}.{}-0", plus1(p))
                    } else {
                        format!("<{a}.{}.0-0", plus1(b))
                    }
                } else {
                    format!("<{}.0.0-0", plus1(a))
                };
                format!("{lower} {upper}")
            }
        })
        .into_owned()
}

fn replace_xrange(comp: &str, inc: bool) -> String {
    let comp = js_trim(comp);
    res()
        .xrange
        .replace(comp, |c: &Captures<'_>| {
            let whole = s(c, 0);
            let (mut gtlt, mj, mn, pt) = (s(c, 1), g(c, 2), g(c, 3), g(c, 4));
            // node-semver leaves out-of-order wildcards (`x.1`, `1.x.2`) for the comparator to reject
            if (is_x(mj) && !is_x(mn))
                || (is_x(mn) && pt.is_some_and(|p| !p.is_empty()) && !is_x(pt))
            {
                return comp.to_string();
            }
            let xm_major = is_x(mj);
            let xm = xm_major || is_x(mn);
            let xp = xm || is_x(pt);
            if gtlt == "=" && xp {
                gtlt.clear();
            }
            let mut pr = if inc { "-0" } else { "" };
            let (mut a, mut b) = (mj.unwrap_or("").to_string(), mn.unwrap_or("").to_string());
            if xm_major {
                if gtlt == ">" || gtlt == "<" {
                    "<0.0.0-0".to_string()
                } else {
                    "*".to_string()
                }
            } else if !gtlt.is_empty() && xp {
                if xm {
                    b = "0".into();
                }
                let p = "0";
                if gtlt == ">" {
                    gtlt = ">=".into();
                    if xm {
                        a = plus1(&a);
                        b = "0".into();
                    } else {
                        b = plus1(&b);
                    }
                } else if gtlt == "<=" {
                    gtlt = "<".into();
                    if xm {
                        a = plus1(&a);
                    } else {
                        b = plus1(&b);
                    }
                }
                if gtlt == "<" {
                    pr = "-0";
                }
                format!("{gtlt}{a}.{b}.{p}{pr}")
            } else if xm {
                format!(">={a}.0.0{pr} <{}.0.0-0", plus1(&a))
            } else if xp {
                format!(">={a}.{b}.0{pr} <{a}.{}.0-0", plus1(&b))
            } else {
                whole
            }
        })
        .into_owned()
}

fn parse_comparator(comp: &str, inc: bool) -> String {
    let comp = res().build.replace(comp, "");
    let comp = split_ws(js_trim(&comp))
        .into_iter()
        .map(|c| replace_caret(c, inc))
        .collect::<Vec<_>>()
        .join(" ");
    let comp = split_ws(js_trim(&comp))
        .into_iter()
        .map(|c| replace_tilde(c, inc))
        .collect::<Vec<_>>()
        .join(" ");
    let comp = split_ws(&comp)
        .into_iter()
        .map(|c| replace_xrange(c, inc))
        .collect::<Vec<_>>()
        .join(" ");
    res().star.replace(js_trim(&comp), "").into_owned()
}

fn parse_range(range: &str, whole: &str, inc: bool) -> Result<Vec<Comparator>, VersionError> {
    let r = res();
    let range = r.build.replace_all(range, "");
    let range = r
        .hyphen
        .replace(&range, |c: &Captures<'_>| hyphen_replace(c, inc));
    let range = r.comparator_trim.replace_all(&range, "${1}${2}${3}");
    let range = r.tilde_trim.replace_all(&range, "${1}~");
    let range = r.caret_trim.replace_all(&range, "${1}^");
    let joined = range
        .split(' ')
        .map(|c| parse_comparator(c, inc))
        .collect::<Vec<_>>()
        .join(" ");
    let list: Vec<String> = split_ws(&joined)
        .into_iter()
        .map(|c| {
            let gte0 = if inc { &r.gte0_pre } else { &r.gte0 };
            gte0.replace(js_trim(c), "").into_owned()
        })
        .collect();
    // every comparator is built (and may fail) before the null-set shortcut, as in node-semver
    let comps = list
        .iter()
        .map(|t| Comparator::parse(t, whole))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out: Vec<Comparator> = Vec::new();
    for comp in comps {
        if comp.value == "<0.0.0-0" {
            return Ok(vec![comp]);
        }
        // a Map keyed by value: a repeat replaces in place
        match out.iter_mut().find(|c| c.value == comp.value) {
            Some(slot) => *slot = comp,
            None => out.push(comp),
        }
    }
    if out.len() > 1 {
        out.retain(|c| !c.value.is_empty());
    }
    Ok(out)
}

/// A parsed npm range: a union of comparator sets.
#[derive(Debug, Clone)]
pub struct NpmRange {
    set: Vec<Vec<Comparator>>,
    include_prerelease: bool,
}

impl NpmRange {
    /// Parses like `new Range(text)`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        Self::parse_with(text, false)
    }

    /// Parses like `new Range(text, { includePrerelease })`: with it set, wildcard and
    /// tilde/caret lower bounds start at `-0` and pre-releases are judged by the bounds alone.
    pub fn parse_with(text: &str, include_prerelease: bool) -> Result<Self, VersionError> {
        let raw = r_collapse(text);
        let set = raw
            .split("||")
            .map(|part| parse_range(js_trim(part), text, include_prerelease))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>();
        if set.is_empty() {
            return Err(VersionError::constraint(
                Scheme::Npm,
                text,
                "invalid semver range",
            ));
        }
        Ok(NpmRange {
            set,
            include_prerelease,
        })
    }

    /// `range.test(version)`, with the pre-release rule of the options it was parsed with.
    pub fn test(&self, v: &NpmVersion) -> bool {
        self.set.iter().any(|set| {
            if !set.iter().all(|c| c.test(v)) {
                return false;
            }
            if v.pre.is_empty() || self.include_prerelease {
                return true;
            }
            set.iter().any(|c| {
                c.version.as_ref().is_some_and(|a| {
                    !a.pre.is_empty()
                        && a.major == v.major
                        && a.minor == v.minor
                        && a.patch == v.patch
                })
            })
        })
    }

    /// The comparator sets: a version that is not a pre-release satisfies the range when
    /// every comparator of one set holds; a `None` bound holds for every version. A
    /// pre-release must also meet the rule of [`NpmRange::test`] (unless the range was parsed
    /// with `include_prerelease`). For precomputing which of a known list of versions a range
    /// accepts.
    pub fn comparator_sets(&self) -> Vec<Vec<(CmpOp, Option<&NpmVersion>)>> {
        self.set
            .iter()
            .map(|cs| cs.iter().map(|c| (c.op, c.version.as_ref())).collect())
            .collect()
    }

    /// The comparator sets in npm's normalized text (`>=1.2.3 <2.0.0-0||...`).
    pub fn normalized(&self) -> String {
        self.set
            .iter()
            .map(|cs| {
                cs.iter()
                    .map(|c| c.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("||")
    }
}

fn r_collapse(text: &str) -> String {
    res().spaces.replace_all(js_trim(text), " ").into_owned()
}

/// Whether `version` satisfies the npm range `constraint`, as `semver.satisfies` does.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    let range = NpmRange::parse(constraint)?;
    Ok(range.test(&NpmVersion::parse(version)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(r: &str) -> String {
        NpmRange::parse(r)
            .map(|r| r.normalized())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn expansions_match_node_semver() {
        // expected strings are node-semver 7's `new Range(r).range`
        assert_eq!(norm("1.2.3 - 2.3.4"), ">=1.2.3 <=2.3.4");
        assert_eq!(norm("1.2 - 2.3.4"), ">=1.2.0 <=2.3.4");
        assert_eq!(norm("1.2.3 - 2.3"), ">=1.2.3 <2.4.0-0");
        assert_eq!(norm("1.2.3 - 2"), ">=1.2.3 <3.0.0-0");
        assert_eq!(norm("~1.2.3"), ">=1.2.3 <1.3.0-0");
        assert_eq!(norm("~1"), ">=1.0.0 <2.0.0-0");
        assert_eq!(norm("~0.2"), ">=0.2.0 <0.3.0-0");
        assert_eq!(norm("^1.2.3"), ">=1.2.3 <2.0.0-0");
        assert_eq!(norm("^0.2.3"), ">=0.2.3 <0.3.0-0");
        assert_eq!(norm("^0.0.3"), ">=0.0.3 <0.0.4-0");
        assert_eq!(norm("^1.2.3-beta.2"), ">=1.2.3-beta.2 <2.0.0-0");
        assert_eq!(norm("^0.0"), "<0.1.0-0");
        assert_eq!(norm(">1.2"), ">=1.3.0");
        assert_eq!(norm("<=1.2"), "<1.3.0-0");
        assert_eq!(norm("1.2.x"), ">=1.2.0 <1.3.0-0");
        assert_eq!(norm("*"), "");
        assert_eq!(norm(">= 1.0.0 < 2"), ">=1.0.0 <2.0.0-0");
        assert_eq!(
            norm("1.x || >=2.5.0 || 5.0.0 - 7.2.3"),
            ">=1.0.0 <2.0.0-0||>=2.5.0||>=5.0.0 <=7.2.3"
        );
        assert!(norm(">=x.1").starts_with("ERR"));
        assert!(norm("blerg").starts_with("ERR"));
    }

    #[test]
    fn prerelease_rule() {
        assert_eq!(satisfies("1.2.3-alpha.7", ">1.2.3-alpha.3"), Ok(true));
        assert_eq!(satisfies("3.4.5-alpha.9", ">1.2.3-alpha.3"), Ok(false));
        assert_eq!(satisfies("1.2.4-beta", "^1.2.3"), Ok(false));
        assert_eq!(satisfies("1.0.0", "1.0.0+build"), Ok(true));
        assert!(satisfies("1.0", ">=1.0.0").is_err());
    }

    #[test]
    fn comparator_sets_answer_as_test_for_releases() {
        let ranges = [
            "1.x || >=2.5.0 || 5.0.0 - 7.2.3",
            "^0.0.3",
            "<=1.2",
            ">1.2",
            "*",
            "~1.2.3-beta.2",
            "=1.2.3",
            "<1.0.0-0",
        ];
        let versions = [
            "0.0.0",
            "0.0.3",
            "0.0.4",
            "1.0.0",
            "1.2.0",
            "1.2.3",
            "1.2.9",
            "1.3.0",
            "2.0.0",
            "2.4.9",
            "2.5.0",
            "7.2.3",
            "7.2.4",
            "1.2.3-beta.3",
        ];
        for r in ranges {
            let range = NpmRange::parse(r).expect("range parses");
            for v in versions {
                let v = NpmVersion::parse(v).expect("version parses");
                let by_sets = range.comparator_sets().iter().any(|set| {
                    set.iter().all(|(op, b)| {
                        b.is_none_or(|b| {
                            let o = v.cmp(b);
                            match op {
                                CmpOp::Lt => o.is_lt(),
                                CmpOp::Le => o.is_le(),
                                CmpOp::Eq => o.is_eq(),
                                CmpOp::Ge => o.is_ge(),
                                CmpOp::Gt => o.is_gt(),
                            }
                        })
                    })
                });
                // Pre-releases meet one more rule, which the sets do not carry.
                if v.pre.is_empty() {
                    assert_eq!(by_sets, range.test(&v), "{} in {r}", v.text());
                } else if range.test(&v) {
                    assert!(by_sets, "{} in {r}", v.text());
                }
            }
        }
    }
}
