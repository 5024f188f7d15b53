//! Which files of a layer are worth reading, and what they hold.
//!
//! Reading every file of every layer would cost the whole image in I/O and memory, so content is
//! read only for *candidates*: files up to [`MAX_CANDIDATE`] bytes whose name is a key or
//! credential name, or whose first bytes (which the walker reads anyway) open a PEM private key.
//! Everything else is decided from the index alone.

/// Largest file whose content is read (private keys and credential files are a few KiB).
pub const MAX_CANDIDATE: u64 = 1 << 20;

/// What to do with a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Not needed.
    Skip,
    /// Read it and [`classify`] it in its layer (deleted files included).
    Inspect,
    /// Keep it for after the walk (`/etc/passwd`, to resolve a named `User`).
    Keep,
}

/// A secret file, by what gave it away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretFile {
    /// Its content holds a private key of this kind (`RSA`, `OPENSSH`, `EC`, `PuTTY`, `PKCS#8`…).
    PrivateKey(&'static str),
    /// Its name (and, where the name alone is too common, its content) says it holds credentials.
    Credential(&'static str),
}

/// SSH private key file names (Dockle's list): reported from content when they hold a key, and
/// as credential files when they do not (an encrypted or unknown format).
const KEY_NAMES: &[&str] = &["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk"];

/// Extensions that often hold a PEM private key; read to check, never reported by name alone.
const KEY_EXTENSIONS: &[&str] = &[".pem", ".key", ".ppk", ".p8"];

/// Credential files reported by name, with what they are.
const CREDENTIAL_NAMES: &[(&str, &str)] = &[
    (".env", "a dotenv file"),
    ("credentials", "a credentials file"),
    ("credentials.json", "a credentials file"),
    ("credential.json", "a credentials file"),
    ("credentials.xml", "a credentials file"),
    ("password.txt", "a password file"),
    (".git-credentials", "git credentials"),
    (".netrc", "a .netrc with machine passwords"),
    ("_netrc", "a .netrc with machine passwords"),
    (".pgpass", "a PostgreSQL password file"),
    (".pypirc", "PyPI upload credentials"),
    ("secret_token.rb", "a Rails secret token"),
];

/// `.env.example` and friends document variables; they are meant to ship.
const ENV_TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "defaults"];

/// A file whose name is common, and which holds credentials only with one of its markers.
struct Gated {
    /// Path suffix after a `/`.
    suffix: &'static str,
    markers: &'static [&'static str],
    what: &'static str,
}

const CONTENT_GATED: &[Gated] = &[
    Gated {
        suffix: ".npmrc",
        markers: &["_authToken", "_auth=", "_password"],
        what: "an .npmrc with a registry token",
    },
    Gated {
        suffix: ".docker/config.json",
        markers: &["\"auth\"", "\"identitytoken\""],
        what: "a docker config.json with registry credentials",
    },
    Gated {
        suffix: ".aws/config",
        markers: &["aws_secret_access_key"],
        what: "an AWS config with a secret key",
    },
];

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Credential-file kind by name alone, or `None`.
fn credential_name(path: &str) -> Option<&'static str> {
    if path.ends_with("/.aws/credentials") {
        return Some("AWS credentials");
    }
    let name = base(path);
    if let Some(&(_, what)) = CREDENTIAL_NAMES.iter().find(|(n, _)| *n == name) {
        return Some(what);
    }
    if let Some(suffix) = name.strip_prefix(".env.") {
        if !ENV_TEMPLATES.contains(&suffix.to_ascii_lowercase().as_str()) {
            return Some("a dotenv file");
        }
    }
    if name.ends_with(".secret") || name.ends_with(".private_key") {
        return Some("a file named as a secret");
    }
    None
}

fn content_gated(path: &str) -> Option<&'static Gated> {
    CONTENT_GATED.iter().find(|g| {
        path.strip_suffix(g.suffix)
            .is_some_and(|rest| rest.ends_with('/'))
    })
}

fn key_named(path: &str) -> bool {
    let name = base(path);
    KEY_NAMES.contains(&name) || KEY_EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// Whether the first bytes open a PEM private key (certificates, public keys: no). Called for
/// every file of every layer, so it stays on bytes and allocates nothing.
fn head_opens_key(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let t = &head[start..];
    (t.starts_with(b"-----BEGIN ") && contains(t, b"PRIVATE KEY"))
        || t.starts_with(b"PuTTY-User-Key-File-")
}

/// Decides, from what the walker knows before reading, whether a file's content is needed.
pub fn select(path: &str, size: u64, head: &[u8]) -> Want {
    if path == "/etc/passwd" && size <= MAX_CANDIDATE {
        return Want::Keep;
    }
    if size == 0 || size > MAX_CANDIDATE {
        return Want::Skip;
    }
    if key_named(path)
        || head_opens_key(head)
        || credential_name(path).is_some()
        || content_gated(path).is_some()
    {
        Want::Inspect
    } else {
        Want::Skip
    }
}

/// The kind of private key in `data`, if it holds one.
pub fn private_key(data: &[u8]) -> Option<&'static str> {
    const KINDS: &[(&str, &str)] = &[
        ("-----BEGIN RSA PRIVATE KEY-----", "RSA"),
        ("-----BEGIN DSA PRIVATE KEY-----", "DSA"),
        ("-----BEGIN EC PRIVATE KEY-----", "EC"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "OpenSSH"),
        ("-----BEGIN ENCRYPTED PRIVATE KEY-----", "encrypted PKCS#8"),
        ("-----BEGIN PRIVATE KEY-----", "PKCS#8"),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "PGP"),
        ("PuTTY-User-Key-File-", "PuTTY"),
    ];
    KINDS
        .iter()
        .find(|(marker, _)| contains(data, marker.as_bytes()))
        .map(|&(_, kind)| kind)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// What a candidate read by [`select`] holds, or `None` when it turned out harmless.
