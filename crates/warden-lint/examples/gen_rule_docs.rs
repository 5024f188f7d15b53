//! Writes `docs/rules/<CODE>.md` and `docs/rules/README.md` from the rule registry:
//! `cargo run -p warden-lint --example gen_rule_docs -- docs/rules`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "docs/rules".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let mut index = String::from(
        "# warden lint rules\n\nGenerated from the rule registry (`crates/warden-lint/src/rules/mod.rs`) by\n`cargo run -p warden-lint --example gen_rule_docs -- docs/rules`. `warden lint --explain CODE` prints the same text.\n\n| Code | Level | Origin | Message |\n|---|---|---|---|\n",
    );
    for r in warden_lint::RULES
        .iter()
        .copied()
        .chain(warden_lint::image::rules())
    {
        std::fs::write(
            dir.join(format!("{}.md", r.code)),
            warden_lint::rules::markdown(r),
        )?;
        let family = match r.family {
            warden_lint::Family::Hadolint => "hadolint",
            warden_lint::Family::Warden => "warden",
            warden_lint::Family::Image => "warden image",
        };
        index.push_str(&format!(
            "| [{}]({}.md) | {} | {} | {} |\n",
            r.code,
            r.code,
            r.level,
            family,
            r.message.replace('|', "\\|")
        ));
    }
    std::fs::write(dir.join("README.md"), index)?;
    Ok(())
}
