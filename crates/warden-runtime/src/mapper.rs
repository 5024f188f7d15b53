//! Kernel events, enriched with the process tree and container metadata, mapped to the rule
//! engine's [`warden_rules::Event`] with Falco's argument names and renderings.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};

use warden_rules::event::{
    Ancestor, Container, EventArg, Fd, FdType, Process, Str, ToCompactString,
};
use warden_rules::Event;

use crate::cgroup::ContainerRef;
use crate::container::ContainerCache;
use crate::decode::{parse_sockaddr, BootClock, Kind, RawEvent, SockAddr};
use crate::proctree::{AccountCache, ProcessTree};
use crate::render;

const AT_FDCWD: i64 = -100;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn arg(name: &str, value: impl Into<Str>, raw: Option<i64>) -> EventArg {
    EventArg {
        name: name.into(),
        value: value.into(),
        raw,
    }
}

fn num(name: &str, v: i64) -> EventArg {
    // Formatted straight into the inline string: no heap block for a number.
    arg(name, v.to_compact_string(), Some(v))
}

/// Resolves `.` and `..` without touching the filesystem, as Falco does for `fd.name`.
pub fn normalize(path: &str) -> String {
    if is_normal(path) {
        return path.to_owned();
    }
    let mut out: Vec<&str> = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(s) => out.push(s.to_str().unwrap_or("")),
        }
    }
    format!("/{}", out.join("/"))
}

/// Whether `normalize` would return `path` unchanged: absolute, no empty, `.` or `..`
/// component, no trailing slash. Most paths are, and they need no rebuilding.
fn is_normal(path: &str) -> bool {
    match path.strip_prefix('/') {
        Some("") => true,
        Some(rest) => rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".."),
        None => false,
    }
}

/// Everything the mapper reads besides the event.
pub struct Enricher {
    /// The process tree.
    pub tree: ProcessTree,
    /// Account databases per root.
    pub accounts: AccountCache,
    /// Container metadata.
    pub containers: ContainerCache,
    /// Boot-time to wall-clock conversion.
    pub clock: BootClock,
    num: u64,
    cache: HashMap<u32, Cached>,
    lent: Option<Lent>,
}

/// Most processes cached; past it the cache starts over (a fork storm must not grow it).
const CACHED_MAX: usize = 4096;

/// A mapped event's process and container, kept to be reused by the same process's next
/// event: the ancestry, the user names and the capability text are the bulk of mapping an
/// event, and they only change with the process tree or the caller's credentials.
struct Cached {
    key: CacheKey,
    proc_: Process,
    cref: Option<ContainerRef>,
    container: Option<Container>,
}

/// What a cached process was derived from besides the pid.
#[derive(Clone, Copy, PartialEq, Eq)]
struct CacheKey {
    generation: u64,
    uid: u32,
    gid: u32,
    cap_effective: u64,
}

/// The key and container reference of the process lent to the last mapped event, for
/// [`Enricher::recycle`].
struct Lent {
    pid: u32,
    key: CacheKey,
    cref: Option<ContainerRef>,
}

impl Enricher {
    /// A new enricher; call `tree.bootstrap()` first when following a live system.
    pub fn new(tree: ProcessTree, containers: ContainerCache, clock: BootClock) -> Enricher {
        Enricher {
            tree,
            accounts: AccountCache::default(),
            containers,
            clock,
            num: 0,
            cache: HashMap::new(),
            lent: None,
        }
    }

    /// Takes back an event returned by [`Enricher::handle`] or [`Enricher::map`] once it has
    /// been evaluated, so the process's next event reuses its process and container fields
    /// instead of building them again. Optional: an event not given back is only a missed reuse.
    pub fn recycle(&mut self, ev: Event) {
        let Some(lent) = self.lent.take() else {
            return;
        };
        if ev.proc.pid != i64::from(lent.pid) || lent.key.generation != self.tree.generation() {
            return;
        }
        if self.cache.len() >= CACHED_MAX && !self.cache.contains_key(&lent.pid) {
            self.cache.clear();
        }
        self.cache.insert(
            lent.pid,
            Cached {
                key: lent.key,
                proc_: ev.proc,
                cref: lent.cref,
                container: ev.container,
            },
        );
    }

