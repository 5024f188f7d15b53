//! The real sensor against the real kernel: each test loads the BPF programs, makes child
//! processes do something, and checks the events the pipeline built. Needs root and BTF;
//! outside CI a missing prerequisite skips with a message, with CI=true it fails.
//!
//! Every wait has a deadline (loading, each child process, the drain, the sensor thread's
//! exit), so a stuck child or sensor fails the test with a message instead of hanging it.
#![allow(clippy::unwrap_used)] // test helpers: a poisoned lock is a test failure

use std::ffi::OsStr;
use std::io;
use std::net::TcpListener;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use warden_rules::event::FdType;
use warden_rules::Event;
use warden_runtime::container::ContainerCache;
use warden_runtime::decode::{BootClock, Kind};
use warden_runtime::mapper::Enricher;
use warden_runtime::metrics::Metrics;
use warden_runtime::output::{FalcoAlert, Sink};
use warden_runtime::proctree::{ProcessTree, EXITED_KEPT};
use warden_runtime::sensor::KernelCounters;
use warden_runtime::{live, Evaluator, Pipeline, RulesEvaluator, Sensor, SensorConfig};

/// One sensor at a time: they would see each other's children and compete for the CPUs.
static SERIAL: Mutex<()> = Mutex::new(());

/// Loading and verifying the BPF programs (slow on a loaded debug machine, never minutes).
const LOAD_DEADLINE: Duration = Duration::from_secs(120);
/// One child process's run.
const CHILD_DEADLINE: Duration = Duration::from_secs(60);
/// Waiting for the expected events to come through the pipeline.
const EVENTS_DEADLINE: Duration = Duration::from_secs(30);
/// The sensor thread's shutdown after the stop flag is set (one poll plus one drain).
const STOP_DEADLINE: Duration = Duration::from_secs(30);

/// Runs `cmd` to completion, killing it and failing the test if it outlives `CHILD_DEADLINE`.
fn run_child(cmd: &mut Command) -> std::process::ExitStatus {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    wait_child(&mut child, &what)
}

