//! WD1008: world-writable permissions.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1008",
    level: Level::Warning,
    message: "`chmod 777` makes files world-writable; grant only the permissions needed",
    doc: "## What it does\nFlags `chmod 777`/`0777`/`a+rwx`/`o+w` in RUN and `--chmod=777` on COPY/ADD.\n\n## Why\nAny process in the container (or any user sharing a volume) can then replace the files, including binaries that later run as root.\n\n## Example\n```dockerfile\nCOPY --chown=10001:10001 --chmod=0755 app /app\n```",
    family: Family::Warden,
    check,
};

/// Whether a chmod mode makes something world-writable.
pub fn world_writable(mode: &str) -> bool {
    if mode.chars().all(|c| c.is_ascii_digit()) && !mode.is_empty() {
        let last = mode.chars().last().and_then(|c| c.to_digit(8)).unwrap_or(0);
        return last & 2 != 0;
    }
    mode.split(',').any(|clause| {
        let (who, rest) = clause.split_at(clause.find(['+', '=']).unwrap_or(clause.len()));
        (who.contains('o') || who.contains('a') || who.is_empty())
            && rest.len() > 1
            && rest[1..].contains('w')
            && !who.is_empty()
    })
}

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        let inner = unwrap_onbuild(i);
        if matches!(inner.kind, Kind::Copy(_) | Kind::Add(_))
            && inner
                .flag("chmod")
                .and_then(|f| f.value.as_deref())
                .is_some_and(world_writable)
        {
            out.at(i);
        }
    }
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            c.base_name() == "chmod"
                && c.args
                    .iter()
                    .any(|a| !a.value.starts_with('-') && world_writable(&a.value))
        })
    });
}
