//! WD1006: ADD of a URL without --checksum.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1006",
    level: Level::Warning,
    message: "ADD downloads a URL without `--checksum`; the content is not verified",
    doc: "## What it does\nFlags `ADD http(s)://…` without `--checksum=sha256:…` (git sources need a pinned commit instead).\n\n## Why\nWithout a checksum, whoever controls the server (or the network) controls what goes into the image.\n\n## Example\n```dockerfile\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /opt/\n```",
    family: Family::Warden,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        let inner = unwrap_onbuild(i);
        if let Kind::Add(a) = &inner.kind {
            let remote = a.sources.iter().any(|s| {
                let v = s.value.as_str();
                (v.starts_with("http://") || v.starts_with("https://")) && !v.contains(".git#")
            });
            if remote && inner.flag("checksum").is_none() {
                out.at(i);
            }
        }
    }
}
