//! Shared label checks for DL3048–DL3058.

use crate::ast::{Instruction, KeyValue, Kind};
use crate::config::LabelType;
use crate::context::Ctx;

/// Every LABEL pair with its instruction.
pub fn all_labels<'a>(cx: &Ctx<'a>) -> Vec<(&'a Instruction, &'a KeyValue)> {
    let mut out = Vec::new();
    for inst in &cx.df.instructions {
        let inner = super::helpers::unwrap_onbuild(inst);
        if let Kind::Label(kvs) = &inner.kind {
            for kv in kvs {
                out.push((inst, kv));
            }
        }
    }
    out
}

/// Runs a typed-label check: for each LABEL pair whose key has `typ` in the schema and whose
/// value is not empty, `valid` decides.
pub fn typed(
    cx: &Ctx,
    out: &mut super::Out,
    typ: LabelType,
    template: &str,
    valid: fn(&str) -> bool,
) {
    for (inst, kv) in all_labels(cx) {
        if cx.config.label_schema.get(&kv.key) == Some(&typ)
            && !kv.value.is_empty()
            && !valid(&kv.value)
        {
            out.msg(inst, template.replace("{}", &kv.key));
        }
    }
}

/// An absolute URL with a scheme and a host.
pub fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !v.contains(char::is_whitespace)
}

/// RFC 3339 date-time.
pub fn is_rfc3339(v: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$").ok()
    })
    .as_ref()
    .is_some_and(|r| r.is_match(v))
}

/// Semantic version 2.0.0.
pub fn is_semver(v: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-((0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(\+([0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*))?$").ok()
    })
    .as_ref()
    .is_some_and(|r| r.is_match(v))
}

/// A git commit hash: 40 hex digits (full) or 7 (short).
pub fn is_git_hash(v: &str) -> bool {
    (v.len() == 40 || v.len() == 7) && v.chars().all(|c| c.is_ascii_hexdigit())
}

/// An e-mail address (RFC 5322 addr-spec, simplified).
pub fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !v.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// An SPDX license expression over known identifiers.
pub fn is_spdx(v: &str) -> bool {
    let cleaned = v.replace(['(', ')'], " ");
    let mut any = false;
    for tok in cleaned.split_whitespace() {
        if matches!(tok, "AND" | "OR" | "WITH") {
            continue;
        }
        let id = tok.trim_end_matches('+');
        if !(SPDX_IDS.contains(&id)
            || id.starts_with("LicenseRef-")
            || SPDX_EXCEPTIONS.contains(&id))
        {
            return false;
        }
        any = true;
    }
    any
}

const SPDX_EXCEPTIONS: &[&str] = &[
    "Classpath-exception-2.0",
    "LLVM-exception",
    "GCC-exception-3.1",
    "OpenJDK-assembly-exception-1.0",
];

/// A common subset of the SPDX license list.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BSL-1.0",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CECILL-2.1",
    "CPL-1.0",
    "ECL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "GFDL-1.3",
    "GPL-1.0",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.0",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "MS-PL",
    "MS-RL",
    "NCSA",
    "ODbL-1.0",
    "OFL-1.1",
    "OpenSSL",
    "PHP-3.01",
    "PostgreSQL",
    "Python-2.0",
    "Ruby",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.1",
    "BlueOak-1.0.0",
    "PSF-2.0",
    "Unicode-DFS-2016",
    "Unicode-3.0",
];