fn wait_child(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + CHILD_DEADLINE;
    loop {
        if let Some(st) = child.try_wait().expect("waiting for a child") {
            return st;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still ran after {CHILD_DEADLINE:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn can_run() -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let why = if !root {
        Some("not root")
    } else if !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        Some("no kernel BTF")
    } else if !std::path::Path::new("/bin/busybox").exists() {
        Some("no /bin/busybox (busybox-static)")
    } else {
        None
    };
    match why {
        None => true,
        Some(w) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("sensor tests cannot run in CI: {w}")
        }
        Some(w) => {
            eprintln!("SKIPPED sensor test: {w}");
            false
        }
    }
}

type Pred = Box<dyn Fn(&Event) -> bool + Send>;

struct Capture {
    keep: Pred,
    events: Arc<Mutex<Vec<Event>>>,
    /// Rules evaluated on every event as `warden watch` would (alerts go to the run's sink).
    rules: Option<RulesEvaluator>,
}

impl Evaluator for Capture {
    fn event_types(&self) -> Option<Vec<String>> {
        self.rules.as_ref().and_then(Evaluator::event_types)
    }
    fn evaluate(&mut self, ev: &Event, h: &str, out: &mut Vec<FalcoAlert>) {
        if (self.keep)(ev) {
            if let Ok(mut v) = self.events.lock() {
                v.push(ev.clone());
            }
        }
        if let Some(r) = self.rules.as_mut() {
            r.evaluate(ev, h, out);
        }
    }
    fn needs_read_only_opens(&self) -> bool {
        self.rules
            .as_ref()
            .is_none_or(Evaluator::needs_read_only_opens)
    }
}

struct VecSink(Arc<Mutex<Vec<FalcoAlert>>>);

impl Sink for VecSink {
    fn emit(&mut self, a: &FalcoAlert) -> io::Result<()> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .push(a.clone());
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Run {
    events: Vec<Event>,
    alerts: Vec<FalcoAlert>,
    counters: KernelCounters,
    metrics: Arc<Metrics>,
    tree_len: usize,
    recording: Vec<u8>,
}

#[derive(Clone)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl io::Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Loads a sensor, runs `act` while it watches (draining only after `act` when
/// `drain_after`), and collects the events `keep` selects until `done` holds over them.
fn watch(
    cfg: SensorConfig,
    record: bool,
    keep: Pred,
    drain_after: bool,
    act: impl FnOnce(),
    done: impl Fn(&[Event]) -> bool,
) -> Run {
    watch_rules(cfg, None, record, keep, drain_after, act, done)
}

/// [`watch`] with `rules` also evaluated, the sensor narrowed to them as `warden watch`
/// narrows it ([`live::narrow`]), their alerts in [`Run::alerts`].
fn watch_rules(
    mut cfg: SensorConfig,
    rules: Option<RulesEvaluator>,
    record: bool,
    keep: Pred,
    drain_after: bool,
    act: impl FnOnce(),
    done: impl Fn(&[Event]) -> bool,
) -> Run {
    let events = Arc::new(Mutex::new(Vec::new()));
    let alerts = Arc::new(Mutex::new(Vec::new()));
    let recording = SharedBuf(Arc::new(Mutex::new(Vec::new())));
    let stop = Arc::new(AtomicBool::new(false));
    // A failing assertion or deadline below must not leave the sensor running into the next
    // test: the guard stops it while the panic unwinds.
    let _guard = StopOnDrop(stop.clone());
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let metrics = Arc::new(Metrics::default());
    let worker = {
        let (events, alerts, stop, metrics, recording) = (
            events.clone(),
            alerts.clone(),
            stop.clone(),
            metrics.clone(),
            recording.clone(),
        );
        std::thread::spawn(move || -> Option<(KernelCounters, usize)> {
            let clock = BootClock::now();
            let mut tree = ProcessTree::new(clock);
            tree.bootstrap();
            let enricher = Enricher::new(tree, ContainerCache::offline(), clock);
            let sinks: Vec<Box<dyn Sink>> = vec![Box::new(VecSink(alerts))];
            let capture = Capture {
                keep,
                events,
                rules,
            };
            let mut p = Pipeline::new(enricher, capture, sinks, None, metrics);
            if record {
                p.record_to(Box::new(recording));
            }
            if p.evaluator().rules.is_some() {
                live::narrow(&mut cfg, p.evaluator(), record);
            }
            let sensor = match Sensor::load(&cfg) {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return None;
                }
            };
            let _ = ready_tx.send(Ok(()));
            if drain_after {
                let _ = go_rx.recv();
            }
            let c = live::run_loaded(&mut p, &sensor, &stop).ok()?;
            p.flush();
            Some((c, p.enricher.tree.len()))
        })
    };
    match ready_rx.recv_timeout(LOAD_DEADLINE) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("sensor did not load: {e}"),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            stop.store(true, Ordering::Relaxed);
            panic!("sensor did not load within {LOAD_DEADLINE:?}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("sensor thread died while loading"),
    }
    act();
    let _ = go_tx.send(());
    let deadline = Instant::now() + EVENTS_DEADLINE;
    while Instant::now() < deadline {
        if done(&events.lock().unwrap()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let one counter tick pass so drops and truncations are read.
    std::thread::sleep(live::TICK + Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    let stopped = Instant::now() + STOP_DEADLINE;
    while !worker.is_finished() {
        assert!(
            Instant::now() < stopped,
            "the sensor thread did not stop within {STOP_DEADLINE:?} of the stop flag"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (counters, tree_len) = worker.join().expect("sensor thread").expect("sensor ran");
    let events = events.lock().unwrap().clone();
    let alerts = alerts.lock().unwrap().clone();
    let recording = recording.0.lock().unwrap().clone();
    Run {
        events,
        alerts,
        counters,
        metrics,
        tree_len,
        recording,
    }
}

fn marker(tag: &str) -> String {
    format!(
        "warden-{tag}-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    )
}

fn bb(args: &[&OsStr]) {
    run_child(
        Command::new("/bin/busybox")
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null()),
    );
}

#[test]
fn exec_and_open_carry_argv_paths_flags_and_process() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let m = marker("open");
    let file = dir.path().join(&m);
    std::fs::write(&file, "x").unwrap();
    let path = file.to_string_lossy().into_owned();
    let p2 = path.clone();
    let keep: Pred = Box::new(move |e| {
        e.proc.args.iter().any(|a| a.contains(&p2)) || e.fd.as_ref().is_some_and(|f| f.name == p2)
    });
    let run = watch(
        SensorConfig::default(),
        false,
        keep,
        false,
        || bb(&[OsStr::new("cat"), file.as_os_str()]),
        |ev| {
            ev.iter()
                .any(|e| e.evt_type.starts_with("open") && e.proc.name == "busybox")
        },
    );
    let exec = run
        .events
        .iter()
        .find(|e| e.evt_type == "execve")
        .expect("execve event");
    assert_eq!(exec.proc.name, "busybox");
    // The kernel reports the resolved executable: on merged-/usr systems /bin is a symlink,
    // so the expected exepath is the canonical one, while exe is what execve was given.
    let real = std::fs::canonicalize("/bin/busybox").unwrap();
    assert_eq!(exec.proc.exepath, real.to_string_lossy());
    assert_eq!(exec.proc.exe, "/bin/busybox");
    assert_eq!(exec.proc.args, vec!["cat".to_owned(), path.clone()]);
    assert_eq!(
        exec.proc.ppid,
        i64::from(std::process::id()),
        "parent is the test process"
    );
    assert!(exec
        .proc
        .ancestors
        .first()
        .is_some_and(|a| a.pid == i64::from(std::process::id())));
    assert_eq!(exec.res, 0);
    assert!(exec.container.is_none(), "the test runs on the host");
    let open = run
        .events
        .iter()
        .find(|e| e.evt_type.starts_with("open") && e.fd.as_ref().is_some_and(|f| f.name == path))
        .expect("open event");
    assert_eq!(open.proc.pid, exec.proc.pid);
    assert_eq!(open.proc.name, "busybox");
    let flags = open.arg("flags").expect("flags arg");
    assert!(flags.value.starts_with("O_RDONLY"), "{flags:?}");
    let fd = open.fd.as_ref().unwrap();
    assert!(fd.num >= 0);
    assert_eq!(fd.fd_type, FdType::File);
    assert_eq!(open.proc.user.as_deref(), Some("root"));
    assert_eq!(run.metrics.decode_errors.load(Ordering::Relaxed), 0);
}

#[test]
fn argv_over_the_capture_limit_is_truncated_with_a_marker() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let m = marker("argv");
    let long: Vec<String> = (0..12).map(|i| format!("{i}{}", "a".repeat(999))).collect();
    let m2 = m.clone();
    let keep: Pred = Box::new(move |e| {
        e.evt_type == "execve" && e.proc.args.get(1).map(|a| a.as_str()) == Some(m2.as_str())
    });
    let run = watch(
        SensorConfig::default(),
        false,
        keep,
        false,
        || {
            run_child(Command::new("/bin/busybox").arg("true").arg(&m).args(&long));
        },
        |ev| !ev.is_empty(),
    );
    let e = run.events.first().expect("execve of the long command line");
    // busybox true <marker> <12 x 1000 bytes>: far over the 4095-byte capture.
    let captured: usize = e.proc.args.iter().map(|a| a.len() + 1).sum::<usize>() + e.proc.exe.len();
    assert!(captured <= 4096 + 3, "captured {captured} bytes");
    assert!(
        e.proc.args.len() < long.len() + 1,
        "not every argument fits"
    );
    assert!(
        e.proc.args.last().unwrap().ends_with("..."),
        "last arg {:?}",
        e.proc.args.last()
    );
    assert!(run.counters.truncated >= 1);
}

#[test]
fn non_utf8_paths_and_args_do_not_break_the_pipeline() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let m = marker("utf8");
    let mut name = m.clone().into_bytes();
    name.extend_from_slice(b"-\xff\xfe");
    let file = dir.path().join(OsStr::from_bytes(&name));
    std::fs::write(&file, "x").unwrap();
    let m2 = m.clone();
    let keep: Pred = Box::new(move |e| {
        e.fd.as_ref().is_some_and(|f| f.name.contains(&m2))
            || e.proc.args.iter().any(|a| a.contains(&m2))
    });
    let run = watch(
        SensorConfig::default(),
        false,
        keep,
        false,
        || bb(&[OsStr::new("cat"), file.as_os_str()]),
        |ev| ev.iter().any(|e| e.evt_type.starts_with("open")),
    );
    let open = run
        .events
        .iter()
        .find(|e| e.evt_type.starts_with("open"))
        .expect("open event");
    let name = &open.fd.as_ref().unwrap().name;
    assert!(name.ends_with(&format!("{m}-\u{fffd}\u{fffd}")), "{name}");
    let exec = run
        .events
        .iter()
        .find(|e| e.evt_type == "execve")
        .expect("exec event");
    assert!(exec.proc.args[1].contains('\u{fffd}'));
    assert_eq!(run.metrics.decode_errors.load(Ordering::Relaxed), 0);
}

#[test]
fn a_process_gone_before_enrichment_keeps_its_kernel_data() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let m = marker("gone");
    let m2 = m.clone();
    let keep: Pred = Box::new(move |e| e.proc.args.iter().any(|a| a == m2));
    let child_pid = Arc::new(Mutex::new(0u32));
    let cp = child_pid.clone();
    // Draining starts only after the child has exited and been reaped.
    let run = watch(
        SensorConfig::default(),
        false,
        keep,
        true,
        move || {
            let mut c = Command::new("/bin/busybox")
                .args(["sh", "-c", "read x < /etc/hostname", &m])
                .spawn()
                .unwrap();
            *cp.lock().unwrap() = c.id();
            wait_child(&mut c, "busybox sh");
        },
        |ev| ev.iter().any(|e| e.evt_type == "procexit"),
    );
    let pid = i64::from(*child_pid.lock().unwrap());
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the child is gone"
    );
    let exec = run
        .events
        .iter()
        .find(|e| e.evt_type == "execve" && e.proc.pid == pid)
        .expect("exec event");
    assert_eq!(exec.proc.name, "busybox");
    assert_eq!(exec.proc.args.first().map(|a| a.as_str()), Some("sh"));
    // /proc/PID/exe was gone when the event was read: the resolved path came from the kernel.
    let real = std::fs::canonicalize("/bin/busybox").unwrap();
    assert_eq!(exec.proc.exepath, real.to_string_lossy());
    let open = run
        .events
        .iter()
        .find(|e| e.proc.pid == pid && e.fd.as_ref().is_some_and(|f| f.name == "/etc/hostname"))
        .expect("open of the exited process");
    assert_eq!(
        open.proc.args, exec.proc.args,
        "the tree, not /proc, named the dead process"
    );
    assert!(run
        .events
        .iter()
        .any(|e| e.evt_type == "procexit" && e.proc.pid == pid));
}

#[test]
fn connect_reports_ipv4_and_ipv6_addresses_and_ports() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let l4 = TcpListener::bind("127.0.0.1:0").unwrap();
    let p4 = l4.local_addr().unwrap().port();
    let l6 = TcpListener::bind("[::1]:0").ok();
    let p6 = l6.as_ref().map(|l| l.local_addr().unwrap().port());
    // Accept and close at once: busybox nc waits for the peer to hang up (stdin's EOF does not
    // end it), and with nobody closing it ran forever and hung the whole test binary.
    for l in std::iter::once(&l4).chain(l6.as_ref()) {
        let l = l.try_clone().unwrap();
        std::thread::spawn(move || {
            if let Ok((conn, _)) = l.accept() {
                drop(conn);
            }
        });
    }
    let keep: Pred = Box::new(move |e| {
        e.evt_type == "connect"
            && e.fd
                .as_ref()
                .is_some_and(|f| f.sport == Some(p4) || (p6.is_some() && f.sport == p6))
    });
    let run = watch(
        SensorConfig::default(),
        false,
        keep,
        false,
        || {
            bb(&[
                OsStr::new("nc"),
                OsStr::new("127.0.0.1"),
                OsStr::new(&p4.to_string()),
            ]);
            if let Some(p6) = p6 {
                bb(&[
                    OsStr::new("nc"),
                    OsStr::new("::1"),
                    OsStr::new(&p6.to_string()),
                ]);
            }
        },
        |ev| ev.len() > usize::from(p6.is_some()),
    );
    let v4 = run
        .events
        .iter()
        .find(|e| e.fd.as_ref().unwrap().sport == Some(p4))
        .expect("IPv4 connect");
    let f = v4.fd.as_ref().unwrap();
    assert_eq!(f.sip, Some("127.0.0.1".parse().unwrap()));
    assert_eq!(f.fd_type, FdType::Ipv4);
    assert_eq!(f.l4proto.as_deref(), Some("tcp"));
    assert_eq!(v4.res, 0);
    assert!(f.cport.is_some_and(|p| p != 0));
    assert_eq!(
        f.name,
        format!("127.0.0.1:{}->127.0.0.1:{p4}", f.cport.unwrap())
    );
    if let Some(p6) = p6 {
        let v6 = run
            .events
            .iter()
            .find(|e| e.fd.as_ref().unwrap().sport == Some(p6))
            .expect("IPv6 connect");
        let f = v6.fd.as_ref().unwrap();
        assert_eq!(f.sip, Some("::1".parse().unwrap()));
        assert_eq!(f.fd_type, FdType::Ipv6);
    }
    drop((l4, l6));
}

