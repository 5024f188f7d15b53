//! Alert outputs: JSON lines in Falco's alert shape to stdout or a file, an HTTP webhook with
//! retries and a bounded on-disk spool, and syslog.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::metrics::Metrics;

/// One alert, shaped like Falco's `json_output: true` (keys in Falco's order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FalcoAlert {
    /// Host that raised it.
    pub hostname: String,
    /// The rendered output template, prefixed with time and priority as Falco does.
    pub output: String,
    /// Every field the output template names, with its value (`null` when unset).
    pub output_fields: BTreeMap<String, serde_json::Value>,
    /// `Emergency` ... `Debug`.
    pub priority: String,
    /// Rule name.
    pub rule: String,
    /// `syscall` for rule alerts, `internal` for the sensor's own (drops).
    pub source: String,
    /// Rule tags, sorted.
    pub tags: Vec<String>,
    /// RFC 3339 with nanoseconds, UTC.
    pub time: String,
}

/// RFC 3339 with nanoseconds, as Falco writes `time`.
pub fn rfc3339_ns(unix_ns: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ns))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond()
    )
}

/// Parses an alert's `time` (RFC 3339) back to ns since the Unix epoch; `None` when it is not
/// one. For consumers measuring alert latency against their own clock.
pub fn parse_rfc3339_ns(s: &str) -> Option<u64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(t.unix_timestamp_nanos()).ok()
}

/// The host name, for `hostname`.
pub fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Where alerts go.
pub trait Sink: Send {
    /// Sends one alert.
    fn emit(&mut self, alert: &FalcoAlert) -> io::Result<()>;
    /// Flushes buffered alerts; called at shutdown and periodically.
    fn flush(&mut self) -> io::Result<()>;
}

/// JSON lines to any writer (stdout, a file).
pub struct JsonLines<W: Write + Send> {
    out: W,
}

impl<W: Write + Send> JsonLines<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> JsonLines<W> {
        JsonLines { out }
    }
}

impl JsonLines<io::BufWriter<File>> {
    /// Appends to `path`, creating it.
    pub fn file(path: &Path) -> io::Result<JsonLines<io::BufWriter<File>>> {
        let f = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(JsonLines::new(io::BufWriter::new(f)))
    }
}

impl<W: Write + Send> Sink for JsonLines<W> {
    fn emit(&mut self, alert: &FalcoAlert) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, alert)?;
        self.out.write_all(b"\n")?;
        // Alerts are rare next to events: flush each so a tail -f or a pipe sees it at once.
        self.out.flush()
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// syslog over a unix datagram socket (`/dev/log`), RFC 3164 framing, facility user.
pub struct Syslog {
    sock: UnixDatagram,
    path: PathBuf,
    tag: String,
}

impl Syslog {
    /// Connects to the syslog socket at `path`.
    pub fn connect(path: &Path) -> io::Result<Syslog> {
        let sock = UnixDatagram::unbound()?;
        sock.connect(path).map_err(|e| {
            io::Error::new(e.kind(), format!("syslog socket {}: {e}", path.display()))
        })?;
        Ok(Syslog {
            sock,
            path: path.to_owned(),
            tag: format!("warden[{}]", std::process::id()),
        })
    }
}

/// syslog severity for a Falco priority.
pub fn syslog_severity(priority: &str) -> u8 {
    match priority.to_ascii_lowercase().as_str() {
        "emergency" => 0,
        "alert" => 1,
        "critical" => 2,
        "error" => 3,
        "warning" => 4,
        "notice" => 5,
        "informational" | "info" => 6,
        _ => 7,
    }
}

impl Sink for Syslog {
    fn emit(&mut self, alert: &FalcoAlert) -> io::Result<()> {
        let pri = 8 + syslog_severity(&alert.priority); // facility 1 (user) * 8
        let msg = format!("<{pri}>{}: {}", self.tag, alert.output);
        if self.sock.send(msg.as_bytes()).is_err() {
            // syslogd restarted: reconnect once.
            self.sock = UnixDatagram::unbound()?;
            self.sock.connect(&self.path)?;
            self.sock.send(msg.as_bytes())?;
        }
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Webhook settings.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `http://host:port/path` (TLS is not supported).
    pub url: String,
    /// Directory of the spool file.
    pub spool_dir: PathBuf,
    /// Spool size limit in bytes; alerts beyond it are dropped and counted.
    pub spool_max_bytes: u64,
    /// Attempts per alert before it is spooled.
    pub retries: u32,
}

/// Posts each alert as JSON to an HTTP endpoint from a background thread. While the endpoint
/// is down, alerts go to a spool file (kept across restarts) that is drained in order when it
/// answers again.
pub struct Webhook {
    tx: Option<mpsc::Sender<String>>,
    worker: Option<JoinHandle<()>>,
}

struct Target {
    host_port: String,
    host: String,
    path: String,
}

fn parse_url(url: &str) -> io::Result<Target> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("webhook url {url}: only http:// is supported"),
        )
    })?;
    let (hp, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if hp.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("webhook url {url}: no host"),
        ));
    }
    let host_port = if hp.contains(':') {
        hp.to_owned()
    } else {
        format!("{hp}:80")
    };
    Ok(Target {
        host_port,
        host: hp.to_owned(),
        path: path.to_owned(),
    })
}

