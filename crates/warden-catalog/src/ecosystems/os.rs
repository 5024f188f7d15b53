//! Operating-system detection from `/etc/os-release` (then `/usr/lib/os-release`,
//! `/etc/alpine-release`, `/etc/debian_version`).

use warden_core::OsInfo;

use crate::parse::os_release;

/// Files the detector reads, in order of preference.
pub const FILES: [&str; 4] = [
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/alpine-release",
    "/etc/debian_version",
];

/// Whether the walker should keep `path` for OS detection.
pub fn wants(path: &str) -> bool {
    FILES.contains(&path)
}

/// Detects the OS from the Kept files of `fs`, or `None`.
pub fn detect(fs: &warden_image::Filesystem) -> Option<OsInfo> {
    for f in &FILES[..2] {
        if let Some(os) = fs.read(f).and_then(os_release::parse_os_release) {
            return Some(os);
        }
    }
    fs.read(FILES[2])
        .and_then(os_release::from_alpine_release)
        .or_else(|| fs.read(FILES[3]).and_then(os_release::from_debian_version))
}
