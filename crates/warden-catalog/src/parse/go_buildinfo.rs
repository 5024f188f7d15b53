//! Go build information (`runtime/debug.BuildInfo`) embedded in Go executables: the toolchain
//! version, the main module and every dependency module. Mirrors `debug/buildinfo` in the Go
//! standard library, for both the inline layout (Go ≥ 1.18) and the older pointer layout.

use object::{Object, ObjectSection};

use super::ParseError;

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE: u8 = 0x2;
/// Build info strings are a few KiB; anything larger is not a Go binary's.
const MAX_STRING: u64 = 1 << 20;

/// One module line of the build info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoModule {
    /// Module path.
    pub path: String,
    /// Module version (`v1.2.3`, `(devel)` for an unversioned main module).
    pub version: String,
    /// `h1:` checksum, when recorded.
    pub sum: String,
}

/// What a Go binary says about how it was built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBuildInfo {
    /// `go1.21.5` (possibly with ` X:...` experiment suffixes).
    pub go_version: String,
    /// The main package path (`path` line).
    pub path: String,
    /// The main module (`mod` line), absent for binaries built outside module mode.
    pub main: Option<GoModule>,
    /// Dependency modules with `=>` replacements applied, in the order recorded.
    pub deps: Vec<GoModule>,
    /// `build` settings (`-ldflags`, `GOOS`, `vcs.revision`...), in order.
    pub settings: Vec<(String, String)>,
}

impl GoBuildInfo {
    /// The toolchain version as warden reports the `stdlib` package: `v1.21.5`, the form Go
    /// module versions take.
    pub fn stdlib_version(&self) -> Option<String> {
        let v = self
            .go_version
            .split_whitespace()
            .next()?
            .strip_prefix("go")?;
        (!v.is_empty() && v.as_bytes()[0].is_ascii_digit()).then(|| format!("v{v}"))
    }
}

/// Whether the first bytes look like an executable format Go produces (ELF, PE, Mach-O).
pub fn is_executable(head: &[u8]) -> bool {
    head.starts_with(b"\x7fELF")
        || head.starts_with(b"MZ")
        || head.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
        || head.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
}

/// Reads the build info of a Go executable. `Ok(None)`: a valid executable that is not a Go
/// binary (or one stripped of build info).
pub fn parse_go_binary(data: &[u8]) -> Result<Option<GoBuildInfo>, ParseError> {
    let file = object::File::parse(data)
        .map_err(|e| ParseError::new(format!("not a readable executable: {e}")))?;
    // The build info lives in `.go.buildinfo` (ELF, Mach-O `__go_buildinfo`) or at the start of
    // the first writable data section (PE, older toolchains). Search the named one first.
    let mut candidates: Vec<&[u8]> = Vec::new();
    for s in file.sections() {
        let name = s.name().unwrap_or("");
        if name == ".go.buildinfo" || name == "__go_buildinfo" {
            if let Ok(d) = s.data() {
                candidates.insert(0, d);
            }
        } else if matches!(name, ".data" | "__data" | ".noptrdata" | "__noptrdata") {
            if let Ok(d) = s.data() {
                candidates.push(d);
            }
        }
    }
    for section in candidates {
        // The header is 16-byte aligned within the first 64 KiB of its section.
        let limit = section.len().min(64 << 10);
        let mut at = 0;
        while at + 32 <= limit {
            if &section[at..at + 14] == MAGIC {
                return decode(&file, &section[at..]).map(Some);
            }
            at += 16;
        }
    }
    Ok(None)
}

fn decode(file: &object::File<'_>, hdr: &[u8]) -> Result<GoBuildInfo, ParseError> {
    let ptr_size = hdr[14] as usize;
    let flags = hdr[15];
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let (v, n) = varint_string(&hdr[32..])?;
        let (m, _) = varint_string(&hdr[32 + n..])?;
        (v, m)
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(ParseError::new(format!(
                "invalid pointer size {ptr_size} in go build info"
            )));
        }
        let big = flags & FLAG_BIG_ENDIAN != 0;
        let v_ptr = read_uint(&hdr[16..], ptr_size, big)?;
        let m_ptr = read_uint(&hdr[16 + ptr_size..], ptr_size, big)?;
        (
            read_go_string(file, v_ptr, ptr_size, big)?,
            read_go_string(file, m_ptr, ptr_size, big)?,
        )
    };
    let mut info = parse_modinfo(&String::from_utf8_lossy(strip_sentinels(&modinfo)));
    info.go_version = String::from_utf8_lossy(&version).into_owned();
    Ok(info)
}

/// A uvarint length followed by that many bytes.
fn varint_string(b: &[u8]) -> Result<(Vec<u8>, usize), ParseError> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut i = 0;
    loop {
        let byte = *b
            .get(i)
            .ok_or_else(|| ParseError::new("truncated varint in go build info"))?;
        len |= u64::from(byte & 0x7f) << shift;
        i += 1;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return Err(ParseError::new("overlong varint in go build info"));
        }
    }
    if len > MAX_STRING {
        return Err(ParseError::new(format!(
            "go build info string of {len} bytes"
        )));
    }
    let s = b
        .get(i..i + len as usize)
        .ok_or_else(|| ParseError::new("go build info string runs past its section"))?;
    Ok((s.to_vec(), i + len as usize))
}

