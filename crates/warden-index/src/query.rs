//! Package queries: `log4j-core<2.17`, `org.apache.logging.log4j:log4j-core>=2.0,<2.17`,
//! `pkg:maven/org.apache.logging.log4j/log4j-core@<2.17`, `django@3.2.12`, `lodash ^4.17.0`.
//!
//! A query is a package name, optionally qualified (Maven `group:artifact`, a purl's type and
//! namespace), and a version predicate. The predicate is either comparators (`<`, `<=`, `>`,
//! `>=`, `=`/`==`, `!=`), joined by `,` or spaces (all must hold) and by `||` (any group may
//! hold), compared with each package's own ecosystem ordering; or, when it is not comparators,
//! a constraint in the ecosystem's native syntax (npm `^1.2`, Maven `[2.0,2.17)`, RubyGems
//! `~> 1.2`...), which is parsed per ecosystem by `warden-version`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Mutex;

use warden_core::Ecosystem;
use warden_version::{compare, Constraint, Scheme, VersionError};

/// Why a query could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query '{query}': {reason}")]
pub struct QueryError {
    /// The query text.
    pub query: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=` or `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Eq => o == Ordering::Equal,
            Op::Ne => o != Ordering::Equal,
        }
    }
}

/// Which versions a query selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// Every version.
    Any,
    /// Any of the groups holds; a group holds when all of its comparators do.
    Comparators(Vec<Vec<(Op, String)>>),
    /// A constraint in the package's ecosystem's own syntax.
    Native(String),
}

/// A parsed package query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The text as given.
    pub text: String,
    /// Only this ecosystem (a purl's type), when given.
    pub ecosystem: Option<Ecosystem>,
    /// Maven group ID or purl namespace, when given.
    pub namespace: Option<String>,
    /// The package name (Maven: the artifact ID; npm: with its `@scope/`).
    pub name: String,
    /// The versions wanted.
    pub predicate: Predicate,
}

impl Query {
    /// Parses a query; see the module documentation for the syntax.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let err = |reason: &str| QueryError {
            query: text.to_string(),
            reason: reason.to_string(),
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(err(
                "empty query: give a package name, e.g. 'log4j-core<2.17'",
            ));
        }
        let (ecosystem, namespace, name, rest) = if let Some(p) = t.strip_prefix("pkg:") {
            parse_purl(p).map_err(|r| err(&r))?
        } else {
            let split = name_end(t);
            let (name, rest) = t.split_at(split);
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('@').unwrap_or(rest);
            let (namespace, name) = match name.rsplit_once(':') {
                Some((g, a)) => (Some(g.to_string()), a.to_string()),
                None => (None, name.to_string()),
            };
            (None, namespace, name, rest.trim().to_string())
        };
        if name.is_empty() {
            return Err(err("no package name before the version constraint"));
        }
        if namespace.as_deref() == Some("") {
            return Err(err("empty group before ':'"));
        }
        let predicate = parse_predicate(&rest).map_err(|r| err(&r))?;
        Ok(Query {
            text: t.to_string(),
            ecosystem,
            namespace,
            name,
            predicate,
        })
    }

    /// The index keys under which packages matching this query's name are filed.
    pub(crate) fn keys(&self) -> Vec<String> {
        let mut k = vec![self.name.to_lowercase(), pep503(&self.name)];
        if let Some(ns) = &self.namespace {
            // `pkg:npm/%40types/node` names the npm package `@types/node`; `pkg:golang/a/b`
            // the module `a/b`.
            k.push(format!("{ns}/{}", self.name).to_lowercase());
        }
        k.sort();
        k.dedup();
        k
    }

    /// Whether a package of `ecosystem` called `name` is one this query asks about.
    pub fn matches_name(&self, ecosystem: Ecosystem, name: &str) -> bool {
        if self.ecosystem.is_some_and(|e| e != ecosystem) {
            return false;
        }
        match ecosystem {
            Ecosystem::Maven => {
                let (group, artifact) = name.rsplit_once(':').unwrap_or(("", name));
                artifact.eq_ignore_ascii_case(&self.name)
                    && self
                        .namespace
                        .as_deref()
                        .is_none_or(|ns| ns.eq_ignore_ascii_case(group))
            }
            Ecosystem::Pypi => self.namespace.is_none() && pep503(name) == pep503(&self.name),
            _ => match &self.namespace {
                Some(ns) => {
                    name.eq_ignore_ascii_case(&format!("{ns}/{}", self.name))
                        // distro purls carry the vendor as namespace: pkg:deb/debian/openssl
                        || (ecosystem.is_os() && name.eq_ignore_ascii_case(&self.name))
                }
                None => name.eq_ignore_ascii_case(&self.name),
            },
        }
    }
}

