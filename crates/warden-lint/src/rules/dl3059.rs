//! DL3059: consecutive RUNs could be one.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3059",
    level: Level::Info,
    message: "Multiple consecutive `RUN` instructions. Consider consolidation.",
    doc: "## What it does\nFlags a RUN right after another RUN with the same flags (comments between do not count) when each is a single command (hadolint's count: `$(…)` and pipes add commands, `[ … ]` tests do not).\n\n## Why\nEach RUN is a layer; merging them keeps images smaller.\n\n## Example\n```dockerfile\nRUN a && b\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let mut prev: Option<usize> = None;
    for (i, inst) in cx.instructions() {
        let this = cx.runs.iter().position(|r| r.index == i && !r.onbuild);
        if let (Some(p), Some(t)) = (prev, this) {
            let (a, b) = (&cx.runs[p], &cx.runs[t]);
            // hadolint counts the simple commands ShellCheck finds: `$(cmd)` and pipes add
            // one each, while `[ … ]` and `[[ … ]]` are conditions, not commands.
            let count = |r: &crate::context::RunInfo| {
                r.script.as_ref().map_or(1, |s| {
                    s.plain()
                        .filter(|c| c.name != "[" && c.name != "[[")
                        .count()
                })
            };
            if a.run.flags.iter().map(|f| (&f.name, &f.value)).eq(b
                .run
                .flags
                .iter()
                .map(|f| (&f.name, &f.value)))
                && count(a) < 2
                && count(b) < 2
                && a.run.heredocs.is_empty()
                && b.run.heredocs.is_empty()
            {
                out.at(inst);
            }
        }
        prev = this;
    }
}

#[cfg(test)]
mod tests {
    fn flagged(runs: &str) -> Vec<u32> {
        let cfg = crate::Config {
            shellcheck: false,
            ..Default::default()
        };
        crate::lint(format!("FROM debian:12\n{runs}\n").as_bytes(), &cfg, None)
            .iter()
            .filter(|f| f.code == "DL3059")
            .map(|f| f.span.start.line)
            .collect()
    }

    /// Each answer was checked against hadolint 2.15.1.
    #[test]
    fn counts_commands_as_hadolint_does() {
        assert_eq!(flagged("RUN a\nRUN b"), [3]);
        assert_eq!(flagged("RUN a\nRUN a; b"), [0u32; 0]);
        assert_eq!(flagged("RUN a\nRUN [ -e x ] || b"), [3]);
        assert_eq!(flagged("RUN [ -e x ] && grep a x\nRUN b"), [3]);
        assert_eq!(flagged("RUN a $(b)\nRUN c"), [0u32; 0]);
        assert_eq!(flagged("RUN a | b\nRUN c"), [0u32; 0]);
        assert_eq!(flagged("RUN a\nRUN b\nRUN c"), [3, 4]);
        assert_eq!(flagged("RUN a\n# c1\n# c2\nRUN b"), [5]);
    }
}