    /// Applies the event to the process tree and maps it. Exec updates the tree before the
    /// event is built (the event describes the new image); exit after.
    pub fn handle(&mut self, ev: &RawEvent) -> Event {
        match ev.kind {
            Kind::Execve | Kind::Execveat => self.tree.on_exec(ev),
            Kind::Clone => {
                // The clone event describes the parent; make sure the parent is known first.
                self.tree.fill(ev);
            }
            _ => {}
        }
        let out = match ev.kind {
            Kind::Setuid | Kind::Setgid => {
                let pre = self.before_call(ev);
                self.map(pre.as_ref().unwrap_or(ev))
            }
            _ => self.map(ev),
        };
        // Every event refreshes its process's last-known credentials, so the next setuid
        // or setgid has the ones it was called with.
        self.tree.note_creds(ev);
        match ev.kind {
            Kind::Clone => self.tree.on_clone(ev),
            Kind::Exit => self.tree.on_exit(ev),
            _ => {}
        }
        out
    }

    /// A setuid/setgid event with the caller's user (or group) as it was before the call,
    /// from the process's last-known credentials: the kernel reports the call on its exit,
    /// when the ids have already changed, while Falco's rules judge it on the enter event
    /// (`user.uid` of a root process calling `setuid(0)` is 0 there, not "became 0"). `None`
    /// when the process's earlier credentials are unknown; the event then keeps its own.
    fn before_call(&self, ev: &RawEvent) -> Option<RawEvent> {
        let c = self.tree.get(ev.pid)?.creds?;
        let mut pre = ev.clone();
        if ev.kind == Kind::Setuid {
            pre.uid = c.uid;
            pre.cap_effective = c.cap_effective;
        } else {
            pre.gid = c.gid;
        }
        Some(pre)
    }

    fn resolve(pid: u32, cwd: &str, dirfd: i64, raw: &str) -> String {
        if raw.starts_with('/') {
            return normalize(raw);
        }
        let base = if dirfd == AT_FDCWD {
            // chdir is not traced: /proc is current while the process lives.
            std::fs::read_link(format!("/proc/{pid}/cwd"))
                .map(|b| lossy(b.as_os_str().as_encoded_bytes()))
                .unwrap_or_else(|_| cwd.to_owned())
        } else {
            std::fs::read_link(format!("/proc/{pid}/fd/{dirfd}"))
                .map(|b| lossy(b.as_os_str().as_encoded_bytes()))
                .unwrap_or_default()
        };
        if base.is_empty() {
            return raw.to_owned();
        }
        let joined: PathBuf = Path::new(&base).join(raw);
        normalize(&joined.to_string_lossy())
    }

    fn container(&self, c: &ContainerRef) -> Container {
        let meta = self.containers.lookup(c);
        let mut out = Container {
            id: c.short_id().to_owned().into(),
            full_id: c.full_id.as_str().into(),
            runtime: c.runtime.as_str().to_owned().into(),
            metadata_complete: meta.is_some(),
            ..Container::default()
        };
        if let Some(m) = meta {
            m.fill(&mut out);
        }
        out
    }