#[test]
fn only_selected_syscalls_are_traced_in_the_kernel() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let m = marker("select");
    let sub = dir.path().join(&m);
    let s2 = sub.to_string_lossy().into_owned();
    let keep: Pred = Box::new(move |e| {
        e.proc.args.iter().any(|a| a.contains(&s2)) || e.args.iter().any(|a| a.value.contains(&s2))
    });
    let cfg = SensorConfig {
        kinds: vec![Kind::Openat, Kind::Open],
        ..SensorConfig::default()
    };
    let run = watch(
        cfg,
        false,
        keep,
        false,
        || bb(&[OsStr::new("mkdir"), sub.as_os_str()]),
        |ev| ev.iter().any(|e| e.evt_type == "execve"),
    );
    assert!(sub.exists(), "mkdir ran");
    assert!(
        run.events.iter().any(|e| e.evt_type == "execve"),
        "state events always flow"
    );
    assert!(
        !run.events.iter().any(|e| e.evt_type.starts_with("mkdir")),
        "mkdir was not selected, yet the kernel reported it: {:?}",
        run.events.iter().map(|e| &e.evt_type).collect::<Vec<_>>()
    );
    // And when selected, the same action is reported.
    let sub2 = dir.path().join(format!("{m}-2"));
    let s3 = sub2.to_string_lossy().into_owned();
    let keep: Pred = Box::new(move |e| e.args.iter().any(|a| a.value == s3));
    let cfg = SensorConfig {
        kinds: vec![Kind::Mkdir, Kind::Mkdirat],
        ..SensorConfig::default()
    };
    let run = watch(
        cfg,
        false,
        keep,
        false,
        || bb(&[OsStr::new("mkdir"), sub2.as_os_str()]),
        |ev| !ev.is_empty(),
    );
    assert!(run.events.iter().any(|e| e.evt_type.starts_with("mkdir")));
}

