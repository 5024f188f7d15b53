//! DL3044: ENV must not use a variable it defines itself.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3044",
    level: Level::Error,
    message: "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
    doc: "## What it does\nFlags `ENV A=1 B=$A`: B gets A's *previous* value, not 1.\n\n## Why\nAll pairs of one ENV are expanded against the environment before it.\n\n## Example\n```dockerfile\nENV A=1\nENV B=$A\n```",
    family: Family::Hadolint,
    check,
};

/// Variable names referenced by `$X` or `${X...}` (escaped `\$` skipped).
pub fn vars_in(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'$' {
            let mut j = i + 1;
            let braced = b.get(j) == Some(&b'{');
            if braced {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start {
                out.push(s[start..j].to_string());
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        if let Kind::Env(kvs) = &unwrap_onbuild(i).kind {
            {
                let mut here: Vec<&str> = Vec::new();
                let mut bad = false;
                for kv in kvs {
                    if vars_in(&kv.raw_value)
                        .iter()
                        .any(|v| here.contains(&v.as_str()))
                    {
                        bad = true;
                    }
                    here.push(&kv.key);
                }
                if bad {
                    out.at(i);
                }
            }
        }
    }
}
