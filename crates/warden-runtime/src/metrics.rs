//! Counters of the whole pipeline, and a small HTTP endpoint serving `/healthz` and
//! `/metrics` (Prometheus text format).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Defines [`Metrics`] and its Prometheus rendering from one list.
macro_rules! metrics {
    ($($field:ident, $help:literal;)*) => {
        /// Pipeline counters, shared between threads.
        #[derive(Debug, Default)]
        pub struct Metrics {
            $(
                #[doc = $help]
                pub $field: AtomicU64,
            )*
        }

        impl Metrics {
            /// Prometheus text exposition.
            pub fn render(&self) -> String {
                let mut s = String::new();
                $(
                    s.push_str(concat!("# HELP warden_", stringify!($field), " ", $help, "\n"));
                    s.push_str(concat!("# TYPE warden_", stringify!($field), " counter\n"));
                    s.push_str(&format!(concat!("warden_", stringify!($field), " {}\n"),
                        self.$field.load(Ordering::Relaxed)));
                )*
                s
            }
        }
    };
}

metrics! {
    events, "Events decoded from the kernel ring buffer.";
    kernel_events, "Events the kernel wrote to the ring buffer.";
    kernel_drops, "Events the kernel dropped because the ring buffer was full.";
    kernel_truncated, "Strings the kernel cut at their capture limit.";
    kernel_filtered, "Opens the kernel dropped because no loaded rule can match them.";
    decode_errors, "Ring-buffer records that failed to decode.";
    alerts, "Alerts emitted.";
    alerts_suppressed, "Alerts suppressed by the per-rule, per-container rate limit.";
    output_errors, "Alerts an output failed to write.";
    webhook_sent, "Alerts the webhook delivered.";
    webhook_failed, "Webhook delivery attempts that failed.";
    spooled, "Alerts written to the webhook spool.";
    spool_dropped, "Alerts dropped because the webhook spool was full.";
    proc_unknown, "Events of processes gone before the tree saw them.";
    container_pending, "Container events whose metadata was still being looked up.";
}

/// Serves `/healthz` and `/metrics` on `addr` until `stop` is set. Returns the bound address.
pub fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    std::thread::Builder::new().name("warden-metrics".into()).spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut line = String::new();
                    let mut r = BufReader::new(&s);
                    if r.read_line(&mut line).is_err() {
                        continue;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("");
                    let (status, body) = match path {
                        "/healthz" => ("200 OK", "ok\n".to_owned()),
                        "/metrics" => ("200 OK", metrics.render()),
                        _ => ("404 Not Found", "not found\n".to_owned()),
                    };
                    let mut w = &s;
                    let _ = write!(
                        w,
                        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    })?;
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpStream;

    #[test]
    fn serves_health_and_metrics() {
        let m = Arc::new(Metrics::default());
        m.kernel_drops.store(7, Ordering::Relaxed);
        m.kernel_filtered.store(3, Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let addr = serve("127.0.0.1:0".parse().unwrap(), m, stop.clone()).unwrap();
        let get = |p: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            write!(s, "GET {p} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        assert!(get("/healthz").ends_with("ok\n"));
        assert!(get("/metrics").contains("\nwarden_kernel_drops 7\n"));
        assert!(get("/metrics").contains("\nwarden_kernel_filtered 3\n"));
        assert!(get("/nope").starts_with("HTTP/1.1 404"));
        stop.store(true, Ordering::Relaxed);
    }
}
