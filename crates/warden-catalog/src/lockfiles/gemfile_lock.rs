//! `Gemfile.lock` (and `gems.locked`): the `specs:` of every `GEM`, `GIT` and `PATH` source,
//! with their dependency lines. Bundler's lockfile parser is Ruby; the format is fixed
//! indentation (sections at column 0, specs at 4 spaces, their dependencies at 6) and is read
//! here line by line.

use std::collections::BTreeMap;

use warden_core::Ecosystem;

use super::{Input, Sink};
use crate::parse::ParseError;

/// `name (version)` → name and version; the version may carry a platform (`1.13.10-x86_64-linux`).
fn spec(body: &str) -> Option<(&str, &str)> {
    let (name, rest) = body.split_once(" (")?;
    let version = rest.strip_suffix(')')?;
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let mut section = String::new();
    let mut in_specs = false;
    let mut current: Option<usize> = None;
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut wants: Vec<(usize, String)> = Vec::new();
    let mut saw_section = false;
    for (n, raw) in input.text.lines().enumerate() {
        let line = n + 1;
        let l = raw.trim_end();
        if l.trim().is_empty() {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        let body = l.trim_start();
        if indent == 0 {
            section = body.to_string();
            saw_section = true;
            in_specs = false;
            current = None;
            continue;
        }
        if !saw_section {
            return Err(ParseError::at_line(
                line,
                "indented line before any section",
            ));
        }
        if !matches!(section.as_str(), "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE") {
            continue;
        }
        match indent {
            2 => {
                in_specs = body == "specs:";
                current = None;
            }
            4 if in_specs => {
                let Some((name, full)) = spec(body) else {
                    return Err(ParseError::at_line(
                        line,
                        format!("expected \"name (version)\", found {body:?}"),
                    ));
                };
                let (version, platform) = full.split_once('-').unwrap_or((full, ""));
                let i = sink.package(Ecosystem::Gem, name, version, Some(line));
                if !platform.is_empty() {
                    sink.meta(i, "platform", platform);
                }
                if section != "GEM" {
                    sink.meta(i, "source", section.to_ascii_lowercase());
                }
                by_name.insert(name.to_string(), i);
                current = Some(i);
            }
            6 if in_specs => {
                let Some(from) = current else {
                    return Err(ParseError::at_line(line, "dependency outside any spec"));
                };
                let name = body.split(" (").next().unwrap_or(body).trim();
                wants.push((from, name.to_string()));
            }
            _ if in_specs => {
                return Err(ParseError::at_line(
                    line,
                    format!("unexpected indentation of {indent} spaces in specs"),
                ));
            }
            _ => {}
        }
    }
    if !saw_section {
        return Err(ParseError::new("no sections (GEM, DEPENDENCIES...) found"));
    }
    for (from, name) in wants {
        if let Some(&to) = by_name.get(&name) {
            sink.relate(from, to);
        }
    }
    Ok(())
}
