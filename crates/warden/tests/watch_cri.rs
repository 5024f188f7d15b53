//! End to end with a real CRI runtime: a private containerd (its own root, state and socket
//! under a temp dir, the CRI plugin on, native snapshotter, cgroupfs) runs a pod sandbox with
//! host networking and one container in it, both from a locally built image (FROM scratch +
//! static busybox, imported with `ctr`, no registry). `warden watch --cri-socket` must raise
//! the shell-in-container alert for a CRI `ExecSync` shell with the container's id, name,
//! image and the pod's name and namespace filled in (in the alert or its backfill line), the
//! pod fields coming from `PodSandboxStatus` since the container carries no kubelet labels.
//! A second sensor, whose CRI socket appears only after the shell ran, must send the alert at
//! once without metadata and then again, filled, as a `warden.backfill` line.
//!
//! Needs root, BTF, containerd, ctr, runc, a Docker engine (to build the image) and
//! /bin/busybox. Outside CI it skips with a message when those are missing; with CI=true it
//! fails instead. Everything it starts is stopped and everything it mounts or creates is
//! removed, whether it passes or fails.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{alerts, field, free_port, metric, missing_watch_prerequisite, require};
use serde_json::Value;
use warden_runtime::cri::CriClient;

const SHELL_RULE: &str = "Shell in container";
const RUNC: &str = "/usr/sbin/runc";

/// The CRI messages that set up and tear down the pod (runtime.v1 field numbers); the lookup
/// messages come from warden-runtime.
mod setup {
    use std::collections::HashMap;

