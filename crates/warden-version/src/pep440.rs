//! Python versions and specifiers (PEP 440), ported from `packaging` 23 (`version.py`,
//! `specifiers.py`), the library pip vendors.
//!
//! Ported rather than taken from `pep440_rs`: `packaging`'s `SpecifierSet.contains` rules
//! (pre-releases excluded unless a specifier names one, `<V` refusing `V`'s own pre-releases,
//! `>V` refusing `V`'s post-releases and local versions, `===` comparing the normalized string)
//! are what pip does, and they are not all `pep440_rs`'s; numbers are unbounded as in Python.

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use crate::{digits, Scheme, VersionError};

const VERSION_BODY: &str = r"v?(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)(?P<pre>[-_\.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?P<pre_n>[0-9]+)?)?(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?(?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?(?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?";

fn version_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(r"(?i)^\s*{VERSION_BODY}\s*$")).unwrap_or_else(|_| unreachable!())
    })
}

/// A local version label part: numbers sort after letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalPart {
    /// A numeric part (canonical digits).
    Num(String),
    /// An alphanumeric part, lowercased.
    Str(String),
}

impl Ord for LocalPart {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (LocalPart::Num(a), LocalPart::Num(b)) => digits::cmp(a, b),
            (LocalPart::Num(_), LocalPart::Str(_)) => Ordering::Greater,
            (LocalPart::Str(_), LocalPart::Num(_)) => Ordering::Less,
            (LocalPart::Str(a), LocalPart::Str(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for LocalPart {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed PEP 440 version; numbers are canonical digit strings of any length. Equality is
/// packaging's: `1.0 == 1.0.0`.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    /// Epoch (`N!`), `"0"` when absent.
    pub epoch: String,
    /// Release numbers.
    pub release: Vec<String>,
    /// Pre-release: normalized letter (`a`, `b`, `rc`) and number.
    pub pre: Option<(&'static str, String)>,
    /// Post-release number.
    pub post: Option<String>,
    /// Dev-release number.
    pub dev: Option<String>,
    /// Local version label parts.
    pub local: Option<Vec<LocalPart>>,
}

fn num(s: Option<regex::Match<'_>>) -> String {
    digits::canonical(s.map_or("0", |m| m.as_str())).to_string()
}

impl Pep440Version {
    /// Parses like `packaging.version.Version`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        // fast path for the common `1.2.3`: the full regex costs microseconds per call
        if !input.is_empty()
            && input.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && input.split('.').all(|p| !p.is_empty())
        {
            return Ok(Pep440Version {
                epoch: "0".into(),
                release: input
                    .split('.')
                    .map(|p| digits::canonical(p).to_string())
                    .collect(),
                pre: None,
                post: None,
                dev: None,
                local: None,
            });
        }
        let c = version_re().captures(input).ok_or_else(|| {
            VersionError::version(Scheme::Pep440, input, "not a valid PEP 440 version")
        })?;
        let release = c
            .name("release")
            .map(|m| {
                m.as_str()
                    .split('.')
                    .map(|p| digits::canonical(p).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let pre = c.name("pre_l").map(|l| {
            let letter = match l.as_str().to_ascii_lowercase().as_str() {
                "a" | "alpha" => "a",
                "b" | "beta" => "b",
                _ => "rc",
            };
            (letter, num(c.name("pre_n")))
        });
        let post = if c.name("post").is_some() {
            Some(num(c.name("post_n1").or(c.name("post_n2"))))
        } else {
            None
        };
        let dev = c.name("dev").map(|_| num(c.name("dev_n")));
        let local = c.name("local").map(|l| {
            l.as_str()
                .split(['-', '_', '.'])
                .map(|p| {
                    if p.bytes().all(|b| b.is_ascii_digit()) {
                        LocalPart::Num(digits::canonical(p).to_string())
                    } else {
                        LocalPart::Str(p.to_ascii_lowercase())
                    }
                })
                .collect()
        });
        Ok(Pep440Version {
            epoch: num(c.name("epoch")),
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// Whether this is a pre-release or dev release.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// Whether this is a post-release.
    pub fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }

    /// The version without its local label.
    pub fn public(&self) -> Self {
        Pep440Version {
            local: None,
            ..self.clone()
        }
    }

    /// Epoch and release only.
    pub fn base(&self) -> Self {
        Pep440Version {
            pre: None,
            post: None,
            dev: None,
            local: None,
            ..self.clone()
        }
    }

    /// The normalized text, as `str(Version)`.
    pub fn normalized(&self) -> String {
        let mut s = String::new();
        if self.epoch != "0" {
            s.push_str(&self.epoch);
            s.push('!');
        }
        s.push_str(&self.release.join("."));
        if let Some((l, n)) = &self.pre {
            s.push_str(l);
            s.push_str(n);
        }
        if let Some(p) = &self.post {
            s.push_str(".post");
            s.push_str(p);
        }
        if let Some(d) = &self.dev {
            s.push_str(".dev");
            s.push_str(d);
        }
        if let Some(local) = &self.local {
            s.push('+');
            let parts: Vec<&str> = local
                .iter()
                .map(|p| match p {
                    LocalPart::Num(n) | LocalPart::Str(n) => n.as_str(),
                })
                .collect();
            s.push_str(&parts.join("."));
        }
        s
    }

    /// `canonicalize_version`: like [`Self::normalized`] without the local label, trailing
    /// `.0` release parts optionally stripped.
    fn canonical(&self, strip_trailing_zero: bool) -> String {
        let mut v = self.public();
        if strip_trailing_zero {
            while v.release.len() > 1 && v.release.last().is_some_and(|r| r == "0") {
                v.release.pop();
            }
        }
        v.normalized()
    }
}

/// Three-valued bounds used by packaging's sort key.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    NegInf,
    Val(T),
    Inf,
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        fn trimmed(r: &[String]) -> &[String] {
            let mut n = r.len();
            while n > 0 && r[n - 1] == "0" {
                n -= 1;
            }
            &r[..n]
        }
        fn release_cmp(a: &[String], b: &[String]) -> Ordering {
            for (x, y) in a.iter().zip(b) {
                match digits::cmp(x, y) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            a.len().cmp(&b.len())
        }
        fn pre_key(v: &Pep440Version) -> Bound<(&'static str, &str)> {
            match (&v.pre, &v.post, &v.dev) {
                (None, None, Some(_)) => Bound::NegInf,
                (None, _, _) => Bound::Inf,
                (Some((l, n)), _, _) => Bound::Val((l, n.as_str())),
            }
        }
        let pre_cmp = |a: Bound<(&str, &str)>, b: Bound<(&str, &str)>| match (a, b) {
            (Bound::Val((la, na)), Bound::Val((lb, nb))) => {
                la.cmp(lb).then_with(|| digits::cmp(na, nb))
            }
            (a, b) => a.cmp(&b),
        };
        let opt_cmp = |a: &Option<String>, b: &Option<String>, none: Ordering| match (a, b) {
            (Some(x), Some(y)) => digits::cmp(x, y),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => none,
            (Some(_), None) => none.reverse(),
        };
        digits::cmp(&self.epoch, &other.epoch)
            .then_with(|| release_cmp(trimmed(&self.release), trimmed(&other.release)))
            .then_with(|| pre_cmp(pre_key(self), pre_key(other)))
            .then_with(|| opt_cmp(&self.post, &other.post, Ordering::Less))
            .then_with(|| opt_cmp(&self.dev, &other.dev, Ordering::Greater))
            .then_with(|| match (&self.local, &other.local) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

eq_and_partial_ord_from_ord!(Pep440Version);

/// Compares two PEP 440 versions as `packaging.version.Version` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Pep440Version::parse(a)?.cmp(&Pep440Version::parse(b)?))
}

// ---- specifiers -------------------------------------------------------------------------

const PRE: &str = r"(?:[-_\.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?";
const POST: &str = r"(?:(?:-[0-9]+)|(?:[-_\.]?(?:post|rev|r)[-_\.]?[0-9]*))?";
const DEV: &str = r"(?:[-_\.]?dev[-_\.]?[0-9]*)?";
const LOCAL: &str = r"(?:\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*)?";

/// The version syntax each operator allows, as packaging's lookbehind alternatives do.
fn spec_version_re(op: SpecOp) -> &'static Regex {
    static EQ: OnceLock<Regex> = OnceLock::new();
    static COMPAT: OnceLock<Regex> = OnceLock::new();
    static OTHER: OnceLock<Regex> = OnceLock::new();
    static ARBITRARY: OnceLock<Regex> = OnceLock::new();
    let build =
        |body: String| Regex::new(&format!(r"(?i)^{body}$")).unwrap_or_else(|_| unreachable!());
    match op {
        SpecOp::Arbitrary => ARBITRARY.get_or_init(|| build(r"[^\s;)]*".into())),
        SpecOp::Equal | SpecOp::NotEqual => EQ.get_or_init(|| {
            build(format!(
                r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|{PRE}{POST}{DEV}{LOCAL})?"
            ))
        }),
        SpecOp::Compatible => COMPAT.get_or_init(|| {
            build(format!(
                r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+{PRE}{POST}{DEV}"
            ))
        }),
        _ => OTHER.get_or_init(|| {
            build(format!(
                r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*{PRE}{POST}{DEV}"
            ))
        }),
    }
}

/// A specifier operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecOp {
    /// `~=`
    Compatible,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<=`
    LessEqual,
    /// `>=`
    GreaterEqual,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `===`
    Arbitrary,
}

/// Operator spellings, longest first.
const SPEC_OPS: [(&str, SpecOp); 8] = [
    ("===", SpecOp::Arbitrary),
    ("~=", SpecOp::Compatible),
    ("==", SpecOp::Equal),
    ("!=", SpecOp::NotEqual),
    ("<=", SpecOp::LessEqual),
    (">=", SpecOp::GreaterEqual),
    ("<", SpecOp::Less),
    (">", SpecOp::Greater),
];

/// One specifier such as `>=1.0` or `==1.4.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specifier {
    /// The operator.
    pub op: SpecOp,
    /// The version text as written (trimmed).
    pub version: String,
}

fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

impl Specifier {
    /// Parses one specifier as `packaging.specifiers.Specifier`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::constraint(Scheme::Pep440, text, why);
        let t = text.trim_matches(is_python_space);
        let (op, rest) = SPEC_OPS
            .iter()
            .find_map(|(s, op)| t.strip_prefix(s).map(|r| (*op, r)))
            .ok_or_else(|| bad("no operator (~=, ==, !=, <=, >=, <, >, ===)"))?;
        let version = rest.trim_start_matches(is_python_space);
        if !spec_version_re(op).is_match(version) {
            return Err(bad("version not allowed with this operator"));
        }
        Ok(Specifier {
            op,
            version: version.to_string(),
        })
    }

    fn spec_version(&self) -> Result<Pep440Version, VersionError> {
        Pep440Version::parse(&self.version)
            .map_err(|e| VersionError::constraint(Scheme::Pep440, &self.version, e.reason))
    }

    /// Whether this specifier itself opts in to pre-releases. packaging raises for an `===`
    /// whose text is not a PEP 440 version; [`SpecifierSet::contains`] decides what that means.
    fn prereleases(&self) -> Result<bool, VersionError> {
        if matches!(
            self.op,
            SpecOp::Equal
                | SpecOp::GreaterEqual
                | SpecOp::LessEqual
                | SpecOp::Compatible
                | SpecOp::Arbitrary
        ) {
            let v = if self.op == SpecOp::Equal {
                self.version.strip_suffix(".*").unwrap_or(&self.version)
            } else {
                &self.version
            };
            let parsed = Pep440Version::parse(v)
                .map_err(|e| VersionError::constraint(Scheme::Pep440, v, e.reason))?;
            return Ok(parsed.is_prerelease());
        }
        Ok(false)
    }

    fn compare_equal(&self, prospective: &Pep440Version, spec: &str) -> Result<bool, VersionError> {
        if let Some(prefix) = spec.strip_suffix(".*") {
            let normalized_prospective = prospective.canonical(true);
            let normalized_spec = match Pep440Version::parse(prefix) {
                Ok(v) => v.canonical(false),
                Err(_) => prefix.to_string(),
            };
            let split_spec = version_split(&normalized_spec);
            let split_prospective = version_split(&normalized_prospective);
            let padded = pad_version(&split_prospective, &split_spec);
            let shortened: Vec<&String> = padded.iter().take(split_spec.len()).collect();
            Ok(shortened.len() == split_spec.len()
                && shortened.iter().zip(&split_spec).all(|(a, b)| *a == b))
        } else {
            let spec_v = Pep440Version::parse(spec)
                .map_err(|e| VersionError::constraint(Scheme::Pep440, spec, e.reason))?;
            let p = if spec_v.local.is_none() {
                prospective.public()
            } else {
                prospective.clone()
            };
            Ok(p == spec_v)
        }
    }

    fn operator_holds(&self, p: &Pep440Version) -> Result<bool, VersionError> {
        Ok(match self.op {
            SpecOp::Compatible => {
                let split = version_split(&self.version);
                let kept: Vec<String> =
                    split.into_iter().take_while(|s| is_not_suffix(s)).collect();
                let prefix = format!("{}.*", kept[..kept.len().saturating_sub(1)].join("."));
                p.public() >= self.spec_version()? && self.compare_equal(p, &prefix)?
            }
            SpecOp::Equal => self.compare_equal(p, &self.version)?,
            SpecOp::NotEqual => !self.compare_equal(p, &self.version)?,
            SpecOp::LessEqual => p.public() <= self.spec_version()?,
            SpecOp::GreaterEqual => p.public() >= self.spec_version()?,
            SpecOp::Less => {
                let spec = self.spec_version()?;
                p < &spec
                    && !(!spec.is_prerelease() && p.is_prerelease() && p.base() == spec.base())
            }
            SpecOp::Greater => {
                let spec = self.spec_version()?;
                p > &spec
                    && !(!spec.is_postrelease() && p.is_postrelease() && p.base() == spec.base())
                    && !(p.local.is_some() && p.base() == spec.base())
            }
            SpecOp::Arbitrary => p.normalized().to_lowercase() == self.version.to_lowercase(),
        })
    }
}

fn version_split(version: &str) -> Vec<String> {
    static PREFIX: OnceLock<Regex> = OnceLock::new();
    let re = PREFIX.get_or_init(|| {
        Regex::new(r"^([0-9]+)((?:a|b|c|rc)[0-9]+)$").unwrap_or_else(|_| unreachable!())
    });
    let mut out = Vec::new();
    for item in version.split('.') {
        match re.captures(item) {
            Some(c) => {
                out.push(c[1].to_string());
                out.push(c[2].to_string());
            }
            None => out.push(item.to_string()),
        }
    }
    out
}

fn is_not_suffix(segment: &str) -> bool {
    !["dev", "a", "b", "rc", "post"]
        .iter()
        .any(|p| segment.starts_with(p))
}

fn is_py_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// `_pad_version(left, right)[0]`: `left` with zeros inserted after its release numbers.
fn pad_version(left: &[String], right: &[String]) -> Vec<String> {
    let l_num = left.iter().take_while(|x| is_py_digits(x)).count();
    let r_num = right.iter().take_while(|x| is_py_digits(x)).count();
    let mut out: Vec<String> = left[..l_num].to_vec();
    out.extend(std::iter::repeat_n(
        "0".to_string(),
        r_num.saturating_sub(l_num),
    ));
    out.extend_from_slice(&left[l_num..]);
    out
}

/// A comma-separated specifier set such as `>=1.0,!=1.3.*,<2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecifierSet {
    /// The specifiers, all of which must hold.
    pub specs: Vec<Specifier>,
}

impl SpecifierSet {
    /// Parses like `packaging.specifiers.SpecifierSet` (empty parts are skipped).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let specs = text
            .split(',')
            .map(|s| s.trim_matches(is_python_space))
            .filter(|s| !s.is_empty())
            .map(|s| {
                Specifier::parse(s)
                    .map_err(|e| VersionError::constraint(Scheme::Pep440, text, e.reason))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SpecifierSet { specs })
    }

    /// `SpecifierSet.contains(version)` with packaging's default pre-release handling.
    ///
    /// packaging asks each specifier in the order of a `frozenset`, which varies between runs,
    /// and raises when it reaches an `===` that is not a PEP 440 version. That is an error here
    /// only when no other specifier opts in to pre-releases (then packaging always raises);
    /// otherwise the set opts in, which is what packaging answers whenever it does not raise.
    pub fn contains(&self, version: &Pep440Version) -> Result<bool, VersionError> {
        let mut prereleases = false;
        let mut raised = None;
        for s in &self.specs {
            match s.prereleases() {
                Ok(true) => prereleases = true,
                Ok(false) => {}
                Err(e) => raised = raised.or(Some(e)),
            }
        }
        if let (Some(e), false) = (raised, prereleases) {
            return Err(e);
        }
        self.contains_with(version, prereleases)
    }

    /// `contains` with pre-releases explicitly allowed or refused.
    pub fn contains_with(
        &self,
        version: &Pep440Version,
        prereleases: bool,
    ) -> Result<bool, VersionError> {
        if !prereleases && version.is_prerelease() {
            return Ok(false);
        }
        for s in &self.specs {
            if !s.operator_holds(version)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Whether `version` is in the specifier set `constraint`, as pip decides.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    let set = SpecifierSet::parse(constraint)?;
    set.contains(&Pep440Version::parse(version)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep440_order() {
        let chain = [
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        crate::assert_ascending(compare, &chain);
        assert_eq!(compare("1.0", "1.0.0"), Ok(Ordering::Equal));
        assert_eq!(compare("1!0.1", "2.0"), Ok(Ordering::Greater));
        assert!(compare("1.0-beta", "1").is_ok());
        assert!(compare("french toast", "1").is_err());
    }

    #[test]
    fn specifiers() {
        let yes = |v, c| assert_eq!(satisfies(v, c), Ok(true), "{v} in {c}");
        let no = |v, c| assert_eq!(satisfies(v, c), Ok(false), "{v} not in {c}");
        yes("2.2.1", "~=2.2");
        no("3.0", "~=2.2");
        yes("1.4.5", "~=1.4.5");
        no("1.5.0", "~=1.4.5");
        yes("1.1.0", "==1.1.*");
        no("1.10", "==1.1.*");
        no("3.1.dev0", "<3.1");
        no("3.0.dev0", "<3.1");
        yes("3.0.dev0", "<3.1,>=3.0.dev0");
        no("3.1.post1", ">3.1");
        yes("3.2.post1", ">3.1");
        no("1.0+local", ">1.0");
        yes("1.0", "===1.0");
        no("1.0.0", "===1.0");
        yes("1.0+local", "==1.0");
        no("1.0", "==1.0+local");
        yes("1.5", "");
        no("1.5rc1", ">=1.0");
        yes("1.5rc1", ">=1.0rc1");
        assert!(satisfies("1.0", ">=1.0.*").is_err());
        assert!(satisfies("1.0", "~=1").is_err());
    }
}
