//! WD2002: secrets in the image config's Env or Labels.
use super::{Facts, ImageOut};
use crate::rules::wd1005::{secret_name, secret_value};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2002",
    level: Level::Error,
    message: "A secret is stored in the image config (Env or Labels)",
    doc: "## What it does\nFlags config `Env` entries and `Labels` whose value looks like a credential (AWS access keys, GitHub/GitLab/Slack/npm/PyPI/Stripe/OpenAI tokens, private-key blocks, JWTs, URLs with passwords), or whose name is a secret name (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `AWS_SECRET_ACCESS_KEY`…) with a non-empty value. The patterns are WD1005's, so a Dockerfile and the image built from it agree; in the config every value is literal (build arguments were already expanded). The value is never printed.\n\n**Dockle:** CIS-DI-0010 (\"Do not store credential in environment variables/files\"), which matches Env names containing `PASSWD`, `PASSWORD`, `SECRET`, `KEY` or `ACCESS`; warden also checks values and Labels, and does not flag `GPG_KEY`-style public key IDs.\n\n## Why\nThe config is readable by everyone who can pull the image (`docker inspect`), and registries serve it without the layers.\n\n## Example\n```dockerfile\nRUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 cp s3://bucket/app .\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    let env = f.env.iter().map(|e| {
        let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
        ("Env", k, v)
    });
    let labels = f
        .labels
        .iter()
        .map(|(k, v)| ("Labels", k.as_str(), v.as_str()));
    for (field, k, v) in env.chain(labels) {
        if secret_value(v) || (secret_name(k) && !v.trim().is_empty()) {
            out.config(format!(
                "A secret is stored in the image config {field} `{k}`; anyone who can pull the image can read it"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_in_env_and_labels() {
        let f = Facts {
            env: vec![
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                "KEY_ID=AKIAIOSFODNN7EXAMPLE".into(),
                "DB_PASSWORD=".into(),
                "DB_PASSWORD_FILE=/run/secrets/db".into(),
                "REGISTRY_USERNAME=ci".into(),
                "GPG_KEY=A4A9406876FCBD3C456770C88C718D3B5072E1F5".into(),
                "PATH=/usr/local/sbin:/usr/bin".into(),
                "NOVALUE".into(),
            ],
            labels: [
                (
                    "git.url".to_string(),
                    "https://ci:hunter2@git.example/r".to_string(),
                ),
                ("maintainer".to_string(), "ops@example.com".to_string()),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        };
        let mut o = ImageOut { found: Vec::new() };
        check(&f, &mut o);
        let msgs: Vec<String> = o.found.into_iter().filter_map(|(_, m)| m).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("Env `AWS_SECRET_ACCESS_KEY`"));
        assert!(msgs[1].contains("Env `KEY_ID`"));
        assert!(msgs[2].contains("Labels `git.url`"));
        assert!(msgs
            .iter()
            .all(|m| !m.contains("hunter2") && !m.contains("wJalr")));
    }
}
