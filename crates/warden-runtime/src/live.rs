//! A live run: the sensor feeding the pipeline until asked to stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::pipeline::{kinds_for, Evaluator, Pipeline};
use crate::sensor::{KernelCounters, Sensor, SensorConfig, SensorError};

/// How often counters are read, drops alerted and pending alerts backfilled.
pub const TICK: Duration = Duration::from_secs(1);

/// Narrows `cfg` to what `evaluator`'s rules can match: only the syscalls they name (unless
/// `cfg.kinds` is already narrower), and opens without write access dropped in the kernel
/// when no rule can match one. A recording keeps those opens: it is meant for other rules.
pub fn narrow<E: Evaluator>(cfg: &mut SensorConfig, evaluator: &E, recording: bool) {
    let types = evaluator.event_types();
    let wanted = kinds_for(types.as_deref());
    cfg.kinds.retain(|k| wanted.contains(k));
    cfg.drop_read_only_opens = !recording && !evaluator.needs_read_only_opens();
}

/// Loads the sensor narrowed to `pipeline`'s rules (see [`narrow`]) and runs until `stop` is
/// set. Returns the final kernel counters.
pub fn run<E: Evaluator>(
    pipeline: &mut Pipeline<E>,
    mut cfg: SensorConfig,
    stop: &AtomicBool,
) -> Result<KernelCounters, SensorError> {
    narrow(&mut cfg, pipeline.evaluator(), pipeline.is_recording());
    let sensor = Sensor::load(&cfg)?;
    run_loaded(pipeline, &sensor, stop)
}

/// Runs an already loaded sensor (tests load their own with chosen syscalls).
pub fn run_loaded<E: Evaluator>(
    pipeline: &mut Pipeline<E>,
    sensor: &Sensor,
    stop: &AtomicBool,
) -> Result<KernelCounters, SensorError> {
    let metrics = pipeline.metrics().clone();
    let mut last = KernelCounters::default();
    let pipe = std::cell::RefCell::new(pipeline);
    sensor.run(
        stop,
        TICK,
        |rec| pipe.borrow_mut().on_record(rec),
        |s| {
            let now = s.counters();
            metrics.kernel_events.store(now.events, Ordering::Relaxed);
            metrics.kernel_drops.store(now.drops, Ordering::Relaxed);
            metrics
                .kernel_truncated
                .store(now.truncated, Ordering::Relaxed);
            metrics
                .kernel_filtered
                .store(now.filtered, Ordering::Relaxed);
            let mut p = pipe.borrow_mut();
            p.drops_alert(
                now.drops - last.drops.min(now.drops),
                now.events - last.events.min(now.events),
                TICK,
            );
            p.tick();
            p.flush();
            last = now;
        },
    )?;
    Ok(sensor.counters())
}

/// A flag that SIGINT and SIGTERM set, for a graceful stop: the ring buffer is drained, the
/// outputs are flushed and the BPF programs are detached.
pub fn stop_on_signals() -> std::io::Result<std::sync::Arc<AtomicBool>> {
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone())?;
    }
    Ok(stop)
}