fn post(t: &Target, body: &str) -> io::Result<()> {
    let addr =
        t.host_port.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "webhook host has no address")
        })?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: warden\r\n\r\n{}",
        t.path,
        t.host,
        body.len(),
        body
    )?;
    let mut status = String::new();
    BufReader::new(&mut s).read_line(&mut status)?;
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    // Drain the rest so the peer sees an orderly close.
    let _ = s.read_to_end(&mut Vec::new());
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "webhook answered {}",
            status.trim()
        )))
    }
}

struct Spool {
    path: PathBuf,
    max: u64,
}

impl Spool {
    fn size(&self) -> u64 {
        fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }
    fn push(&self, line: &str, metrics: &Metrics) {
        if self.size() + line.len() as u64 + 1 > self.max {
            metrics.spool_dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(spool = %self.path.display(), "webhook spool full; alert dropped");
            return;
        }
        let r = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| writeln!(f, "{line}"));
        match r {
            Ok(()) => {
                metrics.spooled.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                metrics.spool_dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(spool = %self.path.display(), "cannot write webhook spool: {e}");
            }
        }
    }
    /// Sends spooled alerts in order; stops at the first failure and keeps the rest.
    fn drain(&self, t: &Target, metrics: &Metrics) -> bool {
        let Ok(text) = fs::read_to_string(&self.path) else {
            return true;
        };
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        let mut sent = 0;
        for l in &lines {
            if post(t, l).is_err() {
                break;
            }
            sent += 1;
            metrics.webhook_sent.fetch_add(1, Ordering::Relaxed);
        }
        if sent == lines.len() {
            let _ = fs::remove_file(&self.path);
            return true;
        }
        let rest: String = lines[sent..].iter().map(|l| format!("{l}\n")).collect();
        let tmp = self.path.with_extension("tmp");
        if fs::write(&tmp, rest)
            .and_then(|_| fs::rename(&tmp, &self.path))
            .is_err()
        {
            tracing::warn!(spool = %self.path.display(), "cannot rewrite webhook spool");
        }
        false
    }
}

impl Webhook {
    /// Starts the sender thread.
    pub fn start(cfg: WebhookConfig, metrics: Arc<Metrics>) -> io::Result<Webhook> {
        let target = parse_url(&cfg.url)?;
        fs::create_dir_all(&cfg.spool_dir)?;
        let spool = Spool {
            path: cfg.spool_dir.join("webhook-spool.jsonl"),
            max: cfg.spool_max_bytes,
        };
        let (tx, rx) = mpsc::channel::<String>();
        let retries = cfg.retries.max(1);
        let worker = std::thread::Builder::new()
            .name("warden-webhook".into())
            .spawn(move || {
                let mut backoff = Duration::from_millis(200);
                let mut next_drain = Instant::now();
                loop {
                    let msg = rx.recv_timeout(Duration::from_millis(200));
                    let closing = matches!(msg, Err(mpsc::RecvTimeoutError::Disconnected));
                    if let Ok(line) = msg {
                        if spool.size() > 0 {
                            // Keep order: newer alerts queue behind the spooled ones.
                            spool.push(&line, &metrics);
                        } else {
                            let mut ok = false;
                            for attempt in 0..retries {
                                if post(&target, &line).is_ok() {
                                    ok = true;
                                    break;
                                }
                                metrics.webhook_failed.fetch_add(1, Ordering::Relaxed);
                                if attempt + 1 < retries {
                                    std::thread::sleep(Duration::from_millis(
                                        100 << attempt.min(4),
                                    ));
                                }
                            }
                            if ok {
                                metrics.webhook_sent.fetch_add(1, Ordering::Relaxed);
                            } else {
                                spool.push(&line, &metrics);
                            }
                        }
                    }
                    if spool.size() > 0 && (Instant::now() >= next_drain || closing) {
                        if spool.drain(&target, &metrics) {
                            backoff = Duration::from_millis(200);
                        } else {
                            backoff = (backoff * 2).min(Duration::from_secs(30));
                            next_drain = Instant::now() + backoff;
                        }
                    }
                    if closing {
                        return;
                    }
                }
            })?;
        Ok(Webhook {
            tx: Some(tx),
            worker: Some(worker),
        })
    }
}

