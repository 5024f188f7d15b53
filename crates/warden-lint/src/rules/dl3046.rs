//! DL3046: `useradd -l` with high UIDs.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3046",
    level: Level::Warning,
    message: "`useradd` without flag `-l` and high UID will result in excessively large Image.",
    doc: "## What it does\nFlags `useradd -u <uid>` with a UID of more than 5 digits and no `-l`/`--no-log-init`.\n\n## Why\nThe sparse lastlog file grows to gigabytes in a layer.\n\n## Example\n```dockerfile\nRUN useradd -l -u 123456 app\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            if c.name != "useradd" || c.has_any_flag(&["l", "no-log-init"]) {
                return false;
            }
            let v = c.arg_values();
            v.iter().enumerate().any(|(i, a)| {
                let uid = if *a == "-u" || *a == "--uid" {
                    v.get(i + 1).copied()
                } else {
                    a.strip_prefix("--uid=")
                };
                uid.is_some_and(|u| u.len() > 5 && u.chars().all(|c| c.is_ascii_digit()))
            })
        })
    });
}
