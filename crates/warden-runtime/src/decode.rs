//! Bytes from the ring buffer to typed events. The layout is `src/bpf/events.h`; every length
//! and tag is checked here, and a record that does not fit is a counted [`DecodeError`], never a
//! panic. This module also holds the crate's only `unsafe` outside the skeleton include: the
//! `clock_gettime` calls that turn kernel boot-time stamps into wall-clock time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Size of `struct warden_hdr`.
pub const HDR_LEN: usize = 128;
/// Size of `struct warden_sock`.
pub const SOCK_LEN: usize = 48;
/// `WARDEN_ABI` in `events.h`.
pub const ABI: u32 = 2;
const WF_SOCK: u16 = 0x1;
const WF_TRUNC0: u16 = 0x100;

/// Defines [`Kind`] and its tables from one list, so the tag numbers, the Falco names and the
/// "always on" state set cannot drift apart.
macro_rules! kinds {
    ($($variant:ident = $tag:literal, $name:literal;)*) => {
        /// What an event is: one syscall, or a scheduler event the process tree needs. The tag
        /// numbers are `enum warden_kind` in `events.h`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant = $tag,
            )*
        }

        impl Kind {
            /// Every kind, in tag order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// The kind for a wire tag.
            pub fn from_tag(tag: u32) -> Option<Kind> {
                match tag {
                    $($tag => Some(Kind::$variant),)*
                    _ => None,
                }
            }

            /// The Falco `evt.type` name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }

            /// The kind for a Falco `evt.type` name.
            pub fn from_name(name: &str) -> Option<Kind> {
                match name {
                    $($name => Some(Kind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    Execve = 1, "execve";
    Execveat = 2, "execveat";
    Clone = 3, "clone";
    Exit = 4, "procexit";
    Open = 5, "open";
    Openat = 6, "openat";
    Openat2 = 7, "openat2";
    Connect = 8, "connect";
    Sendto = 9, "sendto";
    Sendmsg = 10, "sendmsg";
    Socket = 11, "socket";
    Rename = 12, "rename";
    Renameat = 13, "renameat";
    Renameat2 = 14, "renameat2";
    Unlink = 15, "unlink";
    Unlinkat = 16, "unlinkat";
    Mkdir = 17, "mkdir";
    Mkdirat = 18, "mkdirat";
    Symlink = 19, "symlink";
    Symlinkat = 20, "symlinkat";
    Link = 21, "link";
    Linkat = 22, "linkat";
    Setuid = 23, "setuid";
    Setgid = 24, "setgid";
    Ptrace = 25, "ptrace";
    InitModule = 26, "init_module";
    FinitModule = 27, "finit_module";
    Dup = 28, "dup";
    Dup2 = 29, "dup2";
    Dup3 = 30, "dup3";
}

impl Kind {
    /// Kinds the process tree always needs, whatever the rules select.
    pub fn is_state(self) -> bool {
        matches!(
            self,
            Kind::Execve | Kind::Execveat | Kind::Clone | Kind::Exit
        )
    }

    /// The x86-64 syscall number whose exit reports this kind; `None` for the scheduler
    /// events (exec, clone, exit come from their tracepoints).
    pub fn x86_64_syscall(self) -> Option<u32> {
        Some(match self {
            Kind::Execve | Kind::Execveat | Kind::Clone | Kind::Exit => return None,
            Kind::Open => 2,
            Kind::Openat => 257,
            Kind::Openat2 => 437,
            Kind::Connect => 42,
            Kind::Sendto => 44,
            Kind::Sendmsg => 46,
            Kind::Socket => 41,
            Kind::Rename => 82,
            Kind::Renameat => 264,
            Kind::Renameat2 => 316,
            Kind::Unlink => 87,
            Kind::Unlinkat => 263,
            Kind::Mkdir => 83,
            Kind::Mkdirat => 258,
            Kind::Symlink => 88,
            Kind::Symlinkat => 266,
            Kind::Link => 86,
            Kind::Linkat => 265,
            Kind::Setuid => 105,
            Kind::Setgid => 106,
            Kind::Ptrace => 101,
            Kind::InitModule => 175,
            Kind::FinitModule => 313,
            Kind::Dup => 32,
            Kind::Dup2 => 33,
            Kind::Dup3 => 292,
        })
    }

    /// The bit of this kind in the kernel's `enabled_mask`.
    pub fn bit(self) -> u64 {
        1u64 << (self as u32)
    }
}

/// The socket an event acted on, as the kernel saw it after the syscall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SockInfo {
    /// Address family (`AF_INET` = 2, `AF_INET6` = 10, `AF_UNIX` = 1).
    pub family: u16,
    /// Socket type (`SOCK_STREAM` = 1, `SOCK_DGRAM` = 2, `SOCK_RAW` = 3).
    pub sock_type: u16,
    /// IP protocol (`IPPROTO_TCP` = 6, `IPPROTO_UDP` = 17).
    pub proto: u16,
    /// Local address, for IP sockets.
    pub local: Option<IpAddr>,
    /// Local port.
    pub lport: u16,
    /// Peer address, for connected IP sockets.
    pub remote: Option<IpAddr>,
    /// Peer port.
    pub rport: u16,
}

/// A socket address as the caller passed it to connect, sendto or sendmsg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SockAddr {
    /// `AF_INET` or `AF_INET6`.
    Ip(IpAddr, u16),
    /// `AF_UNIX` with its path (abstract names start with `@`).
    Unix(Vec<u8>),
    /// Any other family.
    Other(u16),
}

/// One decoded kernel event, before enrichment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// What happened.
    pub kind: Kind,
    /// Kernel boot-time stamp in ns.
    pub ts_boot: u64,
    /// Syscall return value (the child pid for clone, 0 for exec and exit).
    pub ret: i64,
    /// Numeric arguments; their meaning per kind is listed in `sensor.bpf.c`.
    pub args: [u64; 6],
    /// Effective capability mask of the caller.
    pub cap_effective: u64,
    /// Process id (tgid).
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// Parent's process id.
    pub ppid: u32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// CPU the event was captured on.
    pub cpu: u32,
    /// `comm` of the thread (at most 15 bytes).
    pub comm: Vec<u8>,
    /// The socket block, for socket events.
    pub sock: Option<SockInfo>,
    /// String arguments (paths, argv blob, cgroup names), raw bytes: paths need not be UTF-8.
    pub strs: Vec<Vec<u8>>,
    /// Bit `i` set: `strs[i]` was cut at its capture limit.
    pub truncated: u8,
}

impl RawEvent {
    /// String `i`, empty when absent.
    pub fn str_at(&self, i: usize) -> &[u8] {
        self.strs.get(i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether string `i` was truncated.
    pub fn is_truncated(&self, i: usize) -> bool {
        i < 8 && self.truncated & (1 << i) != 0
    }
}

/// Why a record could not be decoded. Each is counted; none stops the sensor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Shorter than a header.
    #[error("record of {len} bytes is shorter than the {HDR_LEN}-byte header")]
    Short {
        /// Bytes received.
        len: usize,
    },
    /// Built by a different `events.h`.
    #[error("record has abi {found}, expected {ABI}")]
    Abi {
        /// The abi field.
        found: u32,
    },
    /// The size field disagrees with the record length.
    #[error("record says {declared} bytes but {len} arrived")]
    Size {
        /// The size field.
        declared: usize,
        /// Bytes received.
        len: usize,
    },
    /// Unknown kind tag.
    #[error("unknown event kind {0}")]
    Kind(u32),
    /// A string or block runs past the end.
    #[error("{what} at offset {offset} runs past the {len}-byte record")]
    Overrun {
        /// What was being read.
        what: &'static str,
        /// Where.
        offset: usize,
        /// Record length.
        len: usize,
    },
}

impl DecodeError {
    /// A stable label for the error counter.
    pub fn label(&self) -> &'static str {
        match self {
            DecodeError::Short { .. } => "short",
            DecodeError::Abi { .. } => "abi",
            DecodeError::Size { .. } => "size",
            DecodeError::Kind(_) => "kind",
            DecodeError::Overrun { .. } => "overrun",
        }
    }
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

/// Decodes one ring-buffer record.
pub fn decode(b: &[u8]) -> Result<RawEvent, DecodeError> {
    let len = b.len();
    if len < HDR_LEN {
        return Err(DecodeError::Short { len });
    }
    let abi = u32_at(b, 108);
    if abi != ABI {
        return Err(DecodeError::Abi { found: abi });
    }
    let declared = u32_at(b, 4) as usize;
    if declared < HDR_LEN || declared > len {
        return Err(DecodeError::Size { declared, len });
    }
    let b = &b[..declared];
    let tag = u32_at(b, 0);
    let kind = Kind::from_tag(tag).ok_or(DecodeError::Kind(tag))?;
    let mut args = [0u64; 6];
    for (i, a) in args.iter_mut().enumerate() {
        *a = u64_at(b, 24 + 8 * i);
    }
    let nstr = u16_at(b, 104) as usize;
    let flags = u16_at(b, 106);
    let comm_raw = &b[112..128];
    let comm = comm_raw[..comm_raw.iter().position(|&c| c == 0).unwrap_or(16)].to_vec();
    let mut off = HDR_LEN;
    let sock = if flags & WF_SOCK != 0 {
        if off + SOCK_LEN > declared {
            return Err(DecodeError::Overrun {
                what: "socket block",
                offset: off,
                len: declared,
            });
        }
        let s = &b[off..off + SOCK_LEN];
        off += SOCK_LEN;
        Some(sock_info(s))
    } else {
        None
    };
    let mut strs = Vec::with_capacity(nstr.min(8));
    for _ in 0..nstr {
        if off + 2 > declared {
            return Err(DecodeError::Overrun {
                what: "string length",
                offset: off,
                len: declared,
            });
        }
        let n = u16_at(b, off) as usize;
        off += 2;
        if off + n > declared {
            return Err(DecodeError::Overrun {
                what: "string",
                offset: off,
                len: declared,
            });
        }
        strs.push(b[off..off + n].to_vec());
        off += n;
    }
    Ok(RawEvent {
        kind,
        ts_boot: u64_at(b, 8),
        ret: u64_at(b, 16) as i64,
        args,
        cap_effective: u64_at(b, 72),
        pid: u32_at(b, 80),
        tid: u32_at(b, 84),
        ppid: u32_at(b, 88),
        uid: u32_at(b, 92),
        gid: u32_at(b, 96),
        cpu: u32_at(b, 100),
        comm,
        sock,
        strs,
        truncated: (flags / WF_TRUNC0) as u8,
    })
}

fn ip_from(family: u16, raw: &[u8]) -> Option<IpAddr> {
    match family {
        2 => Some(IpAddr::V4(Ipv4Addr::new(raw[0], raw[1], raw[2], raw[3]))),
        10 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&raw[..16]);
            let v6 = Ipv6Addr::from(a);
            // A v4-mapped peer on a dual-stack socket is an IPv4 connection to the rules.
            Some(
                v6.to_ipv4_mapped()
                    .map(IpAddr::V4)
                    .unwrap_or(IpAddr::V6(v6)),
            )
        }
        _ => None,
    }
}

