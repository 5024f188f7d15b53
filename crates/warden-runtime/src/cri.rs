//! A client for the Kubernetes CRI `runtime.v1.RuntimeService` over a unix socket, the API
//! containerd's CRI plugin and CRI-O serve to the kubelet. It answers what the sensor needs of a
//! container seen in a cgroup path: name, image, image digest, labels, start time, mounts, and
//! the pod (name, namespace, uid, labels) from its sandbox.
//!
//! The messages are declared here with `prost` derive instead of generated from the CRI
//! `.proto`: the crates that ship the generated types run `protoc` at build time (a system tool
//! every build machine would then need) and compile the whole API, both versions, with server
//! stubs. Only the fields read are declared; protobuf skips the others, so newer runtimes with
//! more fields decode the same. The field numbers are those of cri-api's
//! `pkg/apis/runtime/v1/api.proto`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::uri::PathAndQuery;
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint, Uri};

use crate::container::{split_image, ContainerMeta};

/// The CRI messages the lookups use (runtime.v1). Public so a caller (a test setting up a pod)
/// can declare further messages and send them with [`CriClient::unary`].
#[allow(missing_docs)]
pub mod pb {
    use std::collections::HashMap;

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct VersionRequest {
        #[prost(string, tag = "1")]
        pub version: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct VersionResponse {
        #[prost(string, tag = "1")]
        pub version: String,
        #[prost(string, tag = "2")]
        pub runtime_name: String,
        #[prost(string, tag = "3")]
        pub runtime_version: String,
        #[prost(string, tag = "4")]
        pub runtime_api_version: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerStatusRequest {
        #[prost(string, tag = "1")]
        pub container_id: String,
        #[prost(bool, tag = "2")]
        pub verbose: bool,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerStatusResponse {
        #[prost(message, optional, tag = "1")]
        pub status: Option<ContainerStatus>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerMetadata {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(uint32, tag = "2")]
        pub attempt: u32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ImageSpec {
        #[prost(string, tag = "1")]
        pub image: String,
        #[prost(map = "string, string", tag = "2")]
        pub annotations: HashMap<String, String>,
        #[prost(string, tag = "18")]
        pub user_specified_image: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Mount {
        #[prost(string, tag = "1")]
        pub container_path: String,
        #[prost(string, tag = "2")]
        pub host_path: String,
        #[prost(bool, tag = "3")]
        pub readonly: bool,
        /// 0 private, 1 rslave (host to container), 2 rshared (bidirectional).
        #[prost(int32, tag = "5")]
        pub propagation: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerStatus {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(message, optional, tag = "2")]
        pub metadata: Option<ContainerMetadata>,
        /// 0 created, 1 running, 2 exited, 3 unknown.
        #[prost(int32, tag = "3")]
        pub state: i32,
        #[prost(int64, tag = "4")]
        pub created_at: i64,
        #[prost(int64, tag = "5")]
        pub started_at: i64,
        #[prost(message, optional, tag = "8")]
        pub image: Option<ImageSpec>,
        #[prost(string, tag = "9")]
        pub image_ref: String,
        #[prost(map = "string, string", tag = "12")]
        pub labels: HashMap<String, String>,
        #[prost(map = "string, string", tag = "13")]
        pub annotations: HashMap<String, String>,
        #[prost(message, repeated, tag = "14")]
        pub mounts: Vec<Mount>,
        #[prost(string, tag = "17")]
        pub image_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ContainerFilter {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(string, tag = "3")]
        pub pod_sandbox_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ListContainersRequest {
        #[prost(message, optional, tag = "1")]
        pub filter: Option<ContainerFilter>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ListContainersResponse {
        #[prost(message, repeated, tag = "1")]
        pub containers: Vec<Container>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Container {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(string, tag = "2")]
        pub pod_sandbox_id: String,
        #[prost(message, optional, tag = "3")]
        pub metadata: Option<ContainerMetadata>,
        #[prost(int32, tag = "6")]
        pub state: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PodSandboxStatusRequest {
        #[prost(string, tag = "1")]
        pub pod_sandbox_id: String,
        #[prost(bool, tag = "2")]
        pub verbose: bool,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PodSandboxStatusResponse {
        #[prost(message, optional, tag = "1")]
        pub status: Option<PodSandboxStatus>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PodSandboxMetadata {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(string, tag = "2")]
        pub uid: String,
        #[prost(string, tag = "3")]
        pub namespace: String,
        #[prost(uint32, tag = "4")]
        pub attempt: u32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PodSandboxStatus {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(message, optional, tag = "2")]
        pub metadata: Option<PodSandboxMetadata>,
        #[prost(int32, tag = "3")]
        pub state: i32,
        #[prost(int64, tag = "4")]
        pub created_at: i64,
        #[prost(map = "string, string", tag = "7")]
        pub labels: HashMap<String, String>,
        #[prost(map = "string, string", tag = "8")]
        pub annotations: HashMap<String, String>,
    }
}

/// The gRPC service path of the RuntimeService.
const SERVICE: &str = "/runtime.v1.RuntimeService/";

/// The kubelet's labels on every container it creates through CRI.
pub(crate) const LABEL_POD_NAME: &str = "io.kubernetes.pod.name";
pub(crate) const LABEL_POD_NAMESPACE: &str = "io.kubernetes.pod.namespace";
pub(crate) const LABEL_POD_UID: &str = "io.kubernetes.pod.uid";
const LABEL_CONTAINER_NAME: &str = "io.kubernetes.container.name";

/// Where crictl, the kubelet and Falco's container plugin look for a CRI runtime, in order.
/// `/var/run` is usually a link to `/run`; [`discover`] drops such duplicates.
pub const DEFAULT_SOCKETS: &[&str] = &[
    "/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/k3s/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
];

/// The CRI sockets that exist among [`DEFAULT_SOCKETS`], each once.
pub fn discover() -> Vec<PathBuf> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for p in DEFAULT_SOCKETS {
        let path = Path::new(p);
        let Ok(real) = std::fs::canonicalize(path) else {
            continue;
        };
        if !seen.contains(&real) {
            seen.push(real);
            out.push(path.to_path_buf());
        }
    }
    out
}

/// A failed CRI call.
#[derive(Debug, thiserror::Error)]
pub enum CriError {
    /// The call did not finish in time (connect included).
    #[error("CRI {socket}: {method} did not answer within {timeout:?}")]
    Timeout {
        /// The socket.
        socket: String,
        /// The RPC.
        method: &'static str,
        /// The limit.
        timeout: Duration,
    },
    /// The runtime answered with an error, or the connection failed.
    #[error("CRI {socket}: {method}: {status}")]
    Status {
        /// The socket.
        socket: String,
        /// The RPC.
        method: &'static str,
        /// gRPC status (the connect error, when there was no connection).
        status: Box<tonic::Status>,
    },
}

impl CriError {
    /// The runtime does not know the id (as opposed to a failure to ask).
    pub fn is_not_found(&self) -> bool {
        matches!(self, CriError::Status { status, .. } if status.code() == tonic::Code::NotFound)
    }
}

/// One CRI runtime endpoint. Cheap to clone; connects on first use and reconnects after the
/// runtime restarts.
#[derive(Debug, Clone)]
pub struct CriClient {
    socket: String,
    channel: Channel,
    timeout: Duration,
}

impl CriClient {
    /// A client for the runtime at `socket`; each call (connect included) gives up after
    /// `timeout`. Must be called inside a Tokio runtime. Nothing is connected yet, so a runtime
    /// that starts later is still found.
    pub fn new(socket: &Path, timeout: Duration) -> CriClient {
        let path = socket.to_path_buf();
        // The URI is required by the API and ignored: the connector below dials the socket.
        let channel = Endpoint::from_static("http://cri.invalid")
            .connect_timeout(timeout)
            .timeout(timeout)
            .connect_with_connector_lazy(tower::service_fn(move |_: Uri| {
                let path = path.clone();
                async move { UnixStream::connect(path).await.map(TokioIo::new) }
            }));
        CriClient {
            socket: socket.display().to_string(),
            channel,
            timeout,
        }
    }

    /// The socket path, for messages.
    pub fn socket(&self) -> &str {
        &self.socket
    }

    /// Calls `RuntimeService/<method>` with `req`, bounded by the client's timeout.
    pub async fn unary<Q, R>(&self, method: &'static str, req: Q) -> Result<R, CriError>
    where
        Q: prost::Message + Send + Sync + 'static,
        R: prost::Message + Default + Send + Sync + 'static,
    {
        let status = |status: tonic::Status| CriError::Status {
            socket: self.socket.clone(),
            method,
            status: Box::new(status),
        };
        let call = async {
            let mut grpc = tonic::client::Grpc::new(self.channel.clone());
            grpc.ready()
                .await
                .map_err(|e| status(tonic::Status::unavailable(e.to_string())))?;
            let path = PathAndQuery::try_from(format!("{SERVICE}{method}"))
                .map_err(|e| status(tonic::Status::internal(e.to_string())))?;
            grpc.unary(
                tonic::Request::new(req),
                path,
                tonic_prost::ProstCodec::<Q, R>::default(),
            )
            .await
            .map(tonic::Response::into_inner)
            .map_err(status)
        };
        match tokio::time::timeout(self.timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(CriError::Timeout {
                socket: self.socket.clone(),
                method,
                timeout: self.timeout,
            }),
        }
    }

    /// The runtime's name and version (`containerd 1.6.20`), which also proves the socket
    /// speaks CRI v1.
    pub async fn version(&self) -> Result<pb::VersionResponse, CriError> {
        self.unary(
            "Version",
            pb::VersionRequest {
                version: "v1".into(),
            },
        )
        .await
    }

    /// Ids of the containers the runtime knows that are created or running.
    pub async fn container_ids(&self) -> Result<Vec<String>, CriError> {
        let r: pb::ListContainersResponse = self
            .unary("ListContainers", pb::ListContainersRequest { filter: None })
            .await?;
        Ok(r.containers
            .into_iter()
            .filter(|c| c.state <= 1)
            .map(|c| c.id)
            .collect())
    }

    /// The metadata of container `id` (or of pod sandbox `id`, see `sandbox`), `Ok(None)` when
    /// the runtime knows neither (another runtime's container, one already removed).
    pub async fn container(&self, id: &str) -> Result<Option<ContainerMeta>, CriError> {
        let status: pb::ContainerStatusResponse = match self
            .unary(
                "ContainerStatus",
                pb::ContainerStatusRequest {
                    container_id: id.to_owned(),
                    verbose: false,
                },
            )
            .await
        {
            Ok(s) => s,
            Err(e) if e.is_not_found() => return self.sandbox(id).await,
            Err(e) => return Err(e),
        };
        let Some(status) = status.status else {
            return Ok(None);
        };
        // ContainerStatus does not name the sandbox; the container list does.
        let listed: pb::ListContainersResponse = self
            .unary(
                "ListContainers",
                pb::ListContainersRequest {
                    filter: Some(pb::ContainerFilter {
                        id: id.to_owned(),
                        ..Default::default()
                    }),
                },
            )
            .await?;
        let sandbox_id = listed
            .containers
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.pod_sandbox_id)
            .unwrap_or_default();
        let sandbox = if sandbox_id.is_empty() {
            None
        } else {
            match self
                .unary::<_, pb::PodSandboxStatusResponse>(
                    "PodSandboxStatus",
                    pb::PodSandboxStatusRequest {
                        pod_sandbox_id: sandbox_id,
                        verbose: false,
                    },
                )
                .await
            {
                Ok(r) => r.status,
                // The pod can go away between the two calls; the labels still name it.
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e),
            }
        };
        Ok(Some(meta_from(status, sandbox)))
    }
}

impl CriClient {
    /// A pod sandbox ("pause" container, which has its own cgroup) by its id: the pod's name
    /// as the container name, and the pod fields. `Ok(None)` when the runtime knows no such
    /// sandbox either. The sandbox image is only in the verbose answer and stays empty.
    async fn sandbox(&self, id: &str) -> Result<Option<ContainerMeta>, CriError> {
        let r: pb::PodSandboxStatusResponse = match self
            .unary(
                "PodSandboxStatus",
                pb::PodSandboxStatusRequest {
                    pod_sandbox_id: id.to_owned(),
                    verbose: false,
                },
            )
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(r.status.map(sandbox_meta))
    }
}

/// The sensor's view of a pod sandbox's own process (the pause container).
pub fn sandbox_meta(s: pb::PodSandboxStatus) -> ContainerMeta {
    let md = s.metadata.unwrap_or_default();
    let some = |v: String| (!v.is_empty()).then_some(v);
    ContainerMeta {
        name: md.name.clone(),
        start_ts: u64::try_from(s.created_at).unwrap_or(0),
        labels: sorted(s.labels.clone()),
        k8s_pod_name: some(md.name),
        k8s_ns_name: some(md.namespace),
        k8s_pod_uid: some(md.uid),
        k8s_pod_labels: sorted(s.labels),
        ..ContainerMeta::default()
    }
}

/// Sorted `(key, value)` pairs of a protobuf map.
fn sorted(m: HashMap<String, String>) -> Vec<(String, String)> {
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort();
    v
}

/// The sensor's view of a CRI container and its sandbox.
pub fn meta_from(
    status: pb::ContainerStatus,
    sandbox: Option<pb::PodSandboxStatus>,
) -> ContainerMeta {
    let label = |k: &str| status.labels.get(k).filter(|v| !v.is_empty()).cloned();
    let name = status
        .metadata
        .as_ref()
        .map(|m| m.name.clone())
        .filter(|n| !n.is_empty())
        .or_else(|| label(LABEL_CONTAINER_NAME))
        .unwrap_or_default();
    let spec = status.image.clone().unwrap_or_default();
    // containerd reports the first repo tag here, or the image id when the image has none;
    // the name the kubelet asked for is then the better text.
    let untagged = spec.image.is_empty() || spec.image.starts_with("sha256:");
    let image = if untagged && !spec.user_specified_image.is_empty() {
        spec.user_specified_image
    } else {
        spec.image
    };
    let (image_repository, image_tag) = if image.starts_with("sha256:") {
        (String::new(), String::new())
    } else {
        split_image(&image)
    };
    // `image_ref` is a repo digest (`repo@sha256:…`) when the image came from a registry, else
    // the image id, which is then the best digest there is (as for Docker's local images).
    let image_digest = match status.image_ref.split_once('@') {
        Some((_, d)) => d.to_owned(),
        None if status.image_ref.starts_with("sha256:") => status.image_ref.clone(),
        None => image
            .split_once('@')
            .map(|(_, d)| d.to_owned())
            .unwrap_or_default(),
    };
    let image_id = if !status.image_id.is_empty() {
        status.image_id.clone()
    } else if status.image_ref.starts_with("sha256:") {
        status.image_ref.clone()
    } else {
        String::new()
    };
    let pod = sandbox.as_ref().and_then(|s| s.metadata.as_ref());
    let from_pod =
        |f: fn(&pb::PodSandboxMetadata) -> &String| pod.map(f).filter(|v| !v.is_empty()).cloned();
    let k8s_pod_name = from_pod(|m| &m.name).or_else(|| label(LABEL_POD_NAME));
    let k8s_ns_name = from_pod(|m| &m.namespace).or_else(|| label(LABEL_POD_NAMESPACE));
    let k8s_pod_uid = from_pod(|m| &m.uid).or_else(|| label(LABEL_POD_UID));
    let mounts = status
        .mounts
        .iter()
        .map(|m| {
            let mode = match m.propagation {
                1 => "rslave",
                2 => "rshared",
                _ => "",
            };
            (
                m.host_path.clone(),
                m.container_path.clone(),
                mode.to_owned(),
                !m.readonly,
            )
        })
        .collect();
    ContainerMeta {
        name,
        image,
        image_repository,
        image_tag,
        image_digest,
        image_id,
        // Only the verbose answer (the OCI spec as JSON) says so; not asked for.
        privileged: false,
        start_ts: u64::try_from(status.started_at).unwrap_or(0),
        mounts,
        labels: sorted(status.labels),
        k8s_pod_name,
        k8s_ns_name,
        k8s_pod_uid,
        k8s_pod_labels: sandbox.map(|s| sorted(s.labels)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(image: &str, image_ref: &str) -> pb::ContainerStatus {
        pb::ContainerStatus {
            id: "c".repeat(64),
            metadata: Some(pb::ContainerMetadata {
                name: "web".into(),
                attempt: 0,
            }),
            image: Some(pb::ImageSpec {
                image: image.into(),
                ..Default::default()
            }),
            image_ref: image_ref.into(),
            labels: HashMap::from([
                (LABEL_POD_NAME.into(), "web-7d9".into()),
                (LABEL_POD_NAMESPACE.into(), "shop".into()),
                (LABEL_POD_UID.into(), "uid-from-label".into()),
            ]),
            started_at: 1_700_000_000_123_456_789,
            ..Default::default()
        }
    }

    #[test]
    fn pod_fields_prefer_the_sandbox_and_fall_back_to_labels() {
        let sandbox = pb::PodSandboxStatus {
            metadata: Some(pb::PodSandboxMetadata {
                name: "web-7d9".into(),
                uid: "4b1c".into(),
                namespace: "shop".into(),
                attempt: 0,
            }),
            labels: HashMap::from([("app".into(), "web".into()), ("a".into(), "1".into())]),
            ..Default::default()
        };
        let m = meta_from(
            status(
                "docker.io/library/nginx:1.27",
                "docker.io/library/nginx@sha256:abc",
            ),
            Some(sandbox),
        );
        assert_eq!(m.name, "web");
        assert_eq!(m.image_repository, "docker.io/library/nginx");
        assert_eq!(m.image_tag, "1.27");
        assert_eq!(m.image_digest, "sha256:abc");
        assert_eq!(m.k8s_pod_uid.as_deref(), Some("4b1c"));
        assert_eq!(
            m.k8s_pod_labels,
            vec![("a".into(), "1".into()), ("app".into(), "web".into())]
        );
        assert_eq!(m.start_ts, 1_700_000_000_123_456_789);

        let m = meta_from(status("x:1", "sha256:def"), None);
        assert_eq!(m.k8s_pod_name.as_deref(), Some("web-7d9"));
        assert_eq!(m.k8s_ns_name.as_deref(), Some("shop"));
        assert_eq!(m.k8s_pod_uid.as_deref(), Some("uid-from-label"));
        assert_eq!(m.image_digest, "sha256:def");
        assert_eq!(m.image_id, "sha256:def");
        assert!(m.k8s_pod_labels.is_empty());
    }

    #[test]
    fn an_untagged_image_has_no_repository() {
        let mut s = status("sha256:def", "sha256:def");
        s.labels.clear();
        let m = meta_from(s, None);
        assert_eq!(m.image, "sha256:def");
        assert_eq!(m.image_repository, "");
        assert_eq!(m.k8s_pod_name, None);
    }

    #[tokio::test]
    async fn a_missing_socket_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = CriClient::new(&dir.path().join("none.sock"), Duration::from_secs(2));
        let e = c.container(&"a".repeat(64)).await.expect_err("no runtime");
        assert!(!e.is_not_found(), "{e}");
        assert!(e.to_string().contains("none.sock"), "{e}");
    }
}
