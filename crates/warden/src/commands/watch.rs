//! `warden watch`: the eBPF runtime sensor with Falco-compatible rules.

use std::fs::File;
use std::io::{self, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Deserialize;
use warden_rules::ratelimit::RateLimiter;
use warden_runtime::container::{ContainerCache, RuntimeConfig};
use warden_runtime::decode::BootClock;
use warden_runtime::mapper::Enricher;
use warden_runtime::metrics::Metrics;
use warden_runtime::output::{JsonLines, Sink, Syslog, Webhook, WebhookConfig};
use warden_runtime::proctree::ProcessTree;
use warden_runtime::{live, Pipeline, RulesEvaluator, SensorConfig};

use super::Globals;
use crate::exit;

const EXAMPLES: &str = "\
Examples:
  warden watch                                   default rules (Falco stable + warden), alerts on stdout
  warden watch --rules my_rules.yaml             other rules (files load in order, later ones override)
  warden watch -o /var/log/warden.jsonl --syslog
  warden watch --webhook http://127.0.0.1:2801/ --spool-dir /var/lib/warden/spool
  warden watch --metrics-addr 127.0.0.1:8765     /healthz and /metrics (Prometheus)
  warden watch record events.jsonl --duration 60 record 60 s of events (and alert as usual)
  warden watch replay events.jsonl --rules r.yaml  evaluate rules offline on a recording
  warden watch --cri-socket /run/k3s/containerd/containerd.sock   pod metadata from this CRI runtime

Alerts are JSON lines shaped like Falco's (time, rule, priority, output, output_fields, tags,
hostname, source). Kernel drops raise \"Falco internal: syscall event drop\" alerts.
Needs root (or CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE, CAP_SYS_PTRACE) and a kernel with BTF.
Exit: 0 stopped cleanly (SIGINT/SIGTERM or --duration), 65 rules or recording unreadable,
71 the BPF sensor could not load.";

/// Arguments of `warden watch`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct WatchArgs {
    /// Record or replay instead of only watching.
    #[command(subcommand)]
    pub mode: Option<WatchMode>,
    /// Rules files, loaded in order (default: Falco's stable rules and warden's rules).
    #[arg(short, long = "rules", value_name = "FILE", num_args = 1.., global = true)]
    pub rules: Vec<PathBuf>,
    /// Append alerts to FILE instead of writing them to stdout.
    #[arg(short, long, value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,
    /// Also send each alert to syslog.
    #[arg(long, global = true)]
    pub syslog: bool,
    /// The syslog socket.
    #[arg(long, value_name = "PATH", default_value = "/dev/log", global = true)]
    pub syslog_socket: PathBuf,
    /// Also POST each alert as JSON to this http:// URL (retries, then spools to disk).
    #[arg(long, value_name = "URL", global = true)]
    pub webhook: Option<String>,
    /// Where alerts wait while the webhook is down.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "/var/lib/warden/spool",
        global = true
    )]
    pub spool_dir: PathBuf,
    /// Spool size limit in bytes; alerts beyond it are dropped and counted.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20, global = true)]
    pub spool_max: u64,
    /// Alerts per second allowed per rule and container (sustained).
    #[arg(long, value_name = "N", default_value_t = 10.0, global = true)]
    pub rate: f64,
    /// Alerts allowed at once per rule and container.
    #[arg(long, value_name = "N", default_value_t = 50, global = true)]
    pub burst: u32,
    /// Do not rate-limit alerts.
    #[arg(long, global = true)]
    pub no_rate_limit: bool,
    /// Fire every matching rule, not only the first (Falco's `rule_matching: all`).
    #[arg(long, global = true)]
    pub all_matches: bool,
    /// Serve /healthz and /metrics on this address.
    #[arg(long, value_name = "ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,
    /// Kernel ring buffer size in MiB (a power of two).
    #[arg(long, value_name = "MIB", default_value_t = 16, global = true)]
    pub ring_mib: u32,
    /// Wake user space when this many KiB are queued in the ring (a power of two; at most a
    /// quarter of the ring is used). Below it events are drained every 50 ms. 0 wakes user
    /// space for every event, which costs the traced process a wake-up per syscall.
    #[arg(long, value_name = "KIB", default_value_t = 1024, global = true)]
    pub wake_kib: u32,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS", global = true)]
    pub duration: Option<u64>,
    /// CRI runtime socket (containerd, CRI-O) for container and pod metadata; repeatable.
    /// Default: the config's `watch: cri-sockets`, else those of /run/containerd/containerd.sock,
    /// /run/crio/crio.sock, /run/k3s/containerd/containerd.sock that exist.
    #[arg(long = "cri-socket", value_name = "PATH", global = true)]
    pub cri_sockets: Vec<PathBuf>,
}

