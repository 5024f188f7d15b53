//! RubyGems versions and requirements, ported from `Gem::Version` and `Gem::Requirement`
//! (RubyGems 3.3, Ruby 3.1).
//!
//! A version is split into numeric and alphabetic segments (`1.0.a2` → `1, 0, "a", 2`), `-`
//! reads as `.pre.`, and any letter makes a pre-release that sorts before the release.
//! Requirements are `op version` with `=`, `!=`, `>`, `<`, `>=`, `<=`, `~>` (pessimistic),
//! and a comma-separated list means all must hold (as bundler-audit reads advisory strings).

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use crate::{digits, Scheme, VersionError};

const VERSION_PATTERN: &str = r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?";

fn anchored() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(
            r"^[\t\n\x0B\x0C\r ]*(?:{VERSION_PATTERN})?[\t\n\x0B\x0C\r ]*$"
        ))
        .unwrap_or_else(|_| unreachable!())
    })
}

/// A segment: numbers sort above letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Digits (canonical).
    Num(String),
    /// Letters, case kept.
    Str(String),
}

/// A parsed `Gem::Version`.
#[derive(Debug, Clone)]
pub struct GemVersion {
    /// The version text after stripping and `-` → `.pre.`.
    pub text: String,
    /// Segments as `Gem::Version#segments`.
    pub segments: Vec<Segment>,
}

fn ruby_strip(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, '\0' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' '))
}

fn segments_of(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Segment::Num(digits::canonical(&text[start..i]).to_string()));
        } else if b[i].is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Segment::Str(text[start..i].to_string()));
        } else {
            i += 1;
        }
    }
    out
}

impl GemVersion {
    /// Parses like `Gem::Version.new`: blank means `0`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        if !anchored().is_match(input) {
            return Err(VersionError::version(
                Scheme::Gem,
                input,
                "malformed version number string",
            ));
        }
        let stripped = ruby_strip(input);
        let text = if stripped.is_empty() {
            "0".to_string()
        } else {
            stripped.replace('-', ".pre.")
        };
        let segments = segments_of(&text);
        Ok(GemVersion { text, segments })
    }

    /// `prerelease?`: any letter.
    pub fn is_prerelease(&self) -> bool {
        self.text.bytes().any(|b| b.is_ascii_alphabetic())
    }

    fn canonical_segments(&self) -> Vec<Segment> {
        let split = self
            .segments
            .iter()
            .position(|s| matches!(s, Segment::Str(_)))
            .unwrap_or(self.segments.len());
        let mut out = Vec::new();
        for part in [&self.segments[..split], &self.segments[split..]] {
            let mut p = part.to_vec();
            while p.last().is_some_and(|s| *s == Segment::Num("0".into())) {
                p.pop();
            }
            out.extend(p);
        }
        out
    }

    /// `release`: the version without its pre-release segments.
    fn release(&self) -> GemVersion {
        if !self.is_prerelease() {
            return self.clone();
        }
        let mut segs = self.segments.clone();
        while segs.iter().any(|s| matches!(s, Segment::Str(_))) {
            segs.pop();
        }
        GemVersion::from_segments(&segs)
    }

    /// `bump`: drop pre-release segments and the last number, then increment the new last.
    /// `~> r` holds for `v` when `v >= r` and `v.release() < r.bump()`.
    pub fn bump(&self) -> GemVersion {
        let mut segs = self.segments.clone();
        while segs.iter().any(|s| matches!(s, Segment::Str(_))) {
            segs.pop();
        }
        if segs.len() > 1 {
            segs.pop();
        }
        if let Some(Segment::Num(n)) = segs.last_mut() {
            *n = digits::succ(n);
        }
        GemVersion::from_segments(&segs)
    }

    fn from_segments(segs: &[Segment]) -> GemVersion {
        let text = segs
            .iter()
            .map(|s| match s {
                Segment::Num(n) | Segment::Str(n) => n.as_str(),
            })
            .collect::<Vec<_>>()
            .join(".");
        let text = if text.is_empty() {
            "0".to_string()
        } else {
            text
        };
        GemVersion {
            segments: segments_of(&text),
            text,
        }
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.text == other.text {
            return Ordering::Equal;
        }
        let (l, r) = (self.canonical_segments(), other.canonical_segments());
        let zero = Segment::Num("0".into());
        for i in 0..l.len().max(r.len()) {
            let (a, b) = (l.get(i).unwrap_or(&zero), r.get(i).unwrap_or(&zero));
            let o = match (a, b) {
                (Segment::Num(x), Segment::Num(y)) => digits::cmp(x, y),
                (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
                (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
                (Segment::Str(x), Segment::Str(y)) => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

eq_and_partial_ord_from_ord!(GemVersion);

/// Compares two gem versions as `Gem::Version#<=>` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(GemVersion::parse(a)?.cmp(&GemVersion::parse(b)?))
}

/// A requirement operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GemOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `~>`
    Pessimistic,
}

/// Spellings in the order of `Gem::Requirement::OPS` keys, joined into the pattern.
const GEM_OPS: [(&str, GemOp); 7] = [
    ("=", GemOp::Eq),
    ("!=", GemOp::Ne),
    (">", GemOp::Gt),
    ("<", GemOp::Lt),
    (">=", GemOp::Ge),
    ("<=", GemOp::Le),
    ("~>", GemOp::Pessimistic),
];

fn requirement_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let ops = GEM_OPS
            .iter()
            .map(|(s, _)| regex::escape(s))
            .collect::<Vec<_>>()
            .join("|");
        let s = r"[\t\n\x0B\x0C\r ]";
        Regex::new(&format!(r"^{s}*({ops})?{s}*({VERSION_PATTERN}){s}*$"))
            .unwrap_or_else(|_| unreachable!())
    })
}

