//! A fleet index of package sets: which of our images contain `log4j-core < 2.17`?
//!
//! Each added image (an [`Inventory`], from an image walk or an SBOM read back) is stored in one
//! SQLite file, normalised so that a thousand images of one base cost little more than one:
//! package names, `(name, version, purl)` variants and `(path, layer)` locations are stored once
//! each, and an image holds only one `(variant, image, location)` row per package, clustered by
//! variant. A query looks its name up in the name index, tests each distinct version once with
//! the package's own ecosystem ordering (`warden-version`), and reads only the rows of the
//! versions that match, so its cost grows with the number of matches, not with the fleet.
//!
//! ```no_run
//! use warden_index::{Index, Query};
//! let index = Index::open_existing(std::path::Path::new("fleet.db"))?;
//! for hit in index.query(&Query::parse("log4j-core<2.17")?)?.hits {
//!     println!("{} {} {} {}", hit.image, hit.name, hit.version, hit.location);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod query;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use warden_core::{Ecosystem, Inventory};

pub use query::{Op, Predicate, Query, QueryError};

/// Written into every index; a file with another value is refused rather than misread.
const SCHEMA: &str = "warden-index 1";

const DDL: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE images(
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    digest TEXT,
    os TEXT,
    source TEXT NOT NULL,
    packages INTEGER NOT NULL
);
CREATE TABLE names(
    id INTEGER PRIMARY KEY,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE(ecosystem, name)
);
CREATE INDEX names_key ON names(key);
CREATE TABLE variants(
    id INTEGER PRIMARY KEY,
    name_id INTEGER NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    UNIQUE(name_id, version, purl)
);
CREATE TABLE locs(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    layer TEXT NOT NULL,
    UNIQUE(path, layer)
);
CREATE TABLE occ(
    variant_id INTEGER NOT NULL,
    image_id INTEGER NOT NULL,
    loc_id INTEGER NOT NULL,
    PRIMARY KEY(variant_id, image_id, loc_id)
) WITHOUT ROWID;
CREATE INDEX occ_image ON occ(image_id);
";

/// Why the index could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// No index file at the path (queries do not create one).
    #[error("no index at {}: add images first with `warden sbom index add IMAGE|SBOM...`", .path.display())]
    Missing {
        /// The index file.
        path: PathBuf,
    },
    /// The file is not a warden index, or one of another schema version.
    #[error("{} is not a warden index ({reason})", .path.display())]
    NotAnIndex {
        /// The index file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// SQLite failed (I/O, corruption, a lock held too long).
    #[error("index {}: {source}", .path.display())]
    Sqlite {
        /// The index file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The directory for a new index could not be created.
    #[error("creating {}: {source}", .path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An image's inventory cannot be stored (for example, it has no name at all).
    #[error("{0}")]
    Inventory(String),
}

/// What [`Index::add`] stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    /// The image's display name (first tag, else the reference or SBOM path).
    pub image: String,
    /// Its identity in the index: the config digest when known, else the reference.
    pub key: String,
    /// Package occurrences stored.
    pub packages: usize,
    /// Whether an earlier entry with the same key was replaced.
    pub replaced: bool,
}

/// One indexed image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageEntry {
    /// Display name.
    pub image: String,
    /// Identity (config digest or reference).
    pub key: String,
    /// Image config digest, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Operating system (`debian 12`), when detected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// What it was added from (image reference or SBOM path).
    pub source: String,
    /// Package occurrences stored.
    pub packages: usize,
}

/// One package occurrence that matched a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The image's display name.
    pub image: String,
    /// Image config digest, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The package's ecosystem.
    pub ecosystem: Ecosystem,
    /// Package name as the ecosystem spells it.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Package URL.
    pub purl: String,
    /// Where in the image it was found.
    pub location: String,
    /// The diff ID of the layer that brought it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// A version that could not be compared under its ecosystem's rules (it is not reported as a
/// match, and not silently dropped either).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uncomparable {
    /// The package's ecosystem.
    pub ecosystem: Ecosystem,
    /// Package name.
    pub name: String,
    /// The version found in images.
    pub version: String,
    /// Why it could not be compared.
    pub reason: String,
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryResult {
    /// The query as given.
    pub query: String,
    /// Images in the index.
    pub images_searched: usize,
    /// Matching occurrences, sorted by image, name, version, location.
    pub hits: Vec<Hit>,
    /// Versions of matching packages that their ecosystem's ordering rejects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncomparable: Vec<Uncomparable>,
}

