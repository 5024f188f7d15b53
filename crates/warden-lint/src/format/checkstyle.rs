//! Checkstyle XML 4.3.

use super::FileReport;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub(super) fn render(reports: &[FileReport]) -> String {
    let mut s =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for r in reports {
        s.push_str(&format!("  <file name=\"{}\">\n", esc(&r.path)));
        for f in &r.findings {
            s.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"{}\"/>\n",
                f.span.start.line,
                f.span.start.column,
                f.level,
                esc(&f.message),
                esc(&f.code)
            ));
        }
        s.push_str("  </file>\n");
    }
    s.push_str("</checkstyle>\n");
    s
}
