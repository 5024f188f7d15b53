//! `requirements*.txt`: only exactly pinned requirements (`name==version`) name a version;
//! every other requirement line is reported as skipped with its line, never guessed.
//!
//! pip's own parser is Python; the line grammar (PEP 508 plus pip options) is small enough to
//! read here: comments, `\` continuations, `[extras]`, `; markers` and `--hash` options.

use warden_core::Ecosystem;

use super::{pep503, Input, Sink};
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let mut logical = String::new();
    let mut start = 0;
    for (n, raw) in input.text.lines().enumerate() {
        if logical.is_empty() {
            start = n + 1;
        }
        // A comment starts at `#` preceded by whitespace or at the line start (pip's rule),
        // so URL fragments like `#egg=` survive.
        let no_comment = match raw.find(" #").or(raw.starts_with('#').then_some(0)) {
            Some(i) => &raw[..i],
            None => raw,
        };
        if let Some(cont) = no_comment.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(no_comment);
        line(logical.trim(), start, sink);
        logical.clear();
    }
    if !logical.trim().is_empty() {
        line(logical.trim(), start, sink);
    }
    Ok(())
}

fn line(l: &str, at: usize, sink: &mut Sink) {
    if l.is_empty() {
        return;
    }
    if l.starts_with('-') {
        // `-r`/`-c` files are catalogued on their own when named requirements*.txt; `-e` and
        // other options name no pinned release.
        for opt in [
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
        ] {
            if l.starts_with(opt) {
                sink.skip(Some(at), format!("{l:?}: not a pinned requirement"));
                return;
            }
        }
        return;
    }
    // Drop environment markers and per-requirement options (`--hash=...`).
    let req = l.split(';').next().unwrap_or(l);
    let req = req.split(" --").next().unwrap_or(req).trim();
    if req.contains("://") || req.contains(" @ ") {
        sink.skip(
            Some(at),
            format!("{req:?}: a URL or path, not a pinned release"),
        );
        return;
    }
    let name_end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = &req[..name_end];
    let mut rest = req[name_end..].trim_start();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    if name.is_empty() {
        sink.skip(Some(at), format!("{req:?}: no package name"));
        return;
    }
    let pinned = rest
        .strip_prefix("==")
        .filter(|r| !r.starts_with('='))
        .map(str::trim)
        .filter(|v| {
            !v.is_empty()
                && !v.contains('*')
                && !v.contains(',')
                && !v.contains(|c: char| c.is_whitespace())
        });
    match pinned {
        Some(version) => {
            sink.package(Ecosystem::Pypi, &pep503(name), version, Some(at));
        }
        None => sink.skip(
            Some(at),
            format!(
                "{name}: not pinned with == (\"{}\"), version unknown",
                rest.trim()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_continuation_does_not_panic() {
        let mut s = super::super::Sink::new("r.txt", "python-requirements");
        let input = Input {
            text: "a==1 \\",
            dir: std::path::Path::new("."),
        };
        assert!(parse(&input, &mut s).is_ok());
        assert_eq!(s.len(), 1);
    }
}
