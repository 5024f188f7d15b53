//! A live run: the sensor feeding the pipeline until asked to stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::pipeline::{kinds_for, Evaluator, Pipeline};
use crate::sensor::{KernelCounters, Sensor, SensorConfig, SensorError};

/// How often counters are read, drops alerted and pending alerts backfilled.
pub const TICK: Duration = Duration::from_secs(1);

/// Loads the sensor with the syscalls `pipeline`'s rules need (unless `cfg.kinds` is already
/// narrower) and runs until `stop` is set. Returns the final kernel counters.
pub fn run<E: Evaluator>(
    pipeline: &mut Pipeline<E>,
    mut cfg: SensorConfig,
    stop: &AtomicBool,
) -> Result<KernelCounters, SensorError> {
    let types = pipeline.evaluator().event_types();
    let wanted = kinds_for(types.as_deref());
    cfg.kinds.retain(|k| wanted.contains(k));
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
