//! Rule-evaluation throughput on one core.
//!
//! Usage: `rules_bench [--events N] [--rules FILE]... [--recording FILE.jsonl]
//! [--write-recording FILE.jsonl] [--all]`
//!
//! Without `--rules` it loads Falco's stable ruleset (unchanged) and warden's ruleset. Without
//! `--recording` it generates a deterministic stream shaped like what the sensor sends for those
//! rules: only the syscalls the rules select (the sensor filters the rest in the kernel), mostly
//! opens and execs, with process trees, containers and sockets. Prints one JSON line.

use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::time::Instant;

use warden_rules::event::{Ancestor, Container, Event, Fd, FdType, Process};
use warden_rules::{defaults, Engine, Loader, Matching};

#[path = "../tests/support/gen.rs"]
mod gen;
use gen::{arg, Rng};

fn generate(n: usize) -> Vec<Event> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let procs = [
        "nginx",
        "node",
        "java",
        "python3",
        "bash",
        "sh",
        "cat",
        "curl",
        "postgres",
        "redis-server",
        "sshd",
        "cron",
        "grep",
        "ls",
        "apt-get",
    ];
    let parents = [
        "containerd-shim",
        "runc",
        "bash",
        "systemd",
        "sshd",
        "node",
        "java",
        "sh",
    ];
    let files = [
        "/etc/passwd",
        "/etc/shadow",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/var/log/nginx/access.log",
        "/tmp/x.sock",
        "/proc/self/status",
        "/etc/ld.so.cache",
        "/home/app/.ssh/id_rsa",
        "/var/lib/postgresql/data/base/1/2",
        "/etc/nginx/nginx.conf",
        "/dev/null",
        "/usr/bin/python3",
    ];
    let flags = [
        "O_RDONLY|O_CLOEXEC",
        "O_RDONLY",
        "O_WRONLY|O_CREAT|O_TRUNC",
        "O_RDWR",
        "O_WRONLY|O_APPEND",
    ];
    let images = [
        "docker.io/library/nginx",
        "docker.io/library/postgres",
        "ghcr.io/acme/api",
        "docker.io/library/redis",
    ];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let name = r.pick(&procs);
        let in_container = r.next() % 4 != 0;
        let container = in_container.then(|| Container {
            id: format!("{:012x}", r.next() % 0xffff_ffff_ffff).into(),
            name: "app".into(),
            image_repository: r.pick(&images).into(),
            image_tag: "latest".into(),
            image: "img:latest".into(),
            ..Container::default()
        });
        let proc_ = Process {
            pid: 1000 + (r.next() % 30000) as i64,
            tid: 1000,
            ppid: 900,
            vpid: 1 + (r.next() % 50) as i64,
            name: name.into(),
            exe: format!("/usr/bin/{name}").into(),
            exepath: format!("/usr/bin/{name}").into(),
            args: vec!["-c".into(), "echo hello world".into()],
            cwd: "/app/".into(),
            tty: if r.next() % 5 == 0 { 34816 } else { 0 },
            start_ts: 1_700_000_000_000_000_000,
            uid: (r.next() % 2) as u32 * 1000,
            user: Some("app".into()),
            loginuid: -1,
            ancestors: vec![
                Ancestor {
                    pid: 900,
                    name: r.pick(&parents).into(),
                    exe: "/usr/bin/p".into(),
                    exepath: "/usr/bin/p".into(),
                    args: vec!["x".into()],
                    start_ts: 0,
                },
                Ancestor {
                    pid: 1,
                    name: "systemd".into(),
                    ..Ancestor::default()
                },
            ],
            ..Process::default()
        };
        let roll = r.next() % 100;
        let ts = 1_764_300_000_000_000_000 + i as u64 * 1000;
        let mut ev = Event {
            num: i as u64 + 1,
            ts,
            source: "syscall".into(),
            proc: proc_,
            container,
            ..Event::default()
        };
        if roll < 55 {
            let f = r.pick(&files);
            ev.evt_type = "openat".into();
            ev.res = 3;
            ev.args = vec![
                arg("fd", "3", Some(3)),
                arg("dirfd", "AT_FDCWD", None),
                arg("name", f, None),
                arg("flags", r.pick(&flags), None),
                arg("mode", "0", Some(0)),
            ];
            ev.fd = Some(Fd {
                num: 3,
                fd_type: FdType::File,
                name: f.into(),
                ..Fd::default()
            });
        } else if roll < 80 {
            ev.evt_type = "execve".into();
            ev.args = vec![
                arg("res", "0", Some(0)),
                arg("exe", &ev.proc.exepath.clone(), None),
            ];
        } else if roll < 92 {
            ev.evt_type = "connect".into();
            let ip: IpAddr = if r.next() % 2 == 0 {
                "93.184.216.34"
                    .parse()
                    .unwrap_or(IpAddr::from([0, 0, 0, 0]))
            } else {
                "10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
            };
            ev.args = vec![arg("res", "0", Some(0))];
            ev.fd = Some(Fd {
                num: 5,
                fd_type: FdType::Ipv4,
                cip: Some(IpAddr::from([172, 17, 0, 2])),
                cport: Some(40000),
                sip: Some(ip),
                sport: Some([443u16, 22, 5432, 8080][(r.next() % 4) as usize]),
                l4proto: Some("tcp".into()),
                ..Fd::default()
            });
        } else {
            let t = r.pick(&["dup2", "socket", "symlinkat", "ptrace", "setuid", "linkat"]);
            ev.evt_type = t.into();
            ev.args = vec![
                arg("res", "0", Some(0)),
                arg("request", "PTRACE_PEEKDATA", Some(2)),
                arg("target", "/tmp/a", None),
                arg("domain", "AF_INET", Some(2)),
                arg("uid", "1000", Some(1000)),
            ];
        }
        out.push(ev);
    }
    out
}