    /// The event's process and container: the cached ones when nothing they derive from has
    /// changed since, else built afresh.
    fn process_and_container(&mut self, ev: &RawEvent) -> (Process, Option<Container>) {
        // `fill` first: reading a process the tree never saw changes the generation.
        self.tree.fill(ev);
        let key = CacheKey {
            generation: self.tree.generation(),
            uid: ev.uid,
            gid: ev.gid,
            cap_effective: ev.cap_effective,
        };
        let hit = self.cache.remove(&ev.pid).filter(|c| c.key == key);
        let (proc_, cref, container) = match hit {
            Some(c) => {
                let mut proc_ = c.proc_;
                let container = match (c.container, &c.cref) {
                    // Metadata that was still pending may have arrived since.
                    (Some(k), Some(r)) if !k.metadata_complete => Some(self.container(r)),
                    (k, _) => k,
                };
                proc_.tid = i64::from(ev.tid);
                proc_.vtid = if ev.tid == ev.pid {
                    proc_.vpid
                } else {
                    i64::from(ev.tid)
                };
                (proc_, c.cref, container)
            }
            None => {
                let (proc_, cref) = self.process(ev);
                let container = cref.as_ref().map(|c| self.container(c));
                (proc_, cref, container)
            }
        };
        self.lent = Some(Lent {
            pid: ev.pid,
            key,
            cref,
        });
        (proc_, container)
    }

    fn process(&mut self, ev: &RawEvent) -> (Process, Option<ContainerRef>) {
        let p = self.tree.fill(ev).clone();
        let accounts = self.accounts.for_proc(&p);
        let user = accounts.user(ev.uid);
        let ancestors = self
            .tree
            .ancestors(p.pid)
            .into_iter()
            .map(|a| Ancestor {
                pid: i64::from(a.pid),
                name: a.name.as_str().into(),
                exe: a.exe.as_str().into(),
                exepath: a.exepath.as_str().into(),
                args: a.args.iter().map(|x| Str::from(x.as_str())).collect(),
                start_ts: a.start_ns,
            })
            .collect();
        let sname = self.tree.get(p.sid).map(|s| Str::from(s.name.as_str()));
        let loginname = if p.loginuid >= 0 {
            accounts
                .user(p.loginuid as u32)
                .map(|u| Str::from(u.0.as_str()))
        } else {
            None
        };
        let proc_ = Process {
            pid: i64::from(ev.pid),
            tid: i64::from(ev.tid),
            ppid: i64::from(p.ppid),
            vpid: i64::from(p.vpid),
            vtid: i64::from(if ev.tid == ev.pid { p.vpid } else { ev.tid }),
            sid: i64::from(p.sid),
            vpgid: 0,
            name: p.name.as_str().into(),
            exe: p.exe.as_str().into(),
            exepath: p.exepath.as_str().into(),
            args: p.args.iter().map(|x| Str::from(x.as_str())).collect(),
            cwd: p.cwd.as_str().into(),
            tty: p.tty,
            start_ts: p.start_ns,
            env: None,
            uid: ev.uid,
            gid: ev.gid,
            user: user.map(|u| u.0.as_str().into()),
            user_home: user.map(|u| u.1.as_str().into()),
            user_shell: user.map(|u| u.2.as_str().into()),
            group: accounts.group(ev.gid).map(Str::from),
            loginuid: p.loginuid,
            loginname,
            cap_effective: Some(render::caps(ev.cap_effective).into()),
            cap_permitted: None,
            exe_upper_layer: false,
            exe_from_memfd: p.exepath.starts_with("/memfd:"),
            exe_writable: false,
            exe_ino_ctime: None,
            exe_ino_mtime: None,
            ancestors,
            sname,
            // Fields added to the model later keep their defaults until the sensor fills them.
            ..Process::default()
        };
        (proc_, p.container)
    }

