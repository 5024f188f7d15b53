//! The engine's evaluator (per-type specialisation, shared checks remembered per event, cheap
//! checks first) must decide exactly what plain evaluation of each rule's compiled condition
//! decides. A deterministic stream of varied events is run through both, with Falco's stable
//! rules plus warden's, and with the incubating and sandbox rulesets when `../shared` has them.

use std::net::IpAddr;

use warden_rules::event::{Ancestor, Container, Event, Fd, FdType, Process};
use warden_rules::{defaults, Engine, Loader, Matching, Rule};

#[path = "support/gen.rs"]
mod gen;
use gen::{arg, Rng};

/// Values taken from the rules' own lists and macros, so that conditions are exercised on both
/// sides rather than being false for every event.
fn events(n: usize, types: &[String]) -> Vec<Event> {
    let mut r = Rng(0x5DEE_CE66_D1CE_4E5B);
    let names = [
        "bash",
        "sh",
        "zsh",
        "fish",
        "busybox",
        "nc",
        "ncat",
        "grep",
        "find",
        "apt-get",
        "pip",
        "npm",
        "nginx",
        "java",
        "node",
        "sshd",
        "sudo",
        "su",
        "passwd",
        "shred",
        "debugfs",
        "runc",
        "containerd",
        "systemd",
        "login",
        "cat",
        "curl",
        "wget",
        "kubectl",
        "python3",
        "insmod",
        "socat",
        "ssh",
        "<NA>",
    ];
    let args = [
        "-e /bin/sh",
        "-c id",
        "-i",
        "-r BEGIN RSA PRIVATE /",
        "aws_secret_access_key -r .",
        "/ -name id_rsa",
        "--sh-exec /bin/sh",
        "-c /dev/shm/x",
        "install curl",
        "-la",
        "",
        "-c echo hi",
        "org.apache.zookeeper.server",
    ];
    let files = [
        "/etc/shadow",
        "/etc/passwd",
        "/etc/sudoers.d/x",
        "/etc/pam.d/common",
        "/root/.ssh/id_rsa",
        "/root/.aws/credentials",
        "/home/u/.ssh/authorized_keys",
        "/var/log/syslog",
        "/var/log/auth.log",
        "/usr/bin/ls",
        "/bin/sh",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/tmp/x",
        "/dev/shm/x",
        "/proc/1/environ",
        "/sys/fs/cgroup/release_agent",
        "/etc/../etc/shadow",
        "/boot/vmlinuz",
        "/etc/ld.so.preload",
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        "relative/path",
        "",
    ];
    let flags = [
        "O_RDONLY",
        "O_RDONLY|O_CLOEXEC",
        "O_WRONLY|O_CREAT|O_TRUNC",
        "O_RDWR",
        "O_WRONLY|O_APPEND",
        "O_RDWR|O_CREAT",
    ];
    let parents = [
        "runc",
        "containerd-shim",
        "bash",
        "sshd",
        "nginx",
        "java",
        "systemd",
        "sudo",
        "node",
        "cron",
        "<NA>",
    ];
    let repos = [
        "docker.io/library/nginx",
        "ghcr.io/acme/api",
        "falcosecurity/falco",
        "docker.io/sysdig/sysdig",
        "",
    ];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let name = r.pick(&names);
        let container = r.chance(70).then(|| Container {
            id: format!("{:012x}", r.next() % 0xffff_ffff_ffff).into(),
            name: "app".into(),
            image_repository: r.pick(&repos).into(),
            image_tag: "1".into(),
            privileged: r.chance(20),
            metadata_complete: true,
            ..Container::default()
        });
        let depth = (r.next() % 4) as usize;
        let ancestors = (0..depth)
            .map(|d| Ancestor {
                pid: 100 - d as i64,
                name: r.pick(&parents).into(),
                exe: format!("/usr/bin/{}", r.pick(&parents)).into(),
                exepath: "/usr/bin/p".into(),
                args: vec![r.pick(&args).into()],
                start_ts: if r.chance(50) { 1 } else { 0 },
            })
            .collect();
        let exe_dir = r.pick(&["/usr/bin/", "/dev/shm/", "./", "memfd:"]);
        let proc_ = Process {
            pid: 1000 + (r.next() % 100) as i64,
            tid: 1000,
            ppid: 100,
            vpid: 1 + (r.next() % 3) as i64,
            name: name.into(),
            exe: format!("{exe_dir}{name}").into(),
            exepath: format!("{exe_dir}{name}").into(),
            args: r
                .pick(&args)
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(Into::into)
                .collect(),
            cwd: r.pick(&["/", "/dev/shm/", "/root/"]).into(),
            tty: if r.chance(30) { 34816 } else { 0 },
            start_ts: if r.chance(50) {
                1_764_299_999_000_000_000
            } else {
                0
            },
            uid: if r.chance(50) { 0 } else { 1000 },
            user: r
                .chance(80)
                .then(|| r.pick(&["root", "www-data", "nobody", "app"]).into()),
            loginuid: if r.chance(50) { -1 } else { 1000 },
            cap_effective: r
                .chance(30)
                .then(|| "CAP_SYS_ADMIN CAP_DAC_OVERRIDE".into()),
            exe_upper_layer: r.chance(10),
            exe_from_memfd: r.chance(10),
            env: r
                .chance(20)
                .then(|| vec!["HOME=/root".into(), "LD_PRELOAD=/tmp/x.so".into()]),
            ancestors,
            ..Process::default()
        };
        let t = if r.chance(85) {
            types[(r.next() % types.len() as u64) as usize].clone()
        } else {
            r.pick(&["execve", "openat", "connect", "read", "getcwd"])
                .into()
        };
        let res = *[0i64, 3, -2, -13, -111, -115]
            .get((r.next() % 6) as usize)
            .unwrap_or(&0);
        let file = r.pick(&files);
        let mut ev = Event {
            num: i as u64 + 1,
            ts: 1_764_300_000_000_000_000 + i as u64 * 1_000_000,
            source: "syscall".into(),
            evt_type: t.into(),
            res,
            proc: proc_,
            container,
            ..Event::default()
        };
        ev.args = vec![
            arg("res", &res.to_string(), Some(res)),
            arg("fd", "3", Some(3)),
            arg("name", file, None),
            arg("flags", r.pick(&flags), None),
            arg("mode", r.pick(&["0", "S_IXUSR|S_IRUSR"]), None),
            arg(
                "request",
                r.pick(&["PTRACE_ATTACH", "PTRACE_TRACEME", "PTRACE_PEEKDATA"]),
                None,
            ),
            arg("target", file, None),
            arg("linkpath", r.pick(&files), None),
            arg("uid", "0", Some(0)),
            arg("domain", r.pick(&["AF_INET", "AF_PACKET", "AF_UNIX"]), None),
            arg("type", r.pick(&["SOCK_RAW", "SOCK_STREAM"]), None),
        ];
        let socket = r.chance(40);
        ev.fd = r.chance(85).then(|| {
            if socket {
                let sip: IpAddr = r
                    .pick(&["93.184.216.34", "10.1.2.3", "127.0.0.1", "0.0.0.0", "::1"])
                    .parse()
                    .unwrap_or(IpAddr::from([0, 0, 0, 0]));
                Fd {
                    num: if res < 0 { -1 } else { 4 },
                    fd_type: if sip.is_ipv4() {
                        FdType::Ipv4
                    } else {
                        FdType::Ipv6
                    },
                    cip: Some(IpAddr::from([172, 17, 0, 2])),
                    cport: Some(40000),
                    sip: Some(sip),
                    sport: Some([22u16, 443, 4444, 6443, 2222][(r.next() % 5) as usize]),
                    l4proto: Some(r.pick(&["tcp", "udp"]).into()),
                    sip_name: r
                        .chance(20)
                        .then(|| "kubernetes.default.svc.cluster.local".into()),
                    ..Fd::default()
                }
            } else {
                Fd {
                    num: if res < 0 { -1 } else { 3 },
                    fd_type: if r.chance(10) {
                        FdType::Directory
                    } else {
                        FdType::File
                    },
                    name: file.into(),
                    nameraw: r.chance(30).then(|| "../../etc/shadow".into()),
                    ..Fd::default()
                }
            }
        });
        out.push(ev);
    }
    out
}

