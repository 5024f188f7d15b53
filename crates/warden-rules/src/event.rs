//! The event model the rule engine evaluates.
//!
//! One [`Event`] is one syscall exit (Falco dropped enter events in libs 0.22, so there is no
//! enter/exit pairing here) already enriched with its process, file descriptor and container.
//! The sensor (`warden-runtime`) fills it; a recording is JSON lines of `Event`, which is why
//! every field has a serde default: a recording written by an older sensor still loads.
//!
//! The struct is a stable interface. Fields are only ever added, each with a default, and never
//! renamed: recordings in the wild must keep replaying.
//!
//! Layout: the structs are `#[repr(C)]` with the fields the rules read most (type, result,
//! arguments, process names and ids, descriptor name, container id) declared first, so those
//! share a few cache lines instead of being spread over the 1.2 KB of an event; evaluating an
//! event that is not in cache is mostly waiting for its lines. The declaration order is also
//! the key order of a recording line, which readers must not depend on (JSON objects are
//! unordered, and every field has a default).
//!
//! Text is [`Str`]: short strings live inside the struct, so a typical event is its struct
//! plus two or three small heap blocks (argument list, ancestors) instead of ~35; evaluating
//! an event that is not in cache waits for a few adjacent lines, not a chain of pointers.

use serde::{Deserialize, Serialize};

/// The string type of every text field: up to 24 bytes are stored inline in the struct (no
/// heap block), which covers syscall and argument names, flags, process and user names, most
/// executables and container ids. It derefs to `str`, compares with `&str`, and serialises as a
/// plain JSON string, so recordings are unchanged. Build one with `.into()` from `&str` or
/// `String`, or `Str::default()`.
pub type Str = compact_str::CompactString;

/// `to_compact_string()` for numbers and other `Display` values: formats straight into a
/// [`Str`], without the heap block `to_string()` would allocate.
pub use compact_str::ToCompactString;

/// One enriched syscall event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[repr(C)]
pub struct Event {
    /// Syscall name without prefix, as Falco names it: `execve`, `openat`, `connect`
    /// (`evt.type`).
    #[serde(rename = "type")]
    pub evt_type: Str,
    /// Raw return value (`evt.rawres`). `evt.res` renders it: `SUCCESS`, an errno name such as
    /// `ENOENT` when negative, or the number.
    pub res: i64,
    /// Syscall arguments in the driver's event-table order, rendered as Falco renders them
    /// (`evt.arg.NAME`, `evt.arg[N]`, `evt.args`). For exit events that order starts with
    /// `res`, so `evt.arg[0]` is the return value as in Falco. Flags are their symbolic text (`O_WRONLY|O_CREAT`), request
    /// codes their name (`PTRACE_ATTACH`), socket domains `AF_INET`; paths as given to the
    /// syscall (relative paths stay relative, `fd.name` holds the resolved one).
    pub args: Vec<EventArg>,
    /// The calling thread and its process.
    pub proc: Process,
    /// The file descriptor the event acts on or creates (open, connect, accept, dup...), if any.
    pub fd: Option<Fd>,
    /// The container the process runs in; `None` for a host process (`container.id = host`).
    pub container: Option<Container>,
    /// Event number, increasing per sensor run (`evt.num`).
    pub num: u64,
    /// Timestamp in nanoseconds since the Unix epoch (`evt.time`, `evt.rawtime`).
    pub ts: u64,
    /// Event source; `syscall` for everything the sensor emits (`evt.source`).
    pub source: Str,
    /// Direction: `<` (exit) for every syscall event; `>` is accepted for enter events
    /// (`evt.dir`).
    pub dir: Str,
    /// CPU the event was captured on (`evt.cpu`).
    pub cpu: u32,
    /// Captured I/O buffer, if any (`evt.buffer`), for read/write/sendto-like events.
    pub buffer: Option<Vec<u8>>,
}