    fn sock_fd(ev: &RawEvent, user_addr: Option<&[u8]>) -> Fd {
        let mut fd = Fd {
            num: ev.args[0] as i64,
            ..Fd::default()
        };
        let s = ev.sock.as_ref();
        let family = s.map(|s| s.family).unwrap_or(0);
        let parsed = user_addr.filter(|b| !b.is_empty()).and_then(parse_sockaddr);
        fd.fd_type = match (family, &parsed) {
            (2, _) | (0, Some(SockAddr::Ip(IpAddr::V4(_), _))) => FdType::Ipv4,
            (10, _) | (0, Some(SockAddr::Ip(IpAddr::V6(_), _))) => FdType::Ipv6,
            (1, _) | (0, Some(SockAddr::Unix(_))) => FdType::Unix,
            (16, _) => FdType::Netlink,
            _ => FdType::File,
        };
        if let Some(s) = s {
            fd.l4proto = Some(
                match (s.proto, s.sock_type) {
                    (6, _) => "tcp",
                    (17, _) => "udp",
                    (1, _) | (58, _) => "icmp",
                    (_, 3) => "raw",
                    (_, 1) => "tcp",
                    (_, 2) => "udp",
                    _ => "unknown",
                }
                .to_owned()
                .into(),
            );
            fd.cip = s.local;
            fd.cport = Some(s.lport);
            if s.rport != 0 || s.remote.is_some_and(|r| !r.is_unspecified()) {
                fd.sip = s.remote;
                fd.sport = Some(s.rport);
            }
        }
        match parsed {
            Some(SockAddr::Ip(ip, port)) => {
                fd.sip = Some(ip);
                fd.sport = Some(port);
            }
            Some(SockAddr::Unix(path)) => fd.name = lossy(&path).into(),
            _ => {}
        }
        if fd.fd_type.is_ip() {
            let ip = |a: Option<IpAddr>| a.map(|a| a.to_string()).unwrap_or_default();
            fd.name = format!(
                "{}:{}->{}:{}",
                ip(fd.cip),
                fd.cport.unwrap_or(0),
                ip(fd.sip),
                fd.sport.unwrap_or(0)
            )
            .into();
        }
        fd
    }