#[test]
fn an_event_flood_is_counted_alerted_and_bounded() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    // A 64 KiB ring buffer, not drained while ~5000 files are opened: it must overflow.
    let cfg = SensorConfig {
        ring_bytes: 64 << 10,
        kinds: vec![Kind::Openat, Kind::Open],
        ..SensorConfig::default()
    };
    let keep: Pred = Box::new(|_| false);
    let script = format!(
        "i=0; while [ $i -lt 5000 ]; do read x < {}; i=$((i+1)); done",
        file.display()
    );
    let run = watch(
        cfg,
        false,
        keep,
        true,
        || bb(&[OsStr::new("sh"), OsStr::new("-c"), OsStr::new(&script)]),
        |_| true,
    );
    assert!(
        run.counters.drops > 0,
        "no drops counted: {:?}",
        run.counters
    );
    assert_eq!(
        run.metrics.kernel_drops.load(Ordering::Relaxed),
        run.counters.drops
    );
    let drop_alert = run
        .alerts
        .iter()
        .find(|a| a.rule == "Falco internal: syscall event drop")
        .expect("a drop alert");
    assert_eq!(drop_alert.source, "internal");
    assert!(drop_alert.output_fields["n_drops"].as_u64().unwrap_or(0) > 0);
    // What reached user space is what fit in the ring (64 KiB, a few hundred open events),
    // not the flood: the kernel buffer is the bound, and the rest is counted as dropped.
    let seen = run.metrics.events.load(Ordering::Relaxed);
    assert!(seen < 5000, "{seen} events passed a 64 KiB ring");
    assert!(run.counters.drops + run.counters.events >= 5000);
}