/// One syscall argument.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventArg {
    /// Argument name as in Falco's event table: `flags`, `mode`, `target`, `linkpath`,
    /// `oldpath`, `newpath`, `request`, `domain`, `uid`, `name`, `filename`, `path`, `fd`, `res`.
    pub name: Str,
    /// Rendered value (what `evt.arg.NAME` compares against).
    pub value: Str,
    /// Raw numeric value when the argument is numeric (`evt.rawarg.NAME`).
    pub raw: Option<i64>,
}

/// The thread that made the syscall, its process and its ancestry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[repr(C)]
pub struct Process {
    /// Name: the basename of the executable, truncated like `comm` is not (`proc.name`).
    pub name: Str,
    /// `argv[0]` as given (`proc.exe`).
    pub exe: Str,
    /// Full path of the executable (`proc.exepath`).
    pub exepath: Str,
    /// Arguments after `argv[0]` (`proc.args`; `proc.cmdline` is `name` plus these).
    pub args: Vec<Str>,
    /// Working directory, with a trailing slash as Falco renders it (`proc.cwd`).
    pub cwd: Str,
    /// Ancestors, nearest first: `ancestors[0]` is the parent (`proc.pname`, `proc.aname[1]`),
    /// `ancestors[1]` the grandparent (`proc.aname[2]`), and so on. The sensor stops at pid 1
    /// or at its ancestry depth limit.
    pub ancestors: Vec<Ancestor>,
    /// User name resolved in the process's own root, if known (`user.name`).
    pub user: Option<Str>,
    /// Process id, host namespace (`proc.pid`).
    pub pid: i64,
    /// Thread id, host namespace (`thread.tid`).
    pub tid: i64,
    /// Parent process id (`proc.ppid`).
    pub ppid: i64,
    /// Process id inside its pid namespace (`proc.vpid`).
    pub vpid: i64,
    /// Thread id inside its pid namespace (`thread.vtid`).
    pub vtid: i64,
    /// Session id (`proc.sid`).
    pub sid: i64,
    /// Process group id inside its pid namespace (`proc.vpgid`).
    pub vpgid: i64,
    /// Audit login uid; -1 when unset (`user.loginuid`).
    pub loginuid: i64,
    /// Controlling terminal device number, 0 when none (`proc.tty`).
    pub tty: u32,
    /// Effective user id (`user.uid`).
    pub uid: u32,
    /// Effective group id (`group.gid`).
    pub gid: u32,
    /// Start time in ns since the epoch (`proc.pid.ts`, `proc.duration` = event ts minus this).
    pub start_ts: u64,
    /// The executable lives in the overlayfs upper layer, i.e. was written after the container
    /// started (`proc.is_exe_upper_layer`).
    pub exe_upper_layer: bool,
    /// The executable is a memfd (`proc.is_exe_from_memfd`).
    pub exe_from_memfd: bool,
    /// The executable is writable by the process's user (`proc.is_exe_writable`).
    pub exe_writable: bool,
    /// Environment as `KEY=value` strings, when the sensor captured it (`proc.env`).
    pub env: Option<Vec<Str>>,
    /// User home directory (`user.homedir`).
    pub user_home: Option<Str>,
    /// User login shell (`user.shell`).
    pub user_shell: Option<Str>,
    /// Group name (`group.name`).
    pub group: Option<Str>,
    /// Name of the login user (`user.loginname`).
    pub loginname: Option<Str>,
    /// Effective capabilities rendered as `CAP_SYS_ADMIN CAP_NET_RAW ...`
    /// (`thread.cap_effective`).
    pub cap_effective: Option<Str>,
    /// Permitted capabilities, same rendering (`thread.cap_permitted`).
    pub cap_permitted: Option<Str>,
    /// Executable inode change time, ns since the epoch (`proc.exe_ino.ctime`).
    pub exe_ino_ctime: Option<u64>,
    /// Executable inode modification time, ns since the epoch (`proc.exe_ino.mtime`).
    pub exe_ino_mtime: Option<u64>,
    /// Session leader's name (`proc.sname`), if known.
    pub sname: Option<Str>,
    /// Process group leader's name (`proc.vpgid.name`), if known.
    pub vpgid_name: Option<Str>,
    /// Process group leader's `argv[0]` (`proc.vpgid.exe`), if known.
    pub vpgid_exe: Option<Str>,
}

