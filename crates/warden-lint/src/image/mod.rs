//! Checks of a built image (`warden lint --image REF`), Dockle-like: the image config (user,
//! Env, Labels, tags) and its filesystem (setuid, world-writable, caches), plus private keys and
//! credential files in *any* layer, deleted ones included.
//!
//! The rules work on [`Facts`], a small model of what they need, so they are tested without an
//! image. With the `image` feature, [`open::collect`] fills it from any source `warden-image`
//! reads, walking every layer once and reading only candidate files (see [`candidates`]).
//!
//! ```
//! use warden_lint::image::{check, Facts};
//! let facts = Facts {
//!     reference: "app:1".into(),
//!     env: vec!["AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()],
//!     ..Default::default()
//! };
//! let found = check(&facts, &warden_lint::Config::default());
//! let codes: Vec<&str> = found.iter().map(|f| f.finding.code.as_str()).collect();
//! assert_eq!(codes, ["WD2001", "WD2002"]);
//! ```

pub mod candidates;
#[cfg(feature = "image")]
pub mod open;
mod wd2001;
mod wd2002;
mod wd2003;
mod wd2004;
mod wd2005;
mod wd2006;
mod wd2007;
mod wd2008;

use std::collections::BTreeMap;

use crate::ast::{Pos, Span};
use crate::context::Ctx;
use crate::format::FileReport;
use crate::rules::{Finding, Level, Out, Rule};
use crate::Config;

pub use candidates::SecretFile;

/// What the image rules look at: the config, the final filesystem's notable entries and the
/// secret-looking files found in any layer.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The reference as given; every finding's location starts with it.
    pub reference: String,
    /// `config.User` (empty means root).
    pub user: String,
    /// `config.Env`, `KEY=value`.
    pub env: Vec<String>,
    /// `config.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `repo:tag` names of the image, when the source records them.
    pub repo_tags: Vec<String>,
    /// Diff IDs of the layers, in application order.
    pub layers: Vec<String>,
    /// `/etc/passwd` of the final filesystem, when present (resolves a named `User` to its UID).
    pub passwd: Option<String>,
    /// Final-filesystem entries some rule needs (see [`wants_entry`]), sorted by path.
    pub entries: Vec<FsEntry>,
    /// Secret files found in any layer, deleted or not.
    pub layer_files: Vec<LayerFile>,
}

/// One surviving regular file or directory of the final filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsEntry {
    /// Absolute path.
    pub path: String,
    /// A directory (else a regular file).
    pub dir: bool,
    /// Permission bits including setuid, setgid and sticky (`0o4755`).
    pub mode: u32,
    /// Size in bytes (0 for directories).
    pub size: u64,
    /// The layer that brought it (index into [`Facts::layers`]).
    pub layer: usize,
}

/// A secret file seen in one layer blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerFile {
    /// Absolute path inside the layer.
    pub path: String,
    /// Index into [`Facts::layers`].
    pub layer: usize,
    /// What it is.
    pub kind: SecretFile,
    /// Whether the final filesystem still holds this very file (false: a later layer deleted or
    /// replaced it, but the bytes still ship in this layer's blob).
    pub survives: bool,
}

/// A finding of an image rule and where it is: the reference, or `REFERENCE:/path` for files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFinding {
    /// `alpine:3.20` (config findings) or `alpine:3.20:/etc/shadow` (file findings).
    pub location: String,
    /// The finding; images have no lines, so the span is line 1, column 1.
    pub finding: Finding,
}

/// The check of one image rule.
type Check = fn(&Facts, &mut ImageOut);

/// Every image rule with its check, in code order.
static IMAGE_RULES: &[(&Rule, Check)] = &[
    (&wd2001::RULE, wd2001::check),
    (&wd2002::RULE, wd2002::check),
    (&wd2003::RULE, wd2003::check),
    (&wd2004::RULE, wd2004::check),
    (&wd2005::RULE, wd2005::check),
    (&wd2006::RULE, wd2006::check),
    (&wd2007::RULE, wd2007::check),
    (&wd2008::RULE, wd2008::check),
];

/// The image rules (their `check` field is empty: they do not look at Dockerfiles).
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    IMAGE_RULES.iter().map(|(r, _)| *r)
}

/// The Dockerfile check of an image rule: image rules never fire on a Dockerfile.
pub(crate) fn no_dockerfile_check(_: &Ctx, _: &mut Out) {}

/// Where image rules put findings: a path inside the image (or none, for the config) and an
/// optional message replacing the rule's.
pub struct ImageOut {
    found: Vec<(Option<String>, Option<String>)>,
}

impl ImageOut {
    /// A finding about the image config.
    pub fn config(&mut self, message: String) {
        self.found.push((None, Some(message)));
    }

    /// A finding about a path inside the image.
    pub fn path(&mut self, path: &str, message: String) {
        self.found.push((Some(path.to_string()), Some(message)));
    }
}

