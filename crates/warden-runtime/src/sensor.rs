//! Loads the BPF sensor, selects the syscalls in the kernel, and drains its ring buffer.

use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::{MapCore, MapFlags, OpenObject, RingBufferBuilder};

use crate::decode::Kind;
use crate::skel::{SensorSkel, SensorSkelBuilder};

/// What to load.
#[derive(Debug, Clone)]
pub struct SensorConfig {
    /// Syscalls to trace; the state set (exec, clone, exit) is always added.
    pub kinds: Vec<Kind>,
    /// Ring buffer size in bytes (a power of two, at least one page).
    pub ring_bytes: u32,
    /// Bytes of argv captured per exec (at most 4095).
    pub argv_max: u32,
    /// Wake-up mark in bytes (a power of two, or 0): each CPU wakes the consumer once per
    /// its share of the mark (the mark divided by the CPUs), so at most the mark is queued
    /// without a wake-up, and user space otherwise drains every [`POLL`]. At most a quarter of
    /// the ring is used; 0 wakes the consumer for every record.
    pub wake_bytes: u32,
    /// Drop opens without write access in the kernel, before they cost a path copy and a
    /// ring-buffer record. Only for rule sets where no rule can match such an open
    /// ([`crate::live::narrow`] decides); off by default.
    pub drop_read_only_opens: bool,
}

/// The longest the consumer sleeps before it drains the ring without a wake-up: the bound on
/// alert latency below the wake-up mark.
pub const POLL: Duration = Duration::from_millis(50);

impl Default for SensorConfig {
    fn default() -> SensorConfig {
        SensorConfig {
            kinds: Kind::ALL.to_vec(),
            ring_bytes: 16 << 20,
            argv_max: 4095,
            wake_bytes: 1 << 20,
            drop_read_only_opens: false,
        }
    }
}

/// The sensor could not start. Every variant means the kernel side is unavailable
/// (privileges, BTF, kernel version), which `warden watch` reports as a system failure.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// Opening the embedded object failed.
    #[error("cannot open the BPF sensor object: {0}")]
    Open(String),
    /// The kernel refused to load a program or map (verifier, BTF, privileges).
    #[error("the kernel refused the BPF sensor (needs root or CAP_BPF+CAP_PERFMON, BTF at /sys/kernel/btf/vmlinux, kernel >= 5.17): {0}")]
    Load(String),
    /// Attaching a program failed.
    #[error("cannot attach the BPF sensor: {0}")]
    Attach(String),
    /// Setting up or polling the ring buffer failed.
    #[error("ring buffer: {0}")]
    Ring(String),
    /// A bad setting.
    #[error("invalid sensor setting: {0}")]
    Config(String),
}

/// Totals of the kernel-side counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KernelCounters {
    /// Events written to the ring buffer.
    pub events: u64,
    /// Events dropped because the ring buffer was full.
    pub drops: u64,
    /// Strings cut at their capture limit.
    pub truncated: u64,
    /// Opens dropped in the kernel because no loaded rule can match them.
    pub filtered: u64,
}

/// The loaded, attached sensor. Dropping it detaches and unloads every program.
pub struct Sensor {
    skel: SensorSkel<'static>,
    kinds: Vec<Kind>,
}

/// Which [`Kind`] a program serves, from its name (`exit_openat` → `openat`). `None` for
/// the programs that always run (the dispatcher and the scheduler tracepoints).
fn kind_of_prog(name: &str) -> Option<Kind> {
    Kind::from_name(name.strip_prefix("exit_")?)
}

/// Possible CPUs: the per-CPU maps have one slot each.
fn cpus() -> Result<u32, SensorError> {
    libbpf_rs::num_possible_cpus()
        .map_err(|e| SensorError::Load(format!("cannot count the possible CPUs: {e}")))
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX).max(1))
}

/// The kernel's per-CPU wake-up shift for a mark of `wake` bytes (0 or a power of two) over
/// `cpus` CPUs: each CPU wakes the consumer once per `wake / cpus` bytes it writes, so at most
/// `wake` bytes are queued without a wake-up. 0 (wake on every record) stays 0.
fn wake_shift(wake: u32, cpus: u32) -> u32 {
    if wake == 0 {
        return 0;
    }
    // Shift 0 would mean "every record": the smallest per-CPU mark is 2 bytes, which wakes on
    // every record anyway.
    (wake / cpus.next_power_of_two()).max(2).trailing_zeros()
}

