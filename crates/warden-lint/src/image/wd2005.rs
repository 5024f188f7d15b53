//! WD2005: a private key in any layer.
use super::{Facts, ImageOut, SecretFile};
use crate::rules::{Family, Level, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD2005",
    level: Level::Error,
    message: "A private key is stored in an image layer",
    doc: "## What it does\nReports every file, in *any* layer, whose content holds a private key: PEM blocks (`-----BEGIN RSA/EC/DSA/OPENSSH/ENCRYPTED PRIVATE KEY-----`, PKCS#8, PGP private key blocks) and PuTTY key files. Only candidates are read: files up to 1 MiB named like keys (`id_rsa`, `id_ed25519`, `*.pem`, `*.key`, `*.ppk`, `*.p8`) or whose first bytes open a private-key block. A key that a later layer deletes (whiteout) or replaces is still reported, with the layer that holds it: the bytes ship in that layer's blob, and `docker save` or a registry pull gets them.\n\n**Dockle:** CIS-DI-0010 (credential files), which goes by file name only (`id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519`) and only in the final filesystem.\n\n## Why\nA key in an image is a key given to everyone who can pull it. Deleting it in a later `RUN rm` does not help: layers are additive.\n\n## Example\n```dockerfile\nRUN --mount=type=ssh git clone git@github.com:org/private.git\n```",
    family: Family::Image,
    check: super::no_dockerfile_check,
};

/// Where a layer file is, for the message: still present, or gone from the final view.
pub(super) fn presence(f: &Facts, survives: bool) -> &'static str {
    if survives {
        "present in the final filesystem"
    } else if f.layers.len() > 1 {
        "a later layer deletes or replaces it, but it still ships in this layer's blob"
    } else {
        "absent from the final filesystem, but it still ships in this layer's blob"
    }
}

pub(super) fn check(f: &Facts, out: &mut ImageOut) {
    for lf in &f.layer_files {
        if let SecretFile::PrivateKey(kind) = lf.kind {
            out.path(
                &lf.path,
                format!(
                    "A private key ({kind}) is stored in {}: {}",
                    super::layer_name(f, lf.layer),
                    presence(f, lf.survives)
                ),
            );
        }
    }
}