#[test]
fn a_process_churn_keeps_the_process_tree_bounded() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // More short-lived processes than the tree keeps after exit: each fork is a clone and an
    // exit event, and the oldest exited ones must be evicted rather than accumulate.
    let n = EXITED_KEPT + 2000;
    let script = format!("i=0; while [ $i -lt {n} ]; do ( : ); i=$((i+1)); done");
    let cfg = SensorConfig {
        kinds: vec![],
        ..SensorConfig::default()
    };
    let exits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let e2 = exits.clone();
    let keep: Pred = Box::new(move |e| {
        if e.evt_type == "procexit" {
            e2.fetch_add(1, Ordering::Relaxed);
        }
        false
    });
    let before = {
        let mut t = ProcessTree::new(BootClock::now());
        t.bootstrap();
        t.len()
    };
    let e3 = exits.clone();
    let run = watch(
        cfg,
        false,
        keep,
        false,
        || bb(&[OsStr::new("sh"), OsStr::new("-c"), OsStr::new(&script)]),
        move |_| e3.load(Ordering::Relaxed) >= n,
    );
    let exits = exits.load(Ordering::Relaxed);
    assert!(exits >= n, "saw {exits} of {n} exits");
    assert_eq!(
        run.counters.drops, 0,
        "a 16 MiB ring keeps up with a fork loop"
    );
    // Bootstrapped processes, the bounded exited set, and some slack for what else the
    // machine started meanwhile.
    let bound = before + EXITED_KEPT + 1000;
    assert!(
        run.tree_len <= bound,
        "the tree holds {} processes after {n} short-lived ones (bound {bound})",
        run.tree_len
    );
}

