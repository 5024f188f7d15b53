//! The image checks through the real image reader: docker-save archives written here, layer by
//! layer, with a whiteout, modes and a config, so the exact findings are known.

use std::path::Path;

use sha2::{Digest, Sha256};
use warden_lint::image::{self, open::collect};
use warden_lint::Config;

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";

/// A tar entry: path, mode, content (`None` = directory).
type Item<'a> = (&'a str, u32, Option<&'a [u8]>);

fn layer(items: &[Item<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, mode, data) in items {
        let mut h = tar::Header::new_ustar();
        h.set_mode(*mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        match data {
            Some(d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(d.len() as u64);
                b.append_data(&mut h, path, *d).expect("append file");
            }
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty())
                    .expect("append dir");
            }
        }
    }
    b.into_inner().expect("finish layer")
}

fn sha(b: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(b)))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Writes a docker-save archive with these layers and config fields; returns its path.
fn archive(dir: &Path, layers: &[Vec<u8>], config: serde_json::Value, tags: &[&str]) -> String {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    let mut cfg = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": layers.iter().map(|_| serde_json::json!({"created_by": "test"})).collect::<Vec<_>>(),
    });
    if let Some(o) = cfg.as_object_mut() {
        o.insert("created".into(), "2026-11-28T00:00:00Z".into());
    }
    let cfg_bytes = serde_json::to_vec(&cfg).expect("config json");
    let cfg_name = format!("{}.json", &sha(&cfg_bytes)[7..]);
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": cfg_name,
        "RepoTags": tags,
        "Layers": names,
    }]))
    .expect("manifest json");
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).expect("append");
    };
    for (n, l) in names.iter().zip(layers) {
        add(n, l);
    }
    add(&cfg_name, &cfg_bytes);
    add("manifest.json", &manifest);
    let bytes = b.into_inner().expect("finish archive");
    let path = dir.join("image.tar");
    std::fs::write(&path, bytes).expect("write archive");
    format!("docker-archive:{}", path.display())
}

fn lint(reference: &str) -> Vec<(String, String, String)> {
    let c = collect(
        reference,
        &warden_image::OpenOptions::default(),
        &warden_image::NoProgress,
    )
    .unwrap_or_else(|e| panic!("open {reference}: {e}"));
    image::check(&c.facts, &Config::default())
        .into_iter()
        .map(|f| {
            let loc = f
                .location
                .strip_prefix(reference)
                .unwrap_or(&f.location)
                .to_string();
            (loc, f.finding.code, f.finding.message)
        })
        .collect()
}

