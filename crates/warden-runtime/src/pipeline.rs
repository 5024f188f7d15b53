//! The user-space pipeline: decoded kernel events → process tree and container enrichment →
//! rule evaluation → rate limit → outputs. Recording and replay go through the same code, so a
//! recording replays into the same alerts the live sensor raised.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use warden_rules::Event;

use crate::cgroup::ContainerRef;
use crate::decode::{self, Kind, RawEvent};
use crate::mapper::Enricher;
use crate::metrics::Metrics;
use warden_rules::ratelimit::{Decision, RateLimiter};

use crate::output::{rfc3339_ns, FalcoAlert, Sink};

/// What evaluates events: the compiled ruleset behind a narrow interface, so the pipeline can
/// be tested with a small evaluator and the rule engine can change without touching it.
pub trait Evaluator: Send {
    /// The `evt.type` names some rule needs; `None` means every type.
    fn event_types(&self) -> Option<Vec<String>>;
    /// Appends the alerts `ev` raises to `out`.
    fn evaluate(&mut self, ev: &Event, hostname: &str, out: &mut Vec<FalcoAlert>);
    /// Whether some rule could match an open without write access (`evt.is_open_write`
    /// false). `false` lets the kernel drop those opens, so it must only be answered when
    /// certain; the default keeps them.
    fn needs_read_only_opens(&self) -> bool {
        true
    }
}

/// The kinds the kernel must emit for `types` (plus the always-on state set).
pub fn kinds_for(types: Option<&[String]>) -> Vec<Kind> {
    match types {
        None => Kind::ALL.to_vec(),
        Some(t) => Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_state() || t.iter().any(|n| n == k.name()))
            .collect(),
    }
}

/// An alert sent while its container's metadata was still unknown, waiting to be sent again
/// with the fields filled in.
struct Backfill {
    event: Event,
    container: ContainerRef,
    rules: Vec<String>,
    since: Instant,
}

/// Gives up backfilling after this long (the engine does not know the container).
const BACKFILL_FOR: Duration = Duration::from_secs(10);
/// Alerts waiting for backfill; beyond this they are only counted.
const BACKFILL_MAX: usize = 1024;

/// The pipeline.
pub struct Pipeline<E: Evaluator> {
    /// Enrichment state.
    pub enricher: Enricher,
    evaluator: E,
    sinks: Vec<Box<dyn Sink>>,
    limiter: Option<RateLimiter>,
    metrics: Arc<Metrics>,
    record: Option<Box<dyn Write + Send>>,
    hostname: String,
    scratch: Vec<FalcoAlert>,
    backfill: Vec<Backfill>,
}

impl<E: Evaluator> Pipeline<E> {
    /// A pipeline writing to `sinks`.
    pub fn new(
        enricher: Enricher,
        evaluator: E,
        sinks: Vec<Box<dyn Sink>>,
        limiter: Option<RateLimiter>,
        metrics: Arc<Metrics>,
    ) -> Pipeline<E> {
        Pipeline {
            enricher,
            evaluator,
            sinks,
            limiter,
            metrics,
            record: None,
            hostname: crate::output::hostname(),
            scratch: Vec::new(),
            backfill: Vec::new(),
        }
    }

    /// Also writes every mapped event as a JSON line to `w` (`warden watch record`).
    pub fn record_to(&mut self, w: Box<dyn Write + Send>) {
        self.record = Some(w);
    }

    /// Whether every mapped event is being recorded.
    pub fn is_recording(&self) -> bool {
        self.record.is_some()
    }

    /// The evaluator.
    pub fn evaluator(&self) -> &E {
        &self.evaluator
    }

    /// The shared counters.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// One ring-buffer record.
    pub fn on_record(&mut self, bytes: &[u8]) {
        match decode::decode(bytes) {
            Ok(raw) => self.on_raw(&raw),
            Err(e) => {
                self.metrics.decode_errors.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(kind = e.label(), "undecodable record: {e}");
            }
        }
    }

