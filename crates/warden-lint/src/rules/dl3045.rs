//! DL3045: COPY to a relative destination without WORKDIR.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3045",
    level: Level::Warning,
    message: "`COPY` to a relative destination without `WORKDIR` set.",
    doc: "## What it does\nFlags COPY to a relative path in a stage that has no WORKDIR (inherited from a parent stage counts).\n\n## Why\nThe destination then depends on the base image's WORKDIR.\n\n## Example\n```dockerfile\nWORKDIR /app\nCOPY . .\n```",
    family: Family::Hadolint,
    check,
};

fn absolute(d: &str) -> bool {
    // hadolint trims quote characters from each end on their own (`Text.dropAround`), so
    // `"${HOME}"/file` counts as starting with a variable.
    let d = d.trim_matches(|c| c == '"' || c == '\'');
    let b = d.as_bytes();
    d.starts_with('/')
        || d.starts_with('$')
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
}

fn check(cx: &Ctx, out: &mut Out) {
    let mut has_workdir = vec![false; cx.stages.len()];
    let mut before_from = false;
    for (i, inst) in cx.instructions() {
        let stage = cx.stage_of[i];
        match &inst.kind {
            Kind::From(_) => {
                if let Some(s) = stage {
                    has_workdir[s] = cx.stages[s].parent.is_some_and(|p| has_workdir[p]);
                }
            }
            Kind::Workdir(_) => match stage {
                Some(s) => has_workdir[s] = true,
                None => before_from = true,
            },
            Kind::Copy(c) => {
                let set = match stage {
                    Some(s) => has_workdir[s],
                    None => before_from,
                };
                if let Some(d) = &c.dest {
                    if !set && !absolute(&d.value) {
                        out.at(inst);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quoted_variable_prefix_is_not_relative() {
        let cfg = crate::Config {
            shellcheck: false,
            ..Default::default()
        };
        let codes = |src: &str| -> Vec<String> {
            crate::lint(src.as_bytes(), &cfg, None)
                .into_iter()
                .map(|f| f.code)
                .filter(|c| c == "DL3045")
                .collect()
        };
        assert!(codes("FROM a\nCOPY x \"${HOME}\"/x\n").is_empty());
        assert!(codes("FROM a\nCOPY x '/opt/x'\n").is_empty());
        assert_eq!(codes("FROM a\nCOPY x \"rel/x\"\n"), ["DL3045"]);
    }
}
