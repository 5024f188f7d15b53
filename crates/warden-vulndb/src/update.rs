//! `warden db update`: download the public feeds (or a mirror of them) with progress, resume and
//! checksums, then build.
//!
//! A mirror is a base URL serving files plus a `SHA256SUMS` file in `sha256sum` format. With
//! mirrors, the file list is the mirror's `SHA256SUMS` and every file is checked against it; an
//! air-gapped site copies the feeds and the sums file to any static web server. Without mirrors
//! the [`default_sources`] are fetched from upstream, which publishes no checksums: their sha256
//! is recorded in the download directory's `SHA256SUMS` so the set can be re-served as a mirror.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::build::{build, BuildOptions, BuildReport};
use crate::error::{Error, Result};
use crate::input::Limits;

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSource {
    /// The file name in the download directory (the name feeds recognise it by).
    pub file: String,
    /// Where it comes from.
    pub url: String,
}

/// The public sources `update` fetches when no mirror is given.
pub fn default_sources() -> Vec<FeedSource> {
    let mut v = Vec::new();
    for eco in [
        "PyPI",
        "Go",
        "crates.io",
        "npm",
        "Maven",
        "NuGet",
        "RubyGems",
        "Packagist",
        "Debian",
        "Alpine",
        "Ubuntu",
    ] {
        v.push(FeedSource {
            file: format!("osv-{eco}-all.zip"),
            url: format!("https://osv-vulnerabilities.storage.googleapis.com/{eco}/all.zip"),
        });
    }
    for rel in ["v3.18", "v3.19", "v3.20", "v3.21"] {
        for repo in ["main", "community"] {
            v.push(FeedSource {
                file: format!("alpine-secdb/{rel}/{repo}.json"),
                url: format!("https://secdb.alpinelinux.org/{rel}/{repo}.json"),
            });
        }
    }
    v.push(FeedSource {
        file: "debian-security-tracker.json".into(),
        url: "https://security-tracker.debian.org/tracker/data/json".into(),
    });
    v.push(FeedSource {
        file: "known_exploited_vulnerabilities.json".into(),
        url: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
            .into(),
    });
    v.push(FeedSource {
        file: "epss_scores-current.csv.gz".into(),
        url: "https://epss.cyentia.com/epss_scores-current.csv.gz".into(),
    });
    for f in ["modified", "recent"] {
        v.push(FeedSource {
            file: format!("nvdcve-2.0-{f}.json.gz"),
            url: format!("https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-{f}.json.gz"),
        });
    }
    v
}

/// How to update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Where downloads are kept (and resumed from).
    pub dir: PathBuf,
    /// Mirror base URLs, tried in order. Empty: upstream [`default_sources`].
    pub mirrors: Vec<String>,
    /// Files to fetch from upstream when there is no mirror; default [`default_sources`].
    pub sources: Vec<FeedSource>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Archive bounds for the build.
    pub limits: Limits,
}

impl UpdateOptions {
    /// Defaults for a download directory.
    pub fn new(dir: PathBuf) -> Self {
        UpdateOptions {
            dir,
            mirrors: vec![],
            sources: default_sources(),
            timeout: Duration::from_secs(300),
            limits: Limits::default(),
        }
    }
}

/// Progress of one download, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The file.
    pub file: String,
    /// Bytes on disk so far (including a resumed prefix).
    pub done: u64,
    /// Total bytes, when the server says.
    pub total: Option<u64>,
    /// Set once the file is complete.
    pub finished: bool,
}

/// One downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Its path.
    pub path: PathBuf,
    /// Its sha256.
    pub sha256: String,
    /// Bytes transferred in this run (less than the size when resumed or already present).
    pub transferred: u64,
    /// Whether it resumed a partial download.
    pub resumed: bool,
    /// Whether the file was already present with the right checksum.
    pub cached: bool,
}

