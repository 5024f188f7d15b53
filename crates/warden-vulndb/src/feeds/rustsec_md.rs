//! RustSec's original Markdown advisories (`crates/<crate>/RUSTSEC-*.md`, `rust/<component>/*.md`):
//! a ```` ```toml ```` block with `[advisory]` and `[versions] patched/unaffected`, then the text.
//! Affected means neither patched nor unaffected.

use serde::Deserialize;
use warden_core::FixStatus;

use super::{basename, cvss, lower_bound, Sink};
use crate::input::Member;
use crate::model::{Advisory, Affected, Range};

const FEED: &str = "rustsec-md";
const SOURCE: &str = "rustsec-md";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    path.ends_with(".md")
        && n >= 3
        && matches!(parts[n - 3], "crates" | "rust")
        && basename(path) != "README.md"
}

#[derive(Deserialize)]
struct Front {
    advisory: Adv,
    #[serde(default)]
    versions: Option<Versions>,
}

#[derive(Deserialize)]
struct Adv {
    id: String,
    package: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let text = match std::str::from_utf8(m.data) {
        Ok(t) => t,
        Err(e) => return sink.reject(SOURCE, FEED, m.display, format!("not UTF-8: {e}")),
    };
    let Some(rest) = text.trim_start().strip_prefix("```toml") else {
        return sink.reject(
            SOURCE,
            FEED,
            m.display,
            "no ```toml front matter at the top",
        );
    };
    let Some((toml_text, body)) = rest.split_once("\n```") else {
        return sink.reject(SOURCE, FEED, m.display, "the ```toml block is not closed");
    };
    let front: Front = match toml::from_str(toml_text) {
        Ok(f) => f,
        Err(e) => {
            return sink.reject(
                SOURCE,
                FEED,
                m.display,
                format!("front matter: {}", e.message()),
            )
        }
    };
    let a = front.advisory;
    let at = format!("{}#{}", m.display, a.id);
    let toolchain = m.path.split('/').rev().nth(2) == Some("rust");
    let key = if toolchain { "rust-toolchain" } else { "cargo" };
    let mut adv = Advisory {
        source: SOURCE.into(),
        id: a.id.clone(),
        aliases: a.aliases,
        related: a.related,
        id_joins: true,
        published: a.date.clone(),
        modified: a.date,
        withdrawn: a.withdrawn,
        ..Advisory::default()
    };
    let body = body.trim_start_matches('`').trim();
    let mut lines = body.lines();
    let heading = lines
        .by_ref()
        .find(|l| l.starts_with("# "))
        .map(|l| l[2..].trim().to_string());
    adv.title = a.title.or(heading).unwrap_or_default();
    adv.description = lines.collect::<Vec<_>>().join("\n").trim().to_string();
    adv.references = a.url.into_iter().chain(a.references).collect();
    if let Some(v) = a.cvss {
        match cvss(SOURCE, &v) {
            Ok(c) => adv.cvss.push(c),
            Err(e) => sink.reject_part(SOURCE, FEED, format!("{at}/cvss"), e),
        }
    }
    if a.informational.is_some() {
        sink.note(
            SOURCE,
            FEED,
            "informational advisories (unmaintained, unsound, notice)",
        );
    }
    let v = front.versions.unwrap_or(Versions {
        patched: vec![],
        unaffected: vec![],
    });
    let mut fixed = Vec::new();
    for p in &v.patched {
        match lower_bound(p) {
            Some(b) => fixed.push(b),
            None => sink.note(
                SOURCE,
                FEED,
                "patched requirements without a lower bound (no fixed version derived)",
            ),
        }
    }
    let exclusions: Vec<String> = v.patched.into_iter().chain(v.unaffected).collect();
    let ranges = if exclusions.is_empty() {
        vec![Range::Any]
    } else {
        vec![Range::Unless(exclusions)]
    };
    let status = if fixed.is_empty() {
        FixStatus::Affected
    } else {
        FixStatus::Fixed
    };
    adv.affected.push(Affected {
        eco: key.into(),
        package: a.package,
        ranges,
        fixed,
        status,
    });
    sink.accept(FEED, adv);
}
