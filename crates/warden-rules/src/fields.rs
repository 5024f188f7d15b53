//! The one field table: every field a condition or output template can name, with its type,
//! whether it takes an argument, and its extractor.
//!
//! Names and types follow libsinsp's filterchecks and the container plugin, so Falco's rules
//! compile unchanged. Extractors borrow from the event and compute derived values (cmdline,
//! directory, `evt.res` text) only when a rule asks for them.

use std::borrow::Cow;

use crate::event::{Event, FdType};
use crate::value::{FieldType, Val, Vals};

/// What an extractor sees: the event, the host it was captured on, and values derived once per
/// event because many rules ask for them.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The event.
    pub ev: &'a Event,
    /// Host name (`evt.hostname`, the alert's `hostname`).
    pub hostname: &'a str,
    /// `OPEN_*` bits decoded from the open flags; every open rule tests them.
    pub open_bits: u8,
}

/// Open for reading.
pub const OPEN_READ: u8 = 1;
/// Open for writing.
pub const OPEN_WRITE: u8 = 2;
/// Open with `O_CREAT`.
pub const OPEN_CREATE: u8 = 4;

impl<'a> Ctx<'a> {
    /// Builds the context for one event.
    pub fn new(ev: &'a Event, hostname: &'a str) -> Ctx<'a> {
        let mut open_bits = 0;
        if is_open_family(&ev.evt_type) {
            if let Some(a) = ev.arg("flags") {
                // Split on `|` by hand: the generic `str::split` searcher cost more than the
                // rest of building the context.
                for f in a.value.as_bytes().split(|&b| b == b'|') {
                    open_bits |= match f {
                        b"O_RDONLY" => OPEN_READ,
                        b"O_WRONLY" => OPEN_WRITE,
                        b"O_RDWR" => OPEN_READ | OPEN_WRITE,
                        b"O_CREAT" | b"O_F_CREATED" => OPEN_CREATE,
                        _ => 0,
                    };
                }
            }
            if ev.evt_type == "creat" {
                open_bits |= OPEN_WRITE | OPEN_CREATE;
            }
        }
        Ctx {
            ev,
            hostname,
            open_bits,
        }
    }
}

/// A field argument, decoded once at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldArg {
    /// No argument.
    None,
    /// A numeric argument (`proc.aname[2]`, `evt.arg[1]`).
    Index(usize),
    /// A key (`evt.arg.flags`, `proc.env[HOME]`, `container.mount.dest[/var/run]`).
    Key(String),
}

/// Whether a field takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgSpec {
    /// Takes none.
    None,
    /// May take one.
    Optional,
    /// Needs one.
    Required,
}

/// An extractor.
pub type Extractor = for<'a> fn(&Ctx<'a>, &'a FieldArg) -> Vals<'a>;

/// One field.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// Name as written in conditions.
    pub name: &'static str,
    /// Type.
    pub ty: FieldType,
    /// Argument.
    pub arg: ArgSpec,
    /// The extractor.
    pub extract: Extractor,
    /// One-line description.
    pub desc: &'static str,
}

macro_rules! f {
    ($name:expr, $ty:ident, $arg:ident, $desc:expr, $ex:expr) => {
        FieldDef {
            name: $name,
            ty: FieldType::$ty,
            arg: ArgSpec::$arg,
            extract: $ex,
            desc: $desc,
        }
    };
}

fn cmdline(name: &str, args: &[crate::event::Str]) -> String {
    let mut s = String::with_capacity(name.len() + args.iter().map(|a| a.len() + 1).sum::<usize>());
    s.push_str(name);
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

/// Directory part of a path, without trailing slash (`/etc` for `/etc/passwd`, `/` for `/x`).
pub fn dirname(p: &str) -> &str {
    match last_slash(p) {
        Some(0) => "/",
        Some(i) => &p[..i],
        None => "",
    }
}

/// Last component of a path.
pub fn basename(p: &str) -> &str {
    match last_slash(p) {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// A plain byte loop: paths are short, and `str::rfind` goes through the generic pattern
/// searcher, which cost more than the rest of an `fd.directory` check.
#[inline]
fn last_slash(p: &str) -> Option<usize> {
    p.as_bytes().iter().rposition(|&b| b == b'/')
}

fn is_open_family(t: &str) -> bool {
    matches!(
        t,
        "open" | "openat" | "openat2" | "open_by_handle_at" | "creat"
    )
}

fn errno_name(n: i64) -> Option<&'static str> {
    const T: &[&str] = &[
        "", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
        "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV",
        "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG",
        "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE",
    ];
    match n {
        1..=34 => T.get(n as usize).copied(),
        36 => Some("ENAMETOOLONG"),
        38 => Some("ENOSYS"),
        39 => Some("ENOTEMPTY"),
        40 => Some("ELOOP"),
        95 => Some("EOPNOTSUPP"),
        97 => Some("EAFNOSUPPORT"),
        98 => Some("EADDRINUSE"),
        99 => Some("EADDRNOTAVAIL"),
        101 => Some("ENETUNREACH"),
        104 => Some("ECONNRESET"),
        110 => Some("ETIMEDOUT"),
        111 => Some("ECONNREFUSED"),
        113 => Some("EHOSTUNREACH"),
        114 => Some("EALREADY"),
        115 => Some("EINPROGRESS"),
        _ => None,
    }
}

/// Renders a return value as `evt.res` does.
pub fn render_res(res: i64) -> Cow<'static, str> {
    if res == 0 {
        Cow::Borrowed("SUCCESS")
    } else if res < 0 {
        errno_name(-res).map_or_else(|| Cow::Owned(res.to_string()), Cow::Borrowed)
    } else {
        Cow::Owned(res.to_string())
    }
}

fn ancestor_at<'a>(ev: &'a Event, arg: &FieldArg) -> Option<Option<&'a crate::event::Ancestor>> {
    match arg {
        FieldArg::Index(0) => Some(None),
        FieldArg::Index(n) => ev.proc.ancestors.get(n - 1).map(Some),
        _ => None,
    }
}