    /// Maps one event (the tree must already reflect it, see [`Enricher::handle`]).
    pub fn map(&mut self, ev: &RawEvent) -> Event {
        self.num += 1;
        let (proc_, container) = self.process_and_container(ev);
        let (pid, cwd) = (ev.pid, proc_.cwd.as_str());
        let s = |i: usize| lossy(ev.str_at(i));
        let a = &ev.args;
        let res = ev.ret;
        let mut args: Vec<EventArg> = Vec::new();
        let mut fd: Option<Fd> = None;
        let open =
            |dirfd: i64, path_idx: usize, flags: u64, mode: u64, args: &mut Vec<EventArg>| {
                let raw = s(path_idx);
                args.push(num("fd", res));
                if dirfd != AT_FDCWD || ev.kind != Kind::Open {
                    args.push(num("dirfd", dirfd));
                }
                args.push(arg("name", raw.clone(), None));
                args.push(arg("flags", render::open_flags(flags), Some(flags as i64)));
                args.push(arg("mode", render::mode(mode), Some(mode as i64)));
                let name = Enricher::resolve(pid, cwd, dirfd, &raw);
                Fd {
                    num: if res >= 0 { res } else { -1 },
                    fd_type: if flags & 0o200000 != 0 {
                        FdType::Directory
                    } else {
                        FdType::File
                    },
                    name: name.into(),
                    nameraw: Some(raw.into()),
                    name_changed: true,
                    ..Fd::default()
                }
            };
        match ev.kind {
            Kind::Execve | Kind::Execveat => {
                args.push(num("res", res));
                args.push(arg("exe", proc_.exe.clone(), None));
                args.push(arg("args", proc_.args.join(" "), None));
                args.push(num("tid", i64::from(ev.tid)));
                args.push(num("pid", i64::from(ev.pid)));
                args.push(num("ptid", i64::from(ev.ppid)));
                args.push(arg("cwd", proc_.cwd.clone(), None));
                args.push(arg("comm", lossy(&ev.comm), None));
                args.push(num("tty", i64::from(proc_.tty)));
                args.push(num("loginuid", proc_.loginuid));
                args.push(arg("filename", s(2), None));
                args.push(arg("trusted_exepath", proc_.exepath.clone(), None));
            }
            Kind::Clone => {
                args.push(num("res", res));
                args.push(arg("exe", proc_.exe.clone(), None));
                args.push(arg("args", proc_.args.join(" "), None));
                args.push(num("tid", i64::from(ev.tid)));
                args.push(num("pid", i64::from(ev.pid)));
                args.push(num("ptid", i64::from(ev.ppid)));
            }
            Kind::Exit => {
                let code = a[0] as i64;
                args.push(num("status", code));
                args.push(num("ret", (code >> 8) & 0xff));
                args.push(num("sig", code & 0x7f));
                args.push(arg(
                    "core",
                    if code & 0x80 != 0 { "true" } else { "false" },
                    Some((code >> 7) & 1),
                ));
            }
            Kind::Open => fd = Some(open(AT_FDCWD, 0, a[1], a[2], &mut args)),
            Kind::Openat => fd = Some(open(a[0] as i32 as i64, 0, a[1], a[2], &mut args)),
            Kind::Openat2 => {
                fd = Some(open(a[0] as i32 as i64, 0, a[1], a[2], &mut args));
                args.push(num("resolve", a[3] as i64));
            }
            Kind::Connect | Kind::Sendto | Kind::Sendmsg => {
                let f = Enricher::sock_fd(ev, Some(ev.str_at(0)));
                args.push(num("res", res));
                if ev.kind != Kind::Connect {
                    args.push(num("size", a[1] as i64));
                }
                args.push(num("fd", a[0] as i64));
                args.push(arg("tuple", f.name.clone(), None));
                if ev.kind == Kind::Connect {
                    let addr = match (f.sip, f.sport) {
                        (Some(ip), Some(port)) => format!("{ip}:{port}").into(),
                        _ => f.name.clone(),
                    };
                    args.push(arg("addr", addr, None));
                }
                let connected = ev.kind != Kind::Connect || res == 0 || res == -115;
                fd = Some(Fd {
                    connected,
                    name_changed: ev.kind == Kind::Connect || !ev.str_at(0).is_empty(),
                    ..f
                });
            }
            Kind::Socket => {
                args.push(num("fd", res));
                args.push(arg(
                    "domain",
                    render::socket_domain(a[0]),
                    Some(a[0] as i64),
                ));
                args.push(num("type", a[1] as i64));
                args.push(num("proto", a[2] as i64));
                fd = Some(Fd {
                    num: if res >= 0 { res } else { -1 },
                    fd_type: match a[0] {
                        2 => FdType::Ipv4,
                        10 => FdType::Ipv6,
                        1 => FdType::Unix,
                        16 => FdType::Netlink,
                        _ => FdType::File,
                    },
                    ..Fd::default()
                });
            }
            Kind::Rename | Kind::Link => {
                args.push(num("res", res));
                args.push(arg("oldpath", s(0), None));
                args.push(arg("newpath", s(1), None));
            }
            Kind::Renameat | Kind::Renameat2 | Kind::Linkat => {
                args.push(num("res", res));
                args.push(num("olddirfd", a[0] as i32 as i64));
                args.push(arg("oldpath", s(0), None));
                args.push(num("newdirfd", a[1] as i32 as i64));
                args.push(arg("newpath", s(1), None));
                if ev.kind != Kind::Renameat {
                    args.push(arg("flags", render::at_flags(a[2]), Some(a[2] as i64)));
                }
            }
            Kind::Unlink => {
                args.push(num("res", res));
                args.push(arg("path", s(0), None));
            }
            Kind::Unlinkat => {
                args.push(num("res", res));
                args.push(num("dirfd", a[0] as i32 as i64));
                args.push(arg("name", s(0), None));
                args.push(arg("flags", render::at_flags(a[1]), Some(a[1] as i64)));
            }
            Kind::Mkdir => {
                args.push(num("res", res));
                args.push(arg("path", s(0), None));
                args.push(arg("mode", render::mode(a[1]), Some(a[1] as i64)));
            }
            Kind::Mkdirat => {
                args.push(num("res", res));
                args.push(num("dirfd", a[0] as i32 as i64));
                args.push(arg("path", s(0), None));
                args.push(arg("mode", render::mode(a[1]), Some(a[1] as i64)));
            }
            Kind::Symlink => {
                args.push(num("res", res));
                args.push(arg("target", s(0), None));
                args.push(arg("linkpath", s(1), None));
            }
            Kind::Symlinkat => {
                args.push(num("res", res));
                args.push(arg("target", s(0), None));
                args.push(num("linkdirfd", a[0] as i32 as i64));
                args.push(arg("linkpath", s(1), None));
            }
            Kind::Setuid => {
                args.push(num("res", res));
                args.push(num("uid", a[0] as u32 as i64));
            }
            Kind::Setgid => {
                args.push(num("res", res));
                args.push(num("gid", a[0] as u32 as i64));
            }
            Kind::Ptrace => {
                args.push(num("res", res));
                args.push(arg(
                    "request",
                    render::ptrace_request(a[0]),
                    Some(a[0] as i64),
                ));
                args.push(num("pid", a[1] as i64));
            }
            Kind::InitModule => {
                args.push(num("res", res));
                args.push(num("length", a[0] as i64));
                args.push(arg("uargs", s(0), None));
            }
            Kind::FinitModule => {
                args.push(num("res", res));
                args.push(num("fd", a[0] as i64));
                args.push(arg("uargs", s(0), None));
                args.push(num("flags", a[1] as i64));
            }
            Kind::Dup | Kind::Dup2 | Kind::Dup3 => {
                args.push(num("res", res));
                args.push(num("oldfd", a[0] as i64));
                if ev.kind != Kind::Dup {
                    args.push(num("newfd", a[1] as i64));
                }
                if ev.kind == Kind::Dup3 {
                    args.push(num("flags", a[2] as i64));
                }
                let mut f = if ev.sock.is_some() {
                    Enricher::sock_fd(ev, None)
                } else {
                    let name = std::fs::read_link(format!("/proc/{}/fd/{}", ev.pid, res))
                        .map(|b| lossy(b.as_os_str().as_encoded_bytes()))
                        .unwrap_or_default();
                    Fd {
                        name: name.into(),
                        ..Fd::default()
                    }
                };
                f.num = if res >= 0 { res } else { -1 };
                fd = Some(f);
            }
        }
        Event {
            num: self.num,
            ts: self.clock.to_unix_ns(ev.ts_boot),
            source: "syscall".to_owned().into(),
            evt_type: ev.kind.name().to_owned().into(),
            dir: "<".to_owned().into(),
            cpu: ev.cpu,
            res,
            args,
            buffer: None,
            proc: proc_,
            fd,
            container,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(kind: Kind, tid: u32, uid: u32, strs: &[&[u8]]) -> RawEvent {
        RawEvent {
            kind,
            ts_boot: 0,
            ret: 3,
            args: [AT_FDCWD as u64, 0, 0, 0, 0, 0],
            cap_effective: 0,
            pid: 4242,
            tid,
            ppid: 1,
            uid,
            gid: 0,
            cpu: 0,
            comm: b"first".to_vec(),
            sock: None,
            strs: strs.iter().map(|s| s.to_vec()).collect(),
            truncated: 0,
        }
    }

    /// Maps an open by pid 4242 and hands the event back, as the pipeline does.
    fn open(e: &mut Enricher, tid: u32, uid: u32) -> (String, i64, u32, String) {
        let ev = e.handle(&raw(Kind::Openat, tid, uid, &[b"/etc/hostname"]));
        let out = (
            ev.proc.name.to_string(),
            ev.proc.tid,
            ev.proc.uid,
            ev.fd
                .as_ref()
                .map(|f| f.name.to_string())
                .unwrap_or_default(),
        );
        e.recycle(ev);
        out
    }

    #[test]
    fn a_reused_process_follows_exec_threads_and_credentials() {
        // An empty proc root: the process is only known from the kernel's events.
        let dir = tempfile::tempdir().unwrap();
        let clock = BootClock::now();
        let tree = ProcessTree::with_proc_root(clock, &dir.path().to_string_lossy());
        let mut e = Enricher::new(tree, ContainerCache::offline(), clock);
        let first = open(&mut e, 4242, 0);
        assert_eq!(first, ("first".into(), 4242, 0, "/etc/hostname".into()));
        assert_eq!(
            open(&mut e, 4242, 0),
            first,
            "the reused process is the same"
        );
        assert_eq!(open(&mut e, 4243, 0).1, 4243, "another thread's tid");
        let exec = raw(
            Kind::Execve,
            4242,
            0,
            &[
                b"",
                b"",
                b"/usr/bin/second",
                b"second\0bin\0usr\0",
                b"second\0",
            ],
        );
        let ev = e.handle(&exec);
        e.recycle(ev);
        assert_eq!(
            open(&mut e, 4242, 0).0,
            "second",
            "exec renamed the process"
        );
        let setuid = open(&mut e, 4242, 1000);
        assert_eq!((setuid.0.as_str(), setuid.2), ("second", 1000));
    }

    #[test]
    fn setuid_and_setgid_carry_the_callers_ids_from_before_the_call() {
        let dir = tempfile::tempdir().unwrap();
        let clock = BootClock::now();
        let tree = ProcessTree::with_proc_root(clock, &dir.path().to_string_lossy());
        let mut e = Enricher::new(tree, ContainerCache::offline(), clock);
        let call = |kind: Kind, uid: u32, gid: u32, cap: u64, id: u64| {
            let mut r = raw(kind, 4242, uid, &[]);
            r.ret = 0;
            r.gid = gid;
            r.cap_effective = cap;
            r.args[0] = id;
            r
        };
        // Unknown before: the event keeps the ids it has (those after the call).
        let ev = e.handle(&call(Kind::Setuid, 0, 0, 7, 0));
        assert_eq!((ev.proc.uid, ev.proc.gid), (0, 0));
        // Known as uid 1000 (an earlier event), then setuid(0): reported as uid 1000 with
        // the capabilities it had then.
        e.handle(&call(Kind::Openat, 1000, 100, 0, 0));
        let ev = e.handle(&call(Kind::Setuid, 0, 100, u64::MAX, 0));
        assert_eq!(ev.proc.uid, 1000);
        assert_eq!(ev.proc.cap_effective.as_deref(), Some(""));
        // Now root: a second setuid(0) is a root caller.
        let ev = e.handle(&call(Kind::Setuid, 0, 100, u64::MAX, 0));
        assert_eq!(ev.proc.uid, 0);
        // setgid swaps the group only.
        let ev = e.handle(&call(Kind::Setgid, 0, 0, u64::MAX, 0));
        assert_eq!((ev.proc.uid, ev.proc.gid), (0, 100));
        // Other events report their own ids.
        let ev = e.handle(&call(Kind::Openat, 0, 0, u64::MAX, 0));
        assert_eq!((ev.proc.uid, ev.proc.gid), (0, 0));
    }

    #[test]
    fn normalizes_traversals() {
        assert_eq!(normalize("/etc/../etc/../etc/shadow"), "/etc/shadow");
        assert_eq!(normalize("/a/./b//c/"), "/a/b/c");
        assert_eq!(normalize("/../.."), "/");
        assert_eq!(normalize("/etc/hostname"), "/etc/hostname");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("/etc/"), "/etc");
        assert_eq!(normalize("/etc/.x/..y"), "/etc/.x/..y");
    }
}
