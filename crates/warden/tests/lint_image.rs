//! `warden lint --image` end to end: images built by the real Docker engine (FROM scratch with a
//! static busybox), linted through the daemon and through `docker save` archives.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";

/// Trips every image check: no USER, a secret in ENV, a private key added in one layer and
/// deleted in the next, a .env file, a setuid copy of busybox, a world-writable directory, apt
/// lists left behind; tagged only `latest`.
const BAD: &str = r#"FROM scratch
COPY busybox /bin/busybox
COPY id_rsa /root/.ssh/id_rsa
RUN ["/bin/busybox", "rm", "/root/.ssh/id_rsa"]
COPY app/ /app/
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /data/shared /var/lib/apt/lists && /bin/busybox chmod 0777 /data/shared && /bin/busybox cp /bin/busybox /bin/sutool && /bin/busybox chmod 4755 /bin/sutool && echo x > /var/lib/apt/lists/deb.debian.org_InRelease"]
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"#;

/// Trips none: a non-root user, a version tag, nothing else.
const CLEAN: &str = "FROM scratch\nCOPY busybox /bin/busybox\nUSER 10001\n";

fn context(dir: &Path, dockerfile: &str) {
    std::fs::create_dir_all(dir.join("app")).expect("mkdir");
    ok(Command::new("cp")
        .arg("/bin/busybox")
        .arg(dir.join("busybox")));
    std::fs::write(dir.join("id_rsa"), KEY).expect("write key");
    std::fs::write(dir.join("app/.env"), "DB_PASSWORD=hunter2\n").expect("write .env");
    std::fs::write(dir.join("app/.env.example"), "DB_PASSWORD=\n").expect("write example");
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("write Dockerfile");
}

/// Short diff IDs (12 hex digits) of an image's layers, bottom first.
fn layer_ids(tag: &str) -> Vec<String> {
    let out = ok(Command::new("docker").args([
        "image",
        "inspect",
        "--format",
        "{{json .RootFS.Layers}}",
        tag,
    ]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("layers json");
    strings(&v).iter().map(|d| d[7..19].to_string()).collect()
}

/// `(location, code, level, message)` of a JSON report.
fn findings(out: &std::process::Output) -> Vec<(String, String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v.as_array()
        .expect("array")
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (s("file"), s("code"), s("level"), s("message"))
        })
        .collect()
}

fn expected_bad(
    reference: &str,
    tag: &str,
    ids: &[String],
) -> Vec<(String, String, String, String)> {
    let at = |p: &str| format!("{reference}{p}");
    let layer = |n: usize| format!("layer {n} of 5 (sha256:{})", ids[n - 1]);
    [
        (at(""), "WD2001", "warning", "The image config sets no User, so the container runs as root: set a non-root USER".to_string()),
        (at(""), "WD2002", "error", "A secret is stored in the image config Env `AWS_SECRET_ACCESS_KEY`; anyone who can pull the image can read it".to_string()),
        (at(""), "WD2007", "warning", format!("The image is tagged only `latest` ({tag}:latest): tag it with a version")),
        (at(":/app/.env"), "WD2006", "warning", format!("A credential file (a dotenv file) is stored in {}: present in the final filesystem", layer(4))),
        (at(":/bin/sutool"), "WD2003", "info", format!("A setuid file (mode 4755) is in the image, from {}", layer(5))),
        (at(":/data/shared"), "WD2004", "warning", format!("A world-writable directory without the sticky bit (mode 0777) is in the image, from {}", layer(5))),
        (at(":/root/.ssh/id_rsa"), "WD2005", "error", format!("A private key (OpenSSH) is stored in {}: a later layer deletes or replaces it, but it still ships in this layer's blob", layer(2))),
        (at(":/var/lib/apt/lists"), "WD2008", "info", "Left in the image: the apt package lists (1 file, 2 bytes); remove it in the RUN that filled it".to_string()),
    ]
    .into_iter()
    .map(|(l, c, v, m)| (l, c.to_string(), v.to_string(), m))
    .collect()
}