/// Where the name ends and the version predicate starts.
fn name_end(t: &str) -> usize {
    if t.starts_with(|c: char| "<>=!~^[(".contains(c)) {
        return 0;
    }
    for (i, c) in t.char_indices() {
        // npm scopes start with '@'; elsewhere '@' separates the version as in a purl.
        if i > 0 && (c.is_whitespace() || "<>=!~^[(@".contains(c)) {
            return i;
        }
    }
    t.len()
}

/// `TYPE/[NAMESPACE/]NAME[@PREDICATE]`, percent-decoded; qualifiers and subpath are ignored.
fn parse_purl(p: &str) -> Result<(Option<Ecosystem>, Option<String>, String, String), String> {
    let (typ, rest) = p
        .split_once('/')
        .ok_or("a purl needs a type and a name: pkg:TYPE/NAME")?;
    let eco: Ecosystem = typ.parse().map_err(|e| format!("{e}"))?;
    let rest = rest.trim_start_matches('/');
    // The version separator is the first '@' that does not start a path segment (an npm scope
    // written unencoded, pkg:npm/@types/node).
    let at = rest
        .char_indices()
        .find(|&(i, c)| c == '@' && i > 0 && !rest[..i].ends_with('/'))
        .map(|(i, _)| i);
    let (path, version) = match at {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let version = version.split(['?', '#']).next().unwrap_or(version);
    let path = percent_decode(path.trim_end_matches('/'))?;
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, path),
    };
    Ok((Some(eco), namespace, name, percent_decode(version.trim())?))
}

fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent-escape at '{}'", &s[i..]))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-escapes do not decode to UTF-8".to_string())
}

fn parse_predicate(rest: &str) -> Result<Predicate, String> {
    let rest = rest.trim();
    if rest.is_empty() || rest == "*" {
        return Ok(Predicate::Any);
    }
    match comparators(rest) {
        Some(groups) => Ok(Predicate::Comparators(groups)),
        None => Ok(Predicate::Native(rest.to_string())),
    }
}

/// `>=2.0,<2.17 || =2.17.0-rc1` as comparator groups, or `None` when the text is not written
/// with comparators only (then it is an ecosystem's native constraint).
fn comparators(text: &str) -> Option<Vec<Vec<(Op, String)>>> {
    let mut groups = Vec::new();
    for group in text.split("||") {
        let mut list = Vec::new();
        let mut s = group.trim();
        if s.is_empty() {
            return None;
        }
        while !s.is_empty() {
            let (op, len) = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("<", Op::Lt),
                (">", Op::Gt),
                ("=", Op::Eq),
            ]
            .iter()
            .find(|(p, _)| s.starts_with(p))
            .map_or((Op::Eq, 0), |(p, o)| (*o, p.len()));
            s = s[len..].trim_start();
            let end = s
                .find(|c: char| c.is_whitespace() || c == ',' || "<>=!".contains(c))
                .unwrap_or(s.len());
            let version = &s[..end];
            // Range and wildcard characters belong to native syntaxes (Maven ranges, npm
            // carets, RubyGems pessimistic operators, `1.2.*`).
            if version.is_empty() || version.contains(['[', ']', '(', ')', '^', '~', '*']) {
                return None;
            }
            list.push((op, version.to_string()));
            s = s[end..].trim_start();
            s = s.strip_prefix(',').unwrap_or(s).trim_start();
        }
        groups.push(list);
    }
    Some(groups)
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Tests versions against a query's predicate with each ecosystem's ordering; native
/// constraints are parsed once per scheme.
pub(crate) struct Matcher<'q> {
    predicate: &'q Predicate,
    native: Mutex<HashMap<Scheme, Result<Constraint, VersionError>>>,
}