/// A `Gem::Requirement`: every `(op, version)` must hold.
#[derive(Debug, Clone)]
pub struct GemRequirement {
    /// The parts.
    pub parts: Vec<(GemOp, GemVersion)>,
}

impl GemRequirement {
    /// Parses a comma-separated list of requirements (`~> 1.2, >= 1.2.3`).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let mut parts = Vec::new();
        for piece in text.split(',') {
            let c = requirement_re().captures(piece).ok_or_else(|| {
                VersionError::constraint(
                    Scheme::Gem,
                    text,
                    format!("illformed requirement '{}'", piece.trim()),
                )
            })?;
            let op_text = c.get(1).map_or("=", |m| m.as_str());
            let op = GEM_OPS
                .iter()
                .find(|(s, _)| *s == op_text)
                .map_or(GemOp::Eq, |(_, o)| *o);
            let v = GemVersion::parse(c.get(2).map_or("", |m| m.as_str()))
                .map_err(|e| VersionError::constraint(Scheme::Gem, text, e.reason))?;
            parts.push((op, v));
        }
        Ok(GemRequirement { parts })
    }

    /// `satisfied_by?`.
    pub fn satisfied_by(&self, v: &GemVersion) -> bool {
        self.parts.iter().all(|(op, r)| match op {
            GemOp::Eq => v == r,
            GemOp::Ne => v != r,
            GemOp::Gt => v > r,
            GemOp::Lt => v < r,
            GemOp::Ge => v >= r,
            GemOp::Le => v <= r,
            GemOp::Pessimistic => v >= r && v.release() < r.bump(),
        })
    }
}

/// Whether `version` satisfies the gem requirement list `constraint`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    let req = GemRequirement::parse(constraint)?;
    Ok(req.satisfied_by(&GemVersion::parse(version)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_order() {
        let chain = [
            "1.0.a", "1.0.a.1", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1",
        ];
        crate::assert_ascending(compare, &chain);
        assert_eq!(compare("1.0", "1"), Ok(Ordering::Equal));
        assert_eq!(compare("1.0-1", "1.0.pre.1"), Ok(Ordering::Equal));
        assert_eq!(compare("", "0"), Ok(Ordering::Equal));
        assert!(compare("1..2", "1").is_err());
    }

    #[test]
    fn requirements() {
        assert_eq!(satisfies("1.15.9", "~> 1.15.6"), Ok(true));
        assert_eq!(satisfies("1.16.0", "~> 1.15.6"), Ok(false));
        assert_eq!(satisfies("2.9", "~> 2.2"), Ok(true));
        assert_eq!(satisfies("3.0", "~> 2.2"), Ok(false));
        assert_eq!(satisfies("4.2.11.1", "~> 4.2.11, >= 4.2.11.1"), Ok(true));
        assert_eq!(satisfies("4.2.11", "~> 4.2.11, >= 4.2.11.1"), Ok(false));
        assert_eq!(satisfies("1.0.0.rc1", ">= 1.0.0.beta"), Ok(true));
        assert!(satisfies("1", "=> 1").is_err());
    }
}
