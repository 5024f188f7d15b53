use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The packaging world a package belongs to. It decides the purl type, the version ordering and
/// which advisories can apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Debian/Ubuntu dpkg packages.
    Deb,
    /// Alpine/Wolfi apk packages.
    Apk,
    /// RPM packages (RHEL, Fedora, SUSE, Amazon Linux...).
    Rpm,
    /// Python packages (PyPI).
    Pypi,
    /// npm packages.
    Npm,
    /// Java artifacts (Maven coordinates).
    Maven,
    /// Go modules.
    Golang,
    /// Rust crates.
    Cargo,
    /// Ruby gems.
    Gem,
    /// PHP Composer packages.
    Composer,
    /// .NET NuGet packages.
    Nuget,
    /// Anything without a better home (for example a language runtime found in a binary).
    Generic,
}

impl Ecosystem {
    /// Every ecosystem, in a stable order.
    pub const ALL: [Ecosystem; 12] = [
        Ecosystem::Deb,
        Ecosystem::Apk,
        Ecosystem::Rpm,
        Ecosystem::Pypi,
        Ecosystem::Npm,
        Ecosystem::Maven,
        Ecosystem::Golang,
        Ecosystem::Cargo,
        Ecosystem::Gem,
        Ecosystem::Composer,
        Ecosystem::Nuget,
        Ecosystem::Generic,
    ];

    /// The purl type (`pkg:<type>/...`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Maven => "maven",
            Ecosystem::Golang => "golang",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
            Ecosystem::Generic => "generic",
        }
    }

    /// The OSV ecosystem name for language ecosystems (`None` for OS packages, whose OSV name
    /// carries the distro release, and for generic packages).
    pub fn osv_name(self) -> Option<&'static str> {
        Some(match self {
            Ecosystem::Pypi => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::Maven => "Maven",
            Ecosystem::Golang => "Go",
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Gem => "RubyGems",
            Ecosystem::Composer => "Packagist",
            Ecosystem::Nuget => "NuGet",
            _ => return None,
        })
    }

    /// Whether packages of this ecosystem are installed by the operating system's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// The error for an ecosystem name that warden does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown ecosystem '{0}'")]
pub struct UnknownEcosystem(pub String);

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    /// Accepts purl types and OSV ecosystem names, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.to_ascii_lowercase();
        Ok(match l.as_str() {
            "deb" | "debian" | "dpkg" | "ubuntu" => Ecosystem::Deb,
            "apk" | "alpine" | "wolfi" | "chainguard" => Ecosystem::Apk,
            "rpm" | "redhat" | "rhel" | "fedora" | "rocky" | "almalinux" | "suse" => Ecosystem::Rpm,
            "pypi" | "python" | "pip" => Ecosystem::Pypi,
            "npm" | "node" | "javascript" => Ecosystem::Npm,
            "maven" | "java" => Ecosystem::Maven,
            "golang" | "go" => Ecosystem::Golang,
            "cargo" | "crates.io" | "rust" => Ecosystem::Cargo,
            "gem" | "rubygems" | "ruby" => Ecosystem::Gem,
            "composer" | "packagist" | "php" => Ecosystem::Composer,
            "nuget" | ".net" | "dotnet" => Ecosystem::Nuget,
            "generic" => Ecosystem::Generic,
            _ => return Err(UnknownEcosystem(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_type_round_trips() {
        for e in Ecosystem::ALL {
            assert_eq!(e.purl_type().parse::<Ecosystem>().unwrap(), e);
        }
        assert_eq!("crates.io".parse::<Ecosystem>().unwrap(), Ecosystem::Cargo);
        assert!("cobol".parse::<Ecosystem>().is_err());
    }
}
