//! `rpmdb.sqlite` (rpm ≥ 4.16: Fedora 33+, RHEL 9+): a `Packages(hnum, blob)` table of header
//! blobs.

use std::io::Write;

use super::rpm_header::{parse_header, RpmPackage};
use super::ParseError;

/// Reads every header of an `rpmdb.sqlite` image. SQLite needs a file, so the bytes go to a
/// private temp file first; the database is opened read-only and never written back.
/// A header that fails to parse is returned as an error beside the good ones.
pub fn parse_rpmdb_sqlite(data: &[u8]) -> Result<(Vec<RpmPackage>, Vec<ParseError>), ParseError> {
    let mut tmp = tempfile::NamedTempFile::new()
        .map_err(|e| ParseError::new(format!("creating temp file: {e}")))?;
    tmp.write_all(data)
        .map_err(|e| ParseError::new(format!("writing temp file: {e}")))?;
    tmp.flush()
        .map_err(|e| ParseError::new(format!("writing temp file: {e}")))?;
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(tmp.path(), flags)
        .map_err(|e| ParseError::new(format!("opening sqlite: {e}")))?;
    let sql_err = |e: rusqlite::Error| ParseError::new(format!("reading Packages table: {e}"));
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(sql_err)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(sql_err)?;
    let mut pkgs = Vec::new();
    let mut errors = Vec::new();
    for row in rows {
        let (hnum, blob) = row.map_err(sql_err)?;
        match parse_header(&blob) {
            Ok(p) => pkgs.push(p),
            Err(e) => errors.push(ParseError::new(format!("header {hnum}: {}", e.message))),
        }
    }
    Ok((pkgs, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_real_rpmdb_sqlite() {
        let p = format!(
            "{}/tests/fixtures/rpm/rpmdb.sqlite",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let (pkgs, errors) = parse_rpmdb_sqlite(&data).expect("parse");
        assert!(errors.is_empty(), "{errors:?}");
        let got: Vec<_> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.evr(), p.arch.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("wardenlib", "2:0.9-1".to_string(), "x86_64"),
                ("hello", "1.2.3-4".to_string(), "x86_64"),
                ("bigpkg", "3.0-7.fc40".to_string(), "noarch"),
            ]
        );
        let hello = &pkgs[1];
        assert_eq!(hello.license, "MIT");
        assert_eq!(hello.vendor, "Warden Fixtures");
        assert_eq!(hello.source(), Some(("hello".into(), "1.2.3-4".into())));
        assert!(
            hello.files.iter().any(|f| f == "/usr/bin/hello"),
            "{:?}",
            hello.files
        );
        assert_eq!(
            pkgs[2].files.iter().filter(|f| f.ends_with(".txt")).count(),
            300
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_rpmdb_sqlite(b"this is not a database, just some bytes").is_err());
    }
}