impl Sensor {
    /// Opens, configures, loads and attaches the sensor.
    pub fn load(cfg: &SensorConfig) -> Result<Sensor, SensorError> {
        if !cfg.ring_bytes.is_power_of_two() || cfg.ring_bytes < 4096 {
            return Err(SensorError::Config(format!(
                "ring buffer size {} is not a power of two of at least 4096",
                cfg.ring_bytes
            )));
        }
        if cfg.wake_bytes != 0 && !cfg.wake_bytes.is_power_of_two() {
            return Err(SensorError::Config(format!(
                "wake-up mark {} is not 0 or a power of two",
                cfg.wake_bytes
            )));
        }
        // A mark must leave room to queue past it before the ring fills.
        let wake = cfg.wake_bytes.min(cfg.ring_bytes / 4);
        let mut kinds: Vec<Kind> = cfg.kinds.clone();
        kinds.extend(Kind::ALL.iter().copied().filter(|k| k.is_state()));
        kinds.sort();
        kinds.dedup();
        let mask = kinds.iter().fold(0u64, |m, k| m | k.bit());
        // The skeleton borrows its object storage for its whole life; one small allocation
        // per loaded sensor is kept for the life of the process.
        let storage: &'static mut MaybeUninit<OpenObject> =
            Box::leak(Box::new(MaybeUninit::uninit()));
        let mut open = SensorSkelBuilder::default()
            .open(storage)
            .map_err(|e| SensorError::Open(e.to_string()))?;
        let rodata = open
            .maps
            .rodata_data
            .as_deref_mut()
            .ok_or_else(|| SensorError::Open("the object has no .rodata".into()))?;
        rodata.enabled_mask = mask;
        rodata.self_tgid = std::process::id();
        rodata.argv_max = cfg.argv_max.min(4095);
        rodata.wake_shift = wake_shift(wake, cpus()?);
        rodata.drop_read_only_opens = u32::from(cfg.drop_read_only_opens);
        open.maps
            .events
            .set_max_entries(cfg.ring_bytes)
            .map_err(|e| SensorError::Config(e.to_string()))?;
        for mut prog in open.open_object_mut().progs_mut() {
            let name = prog.name().to_string_lossy().into_owned();
            if let Some(k) = kind_of_prog(&name) {
                // Not selected: not even loaded. Selected: reached by tail call from the
                // dispatcher, never attached on its own.
                prog.set_autoload(kinds.contains(&k));
                prog.set_autoattach(false);
            }
        }
        let mut skel = open
            .load()
            .map_err(|e| SensorError::Load(format!("{e:#}")))?;
        let mut slots = Vec::new();
        for prog in skel.object().progs() {
            let name = prog.name().to_string_lossy().into_owned();
            let Some(nr) = kind_of_prog(&name)
                .filter(|k| kinds.contains(k))
                .and_then(Kind::x86_64_syscall)
            else {
                continue;
            };
            slots.push((nr, prog.as_fd().as_raw_fd()));
        }
        for (nr, fd) in slots {
            skel.maps
                .syscall_tail
                .update(&nr.to_ne_bytes(), &fd.to_ne_bytes(), MapFlags::ANY)
                .map_err(|e| SensorError::Load(format!("syscall {nr} slot: {e}")))?;
        }
        skel.attach()
            .map_err(|e| SensorError::Attach(format!("{e:#}")))?;
        tracing::info!(
            syscalls = kinds.len(),
            mask = format!("{mask:#x}"),
            drop_read_only_opens = cfg.drop_read_only_opens,
            "sensor attached"
        );
        Ok(Sensor { skel, kinds })
    }

    /// The kinds the kernel emits.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// Sums the per-CPU counters.
    pub fn counters(&self) -> KernelCounters {
        let read = |slot: u32| -> u64 {
            self.skel
                .maps
                .counters
                .lookup_percpu(&slot.to_ne_bytes(), MapFlags::ANY)
                .ok()
                .flatten()
                .map(|cpus| {
                    cpus.iter()
                        .filter_map(|v| {
                            v.get(..8)
                                .and_then(|b| b.try_into().ok())
                                .map(u64::from_ne_bytes)
                        })
                        .sum()
                })
                .unwrap_or(0)
        };
        KernelCounters {
            events: read(0),
            drops: read(1),
            truncated: read(2),
            filtered: read(3),
        }
    }

    /// Drains the ring buffer into `on_record` until `stop` is set, calling `on_tick` about
    /// every `tick`.
    pub fn run(
        &self,
        stop: &AtomicBool,
        tick: Duration,
        mut on_record: impl FnMut(&[u8]),
        mut on_tick: impl FnMut(&Sensor),
    ) -> Result<(), SensorError> {
        // Under a sustained flood one poll could drain forever; every 256 records the callback
        // checks the clock and the stop flag and ends the poll early (a negative return ends
        // libbpf's loop after consuming the current record), so ticks and shutdown still run.
        let mut next = Instant::now() + tick;
        let cut = std::cell::Cell::new(false);
        let deadline = std::cell::Cell::new(next);
        let mut seen = 0u32;
        let mut b = RingBufferBuilder::new();
        b.add(&self.skel.maps.events, |data: &[u8]| {
            on_record(data);
            seen = seen.wrapping_add(1);
            if seen & 255 == 0 && (stop.load(Ordering::Relaxed) || Instant::now() >= deadline.get())
            {
                cut.set(true);
                return -1;
            }
            0
        })
        .map_err(|e| SensorError::Ring(e.to_string()))?;
        let ring = b.build().map_err(|e| SensorError::Ring(e.to_string()))?;
        while !stop.load(Ordering::Relaxed) {
            // Below the wake-up mark the kernel does not wake us: the timeout is the wake-up,
            // so drain whatever is queued whether or not the wait saw a notification.
            let r = ring.poll(POLL).and_then(|()| ring.consume());
            match r {
                Ok(()) => {}
                Err(_) if cut.replace(false) => {}
                // A signal interrupted the wait (shutdown): check `stop` again.
                Err(e) if e.kind() == libbpf_rs::ErrorKind::Interrupted => {}
                Err(e) => return Err(SensorError::Ring(e.to_string())),
            }
            if Instant::now() >= next {
                on_tick(self);
                next = Instant::now() + tick;
                deadline.set(next);
            }
        }
        // What is still queued belongs to the run, up to one more tick's worth.
        cut.set(false);
        deadline.set(Instant::now() + tick);
        let _ = ring.consume();
        on_tick(self);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::wake_shift;

    #[test]
    fn the_wake_up_mark_is_split_between_cpus() {
        assert_eq!(wake_shift(0, 2), 0);
        assert_eq!(wake_shift(1 << 20, 1), 20);
        assert_eq!(wake_shift(1 << 20, 2), 19);
        // 3 CPUs count as 4, so the bound holds.
        assert_eq!(wake_shift(1 << 20, 3), 18);
        assert_eq!(wake_shift(4096, 4096), 1);
    }
}