fn fd_name(ev: &Event) -> Vals<'_> {
    let Some(fd) = &ev.fd else { return Vals::None };
    if !fd.name.is_empty() || !fd.fd_type.is_ip() {
        return Vals::s(&fd.name);
    }
    match (fd.cip, fd.cport, fd.sip, fd.sport) {
        (Some(c), Some(cp), Some(s), Some(sp)) => Vals::owned(format!("{c}:{cp}->{s}:{sp}")),
        (_, _, Some(s), Some(sp)) => Vals::owned(format!("{s}:{sp}")),
        _ => Vals::s(&fd.name),
    }
}

fn is_file_fd(ev: &Event) -> bool {
    ev.fd
        .as_ref()
        .is_some_and(|f| matches!(f.fd_type, FdType::File | FdType::Directory))
}

fn local_remote(ev: &Event, local: bool) -> (Option<std::net::IpAddr>, Option<u16>) {
    let Some(fd) = &ev.fd else {
        return (None, None);
    };
    if local != fd.is_server {
        (fd.cip, fd.cport)
    } else {
        (fd.sip, fd.sport)
    }
}

fn ip(v: Option<std::net::IpAddr>) -> Vals<'static> {
    v.map_or(Vals::None, |a| Vals::One(Val::Ip(a)))
}

fn port(v: Option<u16>) -> Vals<'static> {
    v.map_or(Vals::None, |p| Vals::n(i64::from(p)))
}

fn both_ips(ev: &Event) -> Vals<'static> {
    let Some(fd) = &ev.fd else { return Vals::None };
    let v: Vec<Val<'static>> = [fd.cip, fd.sip]
        .into_iter()
        .flatten()
        .map(Val::Ip)
        .collect();
    if v.is_empty() {
        Vals::None
    } else {
        Vals::Many(v)
    }
}

fn both_ports(ev: &Event) -> Vals<'static> {
    let Some(fd) = &ev.fd else { return Vals::None };
    let v: Vec<Val<'static>> = [fd.cport, fd.sport]
        .into_iter()
        .flatten()
        .map(|p| Val::Num(i64::from(p)))
        .collect();
    if v.is_empty() {
        Vals::None
    } else {
        Vals::Many(v)
    }
}

fn event_arg<'a>(ev: &'a Event, arg: &'a FieldArg) -> Option<&'a crate::event::EventArg> {
    match arg {
        FieldArg::Index(i) => ev.args.get(*i),
        FieldArg::Key(k) => ev.arg(k),
        FieldArg::None => None,
    }
}

fn container_or<'a>(
    c: &Ctx<'a>,
    host: &'static str,
    get: fn(&'a crate::event::Container) -> &'a str,
) -> Vals<'a> {
    match &c.ev.container {
        Some(ct) => {
            let v = get(ct);
            if v.is_empty() {
                Vals::None
            } else {
                Vals::s(v)
            }
        }
        None if host.is_empty() => Vals::None,
        None => Vals::s(host),
    }
}

