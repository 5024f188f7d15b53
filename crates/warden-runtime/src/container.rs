//! Container metadata (name, image, digest, privileged, mounts, Kubernetes pod) from the
//! container runtimes, looked up off the event path: the Docker engine API (and the Podman
//! service, which speaks it) and the Kubernetes CRI (containerd, CRI-O; see [`crate::cri`]).
//! A background thread lists the running containers at start, follows the Docker engine's
//! create/start events so that a new container is usually known before its first process runs,
//! and answers misses asynchronously, each lookup its own task bounded by a timeout so a hung
//! runtime delays nobody else. The runtime recognised in the cgroup path is asked first and the
//! others after it (cri-dockerd puts Docker containers under `/kubepods`). The event path only
//! ever reads the cache: an alert is never held back for a lookup, and one sent before its
//! container was known is sent again when the lookup completes (see the pipeline's backfill).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bollard::query_parameters::{EventsOptions, InspectContainerOptions, ListContainersOptions};
use bollard::Docker;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use warden_rules::event::{Container, Mount, Str};

use crate::cgroup::{ContainerRef, Runtime};
use crate::cri::CriClient;

/// Entries kept; a host with more live containers than this re-looks some up.
const MAX_ENTRIES: usize = 8192;
/// A failed or fruitless lookup (no runtime knows the id) is retried after this long.
const RETRY_AFTER: Duration = Duration::from_secs(5);
/// One runtime call (connect included) gives up after this long.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

/// What the runtime says about one container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerMeta {
    /// Name without the leading `/`.
    pub name: String,
    /// Image reference as the container was created from (`nginx:1.27`).
    pub image: String,
    /// Repository part of `image`.
    pub image_repository: String,
    /// Tag part of `image` (`latest` when none was given).
    pub image_tag: String,
    /// `sha256:...` from the image's repo digest; the image id when it has none (built
    /// locally and never pushed).
    pub image_digest: String,
    /// Image id (`sha256:...`).
    pub image_id: String,
    /// Runs privileged.
    pub privileged: bool,
    /// Start time, ns since the Unix epoch (0 when unknown).
    pub start_ts: u64,
    /// Mounts: (source, destination, mode, rw).
    pub mounts: Vec<(String, String, String, bool)>,
    /// Labels, sorted by key.
    pub labels: Vec<(String, String)>,
    /// Kubernetes pod name: the CRI sandbox's metadata, else the kubelet's
    /// `io.kubernetes.pod.name` label.
    pub k8s_pod_name: Option<String>,
    /// Kubernetes namespace (sandbox metadata, else `io.kubernetes.pod.namespace`).
    pub k8s_ns_name: Option<String>,
    /// Kubernetes pod uid (sandbox metadata, else `io.kubernetes.pod.uid`).
    pub k8s_pod_uid: Option<String>,
    /// The pod's labels (the CRI sandbox's), sorted by key.
    pub k8s_pod_labels: Vec<(String, String)>,
}

impl ContainerMeta {
    /// Copies the metadata into an event's container and marks it complete.
    pub fn fill(&self, c: &mut Container) {
        // The event's text is `Str` (inline up to 24 bytes): copied, not cloned as `String`.
        let s = |x: &String| Str::from(x.as_str());
        c.name = s(&self.name);
        c.image = s(&self.image);
        c.image_repository = s(&self.image_repository);
        c.image_tag = s(&self.image_tag);
        c.image_digest = s(&self.image_digest);
        c.image_id = s(&self.image_id);
        c.privileged = self.privileged;
        c.start_ts = self.start_ts;
        c.mounts = self
            .mounts
            .iter()
            .map(|(source, dest, mode, rw)| Mount {
                source: s(source),
                dest: s(dest),
                mode: s(mode),
                rw: *rw,
            })
            .collect();
        c.k8s_pod_name = self.k8s_pod_name.as_ref().map(s);
        c.k8s_ns_name = self.k8s_ns_name.as_ref().map(s);
        c.k8s_pod_uid = self.k8s_pod_uid.as_ref().map(s);
        c.k8s_pod_labels = self
            .k8s_pod_labels
            .iter()
            .map(|(k, v)| (s(k), s(v)))
            .collect();
        c.metadata_complete = true;
    }
}

