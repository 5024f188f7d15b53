//! GitLab code quality: a JSON array of Code Climate issues, each with a stable fingerprint.

use sha2::{Digest, Sha256};

use super::FileReport;

pub(super) fn render(reports: &[FileReport]) -> String {
    let mut items = Vec::new();
    for r in reports {
        for f in &r.findings {
            let mut issue = super::climate_issue(&r.path, f);
            // The fingerprint hashes the issue itself, so it is stable across runs and unique per
            // file, line, rule and message (hadolint uses SHA-1 of the same; GitLab needs uniqueness).
            let fp = hex::encode(Sha256::digest(issue.to_string().as_bytes()));
            if let Some(o) = issue.as_object_mut() {
                o.insert("fingerprint".into(), serde_json::Value::String(fp));
            }
            items.push(issue);
        }
    }
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
