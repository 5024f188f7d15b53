//! EPSS scores: FIRST's daily `epss_scores-YYYY-MM-DD.csv` (`cve,epss,percentile` with a
//! `#model_version,score_date` comment) and the per-year mirror split (`CVE_2021_EPSS.csv`,
//! headerless, `;`-separated). Enrichment only: joined to advisories by CVE.

use super::{basename, is_cve, Sink};
use crate::input::Member;

const FEED: &str = "epss";
const SOURCE: &str = "epss";

pub(crate) fn matches(path: &str, _data: &[u8]) -> bool {
    let n = basename(path);
    (n.starts_with("CVE_") && n.ends_with("_EPSS.csv"))
        || (n.starts_with("epss_scores") && n.ends_with(".csv"))
}

pub(crate) fn parse(m: &Member<'_>, sink: &mut Sink) {
    sink.file(SOURCE, FEED, m.mtime);
    let text = match std::str::from_utf8(m.data) {
        Ok(t) => t,
        Err(e) => return sink.reject(SOURCE, FEED, m.display, format!("not UTF-8: {e}")),
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("cve,") {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            if let Some(d) = c
                .split(',')
                .find_map(|kv| kv.trim().strip_prefix("score_date:"))
            {
                sink.date(SOURCE, FEED, Some(d));
            }
            continue;
        }
        let sep = if line.contains(';') { ';' } else { ',' };
        let mut it = line.split(sep);
        let (cve, e, p) = (it.next().unwrap_or(""), it.next(), it.next());
        let parsed = match (
            e.and_then(|x| x.trim().parse::<f32>().ok()),
            p.and_then(|x| x.trim().parse::<f32>().ok()),
        ) {
            (Some(e), Some(p))
                if (0.0..=1.0).contains(&e) && (0.0..=1.0).contains(&p) && is_cve(cve) =>
            {
                Some((e, p))
            }
            _ => None,
        };
        match parsed {
            Some(v) => {
                sink.epss.insert(cve.to_string(), v);
                sink.stats(SOURCE, FEED).accepted += 1;
            }
            None => sink.reject(
                SOURCE,
                FEED,
                format!("{}:{}", m.display, n + 1),
                format!(
                    "expected 'CVE-ID{sep}epss{sep}percentile' with values in 0..1, found '{line}'"
                ),
            ),
        }
    }
}