#[test]
fn a_recording_replays_into_the_same_events() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let m = marker("replay");
    let m2 = m.clone();
    let keep: Pred = Box::new(move |e| e.proc.args.iter().any(|a| a == m2));
    let run = watch(
        SensorConfig::default(),
        true,
        keep,
        false,
        || {
            run_child(
                Command::new("/bin/busybox")
                    .args(["echo", &m])
                    .stdout(std::process::Stdio::null()),
            );
        },
        |ev| ev.iter().any(|e| e.evt_type == "procexit"),
    );
    let text = String::from_utf8(run.recording).unwrap();
    let replayed = Arc::new(Mutex::new(Vec::new()));
    let m3 = m.clone();
    let keep: Pred = Box::new(move |e| e.proc.args.iter().any(|a| a == m3));
    let clock = BootClock::now();
    let mut p = Pipeline::new(
        Enricher::new(ProcessTree::new(clock), ContainerCache::offline(), clock),
        Capture {
            keep,
            events: replayed.clone(),
            rules: None,
        },
        vec![],
        None,
        Arc::new(Metrics::default()),
    );
    p.replay(io::Cursor::new(text.as_bytes())).unwrap();
    let replayed = replayed.lock().unwrap().clone();
    assert!(!run.events.is_empty());
    assert_eq!(replayed, run.events);
    // A broken line names its line number.
    let err = p
        .replay(io::Cursor::new(b"{}\nnot json\n".as_slice()))
        .unwrap_err();
    assert!(err.to_string().starts_with("line 2:"), "{err}");
}