/// One ancestor of a process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[repr(C)]
pub struct Ancestor {
    /// Name (`proc.aname[N]`, `proc.pname`).
    pub name: Str,
    /// `argv[0]` (`proc.aexe[N]`, `proc.pexe`).
    pub exe: Str,
    /// Process id (`proc.apid[N]`, `proc.ppid` for the parent).
    pub pid: i64,
    /// Full executable path (`proc.aexepath[N]`, `proc.pexepath`).
    pub exepath: Str,
    /// Arguments after `argv[0]` (`proc.pcmdline` is `name` plus these).
    pub args: Vec<Str>,
    /// Start time in ns since the epoch (`proc.ppid.duration` for the parent), 0 if unknown.
    pub start_ts: u64,
}

/// The file descriptor an event acts on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[repr(C)]
pub struct Fd {
    /// Full name: the resolved path for files, `cip:cport->sip:sport` for sockets
    /// (`fd.name`). For sockets the sensor may leave it empty and it is rendered from the
    /// tuple.
    pub name: Str,
    /// Descriptor number; -1 when the syscall failed (`fd.num`).
    pub num: i64,
    /// Kind of descriptor (`fd.type`, `fd.typechar`).
    #[serde(rename = "type")]
    pub fd_type: FdType,
    /// The process is the server side of this socket (accept/listen), which decides which
    /// end `fd.lip`/`fd.rip` name.
    pub is_server: bool,
    /// The socket is connected (`fd.connected`).
    pub connected: bool,
    /// The descriptor's name changed with this event (`fd.name_changed`).
    pub name_changed: bool,
    /// Client port (`fd.cport`).
    pub cport: Option<u16>,
    /// Server port (`fd.sport`).
    pub sport: Option<u16>,
    /// Device number of the file (`fd.dev`).
    pub dev: u32,
    /// Inode number (`fd.ino`).
    pub ino: u64,
    /// The path exactly as passed to the syscall, before resolution (`fd.nameraw`).
    pub nameraw: Option<Str>,
    /// Client (local for outbound) address (`fd.cip`).
    pub cip: Option<std::net::IpAddr>,
    /// Server (remote for outbound) address (`fd.sip`).
    pub sip: Option<std::net::IpAddr>,
    /// Layer-4 protocol: `tcp`, `udp`, `icmp`, `raw` (`fd.l4proto`).
    pub l4proto: Option<Str>,
    /// DNS name of the server address, when the sensor resolved it (`fd.sip.name`).
    pub sip_name: Option<Str>,
    /// DNS name of the client address (`fd.cip.name`).
    pub cip_name: Option<Str>,
}

/// Kind of file descriptor, as Falco's `fd.type` names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FdType {
    /// A regular file or anything opened by path (`f`).
    #[default]
    File,
    /// A directory (`d`).
    Directory,
    /// An IPv4 socket (`4`).
    Ipv4,
    /// An IPv6 socket (`6`).
    Ipv6,
    /// A unix socket (`u`).
    Unix,
    /// A pipe (`p`).
    Pipe,
    /// An eventfd (`e`).
    Event,
    /// A signalfd (`s`).
    Signalfd,
    /// An epoll descriptor (`l`).
    Eventpoll,
    /// An inotify descriptor (`i`).
    Inotify,
    /// A timerfd (`t`).
    Timerfd,
    /// A netlink socket (`n`).
    Netlink,
    /// A BPF object (`b`).
    Bpf,
    /// A userfaultfd (`u` in Falco; rendered `userfaultfd`).
    Userfaultfd,
    /// An io_uring (`r`).
    IoUring,
    /// A memfd (`m`).
    Memfd,
    /// A pidfd (`P`).
    Pidfd,
}