#[derive(Debug, Clone)]
enum Entry {
    Pending,
    Known(Arc<ContainerMeta>),
    Failed(Instant),
}

/// Counters of the enrichment, exported as metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContainerStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that found nothing yet and queued a fetch.
    pub misses: u64,
    /// Fetches that no runtime answered (unknown id, or every runtime failed).
    pub errors: u64,
}

/// Which runtimes to ask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// CRI sockets (`--cri-socket`); empty means the usual places that exist
    /// ([`crate::cri::DEFAULT_SOCKETS`]).
    pub cri_sockets: Vec<PathBuf>,
}

/// The shared cache; cheap to clone.
#[derive(Debug, Clone)]
pub struct ContainerCache {
    map: Arc<Mutex<HashMap<String, Entry>>>,
    stats: Arc<Mutex<ContainerStats>>,
    tx: Option<mpsc::UnboundedSender<ContainerRef>>,
}

/// Splits an image reference into repository and tag.
pub fn split_image(image: &str) -> (String, String) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match no_digest[last_slash..].rfind(':') {
        Some(i) => (
            no_digest[..last_slash + i].to_owned(),
            no_digest[last_slash + i + 1..].to_owned(),
        ),
        None if image.contains('@') => (no_digest.to_owned(), String::new()),
        None => (no_digest.to_owned(), "latest".to_owned()),
    }
}

fn rfc3339_ns(s: &str) -> u64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp_nanos()).ok())
        .unwrap_or(0)
}

fn label(labels: &[(String, String)], key: &str) -> Option<String> {
    labels
        .iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.clone())
}

async fn inspect(docker: &Docker, id: &str) -> Option<ContainerMeta> {
    let c = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .ok()?;
    let config = c.config.unwrap_or_default();
    let image = config.image.unwrap_or_default();
    let image_id = c.image.unwrap_or_default();
    let (image_repository, image_tag) = split_image(&image);
    let mut image_digest = image
        .split_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default();
    if image_digest.is_empty() && !image_id.is_empty() {
        if let Ok(img) = docker.inspect_image(&image_id).await {
            image_digest = img
                .repo_digests
                .unwrap_or_default()
                .iter()
                .find_map(|d| d.split_once('@').map(|(_, d)| d.to_owned()))
                .unwrap_or_default();
        }
        if image_digest.is_empty() {
            image_digest = image_id.clone();
        }
    }
    let mut labels: Vec<(String, String)> = config.labels.unwrap_or_default().into_iter().collect();
    labels.sort();
    let mounts = c
        .mounts
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            (
                m.source.unwrap_or_default(),
                m.destination.unwrap_or_default(),
                m.mode.unwrap_or_default(),
                m.rw.unwrap_or(false),
            )
        })
        .collect();
    Some(ContainerMeta {
        name: c
            .name
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_owned(),
        image,
        image_repository,
        image_tag,
        image_digest,
        image_id,
        privileged: c.host_config.and_then(|h| h.privileged).unwrap_or(false),
        start_ts: c
            .state
            .and_then(|s| s.started_at)
            .map(|s| rfc3339_ns(&s))
            .unwrap_or(0),
        mounts,
        k8s_pod_name: label(&labels, crate::cri::LABEL_POD_NAME),
        k8s_ns_name: label(&labels, crate::cri::LABEL_POD_NAMESPACE),
        k8s_pod_uid: label(&labels, crate::cri::LABEL_POD_UID),
        k8s_pod_labels: Vec::new(),
        labels,
    })
}