#[test]
fn a_bad_image_trips_every_check_through_the_daemon_and_an_archive() {
    if !docker_available() {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let ctx = work.path().join("ctx");
    context(&ctx, BAD);
    // No tag: the engine names it `:latest`, which WD2007 reports.
    let tag = format!("warden-e2e/limage-bad-{}", std::process::id());
    let image = TestImage::build(&ctx, &tag);
    let ids = layer_ids(&image.tag);
    assert_eq!(ids.len(), 5, "five layers: {ids:?}");

    let out = run(warden().args(["lint", "-q", "-f", "json", "--image", &tag]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&out), expected_bad(&tag, &tag, &ids));

    let archive = work.path().join("bad.tar");
    ok(Command::new("docker")
        .args(["save", "-o"])
        .arg(&archive)
        .arg(&tag));
    let reference = format!("docker-archive:{}", archive.display());
    let out = run(warden().args(["lint", "-q", "-f", "json", "--image", &reference]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&out), expected_bad(&reference, &tag, &ids));

    // Config ignores and level overrides apply as for Dockerfile rules; so does the threshold.
    std::fs::write(
        work.path().join(".hadolint.yaml"),
        "ignored: [WD2003, WD2007]\noverride:\n  error: [WD2008]\n  info: [WD2002, WD2005]\nfailure-threshold: error\n",
    )
    .expect("write config");
    let out = run(warden()
        .current_dir(work.path())
        .args(["lint", "-q", "-f", "json", "--image", &reference]));
    let got: Vec<(String, String)> = findings(&out)
        .into_iter()
        .map(|(_, c, l, _)| (c, l))
        .collect();
    let want: Vec<(String, String)> = [
        ("WD2001", "warning"),
        ("WD2002", "info"),
        ("WD2006", "warning"),
        ("WD2004", "warning"),
        ("WD2005", "info"),
        ("WD2008", "error"),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), l.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(out.status.code(), Some(1), "WD2008 is now an error");
    let out = run(warden()
        .current_dir(work.path())
        .args(["lint", "-q", "--ignore", "WD2008", "--image", &reference]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // SARIF carries the image rules' docs; tty and gnu name the location.
    let out = run(warden().args(["lint", "-q", "-f", "sarif", "--image", &reference]));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif json");
    let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
    let wd2005 = rules
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "WD2005"))
        .expect("WD2005 in rules");
    assert!(wd2005["help"]["markdown"]
        .as_str()
        .is_some_and(|t| t.contains("CIS-DI-0010")));
    let out = run(warden().args(["lint", "-q", "-f", "gnu", "--image", &reference]));
    let gnu = String::from_utf8_lossy(&out.stdout);
    assert!(
        gnu.contains(&format!(
            "warden:{reference}:/root/.ssh/id_rsa:1: WD2005 error: A private key (OpenSSH)"
        )),
        "{gnu}"
    );
}

#[test]
fn a_clean_image_has_no_finding() {
    if !docker_available() {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let ctx = work.path().join("ctx");
    context(&ctx, CLEAN);
    let tag = format!("warden-e2e/limage-clean:{}", std::process::id());
    let image = TestImage::build(&ctx, &tag);
    let out = run(warden().args(["lint", "-q", "-f", "json", "--image", &image.tag]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&out), []);

    let archive = work.path().join("clean.tar");
    ok(Command::new("docker")
        .args(["save", "-o"])
        .arg(&archive)
        .arg(&image.tag));
    let out = run(warden().args([
        "lint",
        "-q",
        "--image",
        &format!("docker-archive:{}", archive.display()),
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn explain_list_and_a_missing_image() {
    let out = ok(warden().args(["lint", "--explain", "wd2005"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("WD2005 (error): A private key is stored in an image layer")
            && text.contains("**Dockle:** CIS-DI-0010"),
        "{text}"
    );
    let out = ok(warden().args(["lint", "--list-rules"]));
    let text = String::from_utf8_lossy(&out.stdout);
    for code in ["WD2001", "WD2004", "WD2008", "DL3006", "WD1010"] {
        assert!(text.contains(&format!("{code}\t")), "{code} listed");
    }
    let missing = tempfile::tempdir().expect("tempdir");
    let reference = format!(
        "docker-archive:{}",
        missing.path().join("absent.tar").display()
    );
    let out = run(warden().args(["lint", "-q", "--image", &reference]));
    assert_eq!(out.status.code(), Some(67));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("absent.tar"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
