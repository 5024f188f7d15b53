//! DL4001: wget or curl, not both.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL4001",
    level: Level::Warning,
    message: "Either use Wget or Curl but not both",
    doc: "## What it does\nOnce a stage has used both wget and curl, flags each RUN using either.\n\n## Why\nTwo download tools in one image is one more than needed.\n\n## Example\n```dockerfile\nRUN curl -fsSLO https://example.com/a && curl -fsSLO https://example.com/b\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let (mut wget, mut curl) = (false, false);
    let mut stage = None;
    for r in &cx.runs {
        if r.stage != stage {
            stage = r.stage;
            wget = false;
            curl = false;
        }
        let w = any_cmd(r, |c| c.name == "wget");
        let c = any_cmd(r, |c| c.name == "curl");
        wget |= w;
        curl |= c;
        if wget && curl && (w || c) {
            out.at(r.outer);
        }
    }
}