fn engine_sockets() -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(h) = std::env::var("DOCKER_HOST") {
        if let Some(p) = h.strip_prefix("unix://") {
            out.push(p.to_owned());
        }
    }
    for p in ["/var/run/docker.sock", "/run/podman/podman.sock"] {
        if std::path::Path::new(p).exists() && !out.iter().any(|o| o == p) {
            out.push(p.to_owned());
        }
    }
    out
}

/// The runtimes the worker asks.
struct Backends {
    docker: Vec<Docker>,
    cri: Vec<CriClient>,
}

impl Backends {
    async fn docker(&self, id: &str) -> Option<ContainerMeta> {
        for d in &self.docker {
            let inspected = tokio::time::timeout(CALL_TIMEOUT, inspect(d, id)).await;
            if let Ok(Some(meta)) = inspected {
                return Some(meta);
            }
        }
        None
    }

    async fn cri(&self, id: &str) -> Option<ContainerMeta> {
        for c in &self.cri {
            match c.container(id).await {
                Ok(Some(meta)) => return Some(meta),
                Ok(None) => {}
                Err(e) => tracing::debug!("container {id}: {e}"),
            }
        }
        None
    }

    /// Asks the runtime the cgroup path named first, then the others.
    async fn lookup(&self, c: &ContainerRef) -> Option<ContainerMeta> {
        match c.runtime {
            Runtime::Containerd | Runtime::CriO => match self.cri(&c.full_id).await {
                Some(m) => Some(m),
                None => self.docker(&c.full_id).await,
            },
            Runtime::Docker | Runtime::Podman => match self.docker(&c.full_id).await {
                Some(m) => Some(m),
                None => self.cri(&c.full_id).await,
            },
        }
    }
}

impl ContainerCache {
    /// A cache with no runtime behind it (replay, tests, hosts without any).
    pub fn offline() -> ContainerCache {
        ContainerCache {
            map: Arc::new(Mutex::new(HashMap::new())),
            stats: Arc::new(Mutex::new(ContainerStats::default())),
            tx: None,
        }
    }