/// Forks a child that runs `body` (raw syscalls only: the test process has threads) and
/// exits with its result; returns the child's pid and exit status.
#[allow(unsafe_code)] // fork and raw id syscalls, each with its SAFETY note
fn fork_child(body: fn() -> i32) -> (u32, i32) {
    // SAFETY: the child only makes raw syscalls and `_exit`s, which is sound after fork in
    // a multi-threaded process.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", io::Error::last_os_error());
    if pid == 0 {
        let code = body();
        // SAFETY: ends the forked child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid, "waitpid: {}", io::Error::last_os_error());
    (pid as u32, libc::WEXITSTATUS(status))
}

/// Opens a file: an event that shows the process's current ids to the sensor. (The forks
/// of the sensor's own process are not reported, so the children are unknown until then.)
#[allow(unsafe_code)] // fork and raw id syscalls, each with its SAFETY note
fn touch_hostname() {
    // SAFETY: the path is a NUL-terminated static string; the fd is ours to close.
    unsafe {
        let fd = libc::open(c"/etc/hostname".as_ptr(), libc::O_RDONLY);
        if fd >= 0 {
            libc::close(fd);
        }
    }
}

/// Root calls `setuid(0)`: no change of user.
#[allow(unsafe_code)] // fork and raw id syscalls, each with its SAFETY note
fn root_setuid_root() -> i32 {
    touch_hostname();
    // SAFETY: plain syscall, no memory passed.
    let r = unsafe { libc::syscall(libc::SYS_setuid, 0) };
    i32::from(r != 0)
}

/// The classic escalation: runs as uid 1000 with a saved uid of 0 (what a setuid-root binary
/// that dropped privileges keeps; `setresuid` is not traced), does something as 1000 (an
/// open), then `setuid(0)`, which an unprivileged caller may do when 0 is its saved uid.
#[allow(unsafe_code)] // fork and raw id syscalls, each with its SAFETY note
fn user_setuid_root() -> i32 {
    // SAFETY: plain syscalls; the path is a NUL-terminated static string.
    unsafe {
        if libc::syscall(libc::SYS_setresuid, 1000, 1000, 0) != 0 {
            return 2;
        }
        touch_hostname();
        if libc::syscall(libc::SYS_setuid, 0) != 0 || libc::geteuid() != 0 {
            return 3;
        }
    }
    0
}

#[test]
fn setuid_is_judged_by_the_callers_user_before_the_call() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const RULE: &str = "Setuid to root by non-root process";
    let children = Arc::new(Mutex::new(Vec::<(u32, &str)>::new()));
    let c2 = children.clone();
    let keep: Pred = Box::new(|e| e.evt_type == "setuid");
    let run = watch(
        SensorConfig::default(),
        false,
        keep,
        false,
        move || {
            for (name, body) in [
                ("root", root_setuid_root as fn() -> i32),
                ("user", user_setuid_root),
            ] {
                let (pid, code) = fork_child(body);
                assert_eq!(code, 0, "{name} child failed (exit {code})");
                c2.lock().unwrap().push((pid, name));
            }
        },
        |ev| {
            let c = children.lock().unwrap();
            c.len() == 2
                && c.iter()
                    .all(|(pid, _)| ev.iter().any(|e| e.proc.pid == i64::from(*pid)))
        },
    );
    let children = children.lock().unwrap().clone();
    let (mut rules, _) = RulesEvaluator::defaults(false).unwrap();
    let loginuid = std::fs::read_to_string("/proc/self/loginuid").unwrap_or_default();
    for (pid, name) in children {
        let ev = run
            .events
            .iter()
            .find(|e| e.proc.pid == i64::from(pid))
            .unwrap_or_else(|| panic!("no setuid event of the {name} child"));
        assert_eq!(ev.res, 0, "{name}: setuid succeeded");
        assert_eq!(ev.arg("uid").and_then(|a| a.raw), Some(0));
        let expect_uid = if name == "root" { 0 } else { 1000 };
        assert_eq!(
            ev.proc.uid, expect_uid,
            "{name}: user.uid is the caller's before the call"
        );
        let mut alerts = Vec::new();
        rules.evaluate(ev, "test", &mut alerts);
        let fired = alerts.iter().any(|a| a.rule == RULE);
        // The rule skips a logged-in root (loginuid 0); then neither child may raise it.
        let should = name == "user" && loginuid.trim() != "0";
        assert_eq!(fired, should, "{name}: {RULE} fired={fired}: {alerts:?}");
    }
}

