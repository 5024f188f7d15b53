//! Every source on one real image: loaded into and built by the real Docker engine, saved with
//! `docker save`, copied with `skopeo` to an OCI layout, an OCI archive and a real
//! `docker-registry` on 127.0.0.1, unpacked with `umoci`. All must give the same index.
//!
//! Needs dockerd on /var/run/docker.sock, `docker-registry`, `skopeo` and `umoci`
//! (scripts/setup.sh installs them). These tests fail, not skip, when they are missing.

mod common;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use common::{layer, Recorder, E};
use warden_image::{open, Credentials, Image, NoProgress, OpenOptions, Progress};

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes the test's images and stops its registry whatever happens.
struct Cleanup {
    images: Vec<String>,
    registry: Option<Child>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(mut c) = self.registry.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        for i in &self.images {
            let _ = Command::new("docker").args(["rmi", "-f", i]).output();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts Debian's docker-registry on loopback with its own storage; `htpasswd` enables basic auth.
fn start_registry(dir: &Path, htpasswd: Option<&Path>) -> (Child, u16) {
    let port = free_port();
    let storage = dir.join("registry-data");
    std::fs::create_dir_all(&storage).expect("mkdir");
    let auth = htpasswd
        .map(|p| {
            format!(
                "auth:\n  htpasswd:\n    realm: warden-test\n    path: {}\n",
                p.display()
            )
        })
        .unwrap_or_default();
    let cfg = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
        storage.display()
    );
    let cfg_path = dir.join("registry.yml");
    std::fs::write(&cfg_path, cfg).expect("registry config");
    let mut child = Command::new("docker-registry")
        .args(["serve", cfg_path.to_str().expect("utf8")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry");
    // Wait (bounded) until it accepts connections.
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, port);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("docker-registry did not start on 127.0.0.1:{port}");
}

#[derive(Default)]
struct Counting {
    started: AtomicUsize,
    done: AtomicUsize,
    bytes: AtomicU64,
}

impl Progress for Counting {
    fn layer_started(&self, _: usize, _: usize, _: Option<u64>) {
        self.started.fetch_add(1, Ordering::Relaxed);
    }
    fn bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }
    fn layer_done(&self, _: usize) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

struct Seen {
    image: Image,
    inspected: Vec<(String, usize, String, usize)>,
}

fn read(reference: &str, opts: &OpenOptions) -> Seen {
    let sel = Recorder::new("/etc/");
    let progress = Counting::default();
    let image =
        open(reference, opts, &sel, &progress).unwrap_or_else(|e| panic!("{reference}: {e}"));
    assert!(
        progress.started.load(Ordering::Relaxed) >= 1,
        "{reference}: no progress"
    );
    assert_eq!(
        progress.started.load(Ordering::Relaxed),
        progress.done.load(Ordering::Relaxed)
    );
    assert!(progress.bytes.load(Ordering::Relaxed) > 0 || reference.starts_with("dir:"));
    Seen {
        image,
        inspected: sel.inspected(),
    }
}

fn index(img: &Image) -> Vec<String> {
    img.fs
        .entries()
        .map(|(p, k, t)| format!("{p} {k} {}", t.unwrap_or("")))
        .collect()
}

fn kept(img: &Image) -> Vec<(String, Vec<u8>)> {
    img.fs
        .kept()
        .map(|(p, d)| (p.to_string(), d.to_vec()))
        .collect()
}

#[test]
fn every_source_yields_the_same_index() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let tag = format!(
        "{}-{}",
        std::process::id(),
        t.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("x")
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    let base = format!("warden-image-test/base:{tag}");
    let app = format!("warden-image-test/app:{tag}");
    let mut cleanup = Cleanup {
        images: vec![app.clone(), base.clone()],
        registry: None,
    };

    // A base image with a whiteout, an opaque dir, links and a binary, loaded into the engine.
    let l0 = layer(&[
        E::Dir("etc/"),
        E::File("etc/os-release", b"ID=warden\nVERSION_ID=1\n"),
        E::Dir("usr/"),
        E::Dir("usr/lib/"),
        E::Dir("usr/lib/app/"),
        E::File("usr/lib/app/tool.bin", b"\x7fELF pretend binary"),
        E::Hardlink("usr/lib/app/tool-link.bin", "usr/lib/app/tool.bin"),
        E::Symlink("etc/tool", "../usr/lib/app/tool.bin"),
        E::Dir("pkg/"),
        E::Dir("pkg/gone/"),
        E::File("pkg/gone/METADATA", b"Name: gone\nVersion: 1.0\n"),
        E::File("pkg/stay", b"stay"),
        E::Dir("app/"),
        E::File("app/old", b"old"),
    ]);
    let l1 = layer(&[
        E::Dir("pkg/"),
        E::File("pkg/.wh.gone", b""),
        E::Dir("app/"),
        E::File("app/.wh..wh..opq", b""),
        E::File("app/new", b"new"),
        E::Dir("etc/"),
        E::File("etc/os-release", b"ID=warden\nVERSION_ID=2\n"),
    ]);
    let archive = t.join("base.tar");
    common::docker_archive(&archive, &[l0, l1], &base);
    run(Command::new("docker").args(["load", "-i"]).arg(&archive));

    // An image built by the real engine on top of it.
    let ctx = t.join("ctx");
    std::fs::create_dir_all(&ctx).expect("mkdir");
    std::fs::write(ctx.join("extra.txt"), "extra").expect("write");
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {base}\nCOPY extra.txt /etc/extra.txt\nLABEL org.example=warden\n"),
    )
    .expect("write");
    run(Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", &app])
        .arg(&ctx));

    let opts = OpenOptions::default();
    let daemon = read(&format!("docker:{app}"), &opts);

    let saved = t.join("save.tar");
    run(Command::new("docker")
        .args(["save", "-o"])
        .arg(&saved)
        .arg(&app));
    let archive = read(&format!("docker-archive:{}", saved.display()), &opts);

    let layout = t.join("layout");
    run(Command::new("skopeo").args([
        "copy",
        "-q",
        &format!("docker-daemon:{app}"),
        &format!("oci:{}:app", layout.display()),
    ]));
    let oci_dir = read(&format!("oci-dir:{}", layout.display()), &opts);

    let oci_tar = t.join("oci.tar");
    run(Command::new("skopeo").args([
        "copy",
        "-q",
        &format!("docker-daemon:{app}"),
        &format!("oci-archive:{}:app", oci_tar.display()),
    ]));
    let oci_archive = read(&format!("oci-archive:{}", oci_tar.display()), &opts);

    let (child, port) = start_registry(t, None);
    cleanup.registry = Some(child);
    let remote = format!("127.0.0.1:{port}/warden/app:1");
    run(Command::new("skopeo").args([
        "copy",
        "-q",
        "--dest-tls-verify=false",
        &format!("docker-daemon:{app}"),
        &format!("docker://{remote}"),
    ]));
    let insecure = OpenOptions {
        insecure: true,
        docker_config_dir: Some(t.join("no-docker-config")),
        ..Default::default()
    };
    let registry = read(&format!("registry:{remote}"), &insecure);
    // Without `insecure` the client insists on TLS, which this registry does not speak.
    assert!(open(
        &format!("registry:{remote}"),
        &OpenOptions {
            docker_config_dir: Some(t.join("none")),
            ..Default::default()
        },
        &Recorder::new("/"),
        &NoProgress
    )
    .is_err());

    let bundle = t.join("bundle");
    run(Command::new("umoci")
        .args([
            "unpack",
            "--rootless",
            "--image",
            &format!("{}:app", layout.display()),
        ])
        .arg(&bundle));
    let rootfs = read(&format!("dir:{}", bundle.join("rootfs").display()), &opts);

    // Auto-detection: a save tar, a layout dir, a daemon name.
    let auto_tar = read(&saved.display().to_string(), &opts);
    let auto_dir = read(&layout.display().to_string(), &opts);
    let auto_daemon = read(&app, &opts);

    let want = index(&daemon.image);
    assert!(want.iter().any(|l| l.starts_with("/etc/extra.txt file")));
    assert!(
        !want.iter().any(|l| l.starts_with("/pkg/gone")),
        "whiteout not applied: {want:?}"
    );
    assert!(
        !want.iter().any(|l| l.starts_with("/app/old")),
        "opaque dir not applied: {want:?}"
    );
    assert!(want.iter().any(|l| l.starts_with("/pkg/stay file")));
    for (name, s) in [
        ("docker-archive", &archive),
        ("oci-dir", &oci_dir),
        ("oci-archive", &oci_archive),
        ("registry", &registry),
        ("auto tar", &auto_tar),
        ("auto dir", &auto_dir),
        ("auto daemon", &auto_daemon),
    ] {
        assert_eq!(
            index(&s.image),
            want,
            "{name} index differs from the daemon's"
        );
        assert_eq!(
            kept(&s.image),
            kept(&daemon.image),
            "{name} kept files differ"
        );
        assert_eq!(
            s.inspected, daemon.inspected,
            "{name} inspected files differ"
        );
        // skopeo rewrites the config when converting to OCI, so only docker-format copies keep the ID.
        if !name.contains("oci") && name != "auto dir" {
            assert_eq!(
                s.image.meta.id, daemon.image.meta.id,
                "{name} image id differs"
            );
        }
        let diffs = |i: &Image| {
            i.meta
                .layers
                .iter()
                .map(|l| l.diff_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            diffs(&s.image),
            diffs(&daemon.image),
            "{name} diff IDs differ"
        );
    }
    assert_eq!(daemon.image.meta.layers.len(), 3);
    assert_eq!(daemon.image.meta.repo_tags, [app.as_str()]);
    assert_eq!(archive.image.meta.repo_tags, [app.as_str()]);
    assert_eq!(
        daemon
            .image
            .meta
            .labels
            .get("org.example")
            .map(String::as_str),
        Some("warden")
    );
    assert!(daemon.image.meta.layers[2]
        .created_by
        .as_deref()
        .is_some_and(|c| c.contains("COPY")));
    assert!(oci_dir.image.meta.manifest_digest.is_some());
    assert!(registry.image.meta.repo_digests[0]
        .starts_with(&format!("127.0.0.1:{port}/warden/app@sha256:")));
    assert_eq!(
        daemon.image.fs.read("/etc/os-release"),
        Some(&b"ID=warden\nVERSION_ID=2\n"[..])
    );
    // The binary and its hard link are inspected in layer 0 and survive.
    let tool: Vec<_> = daemon
        .inspected
        .iter()
        .map(|i| (i.0.as_str(), i.1))
        .collect();
    assert_eq!(tool, [("/usr/lib/app/tool.bin", 0)]);
    assert!(daemon.image.fs.survives("/usr/lib/app/tool.bin", 0));
    assert_eq!(
        daemon.image.fs.info("/etc/tool").map(|i| i.path).as_deref(),
        Some("/usr/lib/app/tool.bin")
    );

    // The unpacked rootfs holds the same regular files (hard links become plain files there)
    // with the same kept content.
    let files = |i: &Image| i.fs.files().map(|f| f.path).collect::<BTreeSet<_>>();
    assert_eq!(files(&rootfs.image), files(&daemon.image));
    assert_eq!(kept(&rootfs.image), kept(&daemon.image));
    let root_inspected: BTreeSet<&str> = rootfs.inspected.iter().map(|i| i.0.as_str()).collect();
    assert_eq!(
        root_inspected,
        BTreeSet::from(["/usr/lib/app/tool-link.bin", "/usr/lib/app/tool.bin"])
    );
    drop(cleanup);
}

/// A registry behind htpasswd basic auth, with the credentials in a docker `config.json`.
#[test]
fn registry_with_basic_auth_from_docker_config() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let htpasswd = t.join("htpasswd");
    let hash = bcrypt::hash("s3cret", 5).expect("bcrypt");
    std::fs::write(&htpasswd, format!("warden:{hash}\n")).expect("htpasswd");
    let (child, port) = start_registry(t, Some(&htpasswd));
    let _cleanup = Cleanup {
        images: vec![],
        registry: Some(child),
    };
    let layout = t.join("layout");
    std::fs::create_dir_all(&layout).expect("mkdir");
    common::oci_layout(
        &layout,
        &[common::Blob::gz(layer(&[E::File(
            "etc/os-release",
            b"ID=auth\n",
        )]))],
    );
    let remote = format!("127.0.0.1:{port}/auth/img:1");
    run(Command::new("skopeo").args([
        "copy",
        "-q",
        "--dest-tls-verify=false",
        "--dest-creds=warden:s3cret",
        &format!("oci:{}:t", layout.display()),
        &format!("docker://{remote}"),
    ]));
    let cfg = t.join("docker");
    std::fs::create_dir_all(&cfg).expect("mkdir");
    // base64("warden:s3cret")
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths":{{"127.0.0.1:{port}":{{"auth":"d2FyZGVuOnMzY3JldA=="}}}}}}"#),
    )
    .expect("config");
    let opts = OpenOptions {
        insecure: true,
        docker_config_dir: Some(cfg.clone()),
        ..Default::default()
    };
    let img = read(&format!("registry:{remote}"), &opts).image;
    assert_eq!(img.fs.read("/etc/os-release"), Some(&b"ID=auth\n"[..]));