fn dl_err(url: &str, reason: impl std::fmt::Display) -> Error {
    Error::Download {
        url: url.to_string(),
        reason: reason.to_string(),
    }
}

/// Parses a `sha256sum` listing: `<hex>  <name>` (or `<hex> *<name>`).
pub fn parse_sums(text: &str, at: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || Error::Invalid {
            what: "SHA256SUMS line",
            value: format!("{at}:{}", n + 1),
            reason: format!("expected '<sha256>  <file>', found '{line}'"),
        };
        let (h, name) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
        let name = name.trim().trim_start_matches('*');
        if h.len() != 64
            || !h.bytes().all(|b| b.is_ascii_hexdigit())
            || name.is_empty()
            || name.contains("..")
            || name.starts_with('/')
        {
            return Err(bad());
        }
        out.insert(name.to_string(), h.to_ascii_lowercase());
    }
    Ok(out)
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::io(path, e))?;
    Ok(hex::encode(h.finalize()))
}

fn join_url(base: &str, file: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), file)
}

/// Downloads every source into `opts.dir`, resuming partial files, and checks checksums.
pub fn download(
    opts: &UpdateOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Vec<Downloaded>> {
    std::fs::create_dir_all(&opts.dir).map_err(|e| Error::io(&opts.dir, e))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| dl_err("-", format!("starting the I/O runtime: {e}")))?;
    let client = reqwest::Client::builder()
        .timeout(opts.timeout)
        .user_agent(concat!("warden-vulndb/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| dl_err("-", e))?;
    rt.block_on(async {
        let mut out = Vec::new();
        if opts.mirrors.is_empty() {
            let mut sums = String::new();
            for s in &opts.sources {
                let d = fetch(
                    &client,
                    std::slice::from_ref(&s.url),
                    &opts.dir.join(&s.file),
                    &s.file,
                    None,
                    progress,
                )
                .await?;
                sums.push_str(&format!("{}  {}\n", d.sha256, s.file));
                out.push(d);
            }
            let p = opts.dir.join("SHA256SUMS");
            std::fs::write(&p, sums).map_err(|e| Error::io(&p, e))?;
            return Ok(out);
        }
        // The sums file itself comes from the first mirror that serves it.
        let mut last = None;
        let mut sums = None;
        for m in &opts.mirrors {
            let url = join_url(m, "SHA256SUMS");
            match get_small(&client, &url).await {
                Ok(text) => {
                    sums = Some(parse_sums(&text, &url)?);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(sums) = sums else {
            return Err(last.unwrap_or_else(|| dl_err("SHA256SUMS", "no mirror given")));
        };
        for (file, sha) in &sums {
            let urls: Vec<String> = opts.mirrors.iter().map(|m| join_url(m, file)).collect();
            out.push(
                fetch(
                    &client,
                    &urls,
                    &opts.dir.join(file),
                    file,
                    Some(sha),
                    progress,
                )
                .await?,
            );
        }
        let p = opts.dir.join("SHA256SUMS");
        let text: String = sums.iter().map(|(f, h)| format!("{h}  {f}\n")).collect();
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
        Ok(out)
    })
}

async fn get_small(client: &reqwest::Client, url: &str) -> Result<String> {
    let r = client.get(url).send().await.map_err(|e| dl_err(url, e))?;
    if !r.status().is_success() {
        return Err(dl_err(url, format!("HTTP {}", r.status())));
    }
    r.text().await.map_err(|e| dl_err(url, e))
}

/// Fetches one file from the first URL that works. A `.part` file left by an interrupted run is
/// resumed with a `Range` request; a server that ignores the range restarts it from zero.
async fn fetch(
    client: &reqwest::Client,
    urls: &[String],
    dest: &Path,
    name: &str,
    expected: Option<&String>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Downloaded> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    if let Some(exp) = expected {
        if dest.is_file() && sha256_file(dest)? == *exp {
            progress(&Progress {
                file: name.into(),
                done: 0,
                total: None,
                finished: true,
            });
            return Ok(Downloaded {
                path: dest.to_path_buf(),
                sha256: exp.clone(),
                transferred: 0,
                resumed: false,
                cached: true,
            });
        }
    }
    let part = PathBuf::from(format!("{}.part", dest.display()));
    let mut last = None;
    for url in urls {
        match fetch_one(client, url, &part, name, progress).await {
            Ok((transferred, resumed)) => {
                let sha = sha256_file(&part)?;
                if let Some(exp) = expected {
                    if sha != *exp {
                        // A bad file must not be resumed from next time.
                        let _ = std::fs::remove_file(&part);
                        return Err(Error::Checksum {
                            file: url.clone(),
                            expected: exp.clone(),
                            actual: sha,
                        });
                    }
                }
                std::fs::rename(&part, dest).map_err(|e| Error::io(dest, e))?;
                return Ok(Downloaded {
                    path: dest.to_path_buf(),
                    sha256: sha,
                    transferred,
                    resumed,
                    cached: false,
                });
            }
            Err(e) => {
                tracing::warn!(url = %url, error = %e, "download failed; trying the next mirror if any");
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| dl_err(name, "no URL to fetch from")))
}

async fn fetch_one(
    client: &reqwest::Client,
    url: &str,
    part: &Path,
    name: &str,
    progress: &mut dyn FnMut(&Progress),
) -> Result<(u64, bool)> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut req = client.get(url);
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut resp = req.send().await.map_err(|e| dl_err(url, e))?;
    let status = resp.status();
    let resumed = status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0;
    if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE {
        // The part is already whole (or longer than the file): start again to be sure.
        std::fs::remove_file(part).map_err(|e| Error::io(part, e))?;
        return Box::pin(fetch_one(client, url, part, name, progress)).await;
    }
    if !status.is_success() {
        return Err(dl_err(url, format!("HTTP {status}")));
    }
    if resumed {
        let cr = resp
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let start = cr
            .strip_prefix("bytes ")
            .and_then(|r| r.split('-').next())
            .and_then(|s| s.parse::<u64>().ok());
        if start != Some(have) {
            return Err(dl_err(
                url,
                format!("asked to resume at {have}, server answered Content-Range '{cr}'"),
            ));
        }
    }
    let total = resp
        .content_length()
        .map(|l| if resumed { l + have } else { l });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(part)
        .map_err(|e| Error::io(part, e))?;
    let mut done = if resumed { have } else { 0 };
    let mut transferred = 0u64;
    progress(&Progress {
        file: name.into(),
        done,
        total,
        finished: false,
    });
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                file.write_all(&c).map_err(|e| Error::io(part, e))?;
                done += c.len() as u64;
                transferred += c.len() as u64;
                progress(&Progress {
                    file: name.into(),
                    done,
                    total,
                    finished: false,
                });
            }
            Ok(None) => break,
            Err(e) => {
                let _ = file.sync_all();
                return Err(dl_err(
                    url,
                    format!("interrupted after {done} bytes ({e}); run again to resume"),
                ));
            }
        }
    }
    file.sync_all().map_err(|e| Error::io(part, e))?;
    if let Some(t) = total {
        if done != t {
            return Err(dl_err(
                url,
                format!("got {done} of {t} bytes; run again to resume"),
            ));
        }
    }
    progress(&Progress {
        file: name.into(),
        done,
        total,
        finished: true,
    });
    Ok((transferred, resumed))
}

/// Downloads (see [`download`]) and builds `db` from everything in the download directory.
pub fn update(
    opts: &UpdateOptions,
    db: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<(Vec<Downloaded>, BuildReport)> {
    let files = download(opts, progress)?;
    let inputs: Vec<PathBuf> = files.iter().map(|d| d.path.clone()).collect();
    let report = build(&BuildOptions {
        inputs,
        output: db.to_path_buf(),
        limits: opts.limits,
        built_at: None,
    })?;
    Ok((files, report))
}