pub fn classify(path: &str, data: &[u8]) -> Option<SecretFile> {
    if let Some(kind) = private_key(data) {
        return Some(SecretFile::PrivateKey(kind));
    }
    if KEY_NAMES.contains(&base(path)) {
        return Some(SecretFile::Credential("an SSH private key file"));
    }
    if let Some(what) = credential_name(path) {
        return Some(SecretFile::Credential(what));
    }
    if let Some(g) = content_gated(path) {
        if g.markers.iter().any(|m| contains(data, m.as_bytes())) {
            return Some(SecretFile::Credential(g.what));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA: &[u8] = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n";

    #[test]
    fn selection_reads_only_candidates() {
        assert_eq!(select("/root/.ssh/id_rsa", 1700, b"x"), Want::Inspect);
        assert_eq!(select("/srv/tls/server.key", 1700, b"x"), Want::Inspect);
        assert_eq!(select("/opt/blob.bin", 1700, RSA), Want::Inspect);
        assert_eq!(select("/app/.env", 10, b"A=1"), Want::Inspect);
        assert_eq!(select("/app/.env.production", 10, b"A=1"), Want::Inspect);
        assert_eq!(select("/app/.env.example", 10, b"A=1"), Want::Skip);
        assert_eq!(select("/home/u/.npmrc", 10, b""), Want::Inspect);
        assert_eq!(select("/etc/passwd", 900, b"root:x"), Want::Keep);
        // Certificates and big or empty files are not read.
        assert_eq!(
            select(
                "/etc/ssl/certs/ca.crt",
                9000,
                b"-----BEGIN CERTIFICATE-----\nMII"
            ),
            Want::Skip
        );
        assert_eq!(
            select("/root/.ssh/id_rsa", MAX_CANDIDATE + 1, b""),
            Want::Skip
        );
        assert_eq!(select("/app/.env", 0, b""), Want::Skip);
        assert_eq!(select("/usr/bin/env", 30000, b"\x7fELF"), Want::Skip);
    }

    #[test]
    fn classification_by_content_and_name() {
        assert_eq!(
            classify("/root/.ssh/id_rsa", RSA),
            Some(SecretFile::PrivateKey("RSA"))
        );
        let bag = b"Bag Attributes\n    localKeyID: 01\n-----BEGIN PRIVATE KEY-----\nMII\n";
        assert_eq!(
            classify("/srv/bundle.pem", bag),
            Some(SecretFile::PrivateKey("PKCS#8"))
        );
        assert_eq!(
            classify(
                "/root/.ssh/id_ed25519",
                b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl"
            ),
            Some(SecretFile::PrivateKey("OpenSSH"))
        );
        // A public certificate named .pem is harmless.
        assert_eq!(
            classify("/srv/ca.pem", b"-----BEGIN CERTIFICATE-----\nMII\n"),
            None
        );
        assert_eq!(
            classify("/root/.ssh/id_rsa", b"garbage"),
            Some(SecretFile::Credential("an SSH private key file"))
        );
        assert_eq!(
            classify("/app/.env", b"DB=x"),
            Some(SecretFile::Credential("a dotenv file"))
        );
        assert_eq!(
            classify("/root/.aws/credentials", b"[default]"),
            Some(SecretFile::Credential("AWS credentials"))
        );
        assert_eq!(classify("/home/u/.npmrc", b"registry=https://r/\n"), None);
        assert_eq!(
            classify("/home/u/.npmrc", b"//r/:_authToken=abc\n"),
            Some(SecretFile::Credential("an .npmrc with a registry token"))
        );
        assert_eq!(
            classify("/root/.docker/config.json", b"{\"auths\":{}}"),
            None
        );
        assert_eq!(
            classify(
                "/root/.docker/config.json",
                b"{\"auths\":{\"r\":{\"auth\":\"dTpw\"}}}"
            ),
            Some(SecretFile::Credential(
                "a docker config.json with registry credentials"
            ))
        );
    }
}
