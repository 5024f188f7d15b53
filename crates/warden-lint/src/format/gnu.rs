//! GNU error format: `warden:FILE:LINE: CODE LEVEL: MESSAGE`.

use super::FileReport;

pub(super) fn render(reports: &[FileReport]) -> String {
    let mut s = String::new();
    for r in reports {
        for f in &r.findings {
            s.push_str(&format!(
                "warden:{}:{}: {} {}: {}\n",
                r.path, f.span.start.line, f.code, f.level, f.message
            ));
        }
    }
    s
}
