//! Go executables: the build info gives the main module, every dependency module and the
//! toolchain, reported as `stdlib`.

use warden_core::{Ecosystem, Location, Package};
use warden_image::{EntryMeta, InspectedFile, Interest};

use crate::parse::go_buildinfo::{is_executable, parse_go_binary};
use crate::{CatalogError, Cataloger, Found};

/// The Go binary cataloger.
pub struct GoBinary;

/// Executables with any execute bit and an executable magic. Shared with the Rust cataloger so
/// both see the same files.
pub(crate) fn wants_executable(e: &EntryMeta<'_>) -> bool {
    e.mode & 0o111 != 0 && e.size >= 1024 && is_executable(e.head)
}

impl Cataloger for GoBinary {
    fn id(&self) -> &'static str {
        "go-binary"
    }

    fn version(&self) -> u32 {
        1
    }

    fn interest(&self, e: &EntryMeta<'_>) -> Interest {
        if wants_executable(e) {
            Interest::Inspect
        } else {
            Interest::Skip
        }
    }

    fn inspect(&self, file: &InspectedFile<'_>, out: &mut Found) -> Result<(), CatalogError> {
        if !is_executable(file.data) {
            return Ok(());
        }
        let layer = (!file.diff_id.is_empty()).then(|| file.diff_id.to_string());
        let info = match parse_go_binary(file.data) {
            Ok(Some(i)) => i,
            Ok(None) => return Ok(()),
            // Not every file with an ELF magic is a well-formed executable; only a Go binary
            // whose build info is damaged is worth reporting.
            Err(e) if file.data.windows(14).any(|w| w == b"\xff Go buildinf:") => {
                return Err(CatalogError::parse(
                    file.path,
                    layer.as_deref(),
                    format!("go build info: {e}"),
                ))
            }
            Err(_) => return Ok(()),
        };
        let location = Location {
            path: file.path.to_string(),
            layer,
        };
        let make = |name: &str, version: &str, sum: &str| {
            let mut p = Package::new(Ecosystem::Golang, name, version);
            p.found_by = "go-binary".into();
            p.locations.push(location.clone());
            if !sum.is_empty() {
                p.metadata.insert("h1Digest".into(), sum.to_string());
            }
            p.metadata
                .insert("goVersion".into(), info.go_version.clone());
            p
        };
        let main = info.main.as_ref().filter(|m| !m.path.is_empty()).map(|m| {
            let mut p = make(&m.path, &m.version, &m.sum);
            p.metadata.insert("mainModule".into(), "true".into());
            for (k, v) in &info.settings {
                if matches!(
                    k.as_str(),
                    "GOOS" | "GOARCH" | "vcs.revision" | "vcs.time" | "-ldflags"
                ) {
                    p.metadata.insert(format!("build.{k}"), v.clone());
                }
            }
            p
        });
        let deps: Vec<Package> = info
            .deps
            .iter()
            .map(|d| make(&d.path, &d.version, &d.sum))
            .collect();
        let stdlib = info.stdlib_version().map(|v| make("stdlib", &v, ""));
        let main_idx = main.map(|p| out.add(p));
        for p in deps.into_iter().chain(stdlib) {
            let i = out.add(p);
            if let Some(m) = main_idx {
                out.relate(m, i);
            }
        }
        Ok(())
    }
}