    let anon = OpenOptions {
        insecure: true,
        docker_config_dir: Some(t.join("empty")),
        ..Default::default()
    };
    let err = open(
        &format!("registry:{remote}"),
        &anon,
        &Recorder::new("/"),
        &NoProgress,
    )
    .expect_err("anonymous pull must fail");
    assert!(err.to_string().contains("registry"), "{err}");

    let wrong = OpenOptions {
        credentials: Some(Credentials::Basic {
            username: "warden".into(),
            password: "nope".into(),
        }),
        ..anon
    };
    assert!(open(
        &format!("registry:{remote}"),
        &wrong,
        &Recorder::new("/"),
        &NoProgress
    )
    .is_err());
}

#[test]
fn a_missing_daemon_image_is_a_clear_error() {
    let r = open(
        "docker:warden-image-test/does-not-exist:never",
        &OpenOptions::default(),
        &Recorder::new("/"),
        &NoProgress,
    );
    let e = r.expect_err("missing image");
    assert!(e.to_string().contains("docker engine"), "{e}");
}

/// A multi-platform index, from an OCI layout and pushed (with `skopeo copy --all`) to a local
/// registry: `--platform` picks the image, and an absent platform is a clear error.
#[test]
fn platform_selection_from_a_multi_arch_index() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let layout = t.join("multi");
    common::oci_multi_layout(
        &layout,
        &[
            (
                "linux/amd64",
                vec![common::Blob::gz(layer(&[E::File("etc/arch", b"amd64")]))],
            ),
            (
                "linux/arm64",
                vec![common::Blob::gz(layer(&[E::File("etc/arch", b"arm64")]))],
            ),
        ],
    );
    let (child, port) = start_registry(t, None);
    let _cleanup = Cleanup {
        images: vec![],
        registry: Some(child),
    };
    let remote = format!("127.0.0.1:{port}/multi/img:1");
    run(Command::new("skopeo").args([
        "copy",
        "-q",
        "--all",
        "--dest-tls-verify=false",
        &format!("oci:{}:multi", layout.display()),
        &format!("docker://{remote}"),
    ]));
    for reference in [
        format!("oci-dir:{}", layout.display()),
        format!("registry:{remote}"),
    ] {
        for arch in ["amd64", "arm64"] {
            let opts = OpenOptions {
                insecure: true,
                platform: Some(format!("linux/{arch}")),
                docker_config_dir: Some(t.join("none")),
                ..Default::default()
            };
            let img = read(&reference, &opts).image;
            assert_eq!(
                img.fs.read("/etc/arch"),
                Some(arch.as_bytes()),
                "{reference} {arch}"
            );
        }
        let opts = OpenOptions {
            insecure: true,
            platform: Some("linux/s390x".into()),
            docker_config_dir: Some(t.join("none")),
            ..Default::default()
        };
        let err = open(&reference, &opts, &Recorder::new("/"), &NoProgress).expect_err("no s390x");
        let msg = err.to_string();
        assert!(
            msg.contains("linux/s390x")
                && msg.contains("linux/amd64")
                && msg.contains("linux/arm64"),
            "{msg}"
        );
    }
}