/// CPU time of this thread in ns, from the scheduler's accounting.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut events_n = 2_000_000usize;
    let mut rules = Vec::new();
    let mut recording = None;
    let mut write_to = None;
    let mut matching = Matching::First;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--events" => events_n = it.next().ok_or("--events needs N")?.parse()?,
            "--rules" => rules.push(it.next().ok_or("--rules needs FILE")?),
            "--recording" => recording = Some(it.next().ok_or("--recording needs FILE")?),
            "--write-recording" => {
                write_to = Some(it.next().ok_or("--write-recording needs FILE")?)
            }
            "--all" => matching = Matching::All,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let t0 = Instant::now();
    let report = if rules.is_empty() {
        defaults::load()
    } else {
        let mut l = Loader::new();
        for f in &rules {
            l.add_file(std::path::Path::new(f));
        }
        l.finish()
    };
    if !report.ok() {
        return Err(format!("rules do not load: {:?}", report.errors).into());
    }
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let n_rules = report.rules.iter().filter(|r| r.enabled).count();
    let engine = Engine::new(report.rules, "bench").with_matching(matching);

    let pool: Vec<Event> = match &recording {
        Some(p) => {
            let f = std::io::BufReader::new(std::fs::File::open(p)?);
            let mut v = Vec::new();
            for line in f.lines() {
                let line = line?;
                if !line.trim().is_empty() {
                    v.push(serde_json::from_str(&line)?);
                }
            }
            v
        }
        None => generate(50_000),
    };
    if pool.is_empty() {
        return Err("no events".into());
    }
    if let Some(p) = write_to {
        let mut w = std::io::BufWriter::new(std::fs::File::create(p)?);
        for e in &pool {
            serde_json::to_writer(&mut w, e)?;
            w.write_all(b"\n")?;
        }
    }
    // Warm up caches and the allocator, then measure.
    let mut idx = Vec::new();
    let mut matched = 0u64;
    for e in pool.iter().take(10_000) {
        engine.matches(e, &mut idx);
    }
    let cpu0 = thread_cpu_ns();
    let t = Instant::now();
    for i in 0..events_n {
        engine.matches(&pool[i % pool.len()], &mut idx);
        matched += idx.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    // On a shared machine wall time includes time other processes ran; the per-core figure
    // divides by the CPU time this thread actually got.
    let cpu_secs = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => secs,
    };
    let rate = events_n as f64 / cpu_secs;
    println!(
        "{}",
        serde_json::json!({
            "rules_enabled": n_rules,
            "rules_load_ms": (load_ms * 10.0).round() / 10.0,
            "events": events_n,
            "distinct_events": pool.len(),
            "wall_seconds": (secs * 1000.0).round() / 1000.0,
            "cpu_seconds": (cpu_secs * 1000.0).round() / 1000.0,
            "events_per_sec_per_core": rate.round(),
            "events_per_sec_wall": (events_n as f64 / secs).round(),
            "cpu_ns_per_event": (cpu_secs * 1e9 / events_n as f64 * 10.0).round() / 10.0,
            "matches": matched,
        })
    );
    Ok(())
}
