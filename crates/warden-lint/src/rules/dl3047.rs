//! DL3047: wget without a progress setting.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3047",
    level: Level::Info,
    message: "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
    doc: "## What it does\nFlags `wget` without `--progress`, `-q`, `-nv` or an output log option.\n\n## Why\nThe default progress bar floods build logs.\n\n## Example\n```dockerfile\nRUN wget -nv https://example.com/x.tgz\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            c.name == "wget"
                && !c.has_any_flag(&[
                    "progress",
                    "q",
                    "quiet",
                    "no-verbose",
                    "o",
                    "output-file",
                    "a",
                    "append-output",
                ])
                && !c.args.iter().any(|a| a.value == "-nv")
        })
    });
}