#[test]
fn every_check_fires_on_a_bad_image_with_the_layer_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let l0 = layer(&[
        ("bin", 0o755, None),
        ("bin/sh", 0o755, Some(b"\x7fELF-not-really")),
        ("bin/su", 0o4755, Some(b"\x7fELF-su")),
        ("tmp", 0o1777, None),
        ("etc", 0o755, None),
        (
            "etc/passwd",
            0o644,
            Some(b"root:x:0:0:root:/root:/bin/sh\n"),
        ),
        ("var/lib/apt/lists/lock", 0o640, Some(b"")),
        (
            "var/lib/apt/lists/deb_InRelease",
            0o644,
            Some(b"0123456789"),
        ),
        ("var/lib/apt/lists/deb_Packages", 0o644, Some(b"01234")),
    ]);
    let l1 = layer(&[
        ("root/.ssh", 0o700, None),
        ("root/.ssh/id_ed25519", 0o600, Some(KEY.as_bytes())),
        ("app", 0o755, None),
        ("app/.env", 0o644, Some(b"DB_PASSWORD=hunter2\n")),
        ("app/.env.example", 0o644, Some(b"DB_PASSWORD=\n")),
        (
            "app/tls.pem",
            0o644,
            Some(b"-----BEGIN CERTIFICATE-----\nMII\n"),
        ),
    ]);
    let l2 = layer(&[
        ("root/.ssh/.wh.id_ed25519", 0o600, Some(b"")),
        ("data", 0o777, None),
        ("data/notes.txt", 0o666, Some(b"x")),
        ("bin/sgid", 0o2755, Some(b"\x7fELF-sgid")),
    ]);
    let reference = archive(
        dir.path(),
        &[l0.clone(), l1.clone(), l2.clone()],
        serde_json::json!({
            "Env": ["PATH=/bin", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
            "Labels": {"org.opencontainers.image.title": "bad"},
        }),
        &["warden-test/bad:latest"],
    );
    let id = |l: &[u8]| sha(l)[7..19].to_string();
    let got = lint(&reference);
    let want: Vec<(String, String, String)> = [
        ("", "WD2001", "The image config sets no User, so the container runs as root: set a non-root USER".to_string()),
        ("", "WD2002", "A secret is stored in the image config Env `AWS_SECRET_ACCESS_KEY`; anyone who can pull the image can read it".to_string()),
        ("", "WD2007", "The image is tagged only `latest` (warden-test/bad:latest): tag it with a version".to_string()),
        (":/app/.env", "WD2006", format!("A credential file (a dotenv file) is stored in layer 2 of 3 (sha256:{}): present in the final filesystem", id(&l1))),
        (":/bin/sgid", "WD2003", format!("A setgid file (mode 2755) is in the image, from layer 3 of 3 (sha256:{})", id(&l2))),
        (":/bin/su", "WD2003", format!("A setuid file (mode 4755) is in the image, from layer 1 of 3 (sha256:{})", id(&l0))),
        (":/data", "WD2004", format!("A world-writable directory without the sticky bit (mode 0777) is in the image, from layer 3 of 3 (sha256:{})", id(&l2))),
        (":/data/notes.txt", "WD2004", format!("A world-writable file (mode 0666) is in the image, from layer 3 of 3 (sha256:{})", id(&l2))),
        (":/root/.ssh/id_ed25519", "WD2005", format!("A private key (OpenSSH) is stored in layer 2 of 3 (sha256:{}): a later layer deletes or replaces it, but it still ships in this layer's blob", id(&l1))),
        (":/var/lib/apt/lists", "WD2008", "Left in the image: the apt package lists (2 files, 15 bytes); remove it in the RUN that filled it".to_string()),
    ]
    .into_iter()
    .map(|(l, c, m)| (l.to_string(), c.to_string(), m))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn a_clean_image_has_no_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let l0 = layer(&[
        ("bin", 0o755, None),
        ("bin/app", 0o755, Some(b"\x7fELF-app")),
        ("tmp", 0o1777, None),
        ("etc", 0o755, None),
        (
            "etc/passwd",
            0o644,
            Some(b"root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/:/bin/app\n"),
        ),
        (
            "etc/ssl/ca.pem",
            0o644,
            Some(b"-----BEGIN CERTIFICATE-----\nMII\n"),
        ),
    ]);
    let reference = archive(
        dir.path(),
        &[l0],
        serde_json::json!({"User": "app", "Env": ["PATH=/bin", "GPG_KEY=A4A9406876FCBD3C"]}),
        &["warden-test/clean:1.0", "warden-test/clean:latest"],
    );
    assert_eq!(lint(&reference), []);
}

#[test]
fn a_named_user_with_uid_0_and_a_rootfs_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let l0 = layer(&[
        ("etc", 0o755, None),
        (
            "etc/passwd",
            0o644,
            Some(b"root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n"),
        ),
    ]);
    let reference = archive(
        dir.path(),
        &[l0],
        serde_json::json!({"User": "toor"}),
        &["warden-test/toor:2"],
    );
    let got = lint(&reference);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "WD2001");
    assert!(got[0].2.contains("\"toor\" has UID 0"), "{got:?}");

    // A `dir:` tree has no layers or config: its files still count, as layer 1.
    let root = dir.path().join("rootfs");
    std::fs::create_dir_all(root.join("app")).expect("mkdir");
    std::fs::write(root.join("app/credentials.json"), "{}").expect("write");
    let reference = format!("dir:{}", root.display());
    let got = lint(&reference);
    let codes: Vec<(&str, &str)> = got
        .iter()
        .map(|(l, c, _)| (l.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        codes,
        [("", "WD2001"), (":/app/credentials.json", "WD2006")],
        "{got:?}"
    );
}