fn sock_info(s: &[u8]) -> SockInfo {
    let family = u16_at(s, 0);
    SockInfo {
        family,
        sock_type: u16_at(s, 2),
        proto: u16_at(s, 4),
        lport: u16_at(s, 6),
        rport: u16_at(s, 8),
        local: ip_from(family, &s[16..32]),
        remote: ip_from(family, &s[32..48]),
    }
}

/// Parses a `struct sockaddr` as captured from user memory. `None` when too short to hold
/// its family's fields.
pub fn parse_sockaddr(b: &[u8]) -> Option<SockAddr> {
    if b.len() < 2 {
        return None;
    }
    let family = u16::from_le_bytes([b[0], b[1]]);
    match family {
        2 if b.len() >= 8 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            Some(SockAddr::Ip(
                IpAddr::V4(Ipv4Addr::new(b[4], b[5], b[6], b[7])),
                port,
            ))
        }
        10 if b.len() >= 24 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            let v6 = Ipv6Addr::from(a);
            let ip = v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6));
            Some(SockAddr::Ip(ip, port))
        }
        1 => {
            let path = &b[2..];
            let path = if path.first() == Some(&0) {
                // Abstract socket: shown with a leading '@' as ss(8) and Falco do.
                let mut p = vec![b'@'];
                p.extend(path[1..].iter().take_while(|&&c| c != 0));
                p
            } else {
                path.iter().take_while(|&&c| c != 0).copied().collect()
            };
            Some(SockAddr::Unix(path))
        }
        2 | 10 => None,
        f => Some(SockAddr::Other(f)),
    }
}

