//! End-of-life distro releases. A release past its vendor's end of support gets no new
//! advisories, so a clean scan of it means nothing: the scan says so loudly instead.
//!
//! The table is embedded and dated ([`TABLE_DATE`]); dates are the end of the vendor's standard
//! security support (Debian: end of LTS; Ubuntu: end of standard support, ESM not counted; Alpine:
//! end of the branch; RHEL-likes: end of maintenance support). A release older than every row of
//! its distro is end-of-life too.

use time::macros::date;
use time::Date;

/// When the table was last checked against the vendors' published schedules.
pub const TABLE_DATE: &str = "2026-11-28";

/// `(os-release ID, release, end of support)`.
const TABLE: &[(&str, &str, Date)] = &[
    ("debian", "8", date!(2020 - 06 - 30)),
    ("debian", "9", date!(2022 - 06 - 30)),
    ("debian", "10", date!(2024 - 06 - 30)),
    ("debian", "11", date!(2026 - 08 - 31)),
    ("debian", "12", date!(2028 - 06 - 30)),
    ("debian", "13", date!(2030 - 06 - 30)),
    ("ubuntu", "14.04", date!(2019 - 04 - 30)),
    ("ubuntu", "16.04", date!(2021 - 04 - 30)),
    ("ubuntu", "18.04", date!(2023 - 05 - 31)),
    ("ubuntu", "19.10", date!(2020 - 07 - 17)),
    ("ubuntu", "20.04", date!(2025 - 05 - 31)),
    ("ubuntu", "20.10", date!(2021 - 07 - 22)),
    ("ubuntu", "21.04", date!(2022 - 01 - 20)),
    ("ubuntu", "21.10", date!(2022 - 07 - 14)),
    ("ubuntu", "22.04", date!(2027 - 06 - 01)),
    ("ubuntu", "22.10", date!(2023 - 07 - 20)),
    ("ubuntu", "23.04", date!(2024 - 01 - 25)),
    ("ubuntu", "23.10", date!(2024 - 07 - 11)),
    ("ubuntu", "24.04", date!(2029 - 05 - 31)),
    ("ubuntu", "24.10", date!(2025 - 07 - 10)),
    ("ubuntu", "25.04", date!(2026 - 01 - 15)),
    ("ubuntu", "25.10", date!(2026 - 07 - 09)),
    ("alpine", "3.10", date!(2021 - 05 - 01)),
    ("alpine", "3.11", date!(2021 - 11 - 01)),
    ("alpine", "3.12", date!(2022 - 05 - 01)),
    ("alpine", "3.13", date!(2022 - 11 - 01)),
    ("alpine", "3.14", date!(2023 - 05 - 01)),
    ("alpine", "3.15", date!(2023 - 11 - 01)),
    ("alpine", "3.16", date!(2024 - 05 - 23)),
    ("alpine", "3.17", date!(2024 - 11 - 22)),
    ("alpine", "3.18", date!(2025 - 05 - 09)),
    ("alpine", "3.19", date!(2025 - 11 - 01)),
    ("alpine", "3.20", date!(2026 - 04 - 01)),
    ("alpine", "3.21", date!(2026 - 11 - 01)),
    ("alpine", "3.22", date!(2027 - 05 - 01)),
    ("alpine", "3.23", date!(2027 - 11 - 01)),
    ("rhel", "7", date!(2024 - 06 - 30)),
    ("rhel", "8", date!(2029 - 05 - 31)),
    ("rhel", "9", date!(2032 - 05 - 31)),
    ("centos", "7", date!(2024 - 06 - 30)),
    ("centos", "8", date!(2021 - 12 - 31)),
    ("rocky", "8", date!(2029 - 05 - 31)),
    ("rocky", "9", date!(2032 - 05 - 31)),
    ("almalinux", "8", date!(2029 - 03 - 01)),
    ("almalinux", "9", date!(2032 - 05 - 31)),
    ("ol", "7", date!(2024 - 12 - 31)),
    ("ol", "8", date!(2029 - 07 - 31)),
    ("ol", "9", date!(2032 - 06 - 30)),
    ("amzn", "2", date!(2026 - 06 - 30)),
    ("amzn", "2023", date!(2029 - 06 - 30)),
];

/// The release as the table spells it: Debian and RHEL-likes by major version, Alpine by
/// `major.minor`, Ubuntu by `YY.MM`.
fn release(id: &str, version: &str) -> String {
    let v = version.trim().trim_start_matches('v');
    let parts: Vec<&str> = v.split('.').collect();
    match id {
        "alpine" | "ubuntu" => parts.iter().take(2).copied().collect::<Vec<_>>().join("."),
        _ => parts.first().copied().unwrap_or("").to_string(),
    }
}

fn numeric(r: &str) -> Option<Vec<u32>> {
    r.split('.').map(|p| p.parse().ok()).collect()
}

/// When `id` release `version` reached (or reaches) its end of support, if the table knows:
/// `Some((date, exact))`, where `exact` is false for a release older than every row.
pub fn end_of_life(id: &str, version: &str) -> Option<(Date, bool)> {
    let id = id.to_ascii_lowercase();
    let rel = release(&id, version);
    let rows: Vec<&(&str, &str, Date)> = TABLE.iter().filter(|(d, _, _)| *d == id).collect();
    if let Some((_, _, eol)) = rows.iter().find(|(_, r, _)| *r == rel) {
        return Some((*eol, true));
    }
    let v = numeric(&rel)?;
    let oldest = rows
        .iter()
        .filter_map(|row| Some((numeric(row.1)?, row.2)))
        .min_by(|a, b| a.0.cmp(&b.0))?;
    (v < oldest.0).then_some((oldest.1, false))
}

/// The warning for a release past its end of support on `today`, else `None`. `label` names the
/// release as the user knows it (`debian 10`).
pub fn warning(id: &str, label: &str, today: Date) -> Option<String> {
    let version = label.rsplit(' ').next().unwrap_or("");
    let (eol, exact) = end_of_life(id, version)?;
    if today < eol {
        return None;
    }
    Some(if exact {
        format!("{label} reached end of life on {eol}: it gets no security fixes and no new advisories, so this scan misses every vulnerability found since; upgrade the base image")
    } else {
        format!("{label} is older than every supported release (end of life before {eol}): it gets no security fixes and no new advisories; upgrade the base image")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_past_their_date_warn() {
        let today = date!(2026 - 11 - 28);
        assert!(warning("debian", "debian 10", today)
            .unwrap()
            .contains("2024-06-30"));
        assert!(warning("debian", "debian 10.13", today).is_some());
        assert!(warning("debian", "debian 12", today).is_none());
        assert!(warning("debian", "debian 7", today)
            .unwrap()
            .contains("older than"));
        assert!(warning("alpine", "alpine 3.20.3", today).is_some());
        assert!(warning("alpine", "alpine 3.22.1", today).is_none());
        assert!(warning("ubuntu", "ubuntu 23.10", today).is_some());
        assert!(warning("ubuntu", "ubuntu 24.04", today).is_none());
        assert!(warning("centos", "centos 7.9.2009", today).is_some());
        // Unknown distros and future releases are not guessed at.
        assert!(warning("wolfi", "wolfi 20230201", today).is_none());
        assert!(warning("debian", "debian 14", today).is_none());
        assert!(warning("debian", "debian 12", date!(2028 - 07 - 01)).is_some());
    }
}