/// Sizes of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Images.
    pub images: usize,
    /// Package occurrences over all images.
    pub occurrences: usize,
    /// Distinct `(ecosystem, name)`.
    pub names: usize,
    /// Distinct `(name, version, purl)`.
    pub variants: usize,
}

/// An open index file.
pub struct Index {
    conn: Connection,
    path: PathBuf,
}

/// The lookup key of a package name: what [`Query::keys`] computes from a query.
fn name_key(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::Maven => name.rsplit(':').next().unwrap_or(name).to_lowercase(),
        Ecosystem::Pypi => query::pep503(name),
        _ => name.to_lowercase(),
    }
}

impl Index {
    /// Opens the index at `path`, creating it (and its directory) when missing.
    pub fn open(path: &Path) -> Result<Index, IndexError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| IndexError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        let mut index = Index {
            conn,
            path: path.to_path_buf(),
        };
        index.init()?;
        Ok(index)
    }

    /// Opens an existing index read-only; a missing file is [`IndexError::Missing`].
    pub fn open_existing(path: &Path) -> Result<Index, IndexError> {
        if !path.exists() {
            return Err(IndexError::Missing {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| IndexError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        let index = Index {
            conn,
            path: path.to_path_buf(),
        };
        index.check_schema()?;
        Ok(index)
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> IndexError {
        match source {
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase => {
                IndexError::NotAnIndex {
                    path: self.path.clone(),
                    reason: "not an SQLite database".into(),
                }
            }
            source => IndexError::Sqlite {
                path: self.path.clone(),
                source,
            },
        }
    }

    fn check_schema(&self) -> Result<(), IndexError> {
        let has_meta: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.sql(e))?;
        if !has_meta {
            return Err(IndexError::NotAnIndex {
                path: self.path.clone(),
                reason: "an SQLite database without warden's tables".into(),
            });
        }
        let schema: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        match schema.as_deref() {
            Some(SCHEMA) => Ok(()),
            other => Err(IndexError::NotAnIndex {
                path: self.path.clone(),
                reason: format!(
                    "schema '{}', this warden reads '{SCHEMA}'",
                    other.unwrap_or("none")
                ),
            }),
        }
    }

    fn init(&mut self) -> Result<(), IndexError> {
        // Rollback journal, not WAL: an index is one self-contained file to copy around.
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")
            .map_err(|e| self.sql(e))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if tables == 0 {
            let tx = self
                .conn
                .transaction()
                .map_err(|source| IndexError::Sqlite {
                    path: self.path.clone(),
                    source,
                })?;
            tx.execute_batch(DDL)
                .and_then(|_| {
                    tx.execute(
                        "INSERT INTO meta(key, value) VALUES ('schema', ?1)",
                        [SCHEMA],
                    )
                })
                .and_then(|_| tx.commit())
                .map_err(|source| IndexError::Sqlite {
                    path: self.path.clone(),
                    source,
                })?;
        }
        self.check_schema()
    }

    /// Stores `inv` as one image, replacing an earlier entry of the same image (same config
    /// digest, or the same reference when the digest is unknown). `source` records what it was
    /// read from.
    pub fn add(&mut self, inv: &Inventory, source: &str) -> Result<Added, IndexError> {
        let digest = inv
            .image
            .as_ref()
            .map(|m| m.id.clone())
            .filter(|d| !d.is_empty());
        let display = inv
            .image
            .as_ref()
            .and_then(|m| m.repo_tags.first().cloned())
            .filter(|t| !t.is_empty())
            .or_else(|| Some(inv.target.clone()).filter(|t| !t.is_empty()))
            .or_else(|| inv.image.as_ref().map(|m| m.reference.clone()))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| source.to_string());
        if display.is_empty() {
            return Err(IndexError::Inventory(
                "the inventory names no image and no source was given".into(),
            ));
        }
        let key = digest.clone().unwrap_or_else(|| display.clone());
        let os = inv
            .os
            .as_ref()
            .map(|o| format!("{} {}", o.id, o.version_id).trim().to_string());
        let path = self.path.clone();
        let sql = |source| IndexError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let old: Option<i64> = tx
            .query_row("SELECT id FROM images WHERE key = ?1", [&key], |r| r.get(0))
            .optional()
            .map_err(sql)?;
        if let Some(id) = old {
            tx.execute("DELETE FROM occ WHERE image_id = ?1", [id])
                .map_err(sql)?;
            tx.execute("DELETE FROM images WHERE id = ?1", [id])
                .map_err(sql)?;
        }
        let mut rows: Vec<(i64, i64)> = Vec::new();
        {
            let mut name_stmt = tx
                .prepare_cached(
                    "INSERT INTO names(ecosystem, name, key) VALUES (?1, ?2, ?3)
                     ON CONFLICT(ecosystem, name) DO UPDATE SET key = excluded.key RETURNING id",
                )
                .map_err(sql)?;
            let mut variant_stmt = tx
                .prepare_cached(
                    "INSERT INTO variants(name_id, version, purl) VALUES (?1, ?2, ?3)
                     ON CONFLICT(name_id, version, purl) DO UPDATE SET purl = excluded.purl
                     RETURNING id",
                )
                .map_err(sql)?;
            let mut loc_stmt = tx
                .prepare_cached(
                    "INSERT INTO locs(path, layer) VALUES (?1, ?2)
                     ON CONFLICT(path, layer) DO UPDATE SET layer = excluded.layer RETURNING id",
                )
                .map_err(sql)?;
            let mut names: HashMap<(Ecosystem, &str), i64> = HashMap::new();
            let mut locs: HashMap<(&str, &str), i64> = HashMap::new();
            for p in &inv.packages {
                let name_id = match names.get(&(p.ecosystem, p.name.as_str())) {
                    Some(id) => *id,
                    None => {
                        let id: i64 = name_stmt
                            .query_row(
                                params![
                                    p.ecosystem.purl_type(),
                                    p.name,
                                    name_key(p.ecosystem, &p.name)
                                ],
                                |r| r.get(0),
                            )
                            .map_err(sql)?;
                        names.insert((p.ecosystem, p.name.as_str()), id);
                        id
                    }
                };
                let variant_id: i64 = variant_stmt
                    .query_row(params![name_id, p.version, p.purl], |r| r.get(0))
                    .map_err(sql)?;
                let mut any = false;
                for l in &p.locations {
                    let layer = l.layer.as_deref().unwrap_or("");
                    let loc_id = match locs.get(&(l.path.as_str(), layer)) {
                        Some(id) => *id,
                        None => {
                            let id: i64 = loc_stmt
                                .query_row(params![l.path, layer], |r| r.get(0))
                                .map_err(sql)?;
                            locs.insert((l.path.as_str(), layer), id);
                            id
                        }
                    };
                    rows.push((variant_id, loc_id));
                    any = true;
                }
                if !any {
                    let key = ("", "");
                    let loc_id = match locs.get(&key) {
                        Some(id) => *id,
                        None => {
                            let id: i64 = loc_stmt
                                .query_row(params!["", ""], |r| r.get(0))
                                .map_err(sql)?;
                            locs.insert(key, id);
                            id
                        }
                    };
                    rows.push((variant_id, loc_id));
                }
            }
        }
        rows.sort_unstable();
        rows.dedup();
        tx.execute(
            "INSERT INTO images(key, name, digest, os, source, packages) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![key, display, digest, os, source, rows.len() as i64],
        )
        .map_err(sql)?;
        let image_id = tx.last_insert_rowid();
        {
            let mut occ = tx
                .prepare_cached("INSERT INTO occ(variant_id, image_id, loc_id) VALUES (?1, ?2, ?3)")
                .map_err(sql)?;
            for (v, l) in &rows {
                occ.execute(params![v, image_id, l]).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        Ok(Added {
            image: display,
            key,
            packages: rows.len(),
            replaced: old.is_some(),
        })
    }

    /// Removes the images whose key (digest) or display name is `image`; returns how many.
    pub fn remove(&mut self, image: &str) -> Result<usize, IndexError> {
        let path = self.path.clone();
        let sql = |source| IndexError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let ids: Vec<i64> = {
            let mut st = tx
                .prepare("SELECT id FROM images WHERE key = ?1 OR name = ?1")
                .map_err(sql)?;
            let ids = st
                .query_map([image], |r| r.get(0))
                .map_err(sql)?
                .collect::<Result<_, _>>()
                .map_err(sql)?;
            ids
        };
        for id in &ids {
            tx.execute("DELETE FROM occ WHERE image_id = ?1", [id])
                .map_err(sql)?;
            tx.execute("DELETE FROM images WHERE id = ?1", [id])
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(ids.len())
    }

    /// Every indexed image, sorted by name then key.
    pub fn images(&self) -> Result<Vec<ImageEntry>, IndexError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT name, key, digest, os, source, packages FROM images ORDER BY name, key",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(ImageEntry {
                    image: r.get(0)?,
                    key: r.get(1)?,
                    digest: r.get(2)?,
                    os: r.get(3)?,
                    source: r.get(4)?,
                    packages: r.get::<_, i64>(5)? as usize,
                })
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e));
        rows
    }

    /// Counts of images, occurrences, names and variants.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let count = |table: &str| -> Result<usize, IndexError> {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n as usize)
                .map_err(|e| self.sql(e))
        };
        Ok(Stats {
            images: count("images")?,
            occurrences: count("occ")?,
            names: count("names")?,
            variants: count("variants")?,
        })
    }

    /// Runs a query: every occurrence of a matching package in a matching version.
    pub fn query(&self, q: &Query) -> Result<QueryResult, IndexError> {
        let images_searched = self.stats_images()?;
        let matcher = query::Matcher::new(q);
        let mut hits = Vec::new();
        let mut uncomparable = Vec::new();
        let mut name_st = self
            .conn
            .prepare_cached("SELECT id, ecosystem, name FROM names WHERE key = ?1")
            .map_err(|e| self.sql(e))?;
        let mut variant_st = self
            .conn
            .prepare_cached("SELECT id, version, purl FROM variants WHERE name_id = ?1")
            .map_err(|e| self.sql(e))?;
        let mut occ_st = self
            .conn
            .prepare_cached(
                "SELECT i.name, i.digest, l.path, l.layer
                 FROM occ o JOIN images i ON i.id = o.image_id JOIN locs l ON l.id = o.loc_id
                 WHERE o.variant_id = ?1",
            )
            .map_err(|e| self.sql(e))?;
        let mut seen_names = std::collections::BTreeSet::new();
        for key in q.keys() {
            let names: Vec<(i64, String, String)> = name_st
                .query_map([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(|e| self.sql(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.sql(e))?;
            for (name_id, eco, name) in names {
                let Ok(ecosystem) = eco.parse::<Ecosystem>() else {
                    continue;
                };
                if !seen_names.insert(name_id) || !q.matches_name(ecosystem, &name) {
                    continue;
                }
                let variants: Vec<(i64, String, String)> = variant_st
                    .query_map([name_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .map_err(|e| self.sql(e))?
                    .collect::<Result<_, _>>()
                    .map_err(|e| self.sql(e))?;
                for (variant_id, version, purl) in variants {
                    match matcher.matches(ecosystem, &version) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(e) => {
                            uncomparable.push(Uncomparable {
                                ecosystem,
                                name: name.clone(),
                                version,
                                reason: e.to_string(),
                            });
                            continue;
                        }
                    }
                    let rows = occ_st
                        .query_map([variant_id], |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, Option<String>>(1)?,
                                r.get::<_, String>(2)?,
                                r.get::<_, String>(3)?,
                            ))
                        })
                        .map_err(|e| self.sql(e))?;
                    for row in rows {
                        let (image, digest, location, layer) = row.map_err(|e| self.sql(e))?;
                        hits.push(Hit {
                            image,
                            digest,
                            ecosystem,
                            name: name.clone(),
                            version: version.clone(),
                            purl: purl.clone(),
                            location,
                            layer: Some(layer).filter(|l| !l.is_empty()),
                        });
                    }
                }
            }
        }
        hits.sort_by(|a, b| {
            (
                &a.image,
                &a.digest,
                &a.name,
                &a.version,
                &a.location,
                &a.layer,
            )
                .cmp(&(
                    &b.image,
                    &b.digest,
                    &b.name,
                    &b.version,
                    &b.location,
                    &b.layer,
                ))
        });
        hits.dedup();
        uncomparable.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        uncomparable.dedup();
        Ok(QueryResult {
            query: q.text.clone(),
            images_searched,
            hits,
            uncomparable,
        })
    }

    fn stats_images(&self) -> Result<usize, IndexError> {
        self.conn
            .query_row("SELECT count(*) FROM images", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_core::{ImageMeta, Location, Package};

    fn inv(tag: &str, id: &str, pkgs: &[(Ecosystem, &str, &str, &str)]) -> Inventory {
        Inventory {
            target: format!("docker-archive:{tag}.tar"),
            image: Some(ImageMeta {
                id: id.to_string(),
                repo_tags: vec![tag.to_string()],
                ..ImageMeta::default()
            }),
            packages: pkgs
                .iter()
                .map(|(e, n, v, path)| {
                    Package::new(*e, *n, *v).at(Location {
                        path: path.to_string(),
                        layer: Some("sha256:l1".into()),
                    })
                })
                .collect(),
            ..Inventory::default()
        }
    }

    #[test]
    fn add_query_replace_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/index.db");
        let mut ix = Index::open(&path).unwrap();
        let log4j = "org.apache.logging.log4j:log4j-core";
        ix.add(
            &inv(
                "app:1",
                "sha256:a1",
                &[
                    (
                        Ecosystem::Maven,
                        log4j,
                        "2.14.1",
                        "/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar",
                    ),
                    (Ecosystem::Deb, "libc6", "2.36-9", "/var/lib/dpkg/status"),
                ],
            ),
            "a.tar",
        )
        .unwrap();
        ix.add(
            &inv(
                "app:2",
                "sha256:a2",
                &[(Ecosystem::Maven, log4j, "2.17.1", "/app/log4j-core.jar")],
            ),
            "b.tar",
        )
        .unwrap();
        ix.add(
            &inv(
                "py:1",
                "sha256:p1",
                &[(Ecosystem::Pypi, "log4j-core", "1.0", "/x")],
            ),
            "c.tar",
        )
        .unwrap();
        let r = ix.query(&Query::parse("log4j-core<2.17").unwrap()).unwrap();
        assert_eq!(r.images_searched, 3);
        let got: Vec<_> = r
            .hits
            .iter()
            .map(|h| (h.image.as_str(), h.version.as_str()))
            .collect();
        // The PyPI package of the same name matches too: no ecosystem was named.
        assert_eq!(got, [("app:1", "2.14.1"), ("py:1", "1.0")]);
        assert_eq!(
            r.hits[0].location,
            "/app/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"
        );
        assert_eq!(r.hits[0].layer.as_deref(), Some("sha256:l1"));
        let r = ix
            .query(&Query::parse("pkg:maven/org.apache.logging.log4j/log4j-core@<2.17").unwrap())
            .unwrap();
        assert_eq!(r.hits.len(), 1);

        // Re-adding the same image (same config digest) replaces it.
        let a = ix
            .add(
                &inv(
                    "app:1",
                    "sha256:a1",
                    &[(Ecosystem::Maven, log4j, "2.17.1", "/app/x.jar")],
                ),
                "a.tar",
            )
            .unwrap();
        assert!(a.replaced);
        let r = ix
            .query(&Query::parse("pkg:maven/log4j-core@<2.17").unwrap())
            .unwrap();
        assert!(r.hits.is_empty(), "{:?}", r.hits);
        assert_eq!(ix.stats().unwrap().images, 3);
        assert_eq!(ix.remove("app:2").unwrap(), 1);
        assert_eq!(ix.images().unwrap().len(), 2);
        drop(ix);

        let ro = Index::open_existing(&path).unwrap();
        let r = ro.query(&Query::parse("libc6>=2.36").unwrap()).unwrap();
        assert!(r.hits.is_empty(), "the replaced app:1 no longer has libc6");
    }

    #[test]
    fn uncomparable_versions_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut ix = Index::open(&dir.path().join("i.db")).unwrap();
        ix.add(
            &inv(
                "a",
                "sha256:1",
                &[(Ecosystem::Pypi, "foo", "not a version!", "/p")],
            ),
            "a",
        )
        .unwrap();
        let r = ix.query(&Query::parse("foo<2").unwrap()).unwrap();
        assert!(r.hits.is_empty());
        assert_eq!(r.uncomparable.len(), 1);
        assert_eq!(r.uncomparable[0].version, "not a version!");
    }

    #[test]
    fn refuses_what_is_not_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.db");
        assert!(matches!(
            Index::open_existing(&missing),
            Err(IndexError::Missing { .. })
        ));
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
        let e = Index::open_existing(&junk).err().unwrap();
        assert!(e.to_string().contains("junk.db"), "{e}");
        assert!(Index::open(&junk).is_err());
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t(x)")
            .unwrap();
        let e = Index::open(&other).err().unwrap();
        assert!(e.to_string().contains("not a warden index"), "{e}");
    }
}
