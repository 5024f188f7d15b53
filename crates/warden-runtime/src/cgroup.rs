//! Container id from a cgroup path, following the patterns of Falco's container plugin: docker
//! (cgroupfs and systemd drivers), containerd and CRI (including cri-o and cri-dockerd), and
//! podman. The kernel sends only the last two cgroup names of a process, which is enough for
//! every pattern here.

/// The runtime a cgroup path points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// Docker engine.
    Docker,
    /// containerd through CRI (Kubernetes) or nerdctl.
    Containerd,
    /// CRI-O.
    CriO,
    /// Podman (libpod).
    Podman,
}

impl Runtime {
    /// The `container.type` text.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Podman => "podman",
        }
    }
}

/// A container found in a cgroup path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContainerRef {
    /// The full 64-hex id.
    pub full_id: String,
    /// The runtime whose pattern matched.
    pub runtime: Runtime,
}

impl ContainerRef {
    /// The 12-character id Falco reports as `container.id`.
    pub fn short_id(&self) -> &str {
        &self.full_id[..12]
    }
}

fn is_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Strips `prefix` and one of `suffixes` from `name`, returning the id when it is 64 hex.
fn strip<'a>(name: &'a str, prefix: &str, suffixes: &[&str]) -> Option<&'a str> {
    let rest = name.strip_prefix(prefix)?;
    for s in suffixes {
        if let Some(id) = rest.strip_suffix(s) {
            if is_id(id) {
                return Some(id);
            }
        }
    }
    None
}

/// Finds the container of a cgroup given its last component (`leaf`) and the one before it
/// (`parent`).
pub fn from_names(parent: &str, leaf: &str) -> Option<ContainerRef> {
    let found = |id: &str, runtime| {
        Some(ContainerRef {
            full_id: id.to_owned(),
            runtime,
        })
    };
    // Podman puts the payload in a `container` child of the scope.
    if leaf == "container" {
        if let Some(id) = strip(parent, "libpod-", &[".scope"]) {
            return found(id, Runtime::Podman);
        }
    }
    if let Some(id) = strip(leaf, "libpod-", &[".scope", ""]) {
        return found(id, Runtime::Podman);
    }
    if let Some(id) = strip(leaf, "libpod-payload-", &[".scope", ""]) {
        return found(id, Runtime::Podman);
    }
    if let Some(id) = strip(leaf, "docker-", &[".scope"]) {
        return found(id, Runtime::Docker);
    }
    if let Some(id) = strip(leaf, "cri-containerd-", &[".scope"]) {
        return found(id, Runtime::Containerd);
    }
    if let Some(id) = strip(leaf, "nerdctl-", &[".scope"]) {
        return found(id, Runtime::Containerd);
    }
    if let Some(id) = strip(leaf, "crio-", &[".scope", ""]) {
        return found(id, Runtime::CriO);
    }
    if let Some((_, id)) = leaf.rsplit_once(":cri-containerd:") {
        if is_id(id) {
            return found(id, Runtime::Containerd);
        }
    }
    if is_id(leaf) {
        // A bare id: the parent names the runtime (cgroupfs driver layouts).
        let runtime = if parent == "docker" || parent == "actions_job" {
            Runtime::Docker
        } else if parent.starts_with("libpod") {
            Runtime::Podman
        } else if parent.starts_with("crio") {
            Runtime::CriO
        } else {
            // `/kubepods/<qos>/pod<uid>/<id>` and containerd namespaces (`/default/<id>`).
            Runtime::Containerd
        };
        return found(leaf, runtime);
    }
    None
}

/// Finds the container in a full cgroup path such as a line of `/proc/PID/cgroup`.
pub fn from_path(path: &str) -> Option<ContainerRef> {
    let mut parts = path.trim_end_matches('/').rsplit('/');
    let leaf = parts.next()?;
    let parent = parts.next().unwrap_or("");
    from_names(parent, leaf)
}

/// Finds the container in the text of `/proc/PID/cgroup`, looking at every hierarchy: on a
/// hybrid v1/v2 host the runtime may place the task in the v1 hierarchies only.
pub fn from_proc_cgroup(text: &str) -> Option<ContainerRef> {
    text.lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .find_map(from_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4a7e8c9d2b1a0f3f4a7e8c9d2b1a0f3f4a7e8c9d2b1a0f3f4a7e8c9d2b1a0f";

    #[test]
    fn recognises_each_runtime_layout() {
        let cases = [
            (format!("/docker/{ID}"), Runtime::Docker),
            (format!("/system.slice/docker-{ID}.scope"), Runtime::Docker),
            (
                format!("/kubepods.slice/kubepods-burstable-podx.slice/cri-containerd-{ID}.scope"),
                Runtime::Containerd,
            ),
            (
                format!("/kubepods/burstable/pod1234/{ID}"),
                Runtime::Containerd,
            ),
            (
                format!("/kubepods.slice/kubepods-pod1.slice/crio-{ID}.scope"),
                Runtime::CriO,
            ),
            (
                format!("/system.slice/containerd.service/kubepods-x:cri-containerd:{ID}"),
                Runtime::Containerd,
            ),
            (
                format!("/user.slice/user-1000.slice/libpod-{ID}.scope/container"),
                Runtime::Podman,
            ),
            (format!("/machine.slice/libpod-{ID}.scope"), Runtime::Podman),
            (format!("/default/{ID}"), Runtime::Containerd),
        ];
        for (path, rt) in cases {
            let c = from_path(&path).unwrap_or_else(|| panic!("no match for {path}"));
            assert_eq!(c.full_id, ID, "{path}");
            assert_eq!(c.runtime, rt, "{path}");
            assert_eq!(c.short_id(), &ID[..12]);
        }
    }

    #[test]
    fn host_paths_are_not_containers() {
        for p in [
            "/",
            "/user.slice/user-0.slice/session-1.scope",
            "/system.slice/docker.service",
            "/process_api/eb7e1b0906da7942ce2ad7491974a16b",
            &format!("/system.slice/crio-conmon-{ID}.scope"),
            &format!("/docker/{}", &ID[..63]),
        ] {
            assert_eq!(from_path(p), None, "{p}");
        }
    }

    #[test]
    fn reads_v1_lines_of_proc_cgroup() {
        let text = format!("9:name=systemd:/\n4:memory:/docker/{ID}\n0::/\n");
        let c = from_proc_cgroup(&text).unwrap();
        assert_eq!(c.runtime, Runtime::Docker);
    }
}