/// The field table.
pub static FIELDS: &[FieldDef] = &[
    // evt.*
    f!("evt.num", Uint, None, "event number", |c, _| Vals::n(
        c.ev.num as i64
    )),
    f!(
        "evt.time",
        Str,
        None,
        "event time as HH:MM:SS.nnnnnnnnn",
        |c, _| {
            let ns = c.ev.ts;
            let secs = ns / 1_000_000_000;
            let day = secs % 86_400;
            Vals::owned(format!(
                "{:02}:{:02}:{:02}.{:09}",
                day / 3600,
                (day / 60) % 60,
                day % 60,
                ns % 1_000_000_000
            ))
        }
    ),
    f!(
        "evt.rawtime",
        AbsTime,
        None,
        "event time in ns since the epoch",
        |c, _| Vals::n(c.ev.ts as i64)
    ),
    f!(
        "evt.rawtime.s",
        AbsTime,
        None,
        "seconds part of evt.rawtime",
        |c, _| Vals::n((c.ev.ts / 1_000_000_000) as i64)
    ),
    f!(
        "evt.rawtime.ns",
        AbsTime,
        None,
        "nanoseconds part of evt.rawtime",
        |c, _| Vals::n((c.ev.ts % 1_000_000_000) as i64)
    ),
    f!("evt.type", Str, None, "syscall name", |c, _| Vals::s(
        &c.ev.evt_type
    )),
    f!(
        "syscall.type",
        Str,
        None,
        "syscall name for syscall events",
        |c, _| {
            if c.ev.source.is_empty() || c.ev.source == "syscall" {
                Vals::s(&c.ev.evt_type)
            } else {
                Vals::None
            }
        }
    ),
    f!(
        "evt.dir",
        Str,
        None,
        "direction: < exit, > enter",
        |c, _| {
            if c.ev.dir.is_empty() {
                Vals::s("<")
            } else {
                Vals::s(&c.ev.dir)
            }
        }
    ),
    f!("evt.cpu", Int, None, "CPU number", |c, _| Vals::n(
        i64::from(c.ev.cpu)
    )),
    f!(
        "evt.res",
        Str,
        None,
        "SUCCESS, an errno name, or the return value",
        |c, _| { Vals::One(Val::Str(render_res(c.ev.res))) }
    ),
    f!("evt.rawres", Int, None, "raw return value", |c, _| Vals::n(
        c.ev.res
    )),
    f!(
        "evt.failed",
        Bool,
        None,
        "the syscall returned an error",
        |c, _| Vals::b(c.ev.res < 0)
    ),
    f!("evt.source", Str, None, "event source", |c, _| {
        if c.ev.source.is_empty() {
            Vals::s("syscall")
        } else {
            Vals::s(&c.ev.source)
        }
    }),
    f!(
        "evt.plugininfo",
        Str,
        None,
        "plugin-defined event summary",
        |_, _| Vals::None
    ),
    f!("evt.hostname", Str, None, "host name", |c, _| Vals::s(
        c.hostname
    )),
    f!(
        "evt.args",
        Str,
        None,
        "all arguments as name=value",
        |c, _| {
            let mut s = String::new();
            for a in &c.ev.args {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(&a.name);
                s.push('=');
                s.push_str(&a.value);
            }
            Vals::owned(s)
        }
    ),
    f!(
        "evt.arg",
        Str,
        Required,
        "one argument by name or index",
        |c, a| { event_arg(c.ev, a).map_or(Vals::None, |x| Vals::s(&x.value)) }
    ),
    f!(
        "evt.rawarg",
        Int,
        Required,
        "one argument's raw numeric value",
        |c, a| {
            event_arg(c.ev, a)
                .and_then(|x| x.raw.or_else(|| x.value.parse().ok()))
                .map_or(Vals::None, Vals::n)
        }
    ),
    f!("evt.buffer", Bytes, None, "captured I/O buffer", |c, _| {
        c.ev.buffer
            .as_deref()
            .map_or(Vals::None, |b| Vals::One(Val::Bytes(Cow::Borrowed(b))))
    }),
    f!(
        "evt.buflen",
        Uint,
        None,
        "captured buffer length",
        |c, _| {
            c.ev.buffer
                .as_ref()
                .map_or(Vals::None, |b| Vals::n(b.len() as i64))
        }
    ),
    f!(
        "evt.count",
        Uint,
        None,
        "always 1, for aggregation",
        |_, _| Vals::n(1)
    ),
    f!(
        "evt.is_io",
        Bool,
        None,
        "the event reads or writes data",
        |c, _| {
            Vals::b(matches!(
                c.ev.evt_type.as_str(),
                "read"
                    | "write"
                    | "pread"
                    | "pwrite"
                    | "readv"
                    | "writev"
                    | "recvfrom"
                    | "sendto"
                    | "recvmsg"
                    | "sendmsg"
                    | "preadv"
                    | "pwritev"
            ))
        }
    ),
    f!("evt.is_wait", Bool, None, "the event waits", |c, _| {
        Vals::b(matches!(
            c.ev.evt_type.as_str(),
            "nanosleep" | "futex" | "poll" | "select" | "epoll_wait"
        ))
    }),
    f!(
        "evt.is_open_read",
        Bool,
        None,
        "open for reading",
        |c, _| Vals::b(c.open_bits & OPEN_READ != 0)
    ),
    f!(
        "evt.is_open_write",
        Bool,
        None,
        "open for writing",
        |c, _| Vals::b(c.open_bits & OPEN_WRITE != 0)
    ),
    f!(
        "evt.is_open_exec",
        Bool,
        None,
        "open creating an executable file",
        |c, _| {
            Vals::b(
                c.open_bits & OPEN_CREATE != 0 && {
                    c.ev.arg("mode").is_some_and(|m| {
                        m.value.contains("S_IXUSR")
                            || m.value.contains("S_IXGRP")
                            || m.value.contains("S_IXOTH")
                    })
                },
            )
        }
    ),
    f!(
        "evt.is_open_create",
        Bool,
        None,
        "open that created the file",
        |c, _| Vals::b(c.open_bits & OPEN_CREATE != 0)
    ),
    // proc.*
    f!("proc.pid", Int, None, "process id", |c, _| Vals::n(
        c.ev.proc.pid
    )),
    f!("proc.ppid", Int, None, "parent process id", |c, _| Vals::n(
        c.ev.proc.ppid
    )),
    f!(
        "proc.vpid",
        Int,
        None,
        "process id in its pid namespace",
        |c, _| Vals::n(c.ev.proc.vpid)
    ),
    f!("proc.sid", Int, None, "session id", |c, _| Vals::n(
        c.ev.proc.sid
    )),
    f!(
        "proc.vpgid",
        Int,
        None,
        "process group id in its namespace",
        |c, _| Vals::n(c.ev.proc.vpgid)
    ),
    f!(
        "proc.vpgid.name",
        Str,
        None,
        "process group leader name",
        |c, _| Vals::opt(c.ev.proc.vpgid_name.as_deref())
    ),
    f!(
        "proc.vpgid.exe",
        Str,
        None,
        "process group leader argv[0]",
        |c, _| Vals::opt(c.ev.proc.vpgid_exe.as_deref())
    ),
    f!(
        "proc.is_vpgid_leader",
        Bool,
        None,
        "the process leads its group",
        |c, _| { Vals::b(c.ev.proc.vpid != 0 && c.ev.proc.vpid == c.ev.proc.vpgid) }
    ),
    f!(
        "proc.is_sid_leader",
        Bool,
        None,
        "the process leads its session",
        |c, _| { Vals::b(c.ev.proc.pid == c.ev.proc.sid) }
    ),
    f!("proc.name", Str, None, "process name", |c, _| Vals::s(
        &c.ev.proc.name
    )),
    f!("proc.exe", Str, None, "argv[0]", |c, _| Vals::s(
        &c.ev.proc.exe
    )),
    f!("proc.exepath", Str, None, "full executable path", |c, _| {
        Vals::s(&c.ev.proc.exepath)
    }),
    f!("proc.args", Str, None, "arguments after argv[0]", |c, _| {
        Vals::owned(c.ev.proc.args.join(" "))
    }),
    f!("proc.cmdline", Str, None, "name and arguments", |c, _| {
        Vals::owned(cmdline(&c.ev.proc.name, &c.ev.proc.args))
    }),
    f!(
        "proc.cmdnargs",
        Uint,
        None,
        "number of arguments",
        |c, _| Vals::n(c.ev.proc.args.len() as i64)
    ),
    f!(
        "proc.cmdlenargs",
        Uint,
        None,
        "total length of arguments",
        |c, _| { Vals::n(c.ev.proc.args.iter().map(|a| a.len() as i64).sum()) }
    ),
    f!("proc.cwd", Str, None, "working directory", |c, _| Vals::s(
        &c.ev.proc.cwd
    )),
    f!(
        "proc.tty",
        Uint,
        None,
        "controlling terminal, 0 if none",
        |c, _| Vals::n(i64::from(c.ev.proc.tty))
    ),
    f!("proc.sname", Str, None, "session leader name", |c, _| {
        Vals::opt(c.ev.proc.sname.as_deref())
    }),
    f!(
        "proc.pid.ts",
        AbsTime,
        None,
        "process start time",
        |c, _| Vals::n(c.ev.proc.start_ts as i64)
    ),
    f!(
        "proc.duration",
        RelTime,
        None,
        "ns since the process started",
        |c, _| {
            if c.ev.proc.start_ts == 0 {
                Vals::None
            } else {
                Vals::n(c.ev.ts.saturating_sub(c.ev.proc.start_ts) as i64)
            }
        }
    ),
    f!(
        "proc.ppid.duration",
        RelTime,
        None,
        "ns since the parent started",
        |c, _| {
            match c.ev.proc.ancestors.first() {
                Some(a) if a.start_ts != 0 => Vals::n(c.ev.ts.saturating_sub(a.start_ts) as i64),
                _ => Vals::None,
            }
        }
    ),
    f!("proc.pname", Str, None, "parent name", |c, _| {
        Vals::opt(c.ev.proc.ancestors.first().map(|a| a.name.as_str()))
    }),
    f!("proc.pexe", Str, None, "parent argv[0]", |c, _| Vals::opt(
        c.ev.proc.ancestors.first().map(|a| a.exe.as_str())
    )),
    f!(
        "proc.pexepath",
        Str,
        None,
        "parent executable path",
        |c, _| { Vals::opt(c.ev.proc.ancestors.first().map(|a| a.exepath.as_str())) }
    ),
    f!(
        "proc.pcmdline",
        Str,
        None,
        "parent name and arguments",
        |c, _| {
            c.ev.proc
                .ancestors
                .first()
                .map_or(Vals::None, |a| Vals::owned(cmdline(&a.name, &a.args)))
        }
    ),
    f!(
        "proc.aname",
        Str,
        Optional,
        "ancestor name: [0] self, [1] parent...; any ancestor without index",
        |c, a| {
            match a {
                FieldArg::None => Vals::Many(
                    c.ev.proc
                        .ancestors
                        .iter()
                        .map(|x| Val::Str(Cow::Borrowed(x.name.as_str())))
                        .collect(),
                ),
                _ => match ancestor_at(c.ev, a) {
                    Some(None) => Vals::s(&c.ev.proc.name),
                    Some(Some(x)) => Vals::s(&x.name),
                    None => Vals::None,
                },
            }
        }
    ),
    f!("proc.aexe", Str, Optional, "ancestor argv[0]", |c, a| {
        match a {
            FieldArg::None => Vals::Many(
                c.ev.proc
                    .ancestors
                    .iter()
                    .map(|x| Val::Str(Cow::Borrowed(x.exe.as_str())))
                    .collect(),
            ),
            _ => match ancestor_at(c.ev, a) {
                Some(None) => Vals::s(&c.ev.proc.exe),
                Some(Some(x)) => Vals::s(&x.exe),
                None => Vals::None,
            },
        }
    }),
    f!(
        "proc.aexepath",
        Str,
        Optional,
        "ancestor executable path",
        |c, a| {
            match a {
                FieldArg::None => Vals::Many(
                    c.ev.proc
                        .ancestors
                        .iter()
                        .map(|x| Val::Str(Cow::Borrowed(x.exepath.as_str())))
                        .collect(),
                ),
                _ => match ancestor_at(c.ev, a) {
                    Some(None) => Vals::s(&c.ev.proc.exepath),
                    Some(Some(x)) => Vals::s(&x.exepath),
                    None => Vals::None,
                },
            }
        }
    ),
    f!("proc.apid", Int, Optional, "ancestor pid", |c, a| {
        match a {
            FieldArg::None => Vals::Many(
                c.ev.proc
                    .ancestors
                    .iter()
                    .map(|x| Val::Num(x.pid))
                    .collect(),
            ),
            _ => match ancestor_at(c.ev, a) {
                Some(None) => Vals::n(c.ev.proc.pid),
                Some(Some(x)) => Vals::n(x.pid),
                None => Vals::None,
            },
        }
    }),
    f!(
        "proc.acmdline",
        Str,
        Optional,
        "ancestor name and arguments",
        |c, a| {
            match a {
                FieldArg::None => Vals::Many(
                    c.ev.proc
                        .ancestors
                        .iter()
                        .map(|x| Val::Str(Cow::Owned(cmdline(&x.name, &x.args))))
                        .collect(),
                ),
                _ => match ancestor_at(c.ev, a) {
                    Some(None) => Vals::owned(cmdline(&c.ev.proc.name, &c.ev.proc.args)),
                    Some(Some(x)) => Vals::owned(cmdline(&x.name, &x.args)),
                    None => Vals::None,
                },
            }
        }
    ),
    f!(
        "proc.env",
        Str,
        Optional,
        "environment, or one variable by name",
        |c, a| {
            let Some(env) = &c.ev.proc.env else {
                return Vals::None;
            };
            match a {
                FieldArg::Key(k) => env
                    .iter()
                    .find_map(|e| e.strip_prefix(k.as_str()).and_then(|r| r.strip_prefix('=')))
                    .map_or(Vals::None, Vals::s),
                _ => Vals::owned(env.join(" ")),
            }
        }
    ),
    f!(
        "proc.is_exe_upper_layer",
        Bool,
        None,
        "executable written in the container's upper layer",
        |c, _| Vals::b(c.ev.proc.exe_upper_layer)
    ),
    f!(
        "proc.is_exe_from_memfd",
        Bool,
        None,
        "executable is a memfd",
        |c, _| Vals::b(c.ev.proc.exe_from_memfd)
    ),
    f!(
        "proc.is_exe_writable",
        Bool,
        None,
        "executable writable by its user",
        |c, _| Vals::b(c.ev.proc.exe_writable)
    ),
    f!(
        "proc.exe_ino.ctime",
        AbsTime,
        None,
        "executable inode ctime",
        |c, _| {
            c.ev.proc
                .exe_ino_ctime
                .map_or(Vals::None, |v| Vals::n(v as i64))
        }
    ),
    f!(
        "proc.exe_ino.mtime",
        AbsTime,
        None,
        "executable inode mtime",
        |c, _| {
            c.ev.proc
                .exe_ino_mtime
                .map_or(Vals::None, |v| Vals::n(v as i64))
        }
    ),
    f!(
        "proc.exe_ino.ctime_duration_proc_start",
        RelTime,
        None,
        "ns between exe ctime and process start",
        |c, _| {
            c.ev.proc.exe_ino_ctime.map_or(Vals::None, |v| {
                Vals::n(c.ev.proc.start_ts.saturating_sub(v) as i64)
            })
        }
    ),
    f!(
        "proc.is_container_healthcheck",
        Bool,
        None,
        "runs as a container health check",
        |_, _| Vals::b(false)
    ),
    f!(
        "proc.is_container_liveness_probe",
        Bool,
        None,
        "runs as a liveness probe",
        |_, _| Vals::b(false)
    ),
    f!(
        "proc.is_container_readiness_probe",
        Bool,
        None,
        "runs as a readiness probe",
        |_, _| Vals::b(false)
    ),
    // thread.*
    f!("thread.tid", Int, None, "thread id", |c, _| Vals::n(
        c.ev.proc.tid
    )),
    f!(
        "thread.vtid",
        Int,
        None,
        "thread id in its namespace",
        |c, _| Vals::n(c.ev.proc.vtid)
    ),
    f!("thread.ismain", Bool, None, "main thread", |c, _| Vals::b(
        c.ev.proc.tid == c.ev.proc.pid
    )),
    f!("thread.cpu", Uint, None, "CPU the event ran on", |c, _| {
        Vals::n(i64::from(c.ev.cpu))
    }),
    f!(
        "thread.cap_effective",
        Str,
        None,
        "effective capabilities",
        |c, _| Vals::opt(c.ev.proc.cap_effective.as_deref())
    ),
    f!(
        "thread.cap_permitted",
        Str,
        None,
        "permitted capabilities",
        |c, _| Vals::opt(c.ev.proc.cap_permitted.as_deref())
    ),
    // user.* / group.*
    f!("user.uid", Uint, None, "effective user id", |c, _| Vals::n(
        i64::from(c.ev.proc.uid)
    )),
    f!("user.name", Str, None, "user name", |c, _| Vals::opt(
        c.ev.proc.user.as_deref()
    )),
    f!("user.homedir", Str, None, "home directory", |c, _| {
        Vals::opt(c.ev.proc.user_home.as_deref())
    }),
    f!("user.shell", Str, None, "login shell", |c, _| Vals::opt(
        c.ev.proc.user_shell.as_deref()
    )),
    f!(
        "user.loginuid",
        Int,
        None,
        "audit login uid, -1 if unset",
        |c, _| Vals::n(c.ev.proc.loginuid)
    ),
    f!("user.loginname", Str, None, "login user name", |c, _| {
        Vals::opt(c.ev.proc.loginname.as_deref())
    }),
    f!("group.gid", Uint, None, "effective group id", |c, _| {
        Vals::n(i64::from(c.ev.proc.gid))
    }),
    f!("group.name", Str, None, "group name", |c, _| Vals::opt(
        c.ev.proc.group.as_deref()
    )),
    // fd.*
    f!("fd.num", Int, None, "descriptor number", |c, _| c
        .ev
        .fd
        .as_ref()
        .map_or(Vals::None, |f| Vals::n(f.num))),
    f!("fd.type", Str, None, "descriptor kind", |c, _| c
        .ev
        .fd
        .as_ref()
        .map_or(Vals::None, |f| Vals::s(f.fd_type.as_str()))),
    f!(
        "fd.typechar",
        Str,
        None,
        "descriptor kind letter",
        |c, _| c
            .ev
            .fd
            .as_ref()
            .map_or(Vals::None, |f| Vals::s(f.fd_type.as_char()))
    ),
    f!("fd.name", Str, None, "path or connection tuple", |c, _| {
        fd_name(c.ev)
    }),
    f!(
        "fd.nameraw",
        Str,
        None,
        "path as passed to the syscall",
        |c, _| {
            c.ev.fd.as_ref().map_or(Vals::None, |f| {
                Vals::s(f.nameraw.as_deref().unwrap_or(&f.name))
            })
        }
    ),
    f!(
        "fd.directory",
        Str,
        None,
        "directory of a file descriptor",
        |c, _| {
            match &c.ev.fd {
                Some(f) if f.fd_type == FdType::Directory => Vals::s(&f.name),
                Some(f) if is_file_fd(c.ev) => Vals::s(dirname(&f.name)),
                _ => Vals::None,
            }
        }
    ),
    f!(
        "fd.filename",
        Str,
        None,
        "file name of a file descriptor",
        |c, _| {
            match &c.ev.fd {
                Some(f) if f.fd_type == FdType::File => Vals::s(basename(&f.name)),
                _ => Vals::None,
            }
        }
    ),
    f!("fd.ip", Ip, None, "either end's address", |c, _| both_ips(
        c.ev
    )),
    f!("fd.cip", Ip, None, "client address", |c, _| ip(c
        .ev
        .fd
        .as_ref()
        .and_then(|f| f.cip))),
    f!("fd.sip", Ip, None, "server address", |c, _| ip(c
        .ev
        .fd
        .as_ref()
        .and_then(|f| f.sip))),
    f!("fd.lip", Ip, None, "local address", |c, _| ip(
        local_remote(c.ev, true).0
    )),
    f!("fd.rip", Ip, None, "remote address", |c, _| ip(
        local_remote(c.ev, false).0
    )),
    f!(
        "fd.net",
        Net,
        None,
        "either end's address, matched against a CIDR",
        |c, _| both_ips(c.ev)
    ),
    f!(
        "fd.cnet",
        Net,
        None,
        "client address, matched against a CIDR",
        |c, _| ip(c.ev.fd.as_ref().and_then(|f| f.cip))
    ),
    f!(
        "fd.snet",
        Net,
        None,
        "server address, matched against a CIDR",
        |c, _| ip(c.ev.fd.as_ref().and_then(|f| f.sip))
    ),
    f!(
        "fd.lnet",
        Net,
        None,
        "local address, matched against a CIDR",
        |c, _| ip(local_remote(c.ev, true).0)
    ),
    f!(
        "fd.rnet",
        Net,
        None,
        "remote address, matched against a CIDR",
        |c, _| ip(local_remote(c.ev, false).0)
    ),
    f!("fd.port", Port, None, "either end's port", |c, _| {
        both_ports(c.ev)
    }),
    f!("fd.cport", Port, None, "client port", |c, _| port(
        c.ev.fd.as_ref().and_then(|f| f.cport)
    )),
    f!("fd.sport", Port, None, "server port", |c, _| port(
        c.ev.fd.as_ref().and_then(|f| f.sport)
    )),
    f!("fd.lport", Port, None, "local port", |c, _| port(
        local_remote(c.ev, true).1
    )),
    f!("fd.rport", Port, None, "remote port", |c, _| port(
        local_remote(c.ev, false).1
    )),
    f!("fd.cip.name", Str, None, "client DNS name", |c, _| {
        Vals::opt(c.ev.fd.as_ref().and_then(|f| f.cip_name.as_deref()))
    }),
    f!("fd.sip.name", Str, None, "server DNS name", |c, _| {
        Vals::opt(c.ev.fd.as_ref().and_then(|f| f.sip_name.as_deref()))
    }),
    f!("fd.lip.name", Str, None, "local DNS name", |c, _| {
        Vals::opt(c.ev.fd.as_ref().and_then(|f| {
            if f.is_server {
                f.sip_name.as_deref()
            } else {
                f.cip_name.as_deref()
            }
        }))
    }),
    f!("fd.rip.name", Str, None, "remote DNS name", |c, _| {
        Vals::opt(c.ev.fd.as_ref().and_then(|f| {
            if f.is_server {
                f.cip_name.as_deref()
            } else {
                f.sip_name.as_deref()
            }
        }))
    }),
    f!("fd.l4proto", Str, None, "tcp, udp, icmp or raw", |c, _| {
        Vals::opt(c.ev.fd.as_ref().and_then(|f| f.l4proto.as_deref()))
    }),
    f!("fd.sockfamily", Str, None, "ip or unix", |c, _| {
        match c.ev.fd.as_ref().map(|f| f.fd_type) {
            Some(FdType::Ipv4 | FdType::Ipv6) => Vals::s("ip"),
            Some(FdType::Unix) => Vals::s("unix"),
            _ => Vals::None,
        }
    }),
    f!(
        "fd.is_server",
        Bool,
        None,
        "the process is the server end",
        |c, _| c
            .ev
            .fd
            .as_ref()
            .map_or(Vals::None, |f| Vals::b(f.is_server))
    ),
    f!("fd.connected", Bool, None, "socket connected", |c, _| c
        .ev
        .fd
        .as_ref()
        .map_or(Vals::None, |f| Vals::b(f.connected))),
    f!(
        "fd.name_changed",
        Bool,
        None,
        "name changed with this event",
        |c, _| c
            .ev
            .fd
            .as_ref()
            .map_or(Vals::None, |f| Vals::b(f.name_changed))
    ),
    f!("fd.dev", Uint, None, "device number", |c, _| c
        .ev
        .fd
        .as_ref()
        .map_or(Vals::None, |f| Vals::n(i64::from(f.dev)))),
    f!("fd.ino", Uint, None, "inode number", |c, _| c
        .ev
        .fd
        .as_ref()
        .map_or(Vals::None, |f| Vals::n(f.ino as i64))),
    // fs.path.*
    f!(
        "fs.path.name",
        Str,
        None,
        "path a filesystem event acts on",
        |c, _| {
            for k in ["path", "name", "pathname", "filename"] {
                if let Some(a) = c.ev.arg(k) {
                    return Vals::s(&a.value);
                }
            }
            if is_file_fd(c.ev) {
                fd_name(c.ev)
            } else {
                Vals::None
            }
        }
    ),
    f!(
        "fs.path.source",
        Str,
        None,
        "source path of rename/link",
        |c, _| {
            Vals::opt(
                c.ev.arg("oldpath")
                    .or_else(|| c.ev.arg("target"))
                    .map(|a| a.value.as_str()),
            )
        }
    ),
    f!(
        "fs.path.target",
        Str,
        None,
        "target path of rename/link",
        |c, _| {
            Vals::opt(
                c.ev.arg("newpath")
                    .or_else(|| c.ev.arg("linkpath"))
                    .map(|a| a.value.as_str()),
            )
        }
    ),
    // container.* (container plugin)
    f!(
        "container.id",
        Str,
        None,
        "short container id, host for host processes",
        |c, _| container_or(c, "host", |ct| &ct.id)
    ),
    f!(
        "container.full_id",
        Str,
        None,
        "full container id",
        |c, _| container_or(c, "host", |ct| &ct.full_id)
    ),
    f!("container.name", Str, None, "container name", |c, _| {
        container_or(c, "host", |ct| &ct.name)
    }),
    f!("container.image", Str, None, "image reference", |c, _| {
        container_or(c, "", |ct| &ct.image)
    }),
    f!(
        "container.image.repository",
        Str,
        None,
        "image repository",
        |c, _| container_or(c, "", |ct| &ct.image_repository)
    ),
    f!("container.image.tag", Str, None, "image tag", |c, _| {
        container_or(c, "", |ct| &ct.image_tag)
    }),
    f!(
        "container.image.digest",
        Str,
        None,
        "image digest",
        |c, _| container_or(c, "", |ct| &ct.image_digest)
    ),
    f!("container.image.id", Str, None, "image id", |c, _| {
        container_or(c, "", |ct| &ct.image_id)
    }),
    f!("container.type", Str, None, "container runtime", |c, _| {
        container_or(c, "host", |ct| &ct.runtime)
    }),
    f!(
        "container.privileged",
        Bool,
        None,
        "runs privileged",
        |c, _| c
            .ev
            .container
            .as_ref()
            .map_or(Vals::None, |ct| Vals::b(ct.privileged))
    ),
    f!(
        "container.start_ts",
        AbsTime,
        None,
        "container start time",
        |c, _| {
            c.ev.container
                .as_ref()
                .filter(|ct| ct.start_ts != 0)
                .map_or(Vals::None, |ct| Vals::n(ct.start_ts as i64))
        }
    ),
    f!(
        "container.duration",
        RelTime,
        None,
        "ns since the container started",
        |c, _| {
            c.ev.container
                .as_ref()
                .filter(|ct| ct.start_ts != 0)
                .map_or(Vals::None, |ct| {
                    Vals::n(c.ev.ts.saturating_sub(ct.start_ts) as i64)
                })
        }
    ),
    f!(
        "container.mounts",
        Str,
        None,
        "mounts as source:dest:mode:rw:propagation",
        |c, _| {
            c.ev.container.as_ref().map_or(Vals::None, |ct| {
                Vals::owned(
                    ct.mounts
                        .iter()
                        .map(|m| format!("{}:{}:{}:{}", m.source, m.dest, m.mode, m.rw))
                        .collect::<Vec<_>>()
                        .join(","),
                )
            })
        }
    ),
    f!(
        "container.mount.dest",
        Str,
        Required,
        "mount destination for a source path (or index)",
        |c, a| {
            let Some(ct) = &c.ev.container else {
                return Vals::None;
            };
            match a {
                FieldArg::Index(i) => ct.mounts.get(*i).map_or(Vals::None, |m| Vals::s(&m.dest)),
                FieldArg::Key(k) => ct
                    .mounts
                    .iter()
                    .find(|m| m.source == k)
                    .map_or(Vals::None, |m| Vals::s(&m.dest)),
                FieldArg::None => Vals::None,
            }
        }
    ),
    f!(
        "container.mount.source",
        Str,
        Required,
        "mount source for a destination path (or index)",
        |c, a| {
            let Some(ct) = &c.ev.container else {
                return Vals::None;
            };
            match a {
                FieldArg::Index(i) => ct.mounts.get(*i).map_or(Vals::None, |m| Vals::s(&m.source)),
                FieldArg::Key(k) => ct
                    .mounts
                    .iter()
                    .find(|m| m.dest == k)
                    .map_or(Vals::None, |m| Vals::s(&m.source)),
                FieldArg::None => Vals::None,
            }
        }
    ),
    f!("k8s.pod.name", Str, None, "pod name", |c, _| Vals::opt(
        c.ev.container
            .as_ref()
            .and_then(|ct| ct.k8s_pod_name.as_deref())
    )),
    f!("k8s.ns.name", Str, None, "namespace", |c, _| Vals::opt(
        c.ev.container
            .as_ref()
            .and_then(|ct| ct.k8s_ns_name.as_deref())
    )),
    f!("k8s.pod.uid", Str, None, "pod uid", |c, _| Vals::opt(
        c.ev.container
            .as_ref()
            .and_then(|ct| ct.k8s_pod_uid.as_deref())
    )),
    f!("k8s.pod.label", Str, Required, "one pod label", |c, a| {
        let (Some(ct), FieldArg::Key(k)) = (&c.ev.container, a) else {
            return Vals::None;
        };
        ct.k8s_pod_labels
            .iter()
            .find(|(lk, _)| lk == k)
            .map_or(Vals::None, |(_, v)| Vals::s(v))
    }),
    f!(
        "k8s.pod.labels",
        Str,
        None,
        "pod labels as key:value, comma separated",
        |c, _| {
            c.ev.container
                .as_ref()
                .filter(|ct| !ct.k8s_pod_labels.is_empty())
                .map_or(Vals::None, |ct| {
                    Vals::owned(
                        ct.k8s_pod_labels
                            .iter()
                            .map(|(k, v)| format!("{k}:{v}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
        }
    ),
];

/// Finds a field by name in `FIELDS` then `extra`, decoding the `evt.arg.NAME` and
/// `evt.rawarg.NAME` spellings into the argument they carry.
pub fn lookup(name: &str, extra: &[FieldDef]) -> Option<(FieldDef, Option<String>)> {
    if let Some(d) = FIELDS.iter().chain(extra.iter()).find(|d| d.name == name) {
        return Some((*d, None));
    }
    for prefix in ["evt.arg.", "evt.rawarg."] {
        if let Some(k) = name.strip_prefix(prefix) {
            let base = &prefix[..prefix.len() - 1];
            let d = FIELDS.iter().find(|d| d.name == base)?;
            return Some((*d, Some(k.to_string())));
        }
    }
    None
}
