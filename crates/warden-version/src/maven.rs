//! Maven versions, ported from Maven 3.8.7's (Debian bookworm's `maven-artifact`) `org.apache.maven.artifact.versioning.ComparableVersion`,
//! and version ranges (`[1.0,2.0)`, `(,1.5]`, `[1.2]`, unions `[1,2),[3,)`) from its `VersionRange`.
//!
//! A version is split into a tree of lists at `-` and at digit/letter transitions; qualifiers
//! order `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < (release) = `ga` = `final`
//! = `release` < `sp` < unknown qualifiers (alphabetically), and trailing zeros and empty
//! qualifiers are dropped. Every string is a valid Maven version.

use std::cmp::Ordering;

use crate::{digits, Scheme, VersionError};

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_VERSION_INDEX: &str = "5";

/// One node of a parsed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A number (canonical digits; Maven's Int, Long and BigInteger items order the same way).
    Int(String),
    /// A qualifier after alias expansion.
    Str(String),
    /// A sub-list started by `-` or a digit/letter transition.
    List(Vec<Item>),
}

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

impl Item {
    fn string(value: &str, followed_by_digit: bool) -> Item {
        let mut v = value;
        if followed_by_digit && value.chars().count() == 1 {
            v = match value {
                "a" => "alpha",
                "b" => "beta",
                "m" => "milestone",
                other => other,
            };
        }
        let v = match v {
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        Item::Str(v.to_string())
    }

    fn parse_item(is_digit: bool, buf: &str) -> Item {
        if is_digit {
            Item::Int(digits::canonical(buf).to_string())
        } else {
            Item::string(buf, false)
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Item::Int(v) => v == "0",
            Item::Str(s) => comparable_qualifier(s) == RELEASE_VERSION_INDEX,
            Item::List(l) => l.is_empty(),
        }
    }

    /// Java's `this.compareTo(other)`, where `other` may be null.
    fn compare_to(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(v), None) => {
                if v == "0" {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => digits::cmp(a, b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => utf16_cmp(&comparable_qualifier(s), RELEASE_VERSION_INDEX),
            (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => {
                utf16_cmp(&comparable_qualifier(a), &comparable_qualifier(b))
            }
            (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
            // the whole list against nothing, not just its first item (MNG-6964, Maven 3.8)
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.compare_to(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => {
                let n = a.len().max(b.len());
                for i in 0..n {
                    let (l, r) = (a.get(i), b.get(i));
                    let result = match l {
                        None => r.map_or(Ordering::Equal, |r| r.compare_to(None).reverse()),
                        Some(l) => l.compare_to(r),
                    };
                    if result != Ordering::Equal {
                        return result;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

/// Arena form used while parsing, so `list.add(list = new ListItem())` can be mirrored.
enum Node {
    Leaf(Item),
    Child(usize),
}

fn build(arena: &mut Vec<Vec<Node>>, idx: usize) -> Vec<Item> {
    let nodes = std::mem::take(&mut arena[idx]);
    let mut items: Vec<Item> = nodes
        .into_iter()
        .map(|n| match n {
            Node::Leaf(i) => i,
            Node::Child(c) => Item::List(build(arena, c)),
        })
        .collect();
    // ListItem.normalize: drop null items from the end, looking past trailing lists
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        if items[i].is_null() {
            items.remove(i);
        } else if !matches!(items[i], Item::List(_)) {
            break;
        }
    }
    items
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    /// The version as written.
    pub raw: String,
    /// The parsed item tree.
    pub items: Vec<Item>,
}

impl MavenVersion {
    /// Parses like `new ComparableVersion(v)`; never fails.
    pub fn parse(version: &str) -> MavenVersion {
        let lower = version.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        let sub = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        let mut arena: Vec<Vec<Node>> = vec![Vec::new()];
        let mut list = 0usize;
        let mut is_digit = false;
        let mut start = 0usize;
        let new_list = |arena: &mut Vec<Vec<Node>>, list: &mut usize| {
            arena.push(Vec::new());
            let child = arena.len() - 1;
            arena[*list].push(Node::Child(child));
            *list = child;
        };
        for (i, &c) in chars.iter().enumerate() {
            if c == '.' || c == '-' {
                let item = if i == start {
                    Item::Int("0".into())
                } else {
                    Item::parse_item(is_digit, &sub(start, i))
                };
                arena[list].push(Node::Leaf(item));
                start = i + 1;
                if c == '-' {
                    new_list(&mut arena, &mut list);
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // a qualifier joining a non-empty list starts its own sub-list (Maven 3.8)
                    if !arena[list].is_empty() {
                        new_list(&mut arena, &mut list);
                    }
                    arena[list].push(Node::Leaf(Item::string(&sub(start, i), true)));
                    start = i;
                    new_list(&mut arena, &mut list);
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    arena[list].push(Node::Leaf(Item::parse_item(true, &sub(start, i))));
                    start = i;
                    new_list(&mut arena, &mut list);
                }
                is_digit = false;
            }
        }
        if chars.len() > start {
            if !is_digit && !arena[list].is_empty() {
                new_list(&mut arena, &mut list);
            }
            arena[list].push(Node::Leaf(Item::parse_item(
                is_digit,
                &sub(start, chars.len()),
            )));
        }
        MavenVersion {
            raw: version.to_string(),
            items: build(&mut arena, 0),
        }
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        Item::List(self.items.clone()).compare_to(Some(&Item::List(other.items.clone())))
    }
}

eq_and_partial_ord_from_ord!(MavenVersion);

/// Compares two Maven versions as `ComparableVersion.compareTo` does. Only the empty string is
/// rejected (Maven accepts any text, but an empty version is a data error).
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    for v in [a, b] {
        if v.trim().is_empty() {
            return Err(VersionError::version(
                Scheme::Maven,
                v,
                "version string is empty",
            ));
        }
    }
    Ok(MavenVersion::parse(a).cmp(&MavenVersion::parse(b)))
}

// ---- ranges -----------------------------------------------------------------------------

/// One interval of a Maven range.
#[derive(Debug, Clone)]
pub struct Restriction {
    /// Lower bound, `None` for unbounded.
    pub lower: Option<MavenVersion>,
    /// Whether the lower bound is included (`[`).
    pub lower_inclusive: bool,
    /// Upper bound, `None` for unbounded.
    pub upper: Option<MavenVersion>,
    /// Whether the upper bound is included (`]`).
    pub upper_inclusive: bool,
}

impl Restriction {
    /// `Restriction.containsVersion`.
    pub fn contains(&self, v: &MavenVersion) -> bool {
        if let Some(lo) = &self.lower {
            match lo.cmp(v) {
                Ordering::Greater => return false,
                Ordering::Equal if !self.lower_inclusive => return false,
                _ => {}
            }
        }
        if let Some(hi) = &self.upper {
            match hi.cmp(v) {
                Ordering::Less => return false,
                Ordering::Equal if !self.upper_inclusive => return false,
                _ => {}
            }
        }
        true
    }
}

/// A Maven version range: a union of restrictions.
#[derive(Debug, Clone)]
pub struct MavenRange {
    /// The intervals.
    pub restrictions: Vec<Restriction>,
}

fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

impl MavenRange {
    /// Parses like `VersionRange.createFromVersionSpec`. A bare version (a Maven "soft"
    /// requirement, which Maven lets match anything) means exactly that version here, because
    /// an advisory that names one version means that version.
    pub fn parse(spec: &str) -> Result<Self, VersionError> {
        let bad = |why: String| VersionError::constraint(Scheme::Maven, spec, why);
        let mut process = java_trim(spec);
        let mut restrictions: Vec<Restriction> = Vec::new();
        let mut upper_bound: Option<MavenVersion> = None;
        while process.starts_with('[') || process.starts_with('(') {
            let index1 = process.find(')');
            let index2 = process.find(']');
            let index = match (index1, index2) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return Err(bad("unbounded range".into())),
            };
            let r = parse_restriction(&process[..=index]).map_err(bad)?;
            if upper_bound.is_some()
                && r.lower
                    .as_ref()
                    .is_none_or(|lo| Some(lo) < upper_bound.as_ref())
            {
                return Err(bad("ranges overlap".into()));
            }
            upper_bound = r.upper.clone();
            restrictions.push(r);
            process = java_trim(&process[index + 1..]);
            if let Some(rest) = process.strip_prefix(',') {
                process = java_trim(rest);
            }
        }
        if !process.is_empty() {
            if !restrictions.is_empty() {
                return Err(bad(
                    "only fully-qualified sets allowed in multiple set scenario".into(),
                ));
            }
            let v = MavenVersion::parse(process);
            restrictions.push(Restriction {
                lower: Some(v.clone()),
                lower_inclusive: true,
                upper: Some(v),
                upper_inclusive: true,
            });
        }
        if restrictions.is_empty() {
            return Err(bad("empty range".into()));
        }
        Ok(MavenRange { restrictions })
    }

    /// `VersionRange.containsVersion`.
    pub fn contains(&self, v: &MavenVersion) -> bool {
        self.restrictions.iter().any(|r| r.contains(v))
    }
}

fn parse_restriction(spec: &str) -> Result<Restriction, String> {
    let lower_inclusive = spec.starts_with('[');
    let upper_inclusive = spec.ends_with(']');
    let process = java_trim(spec.get(1..spec.len().saturating_sub(1)).unwrap_or(""));
    match process.find(',') {
        None => {
            if !lower_inclusive || !upper_inclusive {
                return Err(format!("single version must be surrounded by []: {spec}"));
            }
            let v = MavenVersion::parse(process);
            Ok(Restriction {
                lower: Some(v.clone()),
                lower_inclusive,
                upper: Some(v),
                upper_inclusive,
            })
        }
        Some(i) => {
            let lo = java_trim(&process[..i]);
            let hi = java_trim(&process[i + 1..]);
            let lower = (!lo.is_empty()).then(|| MavenVersion::parse(lo));
            let upper = (!hi.is_empty()).then(|| MavenVersion::parse(hi));
            if let (Some(l), Some(u)) = (&lower, &upper) {
                let o = u.cmp(l);
                if o == Ordering::Less
                    || (o == Ordering::Equal && !(lower_inclusive && upper_inclusive))
                {
                    return Err(format!("range defies version ordering: {spec}"));
                }
            }
            Ok(Restriction {
                lower,
                lower_inclusive,
                upper,
                upper_inclusive,
            })
        }
    }
}

/// Whether `version` is in the Maven range `constraint`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    compare(version, version)?;
    Ok(MavenRange::parse(constraint)?.contains(&MavenVersion::parse(version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maven_order() {
        let chain = [
            "1-alpha",
            "1-alpha2",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-1",
            "1.1",
        ];
        crate::assert_ascending(compare, &chain);
        for (a, b) in [
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1.0.final", "1"),
            ("1cr1", "1rc1"),
            ("1a1", "1-alpha-1"),
        ] {
            assert_eq!(compare(a, b), Ok(Ordering::Equal), "{a} = {b}");
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(satisfies("1.5", "[1.0,2.0)"), Ok(true));
        assert_eq!(satisfies("2.0", "[1.0,2.0)"), Ok(false));
        assert_eq!(satisfies("0.9", "(,1.0]"), Ok(true));
        assert_eq!(satisfies("1.2", "[1.2]"), Ok(true));
        assert_eq!(satisfies("1.3", "[1.0,1.2],[1.5,)"), Ok(false));
        assert_eq!(satisfies("1.6", "[1.0,1.2],[1.5,)"), Ok(true));
        assert!(satisfies("1", "[1.0").is_err());
        assert!(satisfies("1", "(1.0)").is_err());
        assert!(satisfies("1", "[2.0,1.0]").is_err());
    }
}
