//! The process tree: bootstrapped from `/proc`, then kept by the kernel's clone, exec and exit
//! events, so that an event of a process that has already exited still carries its name,
//! command line, ancestry and container. `/proc` is read again only for a process the tree has
//! never seen.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use crate::cgroup::{self, ContainerRef};
use crate::decode::{BootClock, RawEvent};

/// How many exited processes stay in the tree for late events and for their children's
/// ancestry. Bounded so a fork flood cannot grow memory without limit.
pub const EXITED_KEPT: usize = 8192;
/// Ancestors listed per event (`proc.aname[N]` beyond this is unset).
pub const MAX_ANCESTORS: usize = 16;
/// The text appended to the last argument when the kernel cut argv at its capture limit.
pub const TRUNCATION_MARKER: &str = "...";

/// One process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcInfo {
    /// Process id (host pid namespace).
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Executable name, not truncated to 15 bytes like `comm`.
    pub name: String,
    /// `argv[0]`.
    pub exe: String,
    /// Full path of the executable.
    pub exepath: String,
    /// Arguments after `argv[0]`; the last ends in [`TRUNCATION_MARKER`] when cut.
    pub args: Vec<String>,
    /// argv was cut at the capture limit.
    pub args_truncated: bool,
    /// Working directory at exec (or bootstrap), with a trailing slash.
    pub cwd: String,
    /// Controlling terminal (`tty_nr` encoding), 0 when none.
    pub tty: u32,
    /// Session id.
    pub sid: u32,
    /// Process id in its own pid namespace.
    pub vpid: u32,
    /// Audit login uid; -1 when unset.
    pub loginuid: i64,
    /// Start time, ns since the Unix epoch.
    pub start_ns: u64,
    /// The container the process runs in.
    pub container: Option<ContainerRef>,
    /// The process has exited; kept for late events and for its children's ancestry.
    pub exited: bool,
    /// Credentials as last seen (at bootstrap, clone, exec or the process's latest event);
    /// `None` until one of those. A setuid/setgid event reports these as its caller's user,
    /// because the kernel event only has the credentials after the call.
    pub creds: Option<Creds>,
}

/// Effective user and group ids and capabilities of a process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Creds {
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Effective capability mask.
    pub cap_effective: u64,
}

impl Creds {
    /// The credentials an event's header carries (the caller's, after the call).
    pub fn of(ev: &RawEvent) -> Creds {
        Creds {
            uid: ev.uid,
            gid: ev.gid,
            cap_effective: ev.cap_effective,
        }
    }
}

/// Effective uid, gid and capabilities from `/proc/PID/status` text; `None` when a line is
/// missing or malformed.
fn status_creds(status: &str) -> Option<Creds> {
    // "Uid:" and "Gid:" list real, effective, saved and filesystem ids.
    let second = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u32>().ok())
    };
    let cap_effective = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())?;
    Some(Creds {
        uid: second("Uid:")?,
        gid: second("Gid:")?,
        cap_effective,
    })
}

/// Counters of the tree's work, exported as metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeStats {
    /// Processes read from `/proc` at startup.
    pub bootstrapped: u64,
    /// Events of a pid the tree did not know, filled from `/proc`.
    pub proc_fills: u64,
    /// Events of a pid gone from `/proc` before the tree saw it: only kernel data is known.
    pub unknown: u64,
    /// Exited processes evicted to keep memory bounded.
    pub evicted: u64,
}