fn read_uint(b: &[u8], size: usize, big: bool) -> Result<u64, ParseError> {
    let s = b
        .get(..size)
        .ok_or_else(|| ParseError::new("truncated pointer in go build info"))?;
    let mut v = 0u64;
    for i in 0..size {
        let byte = if big { s[i] } else { s[size - 1 - i] };
        v = (v << 8) | u64::from(byte);
    }
    Ok(v)
}

/// Reads `len` bytes at virtual address `addr` from whichever section maps it.
fn read_mem<'a>(file: &object::File<'a>, addr: u64, len: u64) -> Result<&'a [u8], ParseError> {
    for s in file.sections() {
        let (start, size) = (s.address(), s.size());
        if addr >= start && addr.checked_add(len).is_some_and(|end| end <= start + size) {
            let d = s
                .data()
                .map_err(|e| ParseError::new(format!("reading section: {e}")))?;
            let off = (addr - start) as usize;
            return d.get(off..off + len as usize).ok_or_else(|| {
                ParseError::new(format!("address {addr:#x} not backed by file data"))
            });
        }
    }
    Err(ParseError::new(format!(
        "address {addr:#x} is in no section"
    )))
}

/// A Go string header (`ptr`, `len`) at `addr`, then its bytes.
fn read_go_string(
    file: &object::File<'_>,
    addr: u64,
    ptr_size: usize,
    big: bool,
) -> Result<Vec<u8>, ParseError> {
    let hdr = read_mem(file, addr, 2 * ptr_size as u64)?;
    let ptr = read_uint(hdr, ptr_size, big)?;
    let len = read_uint(&hdr[ptr_size..], ptr_size, big)?;
    if len > MAX_STRING {
        return Err(ParseError::new(format!(
            "go build info string of {len} bytes"
        )));
    }
    Ok(read_mem(file, ptr, len)?.to_vec())
}

/// The module info is framed by two 16-byte binary sentinels
/// (`cmd/go/internal/modload.infoStart`); strip them before decoding text.
fn strip_sentinels(b: &[u8]) -> &[u8] {
    if b.len() >= 33 && b[b.len() - 17] == b'\n' {
        &b[16..b.len() - 16]
    } else {
        b
    }
}

/// Parses the tab-separated module info text.
pub fn parse_modinfo(text: &str) -> GoBuildInfo {
    let mut info = GoBuildInfo::default();
    let module = |f: &[&str]| GoModule {
        path: f.get(1).unwrap_or(&"").to_string(),
        version: f.get(2).unwrap_or(&"").to_string(),
        sum: f.get(3).unwrap_or(&"").to_string(),
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "path" => info.path = f.get(1).unwrap_or(&"").to_string(),
            "mod" => info.main = Some(module(&f)),
            "dep" => info.deps.push(module(&f)),
            "=>" => {
                // A replacement applies to the dep (or main module) on the line before it.
                if let Some(last) = info.deps.last_mut() {
                    *last = module(&f);
                }
            }
            "build" => {
                if let Some((k, v)) = f.get(1).and_then(|kv| kv.split_once('=')) {
                    info.settings
                        .push((k.to_string(), v.trim_matches('"').to_string()));
                }
            }
            _ => {}
        }
    }
    info.deps.retain(|d| !d.path.is_empty());
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_go_119_binary() {
        let p = format!(
            "{}/tests/fixtures/go/wardenhello",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(is_executable(&data[..64]));
        let info = parse_go_binary(&data).expect("parse").expect("go binary");
        assert_eq!(info.go_version, "go1.19.8");
        assert_eq!(info.stdlib_version().as_deref(), Some("v1.19.8"));
        assert_eq!(info.path, "example.com/wardenhello");
        let main = info.main.as_ref().expect("main module");
        assert_eq!(
            (main.path.as_str(), main.version.as_str()),
            ("example.com/wardenhello", "(devel)")
        );
        assert_eq!(info.deps.len(), 1);
        assert_eq!(
            (info.deps[0].path.as_str(), info.deps[0].version.as_str()),
            ("example.com/greet", "v1.2.3")
        );
        assert!(info
            .settings
            .iter()
            .any(|(k, v)| k == "GOOS" && v == "linux"));
    }

    #[test]
    fn non_go_executable_and_garbage() {
        // This test binary is a Rust ELF: valid, but no Go build info.
        let me = std::env::current_exe().expect("exe");
        let data = std::fs::read(me).expect("read self");
        assert_eq!(parse_go_binary(&data).expect("parse"), None);
        assert!(parse_go_binary(b"\x7fELF garbage").is_err());
    }

    #[test]
    fn replacements_apply_to_the_previous_dep() {
        let info = parse_modinfo(
            "path\tx\nmod\tx\t(devel)\t\ndep\tgolang.org/x/net\tv0.1.0\th1:a=\n=>\tgithub.com/fork/net\tv0.2.0\th1:b=\n",
        );
        assert_eq!(info.deps.len(), 1);
        assert_eq!(info.deps[0].path, "github.com/fork/net");
        assert_eq!(info.deps[0].version, "v0.2.0");
    }

    #[test]
    fn stdlib_version_forms() {
        let v = |s: &str| {
            GoBuildInfo {
                go_version: s.into(),
                ..Default::default()
            }
            .stdlib_version()
        };
        assert_eq!(v("go1.22.1 X:boringcrypto").as_deref(), Some("v1.22.1"));
        assert_eq!(v("devel go1.23-abc"), None);
    }
}