/// Runs every image rule not ignored by `config`, with its overridden level; findings are sorted
/// by location, code and message.
pub fn check(facts: &Facts, config: &Config) -> Vec<ImageFinding> {
    let mut out = Vec::new();
    for (rule, run) in IMAGE_RULES {
        let level = config
            .overrides
            .get(rule.code)
            .copied()
            .unwrap_or(rule.level);
        if level == Level::Ignore || config.ignored.iter().any(|c| c == rule.code) {
            continue;
        }
        let mut o = ImageOut { found: Vec::new() };
        run(facts, &mut o);
        for (path, message) in o.found {
            let location = match path {
                Some(p) => format!("{}:{p}", facts.reference),
                None => facts.reference.clone(),
            };
            let start = Pos { line: 1, column: 1 };
            out.push(ImageFinding {
                location,
                finding: Finding {
                    code: rule.code.to_string(),
                    level,
                    message: message.unwrap_or_else(|| rule.message.to_string()),
                    span: Span { start, end: start },
                },
            });
        }
    }
    out.sort_by(|a, b| {
        (&a.location, &a.finding.code, &a.finding.message).cmp(&(
            &b.location,
            &b.finding.code,
            &b.finding.message,
        ))
    });
    out.dedup();
    out
}

/// Groups findings into one report per location (in sorted order), for the lint formats.
pub fn reports(found: &[ImageFinding]) -> Vec<FileReport> {
    let mut reports: Vec<FileReport> = Vec::new();
    for f in found {
        match reports.last_mut() {
            Some(r) if r.path == f.location => r.findings.push(f.finding.clone()),
            _ => reports.push(FileReport {
                path: f.location.clone(),
                findings: vec![f.finding.clone()],
                source: None,
            }),
        }
    }
    reports
}

/// Whether a final-filesystem entry matters to some rule (setuid/setgid, world-writable, under
/// a package-manager cache); the others are not kept in [`Facts::entries`].
pub fn wants_entry(path: &str, dir: bool, mode: u32) -> bool {
    (!dir && wd2003::special(mode).is_some())
        || wd2004::world_writable(dir, mode)
        || (!dir && wd2008::cache_of(path).is_some())
}

/// `layer 2 of 4 (sha256:0123456789ab)`: how findings name a layer (1-based, like
/// `docker history` read bottom-up).
pub(crate) fn layer_name(facts: &Facts, layer: usize) -> String {
    let id = facts
        .layers
        .get(layer)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let hex = d.strip_prefix("sha256:").unwrap_or(d);
            format!(" (sha256:{})", &hex[..hex.len().min(12)])
        })
        .unwrap_or_default();
    format!(
        "layer {} of {}{id}",
        layer + 1,
        facts.layers.len().max(layer + 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_documented_and_found_by_code() {
        let mut codes: Vec<&str> = rules().map(|r| r.code).collect();
        assert_eq!(codes.len(), 8);
        codes.dedup();
        assert_eq!(codes.len(), 8, "codes are unique and sorted");
        for r in rules() {
            assert!(r.code.starts_with("WD2"), "{}", r.code);
            assert_eq!(r.family, crate::Family::Image);
            for section in ["## What it does", "## Why", "## Example", "**Dockle:**"] {
                assert!(r.doc.contains(section), "{} lacks {section}", r.code);
            }
            assert!(std::ptr::eq(
                crate::rules::find(&r.code.to_ascii_lowercase()).expect("found"),
                r
            ));
        }
        assert!(crate::RULES.iter().all(|r| !r.code.starts_with("WD2")));
    }

    #[test]
    fn clean_facts_give_no_finding() {
        let facts = Facts {
            reference: "app:1".into(),
            user: "10001".into(),
            env: vec!["PATH=/usr/bin".into(), "GPG_KEY=ABCDEF".into()],
            repo_tags: vec!["app:1".into(), "app:latest".into()],
            layers: vec!["sha256:aa".into()],
            entries: vec![FsEntry {
                path: "/tmp".into(),
                dir: true,
                mode: 0o1777,
                size: 0,
                layer: 0,
            }],
            ..Default::default()
        };
        assert_eq!(check(&facts, &Config::default()), []);
    }

    #[test]
    fn overrides_and_ignores_apply() {
        let facts = Facts {
            reference: "app:1".into(),
            ..Default::default()
        };
        let mut cfg = Config::default();
        let found = check(&facts, &cfg);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].finding.code, "WD2001");
        assert_eq!(found[0].finding.level, Level::Warning);
        assert_eq!(found[0].location, "app:1");
        cfg.overrides.insert("WD2001".into(), Level::Error);
        assert_eq!(check(&facts, &cfg)[0].finding.level, Level::Error);
        cfg.ignored.push("WD2001".into());
        assert_eq!(check(&facts, &cfg), []);
        cfg.ignored.clear();
        cfg.overrides.insert("WD2001".into(), Level::Ignore);
        assert_eq!(check(&facts, &cfg), []);
    }

    #[test]
    fn reports_group_by_location() {
        let facts = Facts {
            reference: "img".into(),
            layers: vec!["sha256:0123456789abcdef".into()],
            entries: vec![
                FsEntry {
                    path: "/a".into(),
                    dir: false,
                    mode: 0o4755,
                    size: 1,
                    layer: 0,
                },
                FsEntry {
                    path: "/a".into(),
                    dir: false,
                    mode: 0o4757,
                    size: 1,
                    layer: 0,
                },
            ],
            ..Default::default()
        };
        let r = reports(&check(&facts, &Config::default()));
        let shape: Vec<(&str, usize)> = r
            .iter()
            .map(|r| (r.path.as_str(), r.findings.len()))
            .collect();
        assert_eq!(shape, [("img", 1), ("img:/a", 3)]);
        assert_eq!(layer_name(&facts, 0), "layer 1 of 1 (sha256:0123456789ab)");
    }
}