/// The process tree.
#[derive(Debug)]
pub struct ProcessTree {
    procs: HashMap<u32, ProcInfo>,
    exited: VecDeque<(u32, u64)>,
    clock: BootClock,
    proc_root: String,
    stats: TreeStats,
    generation: u64,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Splits a NUL-separated argv blob; marks the cut when `truncated`.
pub fn split_argv(blob: &[u8], truncated: bool) -> Vec<String> {
    let ends_clean = blob.last() == Some(&0);
    let body = if ends_clean {
        &blob[..blob.len() - 1]
    } else {
        blob
    };
    let mut args: Vec<String> = if body.is_empty() && ends_clean {
        vec![String::new()]
    } else {
        body.split(|&c| c == 0).map(lossy).collect()
    };
    if body.is_empty() && !ends_clean {
        args.clear();
    }
    if truncated {
        if ends_clean || args.is_empty() {
            args.push(TRUNCATION_MARKER.to_owned());
        } else if let Some(last) = args.last_mut() {
            last.push_str(TRUNCATION_MARKER);
        }
    }
    args
}

/// Joins the kernel's executable path components (leaf first, each NUL-terminated) into an
/// absolute path. A walk the kernel cut (deeper than it follows) starts with
/// [`TRUNCATION_MARKER`] in place of the missing top directories.
pub fn join_exepath(blob: &[u8], truncated: bool) -> String {
    let mut parts: Vec<&[u8]> = blob.split(|&c| c == 0).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    parts.reverse();
    let mut out = String::with_capacity(blob.len() + 4);
    if truncated {
        out.push_str(TRUNCATION_MARKER);
    }
    for p in parts {
        out.push('/');
        out.push_str(&String::from_utf8_lossy(p));
    }
    out
}

impl ProcessTree {
    /// An empty tree reading `/proc`.
    pub fn new(clock: BootClock) -> ProcessTree {
        ProcessTree::with_proc_root(clock, "/proc")
    }

    /// An empty tree reading another proc mount (tests).
    pub fn with_proc_root(clock: BootClock, proc_root: &str) -> ProcessTree {
        ProcessTree {
            procs: HashMap::new(),
            exited: VecDeque::new(),
            clock,
            proc_root: proc_root.to_owned(),
            stats: TreeStats::default(),
            generation: 0,
        }
    }

    /// Reads every process in `/proc`.
    pub fn bootstrap(&mut self) {
        let Ok(dir) = fs::read_dir(&self.proc_root) else {
            return;
        };
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(p) = self.read_proc(pid) {
                self.procs.insert(pid, p);
                self.stats.bootstrapped += 1;
                self.generation += 1;
            }
        }
    }

    /// Changes whenever the tree does (a process added, exec'd or exited), so what was derived
    /// from it (a mapped event's process and ancestry) can be reused while it stays the same.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Counters so far.
    pub fn stats(&self) -> TreeStats {
        self.stats
    }

    /// Number of processes held, exited ones included.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// A process by pid.
    pub fn get(&self, pid: u32) -> Option<&ProcInfo> {
        self.procs.get(&pid)
    }

