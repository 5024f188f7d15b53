//! Code Climate engine output: each issue is a JSON object followed by a NUL byte.

use super::FileReport;

pub(super) fn render(reports: &[FileReport]) -> String {
    let mut s = String::new();
    for r in reports {
        for f in &r.findings {
            s.push_str(&super::climate_issue(&r.path, f).to_string());
            s.push('\0');
        }
    }
    s
}