impl<'q> Matcher<'q> {
    pub(crate) fn new(q: &'q Query) -> Self {
        Matcher {
            predicate: &q.predicate,
            native: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `version` of a package in `ecosystem` is selected. An error means the version
    /// (or the native constraint) is not valid in that ecosystem's syntax.
    pub(crate) fn matches(
        &self,
        ecosystem: Ecosystem,
        version: &str,
    ) -> Result<bool, VersionError> {
        let scheme = Scheme::for_ecosystem(ecosystem);
        match self.predicate {
            Predicate::Any => Ok(true),
            Predicate::Comparators(groups) => {
                for group in groups {
                    let mut all = true;
                    for (op, bound) in group {
                        if !op.holds(compare(scheme, version, bound)?) {
                            all = false;
                            break;
                        }
                    }
                    if all {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Predicate::Native(text) => {
                let mut cache = match self.native.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                let c = cache
                    .entry(scheme)
                    .or_insert_with(|| Constraint::parse(scheme, text));
                match c {
                    Ok(c) => c.matches(version),
                    Err(e) => Err(e.clone()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(t: &str) -> Query {
        Query::parse(t).unwrap()
    }

    #[test]
    fn plain_name_and_comparators() {
        let x = q("log4j-core<2.17");
        assert_eq!(x.name, "log4j-core");
        assert_eq!(x.namespace, None);
        assert_eq!(
            x.predicate,
            Predicate::Comparators(vec![vec![(Op::Lt, "2.17".into())]])
        );
        let x = q("org.apache.logging.log4j:log4j-core >= 2.0, < 2.17 || == 2.17.0");
        assert_eq!(x.namespace.as_deref(), Some("org.apache.logging.log4j"));
        assert_eq!(
            x.predicate,
            Predicate::Comparators(vec![
                vec![(Op::Ge, "2.0".into()), (Op::Lt, "2.17".into())],
                vec![(Op::Eq, "2.17.0".into())]
            ])
        );
        assert_eq!(
            q("django@3.2.12").predicate,
            Predicate::Comparators(vec![vec![(Op::Eq, "3.2.12".into())]])
        );
        assert_eq!(q("  busybox  ").predicate, Predicate::Any);
    }

    #[test]
    fn purls() {
        let x = q("pkg:maven/org.apache.logging.log4j/log4j-core@<2.17");
        assert_eq!(x.ecosystem, Some(Ecosystem::Maven));
        assert_eq!(x.namespace.as_deref(), Some("org.apache.logging.log4j"));
        assert_eq!(x.name, "log4j-core");
        let x = q("pkg:npm/%40types/node@>=18");
        assert_eq!(x.namespace.as_deref(), Some("@types"));
        assert!(x.matches_name(Ecosystem::Npm, "@types/node"));
        let x = q("pkg:npm/@types/node");
        assert_eq!(x.name, "node");
        assert_eq!(x.predicate, Predicate::Any);
        let x = q("pkg:deb/debian/openssl@<3.0.11?arch=amd64");
        assert!(x.matches_name(Ecosystem::Deb, "openssl"));
        assert!(!x.matches_name(Ecosystem::Npm, "openssl"));
        assert!(Query::parse("pkg:cobol/x").is_err());
        assert!(Query::parse("pkg:npm").is_err());
    }

    #[test]
    fn native_constraints_fall_through() {
        assert_eq!(
            q("lodash ^4.17.0").predicate,
            Predicate::Native("^4.17.0".into())
        );
        assert_eq!(
            q("log4j-core[2.0,2.17)").predicate,
            Predicate::Native("[2.0,2.17)".into())
        );
        assert_eq!(
            q("rails ~> 6.1").predicate,
            Predicate::Native("~> 6.1".into())
        );
    }

    #[test]
    fn name_matching_per_ecosystem() {
        let x = q("log4j-core");
        assert!(x.matches_name(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core"));
        assert!(!x.matches_name(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core-its"));
        let x = q("com.example:log4j-core");
        assert!(!x.matches_name(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core"));
        let x = q("pyyaml");
        assert!(x.matches_name(Ecosystem::Pypi, "PyYAML"));
        assert!(q("Zope_Interface").matches_name(Ecosystem::Pypi, "zope.interface"));
        assert_eq!(pep503("Foo__Bar.baz"), "foo-bar-baz");
    }

    #[test]
    fn ecosystem_ordering_decides() {
        let x = q("x<2.17");
        let m = Matcher::new(&x);
        // Maven: 2.17.0 == 2.17, 2.9 < 2.17 numerically, rc before release.
        assert!(!m.matches(Ecosystem::Maven, "2.17.0").unwrap());
        assert!(m.matches(Ecosystem::Maven, "2.9.1").unwrap());
        assert!(m.matches(Ecosystem::Maven, "2.17-rc1").unwrap());
        // dpkg: the tilde sorts before the release.
        let y = q("x<2.17");
        let m = Matcher::new(&y);
        assert!(m.matches(Ecosystem::Deb, "2.17~rc1-1").unwrap());
        assert!(!m.matches(Ecosystem::Deb, "1:2.0-1").unwrap());
        let z = q("lodash ^4.17.0");
        let m = Matcher::new(&z);
        assert!(m.matches(Ecosystem::Npm, "4.17.15").unwrap());
        assert!(!m.matches(Ecosystem::Npm, "5.0.0").unwrap());
    }

    #[test]
    fn bad_queries_say_why() {
        let e = Query::parse("").unwrap_err();
        assert!(e.reason.contains("empty query"), "{e}");
        let e = Query::parse("<2.17").unwrap_err();
        assert!(e.reason.contains("no package name"), "{e}");
        let e = Query::parse(":x<1").unwrap_err();
        assert!(e.reason.contains("empty group"), "{e}");
        assert!(Query::parse("pkg:npm/a%zz").is_err());
    }
}