    /// Reads one process from `/proc`; `None` when it is gone.
    pub fn read_proc(&self, pid: u32) -> Option<ProcInfo> {
        let dir = Path::new(&self.proc_root).join(pid.to_string());
        let stat = fs::read_to_string(dir.join("stat")).ok()?;
        // The comm field may hold spaces and parentheses: fields resume after the last ')'.
        let (head, rest) = stat.rsplit_once(')')?;
        let comm = head
            .split_once('(')
            .map(|(_, c)| c.to_owned())
            .unwrap_or_default();
        let f: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        // After ')': state ppid pgrp session tty_nr ... starttime is field 22 overall (index 19).
        let ppid = num(1) as u32;
        let sid = num(3) as u32;
        let tty = num(4) as u32;
        let start_ticks = num(19) as u64;
        let cmdline = fs::read(dir.join("cmdline")).unwrap_or_default();
        let mut argv = split_argv(&cmdline, false);
        let exepath = fs::read_link(dir.join("exe"))
            .map(|p| lossy(p.as_os_str().as_encoded_bytes()))
            .unwrap_or_default();
        let exe = if argv.is_empty() {
            String::new()
        } else {
            argv.remove(0)
        };
        let name = if exepath.is_empty() {
            comm
        } else {
            basename(&exepath).to_owned()
        };
        let cwd = fs::read_link(dir.join("cwd"))
            .map(|p| {
                format!(
                    "{}/",
                    lossy(p.as_os_str().as_encoded_bytes()).trim_end_matches('/')
                )
            })
            .unwrap_or_default();
        let loginuid = fs::read_to_string(dir.join("loginuid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .map(|v| if v == u32::MAX { -1 } else { i64::from(v) })
            .unwrap_or(-1);
        let status = fs::read_to_string(dir.join("status")).unwrap_or_default();
        let vpid = status
            .lines()
            .find_map(|l| l.strip_prefix("NSpid:"))
            .and_then(|v| v.split_whitespace().last())
            .and_then(|v| v.parse().ok())
            .unwrap_or(pid);
        let container = fs::read_to_string(dir.join("cgroup"))
            .ok()
            .and_then(|t| cgroup::from_proc_cgroup(&t));
        // starttime is in clock ticks since boot; USER_HZ is 100 on every Linux ABI we build for.
        let start_ns = self
            .clock
            .to_unix_ns(start_ticks.saturating_mul(10_000_000));
        Some(ProcInfo {
            pid,
            ppid,
            name,
            exe,
            exepath,
            args: argv,
            args_truncated: false,
            cwd,
            tty,
            sid,
            vpid,
            loginuid,
            start_ns,
            container,
            exited: false,
            creds: status_creds(&status),
        })
    }

    fn container_of(ev: &RawEvent, first: usize) -> Option<ContainerRef> {
        let leaf = lossy(ev.str_at(first));
        let parent = lossy(ev.str_at(first + 1));
        cgroup::from_names(&parent, &leaf)
    }

    /// A new process: a copy of its parent until it execs.
    pub fn on_clone(&mut self, ev: &RawEvent) {
        let child = ev.args[0] as u32;
        let mut p = match self.procs.get(&ev.pid) {
            Some(parent) => parent.clone(),
            None => self.fill(ev).clone(),
        };
        p.pid = child;
        p.ppid = ev.pid;
        p.exited = false;
        p.vpid = child;
        p.start_ns = self.clock.to_unix_ns(ev.args[5]);
        p.container = ProcessTree::container_of(ev, 0).or(p.container);
        // The child starts with the credentials its parent had at the fork.
        p.creds = Some(Creds::of(ev));
        self.procs.insert(child, p);
        self.generation += 1;
    }

    /// A successful exec: new image, argv, terminal and cgroup. The exec event's strings are
    /// the cgroup leaf and parent names, the filename execve was given, the executable's
    /// path components (leaf first, see [`join_exepath`]) and the argv blob.
    pub fn on_exec(&mut self, ev: &RawEvent) {
        let filename = lossy(ev.str_at(2));
        // The kernel walked mm->exe_file at exec: resolved, as the process sees it, and
        // known even when the process has exited before this event is read.
        let exepath = join_exepath(ev.str_at(3), ev.is_truncated(3));
        let mut argv = split_argv(ev.str_at(4), ev.is_truncated(4));
        let exe = if argv.is_empty() {
            filename.clone()
        } else {
            argv.remove(0)
        };
        let exepath = if exepath.is_empty() {
            filename.clone()
        } else {
            exepath
        };
        let dir = Path::new(&self.proc_root).join(ev.pid.to_string());
        let cwd = fs::read_link(dir.join("cwd"))
            .map(|p| {
                format!(
                    "{}/",
                    lossy(p.as_os_str().as_encoded_bytes()).trim_end_matches('/')
                )
            })
            .ok();
        let prev = self.procs.get(&ev.pid);
        let start_ns = prev
            .map(|p| p.start_ns)
            .unwrap_or_else(|| self.clock.to_unix_ns(ev.args[5]));
        let cwd = cwd
            .or_else(|| prev.map(|p| p.cwd.clone()))
            .unwrap_or_default();
        let p = ProcInfo {
            pid: ev.pid,
            ppid: ev.ppid,
            name: basename(&filename).to_owned(),
            exe,
            exepath,
            args: argv,
            args_truncated: ev.is_truncated(4),
            cwd,
            tty: ev.args[0] as u32,
            sid: ev.args[1] as u32,
            vpid: ev.args[4] as u32,
            loginuid: if ev.args[2] as u32 == u32::MAX {
                -1
            } else {
                i64::from(ev.args[2] as u32)
            },
            start_ns,
            container: ProcessTree::container_of(ev, 0),
            exited: false,
            // After the exec: a setuid binary already runs with its owner's ids here.
            creds: Some(Creds::of(ev)),
        };
        self.procs.insert(ev.pid, p);
        self.generation += 1;
    }

    /// The process exited: keep it a while, then evict the oldest exited ones.
    pub fn on_exit(&mut self, ev: &RawEvent) {
        self.generation += 1;
        if let Some(p) = self.procs.get_mut(&ev.pid) {
            p.exited = true;
            self.exited.push_back((ev.pid, p.start_ns));
        }
        while self.exited.len() > EXITED_KEPT {
            let Some((pid, start)) = self.exited.pop_front() else {
                break;
            };
            // A reused pid belongs to a newer process: leave it.
            if self
                .procs
                .get(&pid)
                .is_some_and(|p| p.exited && p.start_ns == start)
            {
                self.procs.remove(&pid);
                self.stats.evicted += 1;
            }
        }
    }

    /// The event's process, read from `/proc` if the tree has not seen it, or built from the
    /// kernel's header alone if it is already gone.
    pub fn fill(&mut self, ev: &RawEvent) -> &ProcInfo {
        if !self.procs.contains_key(&ev.pid) {
            let p = match self.read_proc(ev.pid) {
                Some(p) => {
                    self.stats.proc_fills += 1;
                    p
                }
                None => {
                    self.stats.unknown += 1;
                    let comm = lossy(&ev.comm);
                    ProcInfo {
                        pid: ev.pid,
                        ppid: ev.ppid,
                        name: comm.clone(),
                        exe: comm,
                        vpid: ev.pid,
                        loginuid: -1,
                        container: self.procs.get(&ev.ppid).and_then(|pp| pp.container.clone()),
                        ..ProcInfo::default()
                    }
                }
            };
            self.procs.insert(ev.pid, p);
            self.generation += 1;
        }
        // Present: inserted just above when it was missing.
        match self.procs.get(&ev.pid) {
            Some(p) => p,
            None => unreachable_proc(),
        }
    }

    /// Records `ev`'s credentials (the ones after its call) as its process's latest. Not a
    /// tree change: the generation stays.
    pub fn note_creds(&mut self, ev: &RawEvent) {
        if let Some(p) = self.procs.get_mut(&ev.pid) {
            p.creds = Some(Creds::of(ev));
        }
    }

    /// Ancestors of `pid`, nearest first, at most [`MAX_ANCESTORS`], stopping at a loop.
    pub fn ancestors(&self, pid: u32) -> Vec<&ProcInfo> {
        let mut out = Vec::new();
        let mut cur = self.procs.get(&pid).map(|p| p.ppid);
        while let Some(pp) = cur {
            if pp == 0 || out.len() >= MAX_ANCESTORS || pp == pid {
                break;
            }
            match self.procs.get(&pp) {
                Some(p) => {
                    if out.iter().any(|a: &&ProcInfo| a.pid == p.pid) {
                        break;
                    }
                    out.push(p);
                    cur = Some(p.ppid);
                }
                None => break,
            }
        }
        out
    }
}

/// `fill` inserts before it looks up; this is never reached, and returns a static empty
/// process rather than panicking if it ever were.
fn unreachable_proc() -> &'static ProcInfo {
    static EMPTY: std::sync::OnceLock<ProcInfo> = std::sync::OnceLock::new();
    EMPTY.get_or_init(ProcInfo::default)
}

/// One user or group database (`/etc/passwd` and `/etc/group`) of one root filesystem.
#[derive(Debug, Default)]
pub struct Accounts {
    users: HashMap<u32, (String, String, String)>,
    groups: HashMap<u32, String>,
}

impl Accounts {
    /// Reads the files below `root` (`/` for the host, `/proc/PID/root` for a container).
    pub fn read(root: &Path) -> Accounts {
        let mut a = Accounts::default();
        if let Ok(t) = fs::read_to_string(root.join("etc/passwd")) {
            for l in t.lines() {
                let f: Vec<&str> = l.split(':').collect();
                if f.len() >= 7 {
                    if let Ok(uid) = f[2].parse() {
                        a.users.entry(uid).or_insert((
                            f[0].to_owned(),
                            f[5].to_owned(),
                            f[6].to_owned(),
                        ));
                    }
                }
            }
        }
        if let Ok(t) = fs::read_to_string(root.join("etc/group")) {
            for l in t.lines() {
                let f: Vec<&str> = l.split(':').collect();
                if f.len() >= 3 {
                    if let Ok(gid) = f[2].parse() {
                        a.groups.entry(gid).or_insert_with(|| f[0].to_owned());
                    }
                }
            }
        }
        a
    }

