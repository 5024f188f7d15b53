//! The local Docker engine, through its API socket (bollard; `DOCKER_HOST` is honoured).
//!
//! The image is streamed from `GET /images/{name}/get` straight into the archive reader: the
//! bytes pass through a small bounded channel and are never saved to a file.

use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver};

use bytes::Bytes;
use futures_util::StreamExt;

use super::Session;
use crate::{Image, ImageError};

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
}

fn connect() -> Result<bollard::Docker, String> {
    bollard::Docker::connect_with_defaults().map_err(|e| format!("cannot connect: {e}"))
}

/// Whether the engine is reachable and holds `name`.
pub(crate) fn has_image(name: &str) -> Result<bool, String> {
    let docker = connect()?;
    let rt = runtime().map_err(|e| e.to_string())?;
    rt.block_on(async {
        match docker.inspect_image(name).await {
            Ok(_) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// A blocking reader over chunks sent by an async task.
pub(crate) struct ChannelReader {
    rx: Receiver<Result<Bytes, String>>,
    cur: Bytes,
    what: String,
}

impl ChannelReader {
    pub(crate) fn new(rx: Receiver<Result<Bytes, String>>, what: String) -> Self {
        ChannelReader {
            rx,
            cur: Bytes::new(),
            what,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.recv() {
                Ok(Ok(b)) => self.cur = b,
                Ok(Err(e)) => return Err(io::Error::other(format!("{}: {e}", self.what))),
                // The sender finished: end of stream.
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        self.cur = self.cur.slice(n..);
        Ok(n)
    }
}

pub(crate) fn open(s: Session<'_>, name: &str) -> Result<Image, ImageError> {
    let reference = s.reference;
    let daemon_err = |reason: String| ImageError::Daemon {
        image: reference.to_string(),
        reason,
    };
    let docker = connect().map_err(daemon_err)?;
    let rt = runtime().map_err(|e| ImageError::io(reference, "starting the async runtime", e))?;
    let inspect = rt
        .block_on(docker.inspect_image(name))
        .map_err(|e| ImageError::Daemon {
            image: reference.to_string(),
            reason: format!("inspecting '{name}': {e}"),
        })?;
    let expected_layers = inspect
        .root_fs
        .as_ref()
        .and_then(|r| r.layers.as_ref())
        .map(Vec::len);
    // Export by ID so a tag moved meanwhile cannot change what we read.
    let id = inspect.id.clone().unwrap_or_else(|| name.to_string());
    let (tx, rx) = sync_channel::<Result<Bytes, String>>(16);
    let task = rt.spawn({
        let docker = docker.clone();
        let id = id.clone();
        async move {
            let mut stream = docker.export_image(&id);
            while let Some(chunk) = stream.next().await {
                let failed = chunk.is_err();
                // A closed receiver means the reader gave up: stop pulling.
                if tx.send(chunk.map_err(|e| e.to_string())).is_err() || failed {
                    break;
                }
            }
        }
    });
    let reader = ChannelReader::new(rx, format!("docker engine export of {id}"));
    let result = super::archive::read_stream(s, reader, expected_layers);
    task.abort();
    let mut image = result?;
    if let Some(id) = inspect.id {
        if id != image.meta.id {
            tracing::warn!(engine = %id, config = %image.meta.id, "engine image ID differs from the exported config digest");
        }
    }
    let mut tags = inspect.repo_tags.unwrap_or_default();
    tags.sort();
    let mut digests = inspect.repo_digests.unwrap_or_default();
    digests.sort();
    if !tags.is_empty() {
        image.meta.repo_tags = tags;
    }
    image.meta.repo_digests = digests;
    Ok(image)
}