    /// Starts the background lookup thread against the local Docker/Podman sockets and the CRI
    /// sockets of `cfg`. Without any runtime the cache stays offline and containers carry only
    /// their id and runtime.
    pub fn start(cfg: &RuntimeConfig) -> ContainerCache {
        let sockets = engine_sockets();
        let cri_sockets = if cfg.cri_sockets.is_empty() {
            crate::cri::discover()
        } else {
            // Named explicitly: used even if absent now, the runtime may start later.
            for s in &cfg.cri_sockets {
                if !s.exists() {
                    tracing::warn!("CRI socket {} does not exist (yet)", s.display());
                }
            }
            cfg.cri_sockets.clone()
        };
        if sockets.is_empty() && cri_sockets.is_empty() {
            tracing::info!(
                "no container runtime socket found; container names and images stay unset"
            );
            return ContainerCache::offline();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let cache = ContainerCache {
            tx: Some(tx),
            ..ContainerCache::offline()
        };
        let worker = cache.clone();
        let spawned = std::thread::Builder::new()
            .name("warden-containers".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::warn!("container lookups disabled: {e}");
                        return;
                    }
                };
                rt.block_on(worker.run(sockets, cri_sockets, rx));
            });
        if let Err(e) = spawned {
            tracing::warn!("container lookups disabled: {e}");
        }
        cache
    }

    fn put(&self, id: &str, e: Entry) {
        let Ok(mut m) = self.map.lock() else { return };
        if m.len() >= MAX_ENTRIES && !m.contains_key(id) {
            m.clear();
        }
        m.insert(id.to_owned(), e);
    }

    async fn run(
        self,
        sockets: Vec<String>,
        cri_sockets: Vec<PathBuf>,
        mut rx: mpsc::UnboundedReceiver<ContainerRef>,
    ) {
        let docker: Vec<Docker> = sockets
            .iter()
            .filter_map(|s| Docker::connect_with_unix(s, 10, bollard::API_DEFAULT_VERSION).ok())
            .collect();
        let cri: Vec<CriClient> = cri_sockets
            .iter()
            .map(|s| CriClient::new(s, CALL_TIMEOUT))
            .collect();
        if docker.is_empty() && cri.is_empty() {
            return;
        }
        let backends = Arc::new(Backends { docker, cri });
        // Known before their next process runs: what is running now.
        tokio::spawn(self.clone().prewarm(backends.clone()));
        let mut filters = HashMap::new();
        filters.insert("type".to_owned(), vec!["container".to_owned()]);
        filters.insert(
            "event".to_owned(),
            vec!["create".to_owned(), "start".to_owned()],
        );
        let mut streams = futures_util::stream::select_all(backends.docker.iter().map(|d| {
            d.events(Some(EventsOptions {
                filters: Some(filters.clone()),
                ..Default::default()
            }))
            .boxed()
        }));
        loop {
            let next = tokio::select! {
                req = rx.recv() => match req {
                    Some(c) => c,
                    None => return,
                },
                ev = streams.next(), if !streams.is_empty() => {
                    match ev.and_then(Result::ok).and_then(|ev| ev.actor).and_then(|a| a.id) {
                        Some(id) => ContainerRef { full_id: id, runtime: Runtime::Docker },
                        None => continue,
                    }
                }
            };
            tokio::spawn(self.clone().fetch(backends.clone(), next));
        }
    }

    async fn prewarm(self, backends: Arc<Backends>) {
        for d in &backends.docker {
            let list = d
                .list_containers(None::<ListContainersOptions>)
                .await
                .unwrap_or_default();
            for id in list.into_iter().filter_map(|c| c.id) {
                let c = ContainerRef {
                    full_id: id,
                    runtime: Runtime::Docker,
                };
                self.clone().fetch(backends.clone(), c).await;
            }
        }
        for cri in &backends.cri {
            match cri.version().await {
                Ok(v) => tracing::info!(
                    socket = cri.socket(),
                    runtime = %format!("{} {}", v.runtime_name, v.runtime_version),
                    "CRI runtime found"
                ),
                Err(e) => {
                    tracing::info!("{e}");
                    continue;
                }
            }
            for id in cri.container_ids().await.unwrap_or_default() {
                let c = ContainerRef {
                    full_id: id,
                    runtime: Runtime::Containerd,
                };
                self.clone().fetch(backends.clone(), c).await;
            }
        }
    }

    async fn fetch(self, backends: Arc<Backends>, c: ContainerRef) {
        match backends.lookup(&c).await {
            Some(meta) => self.put(&c.full_id, Entry::Known(Arc::new(meta))),
            None => {
                if let Ok(mut s) = self.stats.lock() {
                    s.errors += 1;
                }
                self.put(&c.full_id, Entry::Failed(Instant::now()));
            }
        }
    }

    /// The metadata of `c` if known now. A miss queues a lookup and returns `None`
    /// immediately; the next event of the container gets the answer. A lookup that found
    /// nothing is remembered for a few seconds before it is tried again.
    pub fn lookup(&self, c: &ContainerRef) -> Option<Arc<ContainerMeta>> {
        let state = self
            .map
            .lock()
            .ok()
            .and_then(|m| m.get(&c.full_id).cloned());
        let hit = match state {
            Some(Entry::Known(meta)) => Some(meta),
            Some(Entry::Pending) => None,
            Some(Entry::Failed(at)) if at.elapsed() < RETRY_AFTER => None,
            _ => {
                if let Some(tx) = &self.tx {
                    self.put(&c.full_id, Entry::Pending);
                    let _ = tx.send(c.clone());
                }
                None
            }
        };
        if let Ok(mut s) = self.stats.lock() {
            if hit.is_some() {
                s.hits += 1;
            } else {
                s.misses += 1;
            }
        }
        hit
    }

    /// Waits up to `timeout` for `c`'s metadata; for callers off the event path (backfill of
    /// pending alerts, tests).
    pub fn wait(&self, c: &ContainerRef, timeout: Duration) -> Option<Arc<ContainerMeta>> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(m) = self.lookup(c) {
                return Some(m);
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> ContainerStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_image_references() {
        assert_eq!(split_image("nginx"), ("nginx".into(), "latest".into()));
        assert_eq!(split_image("nginx:1.27"), ("nginx".into(), "1.27".into()));
        assert_eq!(
            split_image("127.0.0.1:5000/app/x:v1"),
            ("127.0.0.1:5000/app/x".into(), "v1".into())
        );
        assert_eq!(
            split_image("127.0.0.1:5000/app"),
            ("127.0.0.1:5000/app".into(), "latest".into())
        );
        assert_eq!(
            split_image("alpine@sha256:abc"),
            ("alpine".into(), String::new())
        );
    }

    #[test]
    fn fill_copies_the_pod_fields_too() {
        let meta = ContainerMeta {
            name: "app".into(),
            image: "x:1".into(),
            k8s_pod_name: Some("web".into()),
            k8s_ns_name: Some("shop".into()),
            k8s_pod_uid: Some("4b1c".into()),
            k8s_pod_labels: vec![("app".into(), "web".into())],
            mounts: vec![("/h".into(), "/c".into(), String::new(), false)],
            ..ContainerMeta::default()
        };
        let mut c = Container::default();
        meta.fill(&mut c);
        assert!(c.metadata_complete);
        assert_eq!(c.name, "app");
        assert_eq!(c.k8s_pod_name.as_deref(), Some("web"));
        assert_eq!(c.k8s_ns_name.as_deref(), Some("shop"));
        assert_eq!(c.k8s_pod_uid.as_deref(), Some("4b1c"));
        assert_eq!(c.k8s_pod_labels, vec![(Str::from("app"), Str::from("web"))]);
        assert_eq!(c.mounts.len(), 1);
        assert!(!c.mounts[0].rw);
    }

    #[test]
    fn an_unanswered_lookup_is_cached_as_negative() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = ContainerCache::start(&RuntimeConfig {
            cri_sockets: vec![dir.path().join("absent.sock")],
        });
        let r = ContainerRef {
            full_id: "b".repeat(64),
            runtime: Runtime::Containerd,
        };
        // The entry of this id only: the counters also see whatever else runs on the host.
        let failed_at =
            |cache: &ContainerCache| match cache.map.lock().expect("lock").get(&r.full_id) {
                Some(Entry::Failed(at)) => Some(*at),
                _ => None,
            };
        assert!(cache.lookup(&r).is_none(), "a miss returns at once");
        let deadline = Instant::now() + Duration::from_secs(30);
        let first = loop {
            if let Some(at) = failed_at(&cache) {
                break at;
            }
            assert!(Instant::now() < deadline, "the lookup never completed");
            std::thread::sleep(Duration::from_millis(20));
        };
        // Within RETRY_AFTER, further misses are answered from the negative entry and queue
        // no new fetch, which would replace it.
        for _ in 0..5 {
            assert!(cache.lookup(&r).is_none());
        }
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(failed_at(&cache), Some(first));
        // Once it expires, the next miss asks the runtimes again.
        std::thread::sleep(RETRY_AFTER);
        assert!(cache.lookup(&r).is_none());
        loop {
            if failed_at(&cache).is_some_and(|at| at > first) {
                break;
            }
            assert!(
                Instant::now() < deadline + RETRY_AFTER,
                "no retry after expiry"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn offline_cache_misses_without_blocking() {
        let c = ContainerCache::offline();
        let r = ContainerRef {
            full_id: "a".repeat(64),
            runtime: crate::cgroup::Runtime::Docker,
        };
        assert!(c.lookup(&r).is_none());
        assert_eq!(c.stats().misses, 1);
    }
}