impl Sink for Webhook {
    fn emit(&mut self, alert: &FalcoAlert) -> io::Result<()> {
        let line = serde_json::to_string(alert)?;
        match &self.tx {
            Some(tx) => tx
                .send(line)
                .map_err(|_| io::Error::other("webhook sender stopped")),
            None => Err(io::Error::other("webhook sender stopped")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        // Closing the channel makes the worker try the spool once more and exit; whatever it
        // cannot send stays in the spool file for the next start.
        self.tx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn alert(rule: &str) -> FalcoAlert {
        FalcoAlert {
            hostname: "h".into(),
            output: format!("{rule} fired"),
            output_fields: BTreeMap::new(),
            priority: "Warning".into(),
            rule: rule.into(),
            source: "syscall".into(),
            tags: vec![],
            time: rfc3339_ns(1_700_000_000_123_456_789),
        }
    }

    #[test]
    fn alert_times_parse_back() {
        let ns = 1_764_300_000_123_456_789;
        assert_eq!(parse_rfc3339_ns(&rfc3339_ns(ns)), Some(ns));
        assert_eq!(parse_rfc3339_ns("yesterday"), None);
    }

    #[test]
    fn json_line_has_falco_keys_in_order() {
        let mut buf = Vec::new();
        JsonLines::new(&mut buf).emit(&alert("r")).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.starts_with("{\"hostname\":\"h\",\"output\":"), "{s}");
        assert!(
            s.contains("\"time\":\"2023-11-14T22:13:20.123456789Z\""),
            "{s}"
        );
        assert!(s.ends_with("}\n"));
    }

    #[test]
    fn syslog_writes_rfc3164_datagrams() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        let mut s = Syslog::connect(&path).unwrap();
        s.emit(&alert("Terminal shell")).unwrap();
        let mut buf = [0u8; 512];
        let n = server.recv(&mut buf).unwrap();
        let msg = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(msg.starts_with("<12>warden["), "{msg}");
        assert!(msg.ends_with("Terminal shell fired"), "{msg}");
    }

    fn serve(listener: TcpListener, n: usize) -> std::thread::JoinHandle<Vec<String>> {
        std::thread::spawn(move || {
            let mut bodies = Vec::new();
            for _ in 0..n {
                let (mut s, _) = listener.accept().unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut len = 0;
                loop {
                    let mut l = String::new();
                    r.read_line(&mut l).unwrap();
                    if l == "\r\n" {
                        break;
                    }
                    if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0u8; len];
                r.read_exact(&mut body).unwrap();
                bodies.push(String::from_utf8(body).unwrap());
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    .unwrap();
            }
            bodies
        })
    }

    #[test]
    fn webhook_spools_while_down_and_delivers_in_order_when_up() {
        // Reserve a port, then close it so the first posts are refused.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::default());
        let cfg = WebhookConfig {
            url: format!("http://127.0.0.1:{port}/alerts"),
            spool_dir: dir.path().to_owned(),
            spool_max_bytes: 1 << 20,
            retries: 2,
        };
        let mut hook = Webhook::start(cfg, metrics.clone()).unwrap();
        hook.emit(&alert("one")).unwrap();
        hook.emit(&alert("two")).unwrap();
        let spool = dir.path().join("webhook-spool.jsonl");
        let deadline = Instant::now() + Duration::from_secs(20);
        while metrics.spooled.load(Ordering::Relaxed) < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(metrics.spooled.load(Ordering::Relaxed), 2);
        assert_eq!(fs::read_to_string(&spool).unwrap().lines().count(), 2);
        // The endpoint comes up; the spool drains in order, then new alerts follow.
        let server = serve(TcpListener::bind(("127.0.0.1", port)).unwrap(), 3);
        hook.emit(&alert("three")).unwrap();
        let bodies = server.join().unwrap();
        let rules: Vec<String> = bodies
            .iter()
            .map(|b| serde_json::from_str::<FalcoAlert>(b).unwrap().rule)
            .collect();
        assert_eq!(rules, ["one", "two", "three"]);
        drop(hook);
        assert!(!spool.exists());
    }

    #[test]
    fn webhook_spool_is_bounded() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::default());
        let cfg = WebhookConfig {
            url: format!("http://127.0.0.1:{port}/"),
            spool_dir: dir.path().to_owned(),
            spool_max_bytes: 300,
            retries: 1,
        };
        let mut hook = Webhook::start(cfg, metrics.clone()).unwrap();
        for i in 0..5 {
            hook.emit(&alert(&format!("r{i}"))).unwrap();
        }
        drop(hook);
        let kept = fs::read_to_string(dir.path().join("webhook-spool.jsonl")).unwrap();
        assert!(kept.len() <= 300);
        let spooled = metrics.spooled.load(Ordering::Relaxed);
        let dropped = metrics.spool_dropped.load(Ordering::Relaxed);
        assert_eq!(spooled + dropped, 5);
        assert!(dropped >= 1);
        assert_eq!(kept.lines().count() as u64, spooled);
    }

    #[test]
    fn bad_webhook_urls_are_errors() {
        assert!(parse_url("https://x/").is_err());
        assert!(parse_url("http:///x").is_err());
        let t = parse_url("http://example.invalid/a/b").unwrap();
        assert_eq!(t.host_port, "example.invalid:80");
        assert_eq!(t.path, "/a/b");
    }
}