    /// One decoded kernel event.
    pub fn on_raw(&mut self, raw: &RawEvent) {
        self.metrics.events.fetch_add(1, Ordering::Relaxed);
        let unknown_before = self.enricher.tree.stats().unknown;
        let ev = self.enricher.handle(raw);
        if self.enricher.tree.stats().unknown > unknown_before {
            self.metrics.proc_unknown.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(w) = &mut self.record {
            let r = serde_json::to_writer(&mut *w, &ev)
                .map_err(io::Error::from)
                .and_then(|_| w.write_all(b"\n"));
            if let Err(e) = r {
                tracing::warn!("recording stopped: {e}");
                self.record = None;
            }
        }
        self.on_event(&ev, true);
        self.enricher.recycle(ev);
    }

    /// One mapped event (live or replayed).
    pub fn on_event(&mut self, ev: &Event, live: bool) {
        let mut alerts = std::mem::take(&mut self.scratch);
        alerts.clear();
        self.evaluator.evaluate(ev, &self.hostname, &mut alerts);
        if alerts.is_empty() {
            self.scratch = alerts;
            return;
        }
        let pending = ev.container.as_ref().filter(|c| !c.metadata_complete);
        if live {
            if let Some(c) = pending {
                self.metrics
                    .container_pending
                    .fetch_add(1, Ordering::Relaxed);
                if self.backfill.len() < BACKFILL_MAX {
                    self.backfill.push(Backfill {
                        event: ev.clone(),
                        container: ContainerRef {
                            full_id: c.full_id.to_string(),
                            runtime: runtime_of(&c.runtime),
                        },
                        rules: alerts.iter().map(|a| a.rule.clone()).collect(),
                        since: Instant::now(),
                    });
                }
            }
        }
        let key = ev
            .container
            .as_ref()
            .map(|c| c.id.as_str())
            .unwrap_or("host")
            .to_owned();
        for mut a in alerts.drain(..) {
            self.emit_limited(&mut a, &key, ev.ts);
        }
        self.scratch = alerts;
    }

    fn emit_limited(&mut self, a: &mut FalcoAlert, key: &str, ts: u64) {
        if let Some(l) = &mut self.limiter {
            match l.check(&a.rule, key, ts) {
                Decision::Emit { suppressed: 0 } => {}
                Decision::Emit { suppressed } => {
                    a.output_fields.insert(
                        "warden.suppressed".to_owned(),
                        serde_json::Value::from(suppressed),
                    );
                }
                Decision::Suppress => {
                    self.metrics
                        .alerts_suppressed
                        .fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        self.emit(a);
    }

    /// Sends one alert to every sink.
    pub fn emit(&mut self, a: &FalcoAlert) {
        self.metrics.alerts.fetch_add(1, Ordering::Relaxed);
        for s in &mut self.sinks {
            if let Err(e) = s.emit(a) {
                self.metrics.output_errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("alert output failed: {e}");
            }
        }
    }

    /// Periodic work: sends backfilled alerts whose container metadata has arrived.
    pub fn tick(&mut self) {
        if self.backfill.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.backfill);
        for mut b in pending {
            match self.enricher.containers.lookup(&b.container) {
                Some(meta) => {
                    if let Some(c) = &mut b.event.container {
                        meta.fill(c);
                    }
                    let mut alerts = Vec::new();
                    self.evaluator
                        .evaluate(&b.event, &self.hostname, &mut alerts);
                    for mut a in alerts.into_iter().filter(|a| b.rules.contains(&a.rule)) {
                        a.output_fields
                            .insert("warden.backfill".to_owned(), serde_json::Value::Bool(true));
                        self.emit(&a);
                    }
                }
                None if b.since.elapsed() < BACKFILL_FOR => self.backfill.push(b),
                None => {}
            }
        }
    }

    /// Raises the sensor's own alert for kernel drops seen since the last call.
    pub fn drops_alert(&mut self, drops: u64, events: u64, window: Duration) {
        if drops == 0 {
            return;
        }
        let mut fields = BTreeMap::new();
        fields.insert("n_drops".to_owned(), serde_json::Value::from(drops));
        fields.insert("n_drops_buffer".to_owned(), serde_json::Value::from(drops));
        fields.insert("n_evts".to_owned(), serde_json::Value::from(events));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let a = FalcoAlert {
            hostname: self.hostname.clone(),
            output: format!(
                "Falco internal: syscall event drop. {drops} system calls dropped in last {:.0} second(s).",
                window.as_secs_f64().max(1.0)
            ),
            output_fields: fields,
            priority: "Critical".to_owned(),
            rule: "Falco internal: syscall event drop".to_owned(),
            source: "internal".to_owned(),
            tags: vec![],
            time: rfc3339_ns(now),
        };
        self.emit(&a);
    }

    /// Evaluates a recording (JSON lines of `Event`). Returns the number of events read; a
    /// malformed line is an error naming its line number.
    pub fn replay<R: BufRead>(&mut self, r: R) -> Result<u64, ReplayError> {
        let mut n = 0;
        for (i, line) in r.lines().enumerate() {
            let line = line.map_err(|e| ReplayError::Io {
                line: i + 1,
                source: e,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let ev: Event = serde_json::from_str(&line).map_err(|e| ReplayError::Json {
                line: i + 1,
                source: e,
            })?;
            self.metrics.events.fetch_add(1, Ordering::Relaxed);
            self.on_event(&ev, false);
            n += 1;
        }
        Ok(n)
    }

    /// Flushes every sink and the recording.
    pub fn flush(&mut self) {
        for s in &mut self.sinks {
            let _ = s.flush();
        }
        if let Some(w) = &mut self.record {
            let _ = w.flush();
        }
    }
}

fn runtime_of(s: &str) -> crate::cgroup::Runtime {
    use crate::cgroup::Runtime;
    match s {
        "containerd" => Runtime::Containerd,
        "cri-o" => Runtime::CriO,
        "podman" => Runtime::Podman,
        _ => Runtime::Docker,
    }
}

/// A recording that could not be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Reading failed.
    #[error("line {line}: {source}")]
    Io {
        /// 1-based line.
        line: usize,
        /// The error.
        source: io::Error,
    },
    /// A line is not an event.
    #[error("line {line}: not a warden event: {source}")]
    Json {
        /// 1-based line.
        line: usize,
        /// The error.
        source: serde_json::Error,
    },
}