/// The `watch:` section of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WatchConfig {
    /// CRI sockets, as `--cri-socket`.
    #[serde(default)]
    pub cri_sockets: Vec<PathBuf>,
}

/// `warden watch` modes.
#[derive(Debug, Subcommand)]
pub enum WatchMode {
    /// Watch and also record every event as a JSON line to FILE.
    Record {
        /// The recording to write.
        file: PathBuf,
    },
    /// Evaluate the rules on a recording instead of the live kernel.
    Replay {
        /// The recording to read (JSON lines of events).
        file: PathBuf,
    },
}

fn sinks(args: &WatchArgs, metrics: &Arc<Metrics>) -> anyhow::Result<Vec<Box<dyn Sink>>> {
    let mut out: Vec<Box<dyn Sink>> = Vec::new();
    match &args.output {
        Some(p) => out.push(Box::new(JsonLines::file(p).map_err(|e| {
            exit::fail(
                exit::SYSTEM,
                format!("cannot open alert file {}: {e}", p.display()),
            )
        })?)),
        None => out.push(Box::new(JsonLines::new(io::stdout()))),
    }
    if args.syslog {
        out.push(Box::new(
            Syslog::connect(&args.syslog_socket)
                .map_err(|e| exit::fail(exit::SYSTEM, e.to_string()))?,
        ));
    }
    if let Some(url) = &args.webhook {
        let cfg = WebhookConfig {
            url: url.clone(),
            spool_dir: args.spool_dir.clone(),
            spool_max_bytes: args.spool_max,
            retries: 3,
        };
        let hook = Webhook::start(cfg, metrics.clone()).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidInput => exit::fail(exit::USAGE, e.to_string()),
            _ => exit::fail(
                exit::SYSTEM,
                format!("webhook spool {}: {e}", args.spool_dir.display()),
            ),
        })?;
        out.push(Box::new(hook));
    }
    Ok(out)
}

fn load_rules(args: &WatchArgs) -> anyhow::Result<RulesEvaluator> {
    let loaded = if args.rules.is_empty() {
        RulesEvaluator::defaults(args.all_matches)
    } else {
        RulesEvaluator::from_files(&args.rules, args.all_matches)
    };
    let (rules, warnings) =
        loaded.map_err(|e| exit::fail(exit::INPUT, format!("rules did not load:\n{e}")))?;
    for w in &warnings {
        tracing::debug!("rules: {w}");
    }
    tracing::info!(
        rules = rules.len(),
        warnings = warnings.len(),
        "rules loaded"
    );
    Ok(rules)
}

fn limiter(args: &WatchArgs) -> Option<RateLimiter> {
    (!args.no_rate_limit).then(|| RateLimiter::new(args.rate, args.burst, 100_000))
}