/// Runs the stream through the engine and through plain evaluation; returns how many distinct
/// rules fired, so the caller can check the stream actually reaches the rules.
fn compare(rules: Vec<Rule>, label: &str) -> usize {
    let engine = Engine::new(rules, "test-host").with_matching(Matching::All);
    let mut types: Vec<String> = engine
        .event_types()
        .unwrap_or_default()
        .into_iter()
        .collect();
    if types.is_empty() {
        types.push("execve".into());
    }
    let mut fired = vec![false; engine.rules().len()];
    let mut idx = Vec::new();
    for ev in events(20_000, &types) {
        engine.matches(&ev, &mut idx);
        let plain = gen::plain_matches(&engine, &ev);
        assert_eq!(
            idx, plain,
            "{label}: event {} ({} {:?}) decided differently",
            ev.num, ev.evt_type, ev.proc.name
        );
        for &i in &idx {
            fired[i] = true;
        }
    }
    // First matching is a prefix of all matching.
    let first = Engine::new(engine.rules().to_vec(), "test-host");
    for ev in events(2_000, &types) {
        let mut all = Vec::new();
        engine.matches(&ev, &mut all);
        first.matches(&ev, &mut idx);
        assert_eq!(idx, all.into_iter().take(1).collect::<Vec<_>>(), "{label}");
    }
    fired.iter().filter(|f| **f).count()
}

#[test]
fn engine_agrees_with_plain_evaluation_on_default_rules() {
    let report = defaults::load();
    assert!(report.ok(), "{:?}", report.errors);
    let fired = compare(report.rules, "defaults");
    // The stream must reach most rules, or agreeing would prove little.
    assert!(fired >= 20, "only {fired} rules fired");
}

#[test]
fn engine_agrees_with_plain_evaluation_on_upstream_rulesets() {
    let dir = gen::shared_dir().join("conformance/falco");
    if !dir.exists() {
        eprintln!("SKIP: {} not found", dir.display());
        return;
    }
    let mut l = Loader::new();
    for f in [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ] {
        l.add_file(&dir.join(f));
    }
    let report = l.finish();
    assert!(report.ok(), "{:?}", report.errors);
    let mut rules = report.rules;
    // Falco ships many rules disabled; enable them all so each condition is compared.
    for r in &mut rules {
        r.enabled = true;
    }
    let fired = compare(rules, "upstream");
    assert!(fired >= 30, "only {fired} rules fired");
}
