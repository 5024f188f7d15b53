//! DL4006: `-o pipefail` before RUN with a pipe.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL4006",
    level: Level::Warning,
    message: "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
    doc: "## What it does\nFlags a RUN with a pipe when the SHELL (bash, zsh or ash) lacks `-o pipefail`. PowerShell and cmd are exempt.\n\n## Why\nWithout pipefail, `curl … | tar x` succeeds even when the download fails.\n\n## Example\n```dockerfile\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://example.com/x.tgz | tar xz\n```",
    family: Family::Hadolint,
    check,
};

/// Whether a SHELL argument list is safe for pipes.
pub fn shell_ok(shell: &[String]) -> bool {
    let Some(first) = shell.first() else {
        return false;
    };
    let lower = first.to_ascii_lowercase();
    if ["pwsh", "powershell", "cmd"]
        .iter()
        .any(|p| lower.contains(p))
    {
        return true;
    }
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    let posix_with_pipefail = matches!(base, "bash" | "zsh" | "ash" | "ksh" | "mksh");
    posix_with_pipefail
        && shell.windows(2).any(|w| {
            w[0].starts_with('-')
                && !w[0].starts_with("--")
                && w[0].contains('o')
                && w[1] == "pipefail"
        })
}

fn check(cx: &Ctx, out: &mut Out) {
    let pragma_shell = crate::pragma::shell_pragma(cx.df);
    let mut shells: Vec<Option<Vec<String>>> = vec![None; cx.stages.len()];
    let mut current: Option<Vec<String>> = None;
    for (i, inst) in cx.instructions() {
        match &inst.kind {
            Kind::From(_) => {
                let s = cx.stage_of[i];
                current = s
                    .and_then(|s| cx.stages[s].parent)
                    .and_then(|p| shells[p].clone());
            }
            Kind::Shell(args) => {
                current = Some(args.clone());
                if let Some(s) = cx.stage_of[i] {
                    shells[s] = current.clone();
                }
            }
            _ => {}
        }
        let Some(r) = cx.runs.iter().find(|r| r.index == i) else {
            continue;
        };
        if r.exec || !r.script.as_ref().is_some_and(|s| s.has_pipes) {
            continue;
        }
        let ok = match (&current, &pragma_shell) {
            (_, Some(p)) if ["pwsh", "powershell", "cmd"].iter().any(|x| p.contains(x)) => true,
            (Some(sh), _) => shell_ok(sh),
            (None, _) => false,
        };
        let set_in_script = any_cmd(r, |c| {
            c.name == "set"
                && c.arg_values()
                    .windows(2)
                    .any(|w| w[0].starts_with('-') && w[0].contains('o') && w[1] == "pipefail")
        });
        if !ok && !set_in_script {
            out.at(r.outer);
        }
    }
}
