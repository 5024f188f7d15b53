//! Per-rule, per-container alert rate limiting with counts of what was suppressed.
//!
//! A token bucket per (rule, container) refilled from event timestamps, not the wall clock, so
//! replaying a recording gives the same alerts every time.

use std::collections::HashMap;

/// What to do with one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Emit it; `suppressed` alerts of the same key were dropped since the last emitted one.
    Emit {
        /// Alerts dropped before this one.
        suppressed: u64,
    },
    /// Drop it (counted).
    Suppress,
}

#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    last_ns: u64,
    suppressed: u64,
}

/// The limiter.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    rate_per_sec: f64,
    burst: f64,
    max_keys: usize,
    buckets: HashMap<(String, String), Bucket>,
    total_suppressed: u64,
}

impl RateLimiter {
    /// `rate_per_sec` alerts per second sustained, bursts of `burst`, at most `max_keys`
    /// (rule, container) pairs tracked; the least recently seen pair is forgotten first, so
    /// memory stays bounded under a flood of new containers.
    pub fn new(rate_per_sec: f64, burst: u32, max_keys: usize) -> RateLimiter {
        RateLimiter {
            rate_per_sec: rate_per_sec.max(0.0),
            burst: f64::from(burst.max(1)),
            max_keys: max_keys.max(1),
            buckets: HashMap::new(),
            total_suppressed: 0,
        }
    }

    /// Decides for an alert of `rule` in `container` at `ts_ns`.
    pub fn check(&mut self, rule: &str, container: &str, ts_ns: u64) -> Decision {
        let key = (rule.to_string(), container.to_string());
        if !self.buckets.contains_key(&key) && self.buckets.len() >= self.max_keys {
            if let Some(oldest) = self
                .buckets
                .iter()
                .min_by(|a, b| a.1.last_ns.cmp(&b.1.last_ns).then_with(|| a.0.cmp(b.0)))
                .map(|(k, _)| k.clone())
            {
                self.buckets.remove(&oldest);
            }
        }
        let (rate, burst) = (self.rate_per_sec, self.burst);
        let b = self.buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            last_ns: ts_ns,
            suppressed: 0,
        });
        let dt = ts_ns.saturating_sub(b.last_ns) as f64 / 1e9;
        b.tokens = (b.tokens + dt * rate).min(burst);
        b.last_ns = b.last_ns.max(ts_ns);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            let s = b.suppressed;
            b.suppressed = 0;
            Decision::Emit { suppressed: s }
        } else {
            b.suppressed += 1;
            self.total_suppressed += 1;
            Decision::Suppress
        }
    }

    /// Alerts suppressed so far, all keys together.
    pub fn total_suppressed(&self) -> u64 {
        self.total_suppressed
    }

    /// Suppressed counts not yet reported by an emitted alert, per (rule, container), sorted.
    pub fn pending(&self) -> Vec<((String, String), u64)> {
        let mut v: Vec<_> = self
            .buckets
            .iter()
            .filter(|(_, b)| b.suppressed > 0)
            .map(|(k, b)| (k.clone(), b.suppressed))
            .collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_limits_and_reports_suppressed() {
        let mut rl = RateLimiter::new(1.0, 2, 16);
        let s = 1_000_000_000u64;
        assert_eq!(rl.check("r", "c1", 0), Decision::Emit { suppressed: 0 });
        assert_eq!(rl.check("r", "c1", 0), Decision::Emit { suppressed: 0 });
        assert_eq!(rl.check("r", "c1", 0), Decision::Suppress);
        assert_eq!(rl.check("r", "c1", s / 2), Decision::Suppress);
        // Another container has its own bucket.
        assert_eq!(rl.check("r", "c2", s / 2), Decision::Emit { suppressed: 0 });
        assert_eq!(rl.pending(), vec![(("r".into(), "c1".into()), 2)]);
        assert_eq!(rl.check("r", "c1", s), Decision::Emit { suppressed: 2 });
        assert_eq!(rl.total_suppressed(), 2);
    }

    #[test]
    fn key_count_is_bounded() {
        let mut rl = RateLimiter::new(1.0, 1, 4);
        for i in 0..100u64 {
            rl.check("r", &format!("c{i}"), i);
        }
        assert!(rl.buckets.len() <= 4);
        // The most recent keys survive.
        assert!(rl
            .buckets
            .contains_key(&("r".to_string(), "c99".to_string())));
    }
}