/// Opens `read` read-only and `write` for writing, through busybox (`cat`, and the shell's
/// `>>` redirection).
fn read_and_write(read: &std::path::Path, write: &std::path::Path) {
    bb(&[OsStr::new("cat"), read.as_os_str()]);
    let script = format!("echo x >> '{}'", write.display());
    bb(&[OsStr::new("sh"), OsStr::new("-c"), OsStr::new(&script)]);
}

#[test]
fn read_only_opens_are_dropped_in_the_kernel_only_when_no_rule_can_match_them() {
    if !can_run() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let m = marker("rofilter");
    let read = dir.path().join(format!("{m}-r"));
    let write = dir.path().join(format!("{m}-w"));
    std::fs::write(&read, "x").unwrap();
    let prefix = dir.path().join(&m).to_string_lossy().into_owned();
    let p2 = prefix.clone();
    let ours = move |e: &Event| e.fd.as_ref().is_some_and(|f| f.name.starts_with(&p2));
    let write_rule = format!(
        "- rule: marker written\n  desc: d\n  condition: evt.type in (open, openat, openat2) \
         and evt.is_open_write = true and fd.name startswith {prefix}\n  output: w %fd.name\n  \
         priority: WARNING\n"
    );
    let read_rule = format!(
        "- rule: marker read\n  desc: d\n  condition: evt.type in (open, openat, openat2) \
         and evt.is_open_read = true and fd.name startswith {prefix}\n  output: r %fd.name\n  \
         priority: WARNING\n"
    );
    let names = |run: &Run| {
        let mut v: Vec<String> = run.alerts.iter().map(|a| a.rule.clone()).collect();
        v.sort();
        v
    };

    // Only a write rule: the read-only open never leaves the kernel, the write still does.
    let (rules, _) = RulesEvaluator::from_yaml("w.yaml", &write_rule, false).unwrap();
    let o = ours.clone();
    let run = watch_rules(
        SensorConfig::default(),
        Some(rules),
        false,
        Box::new(move |e| o(e)),
        false,
        || read_and_write(&read, &write),
        |ev| {
            ev.iter().any(|e| {
                e.proc.name == "busybox"
                    && e.arg("flags").is_some_and(|f| f.value.contains("O_WRONLY"))
            })
        },
    );
    assert_eq!(names(&run), vec!["marker written".to_owned()]);
    assert!(
        !run.events.iter().any(|e| e
            .fd
            .as_ref()
            .is_some_and(|f| f.name == read.to_string_lossy())),
        "the read-only open reached user space: {:?}",
        run.events
            .iter()
            .map(|e| e.fd.as_ref().map(|f| f.name.clone()))
            .collect::<Vec<_>>()
    );
    assert!(
        run.counters.filtered > 0,
        "the kernel dropped read-only opens"
    );

    // A rule that needs reads as well: both opens arrive and both rules fire.
    let both = format!("{write_rule}\n{read_rule}");
    let (rules, _) = RulesEvaluator::from_yaml("rw.yaml", &both, false).unwrap();
    let o = ours.clone();
    let r2 = read.to_string_lossy().into_owned();
    let run = watch_rules(
        SensorConfig::default(),
        Some(rules),
        false,
        Box::new(move |e| o(e)),
        false,
        || read_and_write(&read, &write),
        move |ev| {
            ev.iter()
                .any(|e| e.fd.as_ref().is_some_and(|f| f.name == r2))
        },
    );
    assert_eq!(
        names(&run),
        vec!["marker read".to_owned(), "marker written".to_owned()]
    );
    assert_eq!(run.counters.filtered, 0, "nothing may be dropped");
}