/// Converts kernel boot-time stamps to ns since the Unix epoch. The offset is taken once; a
/// wall-clock step later shifts alert times, not their order.
#[derive(Debug, Clone, Copy)]
pub struct BootClock {
    offset_ns: i128,
}

impl BootClock {
    /// Reads `CLOCK_REALTIME - CLOCK_BOOTTIME` now.
    pub fn now() -> BootClock {
        let real = clock_ns(libc::CLOCK_REALTIME);
        let boot = clock_ns(libc::CLOCK_BOOTTIME);
        BootClock {
            offset_ns: real - boot,
        }
    }

    /// Wall-clock ns for a boot-time stamp.
    pub fn to_unix_ns(self, boot_ns: u64) -> u64 {
        u64::try_from(boot_ns as i128 + self.offset_ns).unwrap_or(0)
    }
}

#[allow(unsafe_code)]
fn clock_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, exclusively borrowed timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: u32, nstr: u16, flags: u16, size: u32) -> Vec<u8> {
        let mut b = vec![0u8; HDR_LEN];
        b[0..4].copy_from_slice(&kind.to_le_bytes());
        b[4..8].copy_from_slice(&size.to_le_bytes());
        b[16..24].copy_from_slice(&(-2i64).to_le_bytes());
        b[80..84].copy_from_slice(&42u32.to_le_bytes());
        b[104..106].copy_from_slice(&nstr.to_le_bytes());
        b[106..108].copy_from_slice(&flags.to_le_bytes());
        b[108..112].copy_from_slice(&ABI.to_le_bytes());
        b[112..115].copy_from_slice(b"cat");
        b
    }

    fn with_strs(kind: u32, flags: u16, strs: &[&[u8]]) -> Vec<u8> {
        let body: usize = strs.iter().map(|s| 2 + s.len()).sum();
        let mut b = header(kind, strs.len() as u16, flags, (HDR_LEN + body) as u32);
        for s in strs {
            b.extend_from_slice(&(s.len() as u16).to_le_bytes());
            b.extend_from_slice(s);
        }
        b
    }

    #[test]
    fn decodes_strings_including_non_utf8_bytes() {
        let path: &[u8] = b"/tmp/\xff\xfe-not-utf8";
        let rec = with_strs(Kind::Openat as u32, 0, &[path]);
        let ev = decode(&rec).unwrap();
        assert_eq!(ev.kind, Kind::Openat);
        assert_eq!(ev.ret, -2);
        assert_eq!(ev.pid, 42);
        assert_eq!(ev.comm, b"cat");
        assert_eq!(ev.str_at(0), path);
        assert!(!ev.is_truncated(0));
    }

    #[test]
    fn truncation_bits_map_to_string_indexes() {
        let rec = with_strs(
            Kind::Execve as u32,
            WF_TRUNC0 << 3,
            &[b"a", b"b", b"c", b"d"],
        );
        let ev = decode(&rec).unwrap();
        assert!(ev.is_truncated(3));
        assert!(!ev.is_truncated(2));
    }

    #[test]
    fn rejects_every_malformed_shape_without_panicking() {
        assert_eq!(decode(&[0u8; 10]), Err(DecodeError::Short { len: 10 }));
        let mut bad_abi = header(1, 0, 0, HDR_LEN as u32);
        bad_abi[108] = 9;
        assert_eq!(decode(&bad_abi), Err(DecodeError::Abi { found: 9 }));
        let big = header(1, 0, 0, 4000);
        assert!(matches!(decode(&big), Err(DecodeError::Size { .. })));
        let unknown = header(99, 0, 0, HDR_LEN as u32);
        assert_eq!(decode(&unknown), Err(DecodeError::Kind(99)));
        let mut overrun = with_strs(Kind::Open as u32, 0, &[b"/etc/passwd"]);
        // The string claims more bytes than the record holds.
        overrun[HDR_LEN] = 200;
        assert!(matches!(
            decode(&overrun),
            Err(DecodeError::Overrun { what: "string", .. })
        ));
        let sock_missing = header(Kind::Connect as u32, 0, WF_SOCK, HDR_LEN as u32);
        assert!(matches!(
            decode(&sock_missing),
            Err(DecodeError::Overrun { .. })
        ));
        // Every prefix of a valid record decodes or errors, never panics.
        let good = with_strs(Kind::Rename as u32, 0, &[b"/a", b"/b"]);
        for cut in 0..good.len() {
            let _ = decode(&good[..cut]);
        }
    }

    #[test]
    fn parses_sockaddrs_of_each_family() {
        let mut v4 = vec![2u8, 0, 0x1f, 0x90, 127, 0, 0, 1];
        v4.extend([0u8; 8]);
        assert_eq!(
            parse_sockaddr(&v4),
            Some(SockAddr::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080))
        );
        let mut v6 = vec![10u8, 0, 0x01, 0xbb, 0, 0, 0, 0];
        v6.extend(Ipv6Addr::LOCALHOST.octets());
        v6.extend([0u8; 4]);
        assert_eq!(
            parse_sockaddr(&v6),
            Some(SockAddr::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST), 443))
        );
        let unix = b"\x01\x00/run/x.sock\x00\x00";
        assert_eq!(
            parse_sockaddr(unix),
            Some(SockAddr::Unix(b"/run/x.sock".to_vec()))
        );
        assert_eq!(parse_sockaddr(&[2, 0, 1]), None);
        assert_eq!(parse_sockaddr(&[]), None);
    }

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(*k));
            assert_eq!(Kind::from_tag(*k as u32), Some(*k));
        }
    }
}
