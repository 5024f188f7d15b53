//! WD2006: a credential file in any layer.
use super::{Facts, ImageOut, SecretFile};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2006",
    level: Level::Warning,
    message: "A credential file is stored in an image layer",
    doc: "## What it does\nReports every file, in *any* layer, that is a credential store by name: `.env` and `.env.*` (not `.env.example`, `.sample`, `.template`, `.dist`, `.defaults`), `credentials`, `credentials.json`, `credential.json`, `credentials.xml`, `password.txt`, `.git-credentials`, `.netrc`, `_netrc`, `.pgpass`, `.pypirc`, `secret_token.rb`, `*.secret`, `*.private_key`, `.aws/credentials`, and SSH key file names (`id_rsa`…) that do not hold a readable key; and, where the name alone is common, by name and content: `.npmrc` with `_authToken`/`_auth=`/`_password`, `.docker/config.json` with an `auth` or `identitytoken`, `.aws/config` with `aws_secret_access_key`. A file deleted by a later layer is still reported with the layer that holds it.\n\n**Dockle:** CIS-DI-0010 (\"Suspicious filename found\"), which checks the final filesystem only; Dockle's `settings.py`, `database.yml` and `*.ovpn`-style names are left out (too common in application images to be a signal).\n\n## Why\nFiles copied in with `COPY . .` are the usual way secrets end up in images; a later `rm` leaves them in the earlier layer.\n\n## Example\n```dockerfile\n# .dockerignore\n.env\n.env.*\n!.env.example\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    for lf in &f.layer_files {
        if let SecretFile::Credential(what) = lf.kind {
            out.path(
                &lf.path,
                format!(
                    "A credential file ({what}) is stored in {}: {}",
                    super::layer_name(f, lf.layer),
                    super::wd2005::presence(f, lf.survives)
                ),
            );
        }
    }
}