    pub use warden_runtime::cri::pb::{ContainerMetadata, ImageSpec, PodSandboxMetadata};

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Empty {}

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct NamespaceOption {
        #[prost(int32, tag = "1")]
        pub network: i32,
        #[prost(int32, tag = "2")]
        pub pid: i32,
        #[prost(int32, tag = "3")]
        pub ipc: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct LinuxSandboxSecurityContext {
        #[prost(message, optional, tag = "1")]
        pub namespace_options: Option<NamespaceOption>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct LinuxPodSandboxConfig {
        #[prost(string, tag = "1")]
        pub cgroup_parent: String,
        #[prost(message, optional, tag = "2")]
        pub security_context: Option<LinuxSandboxSecurityContext>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PodSandboxConfig {
        #[prost(message, optional, tag = "1")]
        pub metadata: Option<PodSandboxMetadata>,
        #[prost(string, tag = "2")]
        pub hostname: String,
        #[prost(string, tag = "3")]
        pub log_directory: String,
        #[prost(map = "string, string", tag = "6")]
        pub labels: HashMap<String, String>,
        #[prost(message, optional, tag = "8")]
        pub linux: Option<LinuxPodSandboxConfig>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct RunPodSandboxRequest {
        #[prost(message, optional, tag = "1")]
        pub config: Option<PodSandboxConfig>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct RunPodSandboxResponse {
        #[prost(string, tag = "1")]
        pub pod_sandbox_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerConfig {
        #[prost(message, optional, tag = "1")]
        pub metadata: Option<ContainerMetadata>,
        #[prost(message, optional, tag = "2")]
        pub image: Option<ImageSpec>,
        #[prost(string, repeated, tag = "3")]
        pub command: Vec<String>,
        #[prost(map = "string, string", tag = "9")]
        pub labels: HashMap<String, String>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CreateContainerRequest {
        #[prost(string, tag = "1")]
        pub pod_sandbox_id: String,
        #[prost(message, optional, tag = "2")]
        pub config: Option<ContainerConfig>,
        #[prost(message, optional, tag = "3")]
        pub sandbox_config: Option<PodSandboxConfig>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CreateContainerResponse {
        #[prost(string, tag = "1")]
        pub container_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerId {
        #[prost(string, tag = "1")]
        pub container_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PodSandboxId {
        #[prost(string, tag = "1")]
        pub pod_sandbox_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExecSyncRequest {
        #[prost(string, tag = "1")]
        pub container_id: String,
        #[prost(string, repeated, tag = "2")]
        pub cmd: Vec<String>,
        #[prost(int64, tag = "3")]
        pub timeout: i64,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExecSyncResponse {
        #[prost(bytes = "vec", tag = "1")]
        pub stdout: Vec<u8>,
        #[prost(bytes = "vec", tag = "2")]
        pub stderr: Vec<u8>,
        #[prost(int32, tag = "3")]
        pub exit_code: i32,
    }

    /// `NamespaceMode`.
    pub const POD: i32 = 0;
    pub const NODE: i32 = 2;
}

/// What the CRI test needs beyond the watch end-to-end tests: containerd, its `ctr` and runc.
fn missing_prerequisite() -> Option<String> {
    missing_watch_prerequisite().or_else(|| {
        [
            (RUNC, "runc"),
            ("/usr/bin/containerd", "containerd"),
            ("/usr/bin/ctr", "containerd"),
        ]
        .into_iter()
        .find(|(path, _)| !Path::new(path).exists())
        .map(|(path, pkg)| format!("{path} missing (apt-get install {pkg})"))
    })
}

/// Runs a command under coreutils' `timeout` and fails the test on a non-zero exit.
fn run_ok(prog: &str, args: &[&str]) -> String {
    let o = Command::new("timeout")
        .args(["-k", "10", "180", prog])
        .args(args)
        .env("DOCKER_BUILDKIT", "0")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{prog} runs: {e}"));
    assert!(
        o.status.success(),
        "{prog} {args:?} failed ({}): {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn containerd_config(dir: &Path, sandbox_image: &str) -> String {
    let d = dir.display();
    format!(
        r#"version = 2
root = "{d}/root"
state = "{d}/state"
disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "{d}/c.sock"
[ttrpc]
  address = "{d}/c.sock.ttrpc"
[debug]
  address = "{d}/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{sandbox_image}"
  # containerd gives sandboxes -998; lowering a score needs CAP_SYS_RESOURCE, which root here
  # lacks (CapEff 0x1fffeffffff), so runc init fails ("failed to update
  # /proc/self/oom_score_adj: Permission denied"). Clamp to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "{RUNC}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{d}/cni-bin"
    conf_dir = "{d}/cni-conf"
"#
    )
}

/// Everything the test starts or creates, undone in reverse order whatever happens.
struct Cleanup {
    dir: PathBuf,
    rt: tokio::runtime::Runtime,
    cri: Option<CriClient>,
    sandbox: Option<String>,
    containerd: Option<Child>,
    warden: Option<Child>,
    image: Option<String>,
    cgroup_parent: String,
}

fn stop(child: &mut Child, grace: Duration) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Pids of processes whose command line mentions `needle` (the shims this containerd started
/// carry its socket path in their arguments).
fn pids_mentioning(needle: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(needle))
                .unwrap_or(false)
        })
        .collect()
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(mut w) = self.warden.take() {
            stop(&mut w, Duration::from_secs(20));
        }
        if let (Some(cri), Some(id)) = (&self.cri, self.sandbox.take()) {
            let req = setup::PodSandboxId { pod_sandbox_id: id };
            let _ = self.rt.block_on(async {
                let _ = cri
                    .unary::<_, setup::Empty>("StopPodSandbox", req.clone())
                    .await;
                cri.unary::<_, setup::Empty>("RemovePodSandbox", req).await
            });
        }
        if let Some(mut c) = self.containerd.take() {
            stop(&mut c, Duration::from_secs(20));
        }
        // Shims outlive containerd by design; these are ours (they name our socket).
        let sock = self.dir.join("c.sock").display().to_string();
        for pid in pids_mentioning(&sock) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        // Rootfs and /dev/shm mounts under our state dir, deepest first.
        let prefix = self.dir.display().to_string();
        let mut mounts: Vec<String> = std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(' ').nth(4).map(str::to_owned))
            .filter(|m| m.starts_with(&prefix))
            .collect();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for m in mounts {
            let _ = Command::new("umount").args(["-l", &m]).status();
        }
        // The cgroup directories runc created below the pod's parent, then the parents.
        if let Ok(hier) = std::fs::read_dir("/sys/fs/cgroup") {
            for h in hier.flatten() {
                let pod = h.path().join(self.cgroup_parent.trim_start_matches('/'));
                if let Ok(children) = std::fs::read_dir(&pod) {
                    for c in children.flatten().filter(|c| c.path().is_dir()) {
                        let _ = std::fs::remove_dir(c.path());
                    }
                }
                let mut p = pod.as_path();
                while p != h.path() {
                    let _ = std::fs::remove_dir(p);
                    match p.parent() {
                        Some(parent) => p = parent,
                        None => break,
                    }
                }
            }
        }
        if let Some(image) = self.image.take() {
            let _ = Command::new("docker")
                .args(["rmi", "-f", &image])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts `warden watch --cri-socket SOCK -o ALERTS` and waits until the kernel side delivers
/// events.
fn start_warden(sock: &Path, alerts_path: &Path) -> Child {
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let mut w = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["watch", "--no-rate-limit", "--metrics-addr", &metrics_addr])
        .arg("--cri-socket")
        .arg(sock)
        .arg("-o")
        .arg(alerts_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start warden watch");
    let deadline = Instant::now() + Duration::from_secs(120);
    while metric(&metrics_addr, "warden_events").unwrap_or(0) == 0 {
        let _ = Command::new("/bin/true").status();
        if let Ok(Some(st)) = w.try_wait() {
            panic!("warden watch exited early with {st}");
        }
        if Instant::now() >= deadline {
            stop(&mut w, Duration::from_secs(20));
            panic!("sensor delivered no event in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    w
}

/// Creates and starts a container running `sleep` in the pod; returns its id.
fn start_container(
    rt: &tokio::runtime::Runtime,
    cri: &CriClient,
    sandbox_id: &str,
    sandbox_config: &setup::PodSandboxConfig,
    name: &str,
    image: &str,
) -> Result<String, String> {
    let created: setup::CreateContainerResponse = rt
        .block_on(cri.unary(
            "CreateContainer",
            setup::CreateContainerRequest {
                pod_sandbox_id: sandbox_id.to_owned(),
                config: Some(setup::ContainerConfig {
                    metadata: Some(setup::ContainerMetadata {
                        name: name.into(),
                        attempt: 0,
                    }),
                    image: Some(setup::ImageSpec {
                        image: image.into(),
                        ..Default::default()
                    }),
                    command: vec!["/bin/sleep".into(), "600".into()],
                    labels: HashMap::new(),
                }),
                sandbox_config: Some(sandbox_config.clone()),
            },
        ))
        .map_err(|e| format!("CreateContainer: {e}"))?;
    let id = created.container_id;
    rt.block_on(cri.unary::<_, setup::Empty>(
        "StartContainer",
        setup::ContainerId {
            container_id: id.clone(),
        },
    ))
    .map_err(|e| format!("StartContainer: {e}"))?;
    Ok(id)
}

/// A shell in the container through CRI `ExecSync`, as `kubectl exec` does.
fn exec_shell(rt: &tokio::runtime::Runtime, cri: &CriClient, id: &str) -> Result<(), String> {
    let exec: setup::ExecSyncResponse = rt
        .block_on(cri.unary(
            "ExecSync",
            setup::ExecSyncRequest {
                container_id: id.to_owned(),
                cmd: vec!["sh".into(), "-c".into(), "echo warden-cri".into()],
                timeout: 20,
            },
        ))
        .map_err(|e| format!("ExecSync: {e}"))?;
    if exec.exit_code != 0 || String::from_utf8_lossy(&exec.stdout).trim() != "warden-cri" {
        return Err(format!("ExecSync answered {exec:?}"));
    }
    Ok(())
}

/// Waits (up to a deadline, not a timing assertion) for an alert matching `pred`.
fn wait_alert(path: &Path, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(a) = alerts(path).into_iter().find(|a| pred(a)) {
            return a;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} within 30 s; alerts so far:\n{:#?}",
            alerts(path)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn cri_container_shell_alert_carries_pod_metadata() {
    if !require("watch_cri", missing_prerequisite()) {
        return;
    }
    // Short: the unix socket path must fit in 108 bytes.
    let dir = tempfile::Builder::new()
        .prefix("wcri")
        .tempdir_in("/var/tmp")
        .expect("tempdir")
        .keep();
    let pid = std::process::id();
    let image = format!("warden.test/cri-busybox:{pid}");
    let pod_uid = format!("4a1f0c3e-warden-cri-{pid}");
    let mut guard = Cleanup {
        dir: dir.clone(),
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime"),
        cri: None,
        sandbox: None,
        containerd: None,
        warden: None,
        image: None,
        cgroup_parent: format!("/kubepods/besteffort/pod{pod_uid}"),
    };

    // The image, built by Docker (nothing pulled) and imported into containerd's k8s.io
    // namespace, where CRI looks; it is the sandbox ("pause") image too.
    let ctx = dir.join("ctx");
    std::fs::create_dir(&ctx).expect("mkdir");
    std::fs::copy("/bin/busybox", ctx.join("busybox")).expect("copy busybox");
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/etc\", \"/tmp\"]\n\
         CMD [\"/bin/sleep\", \"600\"]\n",
    )
    .expect("write Dockerfile");
    guard.image = Some(image.clone());
    run_ok(
        "docker",
        &[
            "build",
            "-q",
            "--network",
            "none",
            "-t",
            &image,
            &ctx.display().to_string(),
        ],
    );
    let archive = dir.join("image.tar").display().to_string();
    run_ok("docker", &["save", "-o", &archive, &image]);

    std::fs::write(dir.join("config.toml"), containerd_config(&dir, &image)).expect("config");
    let log = std::fs::File::create(dir.join("containerd.log")).expect("log");
    guard.containerd = Some(
        Command::new("containerd")
            .arg("--config")
            .arg(dir.join("config.toml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start containerd"),
    );
    let sock = dir.join("c.sock");
    let cri = guard
        .rt
        .block_on(async { CriClient::new(&sock, Duration::from_secs(30)) });
    guard.cri = Some(cri.clone());
    let containerd_log = || std::fs::read_to_string(dir.join("containerd.log")).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(60);
    let version = loop {
        match guard.rt.block_on(cri.version()) {
            Ok(v) => break v,
            Err(e) => {
                if let Some(Ok(Some(st))) = guard.containerd.as_mut().map(Child::try_wait) {
                    panic!("containerd exited with {st}:\n{}", containerd_log());
                }
                assert!(
                    Instant::now() < deadline,
                    "containerd's CRI did not answer in 60 s: {e}\n{}",
                    containerd_log()
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    };
    assert_eq!(version.runtime_name, "containerd", "{version:?}");
    run_ok(
        "ctr",
        &[
            "-a",
            &sock.display().to_string(),
            "-n",
            "k8s.io",
            "images",
            "import",
            &archive,
        ],
    );

    // The sensor first, so the container is looked up on its first event (no CRI event stream
    // is followed): the lookup runs while events flow and the alert is filled or backfilled.
    let alerts_path = dir.join("alerts.jsonl");
    guard.warden = Some(start_warden(&sock, &alerts_path));

    // A pod on the host network (no CNI needed) under a kubelet-style cgroup parent, and one
    // container with no kubelet labels: the pod fields must come from the sandbox.
    let pod_name = format!("web-{pid}");
    let sandbox_config = setup::PodSandboxConfig {
        metadata: Some(setup::PodSandboxMetadata {
            name: pod_name.clone(),
            uid: pod_uid.clone(),
            namespace: "warden-test".into(),
            attempt: 0,
        }),
        // No hostname: a host-network pod shares the host's UTS namespace.
        hostname: String::new(),
        log_directory: dir.join("logs").display().to_string(),
        labels: HashMap::from([("app".to_owned(), "warden-cri".to_owned())]),
        linux: Some(setup::LinuxPodSandboxConfig {
            cgroup_parent: guard.cgroup_parent.clone(),
            security_context: Some(setup::LinuxSandboxSecurityContext {
                namespace_options: Some(setup::NamespaceOption {
                    network: setup::NODE,
                    pid: setup::POD,
                    ipc: setup::POD,
                }),
            }),
        }),
    };
    let sandbox: setup::RunPodSandboxResponse = guard
        .rt
        .block_on(cri.unary(
            "RunPodSandbox",
            setup::RunPodSandboxRequest {
                config: Some(sandbox_config.clone()),
            },
        ))
        .unwrap_or_else(|e| panic!("RunPodSandbox: {e}\n{}", containerd_log()));
    guard.sandbox = Some(sandbox.pod_sandbox_id.clone());
    let id = start_container(
        &guard.rt,
        &cri,
        &sandbox.pod_sandbox_id,
        &sandbox_config,
        "app",
        &image,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", containerd_log()));
    assert_eq!(id.len(), 64, "container id {id}");

    // The lookup the sensor makes, straight against the runtime.
    let started = Instant::now();
    let meta = guard
        .rt
        .block_on(cri.container(&id))
        .expect("ContainerStatus")
        .expect("containerd knows the container");
    // Reported, not asserted on: a loaded machine must not turn scheduling into a failure.
    eprintln!(
        "watch_cri: one CRI lookup (ContainerStatus, ListContainers, PodSandboxStatus) took {} us",
        started.elapsed().as_micros()
    );
    assert_eq!(meta.name, "app");
    assert_eq!(meta.image, image);
    assert_eq!(meta.k8s_pod_name.as_deref(), Some(pod_name.as_str()));
    assert_eq!(meta.k8s_ns_name.as_deref(), Some("warden-test"));
    assert_eq!(meta.k8s_pod_uid.as_deref(), Some(pod_uid.as_str()));
    assert!(
        meta.k8s_pod_labels
            .contains(&("app".to_owned(), "warden-cri".to_owned())),
        "{meta:?}"
    );
    assert!(meta.image_digest.starts_with("sha256:"), "{meta:?}");
    assert!(meta.start_ts > 0, "{meta:?}");
    // The sandbox's own process (the pause container) has its own cgroup; its lookup falls
    // back to PodSandboxStatus and carries the pod.
    let pause = guard
        .rt
        .block_on(cri.container(&sandbox.pod_sandbox_id))
        .expect("a sandbox id is answered")
        .expect("the sandbox is known");
    assert_eq!(pause.k8s_pod_name.as_deref(), Some(pod_name.as_str()));
    assert_eq!(pause.k8s_ns_name.as_deref(), Some("warden-test"));
    assert_eq!(pause.k8s_pod_uid.as_deref(), Some(pod_uid.as_str()));
    // An id the runtime knows neither as container nor as sandbox is not an error.
    assert_eq!(
        guard
            .rt
            .block_on(cri.container(&"0".repeat(64)))
            .expect("an unknown id is answered"),
        None
    );

    let ids = guard
        .rt
        .block_on(cri.container_ids())
        .expect("ListContainers");
    assert!(ids.contains(&id), "{ids:?}");
    // The container's process sits in a cgroup the sensor attributes to containerd.
    let cgroups: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/cgroup")).ok())
        .filter(|c| c.contains(&id))
        .collect();
    let found = cgroups
        .first()
        .unwrap_or_else(|| panic!("no process in {id}'s cgroup"));
    assert_eq!(
        warden_runtime::cgroup::from_proc_cgroup(found),
        Some(warden_runtime::cgroup::ContainerRef {
            full_id: id.clone(),
            runtime: warden_runtime::cgroup::Runtime::Containerd,
        }),
        "{found}"
    );
    assert!(found.contains(&guard.cgroup_parent), "{found}");

    exec_shell(&guard.rt, &cri, &id).unwrap_or_else(|e| panic!("{e}\n{}", containerd_log()));

    let short = &id[..12];
    let alert = wait_alert(&alerts_path, "filled shell alert", |a| {
        a["rule"] == SHELL_RULE
            && field(a, "container.id") == short
            && !field(a, "container.name").is_empty()
    });
    assert_eq!(field(&alert, "container.name"), "app", "{alert:#}");
    let (repo, tag) = image.rsplit_once(':').expect("tagged image");
    assert_eq!(
        field(&alert, "container.image.repository"),
        repo,
        "{alert:#}"
    );
    assert_eq!(field(&alert, "container.image.tag"), tag, "{alert:#}");
    assert_eq!(
        field(&alert, "container.image.digest"),
        meta.image_digest,
        "{alert:#}"
    );
    assert_eq!(field(&alert, "k8s.pod.name"), pod_name, "{alert:#}");
    assert_eq!(field(&alert, "k8s.ns.name"), "warden-test", "{alert:#}");
    assert_eq!(field(&alert, "proc.name"), "sh", "{alert:#}");
    eprintln!(
        "watch_cri: {} {}: shell alert {}",
        version.runtime_name,
        version.runtime_version,
        if alert["output_fields"]["warden.backfill"] == true {
            "backfilled after the CRI lookup"
        } else {
            "filled at once"
        }
    );

    // The backfill path, made certain: a second sensor whose CRI socket appears only after
    // the shell ran. Its lookups fail (and are cached as negative), the alert goes out at
    // once without the container's metadata, and once the socket exists the retried lookup
    // completes and the alert is sent again, filled and marked `warden.backfill`.
    if let Some(mut w) = guard.warden.take() {
        stop(&mut w, Duration::from_secs(20));
    }
    let late_sock = dir.join("late.sock");
    let late_alerts = dir.join("late-alerts.jsonl");
    guard.warden = Some(start_warden(&late_sock, &late_alerts));
    let late_id = start_container(
        &guard.rt,
        &cri,
        &sandbox.pod_sandbox_id,
        &sandbox_config,
        "late",
        &image,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", containerd_log()));
    exec_shell(&guard.rt, &cri, &late_id).unwrap_or_else(|e| panic!("{e}\n{}", containerd_log()));
    let late_short = late_id[..12].to_owned();
    let unfilled = wait_alert(&late_alerts, "unfilled shell alert", |a| {
        a["rule"] == SHELL_RULE && field(a, "container.id") == late_short
    });
    assert_eq!(field(&unfilled, "container.name"), "", "{unfilled:#}");
    assert_ne!(unfilled["output_fields"]["warden.backfill"], true);
    std::os::unix::fs::symlink(&sock, &late_sock).expect("symlink the CRI socket");
    let backfilled = wait_alert(&late_alerts, "backfilled shell alert", |a| {
        a["rule"] == SHELL_RULE
            && field(a, "container.id") == late_short
            && a["output_fields"]["warden.backfill"] == true
    });
    assert_eq!(
        field(&backfilled, "container.name"),
        "late",
        "{backfilled:#}"
    );
    assert_eq!(
        field(&backfilled, "k8s.pod.name"),
        pod_name,
        "{backfilled:#}"
    );
    assert_eq!(
        field(&backfilled, "k8s.ns.name"),
        "warden-test",
        "{backfilled:#}"
    );
    assert_eq!(
        field(&backfilled, "container.image.repository"),
        repo,
        "{backfilled:#}"
    );
}
