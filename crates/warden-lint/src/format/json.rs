//! hadolint's JSON: one array for all files, keys in alphabetical order.

use super::FileReport;

pub(super) fn render(reports: &[FileReport]) -> String {
    let mut items = Vec::new();
    for r in reports {
        for f in &r.findings {
            items.push(serde_json::json!({
                "code": f.code,
                "column": f.span.start.column,
                "file": r.path,
                "level": f.level.as_str(),
                "line": f.span.start.line,
                "message": f.message,
            }));
        }
    }
    let mut s = serde_json::to_string(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
