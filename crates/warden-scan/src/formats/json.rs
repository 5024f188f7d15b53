//! warden's own JSON (schema documented in `docs/scan-json.md`). Suppressed findings stay in
//! `findings[]` with a `suppressed` object naming the rule.

use serde_json::{json, Value};

use super::{rfc3339, to_json, Report};
use crate::error::ScanError;
use crate::report::{RenderOptions, ScanReport};

/// The schema version written as `schema_version`; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

pub(super) struct Json;

impl Report for Json {
    fn render(&self, r: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let err = |e: serde_json::Error| ScanError::Render {
            format: "json",
            message: e.to_string(),
        };
        let summary = r.summary();
        let by_severity: serde_json::Map<String, Value> = summary
            .by_severity
            .iter()
            .rev()
            .map(|(s, c)| {
                (
                    s.as_str().to_string(),
                    json!({"active": c.active, "fixable": c.fixable}),
                )
            })
            .collect();
        let doc = json!({
            "schema_version": SCHEMA_VERSION,
            "generator": {"name": "warden", "version": opts.tool_version},
            "generated_at": rfc3339(opts),
            "target": r.target_name(),
            "image": r.inventory.image.as_ref().map(serde_json::to_value).transpose().map_err(err)?,
            "os": r.inventory.os.as_ref().map(serde_json::to_value).transpose().map_err(err)?,
            "packages_scanned": r.inventory.packages.len(),
            "summary": {
                "total": summary.total,
                "active": summary.active,
                "suppressed": summary.suppressed,
                "fixable": summary.fixable,
                "by_severity": by_severity,
            },
            "gate": serde_json::to_value(&r.gate).map_err(err)?,
            "warnings": r.warnings,
            "expired_ignores": serde_json::to_value(&r.expired).map_err(err)?,
            "findings": serde_json::to_value(&r.findings).map_err(err)?,
        });
        to_json("json", &doc)
    }
}
