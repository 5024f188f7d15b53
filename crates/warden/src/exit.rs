//! The one table of exit codes. Codes are part of warden's interface and never change meaning.

use std::process::ExitCode;

/// Success, and no finding reached the failure threshold.
pub const OK: u8 = 0;
/// Findings reached the failure threshold (Trivy's `--exit-code` default; lint findings).
pub const FINDINGS: u8 = 1;
/// Grype-style `--fail-on` threshold reached.
#[allow(dead_code)] // reserved in the documented table; `warden scan` is not wired yet
pub const FAIL_ON: u8 = 2;
/// Bad usage: unknown flag, invalid value, malformed config or ignore file.
pub const USAGE: u8 = 64;
/// The input (image, Dockerfile, SBOM, rules file) could not be read or parsed.
pub const INPUT: u8 = 65;
/// The vulnerability database is missing, corrupt, of the wrong schema or too old.
pub const DATABASE: u8 = 66;
/// The image could not be found or read (daemon, registry, archive, layout).
pub const IMAGE: u8 = 67;
/// An operating-system level failure (permissions, kernel feature missing, I/O).
pub const SYSTEM: u8 = 71;
/// Signature or attestation verification failed.
#[allow(dead_code)] // reserved in the documented table; `warden verify` is not wired yet
pub const VERIFY: u8 = 72;

/// A failure with a chosen exit code, for errors that must not map to the generic one.
#[derive(Debug)]
pub struct Exit {
    /// The exit code.
    pub code: u8,
    /// The message printed on stderr.
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// Builds an error that exits with `code`.
pub fn fail(code: u8, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Exit {
        code,
        message: message.into(),
    })
}

/// Prints the error chain to stderr and picks its exit code. A broken pipe exits 0 so that
/// `warden ... | head` is not an error.
pub fn report_error(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::from(OK);
            }
        }
    }
    let code = err
        .chain()
        .find_map(|c| c.downcast_ref::<Exit>().map(|e| e.code))
        .unwrap_or(INPUT);
    crate::messages::error(&format!("{err:#}"));
    ExitCode::from(code)
}
