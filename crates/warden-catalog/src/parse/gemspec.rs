//! Installed Ruby gem specifications (`specifications/*.gemspec`), which RubyGems writes in
//! a fixed, literal-only shape (`s.name = "rake".freeze`). Read as text, never evaluated.

use super::ParseError;

/// The fields warden keeps from one gemspec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gemspec {
    /// `s.name`.
    pub name: String,
    /// `s.version`.
    pub version: String,
    /// `s.licenses` / `s.license`.
    pub licenses: Vec<String>,
    /// Runtime dependency names (`add_runtime_dependency`, `add_dependency`).
    pub dependencies: Vec<String>,
}

/// Parses a gemspec. A file without a literal name and version is an error.
pub fn parse_gemspec(data: &[u8]) -> Result<Gemspec, ParseError> {
    let text = String::from_utf8_lossy(data);
    let mut g = Gemspec::default();
    // RubyGems writes dependencies twice: `add_runtime_dependency` under
    // `if s.respond_to? :add_runtime_dependency`, and in the `else` branch (for ancient RubyGems)
    // every dependency, development ones included, as `add_dependency`. Skip that branch.
    let mut in_compat_if = false;
    let mut in_compat_else = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("if ") && line.contains("respond_to? :add_runtime_dependency") {
            in_compat_if = true;
            continue;
        }
        if in_compat_if && line == "else" {
            in_compat_else = true;
            continue;
        }
        if in_compat_if && line == "end" {
            (in_compat_if, in_compat_else) = (false, false);
            continue;
        }
        if in_compat_else {
            continue;
        }
        if let Some(dep) = runtime_dependency(line) {
            g.dependencies.push(dep);
            continue;
        }
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        // `s.name`, `spec.name`: whatever the block variable is called.
        let field = lhs.trim().rsplit('.').next().unwrap_or("");
        if !lhs.trim().contains('.') || rhs.starts_with('=') {
            continue;
        }
        match field {
            "name" if g.name.is_empty() => g.name = first_literal(rhs).unwrap_or_default(),
            "version" if g.version.is_empty() => g.version = first_literal(rhs).unwrap_or_default(),
            "licenses" | "license" if g.licenses.is_empty() => g.licenses = literals(rhs),
            _ => {}
        }
    }
    if g.name.is_empty() || g.version.is_empty() {
        return Err(ParseError::new("gemspec without a literal name or version"));
    }
    g.dependencies.sort();
    g.dependencies.dedup();
    Ok(g)
}

/// `s.add_runtime_dependency(%q<irb>.freeze, [">= 1.3.6"])` → `irb`.
fn runtime_dependency(line: &str) -> Option<String> {
    let rest = line
        .split_once(".add_runtime_dependency(")
        .or_else(|| line.split_once(".add_dependency("))?
        .1;
    literals(rest).into_iter().next()
}

fn first_literal(s: &str) -> Option<String> {
    literals(s).into_iter().next()
}

/// String literals in a Ruby expression: `"x"`, `'x'` and `%q<x>`.
fn literals(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let (close, start) = match b[i] {
            b'"' => (b'"', i + 1),
            b'\'' => (b'\'', i + 1),
            b'%' if b.get(i + 1) == Some(&b'q') && b.get(i + 2) == Some(&b'<') => (b'>', i + 3),
            _ => {
                i += 1;
                continue;
            }
        };
        match b[start..].iter().position(|c| *c == close) {
            Some(len) => {
                out.push(String::from_utf8_lossy(&b[start..start + len]).into_owned());
                i = start + len + 1;
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/fixtures/ruby/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn installed_gemspecs() {
        let g = parse_gemspec(&fixture("minitest-5.15.0.gemspec")).expect("parse");
        assert_eq!(
            (g.name.as_str(), g.version.as_str()),
            ("minitest", "5.15.0")
        );
        assert_eq!(g.licenses, ["MIT"]);
        // Only development dependencies: none at runtime.
        assert!(g.dependencies.is_empty(), "{:?}", g.dependencies);
        let d = parse_gemspec(&fixture("debug-1.4.0.gemspec")).expect("parse");
        assert_eq!((d.name.as_str(), d.version.as_str()), ("debug", "1.4.0"));
        assert_eq!(d.dependencies, ["irb", "reline"]);
    }

    #[test]
    fn missing_version_is_an_error() {
        assert!(parse_gemspec(b"Gem::Specification.new do |s|\n  s.name = \"x\"\nend\n").is_err());
    }
}