impl FdType {
    /// The `fd.type` text.
    pub fn as_str(self) -> &'static str {
        match self {
            FdType::File => "file",
            FdType::Directory => "directory",
            FdType::Ipv4 => "ipv4",
            FdType::Ipv6 => "ipv6",
            FdType::Unix => "unix",
            FdType::Pipe => "pipe",
            FdType::Event => "event",
            FdType::Signalfd => "signalfd",
            FdType::Eventpoll => "eventpoll",
            FdType::Inotify => "inotify",
            FdType::Timerfd => "timerfd",
            FdType::Netlink => "netlink",
            FdType::Bpf => "bpf",
            FdType::Userfaultfd => "userfaultfd",
            FdType::IoUring => "io_uring",
            FdType::Memfd => "memfd",
            FdType::Pidfd => "pidfd",
        }
    }

    /// The `fd.typechar` letter.
    pub fn as_char(self) -> &'static str {
        match self {
            FdType::File => "f",
            FdType::Directory => "d",
            FdType::Ipv4 => "4",
            FdType::Ipv6 => "6",
            FdType::Unix => "u",
            FdType::Pipe => "p",
            FdType::Event => "e",
            FdType::Signalfd => "s",
            FdType::Eventpoll => "l",
            FdType::Inotify => "i",
            FdType::Timerfd => "t",
            FdType::Netlink => "n",
            FdType::Bpf => "b",
            FdType::Userfaultfd => "u",
            FdType::IoUring => "r",
            FdType::Memfd => "m",
            FdType::Pidfd => "P",
        }
    }

    /// Whether this is an IPv4 or IPv6 socket.
    pub fn is_ip(self) -> bool {
        matches!(self, FdType::Ipv4 | FdType::Ipv6)
    }
}

/// The container a process runs in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[repr(C)]
pub struct Container {
    /// Short (12 hex characters) container id, as Falco's container plugin reports it
    /// (`container.id`); the full id is `full_id`.
    pub id: Str,
    /// Image repository, e.g. `docker.io/library/nginx` (`container.image.repository`).
    pub image_repository: Str,
    /// Runs privileged (`container.privileged`).
    pub privileged: bool,
    /// The metadata above is complete; `false` while the runtime lookup is still pending, so
    /// an alert can say its fields will be backfilled.
    pub metadata_complete: bool,
    /// Container name (`container.name`). Filled asynchronously; empty until known.
    pub name: Str,
    /// Image reference as the runtime reports it, e.g. `nginx:1.27` (`container.image`).
    pub image: Str,
    /// Image tag (`container.image.tag`).
    pub image_tag: Str,
    /// Full 64-character id (`container.full_id`).
    pub full_id: Str,
    /// Image digest `sha256:...` (`container.image.digest`).
    pub image_digest: Str,
    /// Image id (`container.image.id`).
    pub image_id: Str,
    /// Container runtime: `docker`, `containerd`, `cri-o`, `podman` (`container.type`).
    pub runtime: Str,
    /// Start time in ns since the epoch (`container.start_ts`).
    pub start_ts: u64,
    /// Mounts (`container.mounts`, `container.mount.dest[...]`).
    pub mounts: Vec<Mount>,
    /// Kubernetes pod name (`k8s.pod.name`), from the CRI labels.
    pub k8s_pod_name: Option<Str>,
    /// Kubernetes namespace (`k8s.ns.name`).
    pub k8s_ns_name: Option<Str>,
    /// Kubernetes pod uid (`k8s.pod.uid`).
    pub k8s_pod_uid: Option<Str>,
    /// Kubernetes pod labels, sorted by key (`k8s.pod.label[KEY]`, `k8s.pod.labels`).
    pub k8s_pod_labels: Vec<(Str, Str)>,
}

/// One container mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    /// Host path.
    pub source: Str,
    /// Path inside the container.
    pub dest: Str,
    /// Mount mode text (`ro`, `rw`, `z`...).
    pub mode: Str,
    /// Read-write.
    pub rw: bool,
}

impl Event {
    /// The rendered argument named `name`, if the event has it.
    pub fn arg(&self, name: &str) -> Option<&EventArg> {
        self.args.iter().find(|a| a.name == name)
    }
}