/// Runs `warden watch`.
pub fn run(args: &WatchArgs, g: &Globals) -> anyhow::Result<ExitCode> {
    let cfg: WatchConfig = g.config.section("watch")?;
    let rules = load_rules(args)?;
    let metrics = Arc::new(Metrics::default());
    let clock = BootClock::now();
    if let Some(WatchMode::Replay { file }) = &args.mode {
        return replay(args, rules, metrics, clock, file);
    }
    if args.ring_mib == 0 || !args.ring_mib.is_power_of_two() || args.ring_mib > 1024 {
        return Err(exit::fail(
            exit::USAGE,
            format!("--ring-mib {}: a power of two up to 1024", args.ring_mib),
        ));
    }
    if args.wake_kib != 0 && (!args.wake_kib.is_power_of_two() || args.wake_kib > 1 << 20) {
        return Err(exit::fail(
            exit::USAGE,
            format!(
                "--wake-kib {}: 0 or a power of two up to 1048576",
                args.wake_kib
            ),
        ));
    }
    let stop = live::stop_on_signals()
        .map_err(|e| exit::fail(exit::SYSTEM, format!("signal handlers: {e}")))?;
    if let Some(secs) = args.duration {
        let s = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(secs));
            s.store(true, Ordering::Relaxed);
        });
    }
    let metrics_stop = Arc::new(AtomicBool::new(false));
    if let Some(addr) = args.metrics_addr {
        let bound = warden_runtime::metrics::serve(addr, metrics.clone(), metrics_stop.clone())
            .map_err(|e| exit::fail(exit::SYSTEM, format!("metrics endpoint {addr}: {e}")))?;
        tracing::info!(%bound, "serving /healthz and /metrics");
    }
    let mut tree = ProcessTree::new(clock);
    tree.bootstrap();
    let runtimes = RuntimeConfig {
        cri_sockets: if args.cri_sockets.is_empty() {
            cfg.cri_sockets
        } else {
            args.cri_sockets.clone()
        },
    };
    let enricher = Enricher::new(tree, ContainerCache::start(&runtimes), clock);
    let mut pipeline = Pipeline::new(
        enricher,
        rules,
        sinks(args, &metrics)?,
        limiter(args),
        metrics.clone(),
    );
    if let Some(WatchMode::Record { file }) = &args.mode {
        let f = File::create(file).map_err(|e| {
            exit::fail(
                exit::SYSTEM,
                format!("cannot create recording {}: {e}", file.display()),
            )
        })?;
        pipeline.record_to(Box::new(io::BufWriter::new(f)));
    }
    let cfg = SensorConfig {
        ring_bytes: args.ring_mib << 20,
        wake_bytes: args.wake_kib << 10,
        ..SensorConfig::default()
    };
    let result = live::run(&mut pipeline, cfg, &stop);
    pipeline.flush();
    metrics_stop.store(true, Ordering::Relaxed);
    let counters = result.map_err(|e| exit::fail(exit::SYSTEM, e.to_string()))?;
    tracing::info!(
        events = counters.events,
        drops = counters.drops,
        alerts = metrics.alerts.load(Ordering::Relaxed),
        suppressed = metrics.alerts_suppressed.load(Ordering::Relaxed),
        "sensor stopped"
    );
    Ok(ExitCode::from(exit::OK))
}

fn replay(
    args: &WatchArgs,
    rules: RulesEvaluator,
    metrics: Arc<Metrics>,
    clock: BootClock,
    file: &Path,
) -> anyhow::Result<ExitCode> {
    let f = File::open(file).map_err(|e| {
        exit::fail(
            exit::INPUT,
            format!("cannot read recording {}: {e}", file.display()),
        )
    })?;
    let enricher = Enricher::new(ProcessTree::new(clock), ContainerCache::offline(), clock);
    let mut pipeline = Pipeline::new(
        enricher,
        rules,
        sinks(args, &metrics)?,
        limiter(args),
        metrics.clone(),
    );
    let n = pipeline
        .replay(BufReader::new(f))
        .map_err(|e| exit::fail(exit::INPUT, format!("{}: {e}", file.display())))?;
    pipeline.flush();
    tracing::info!(
        events = n,
        alerts = metrics.alerts.load(Ordering::Relaxed),
        "replay done"
    );
    Ok(ExitCode::from(exit::OK))
}