    /// Name, home and shell of a uid.
    pub fn user(&self, uid: u32) -> Option<&(String, String, String)> {
        self.users.get(&uid)
    }

    /// Name of a gid.
    pub fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }
}

/// Account databases per root: the host's and one per container, read once each.
#[derive(Debug, Default)]
pub struct AccountCache {
    by_container: HashMap<String, Arc<Accounts>>,
    host: Option<Arc<Accounts>>,
}

impl AccountCache {
    /// The accounts that apply to `p`: its container's when it runs in one.
    pub fn for_proc(&mut self, p: &ProcInfo) -> Arc<Accounts> {
        match &p.container {
            None => self
                .host
                .get_or_insert_with(|| Arc::new(Accounts::read(Path::new("/"))))
                .clone(),
            Some(c) => {
                if let Some(a) = self.by_container.get(&c.full_id) {
                    return a.clone();
                }
                let root = Path::new("/proc").join(p.pid.to_string()).join("root");
                if !root.exists() {
                    // Gone before we looked: do not cache an empty database for the container.
                    return Arc::new(Accounts::default());
                }
                let a = Arc::new(Accounts::read(&root));
                // Bounded like the container cache; containers come and go.
                if self.by_container.len() > 4096 {
                    self.by_container.clear();
                }
                self.by_container.insert(c.full_id.clone(), a.clone());
                a
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_gives_effective_ids_and_capabilities() {
        let status = "Name:\tsudo\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n\
                      CapEff:\t000001ffffffffff\n";
        assert_eq!(
            status_creds(status),
            Some(Creds {
                uid: 0,
                gid: 100,
                cap_effective: 0x1ff_ffff_ffff
            })
        );
        assert_eq!(status_creds("Uid:\t0\nGid:\t0\t0\nCapEff:\t0\n"), None);
    }

    #[test]
    fn argv_split_marks_truncation() {
        assert_eq!(
            split_argv(b"sh\0-c\0echo hi\0", false),
            vec!["sh", "-c", "echo hi"]
        );
        assert_eq!(split_argv(b"sh\0-c\0ech", true), vec!["sh", "-c", "ech..."]);
        assert_eq!(split_argv(b"sh\0-c\0", true), vec!["sh", "-c", "..."]);
        assert_eq!(split_argv(b"", false), Vec::<String>::new());
        let bad = split_argv(b"cat\0/tmp/\xff\xfe\0", false);
        assert_eq!(bad[0], "cat");
        assert!(bad[1].starts_with("/tmp/"));
    }

    #[test]
    fn exepath_components_join_root_first() {
        assert_eq!(
            join_exepath(b"busybox\0bin\0usr\0", false),
            "/usr/bin/busybox"
        );
        assert_eq!(join_exepath(b"memfd:x\0", false), "/memfd:x");
        assert_eq!(join_exepath(b"", false), "");
        assert_eq!(join_exepath(b"f\xff\0d\0", true), ".../d/f\u{fffd}");
    }

    #[test]
    fn bootstraps_this_process_from_proc() {
        let mut t = ProcessTree::new(BootClock::now());
        t.bootstrap();
        let me = t.get(std::process::id()).expect("own process in /proc");
        assert!(!me.exepath.is_empty());
        assert!(t.stats().bootstrapped > 1);
        let anc = t.ancestors(std::process::id());
        assert!(!anc.is_empty(), "the test runner has a parent");
    }

    #[test]
    fn reads_host_accounts() {
        let a = Accounts::read(Path::new("/"));
        assert_eq!(a.user(0).map(|u| u.0.as_str()), Some("root"));
        assert_eq!(a.group(0), Some("root"));
    }
}
