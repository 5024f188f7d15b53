//! DL3010: use ADD to extract archives.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3010",
    level: Level::Info,
    message: "Use `ADD` for extracting archives into an image",
    doc: "## What it does\nFlags a COPY of an archive that a later RUN of the same stage extracts with `tar x` or `unzip`.\n\n## Why\nADD extracts local archives itself, saving a layer with the archive in it.\n\n## Example\n```dockerfile\nCOPY app.tar.gz /tmp/\nRUN tar xzf /tmp/app.tar.gz   # use ADD app.tar.gz /opt/\n```",
    family: Family::Hadolint,
    check,
};

fn basename(p: &str) -> &str {
    let p = drop_quotes(p).trim_end_matches(['/', '\\']);
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

fn check(cx: &Ctx, out: &mut Out) {
    let mut copied: Vec<(usize, String, Option<usize>)> = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for (i, inst) in cx.instructions() {
        let stage = cx.stage_of[i];
        match &inst.kind {
            Kind::Copy(c) if inst.flag("from").is_none() => {
                for s in &c.sources {
                    if is_archive(&s.value) {
                        copied.push((i, basename(&s.value).to_string(), stage));
                    }
                }
                if let Some(d) = &c.dest {
                    if is_archive(&d.value) {
                        copied.push((i, basename(&d.value).to_string(), stage));
                    }
                }
            }
            Kind::Run(_) => {
                let Some(r) = cx.runs.iter().find(|r| r.index == i) else {
                    continue;
                };
                for c in r.commands() {
                    let extracting = (c.name == "tar"
                        && (c.has_flag("x")
                            || c.has_flag("extract")
                            || c.args.first().is_some_and(|a| {
                                !a.value.starts_with('-') && a.value.contains('x')
                            })))
                        || c.name == "unzip";
                    if !extracting {
                        continue;
                    }
                    for (ci, name, st) in &copied {
                        if *st == stage
                            && c.args.iter().any(|a| basename(&a.value) == name)
                            && reported.insert(*ci)
                        {
                            out.at(&cx.df.instructions[*ci]);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
