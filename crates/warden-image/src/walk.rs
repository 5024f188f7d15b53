//! Reads one layer blob once, as a stream, into a [`LayerIndex`].
//!
//! The blob's compression is detected from its magic bytes (gzip, zstd or none). Both the stored
//! and the uncompressed streams are hashed as they pass, so the diff ID and the blob digest come
//! for free, and the uncompressed byte count is checked against the image-wide limit as it grows:
//! a gzip bomb costs time up to the limit, never memory. Nothing is written to disk.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use crate::hash::StreamHash;
use crate::mapped::Blob;

use crate::view::{Kind, LayerIndex};
use crate::whiteout::{marker, Marker};
use crate::{
    EntryMeta, ImageError, InspectedFile, Interest, Notes, OpenOptions, Progress, Selector,
};

const HEAD: usize = 64;

/// Image-wide running totals checked against [`crate::Limits`].
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) uncompressed: Cell<u64>,
    pub(crate) entries: Cell<u64>,
    pub(crate) kept: Cell<u64>,
}

/// Everything a layer walk needs from the image being opened.
pub(crate) struct WalkCtx<'a> {
    pub(crate) image: &'a str,
    pub(crate) selector: &'a dyn Selector,
    pub(crate) opts: &'a OpenOptions,
    pub(crate) progress: &'a dyn Progress,
    pub(crate) notes: &'a Notes,
    pub(crate) totals: &'a Totals,
}

/// Inspected files whose layer position is not known yet (a docker-save stream lists its
/// manifest after the layers): their bytes wait in an anonymous temp file, one at a time.
pub(crate) struct Spool {
    file: File,
    len: u64,
    records: Vec<(u32, Box<str>, u64, u64)>,
}

impl Spool {
    pub(crate) fn new(opts: &OpenOptions) -> io::Result<Spool> {
        let file = match &opts.temp_dir {
            Some(d) => tempfile::tempfile_in(d)?,
            None => tempfile::tempfile()?,
        };
        Ok(Spool {
            file,
            len: 0,
            records: Vec::new(),
        })
    }

    fn push(&mut self, blob: u32, path: &str, data: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(self.len))?;
        self.file.write_all(data)?;
        self.records
            .push((blob, path.into(), self.len, data.len() as u64));
        self.len += data.len() as u64;
        Ok(())
    }

    /// Replays every spooled file through `f(blob, path, data)`, in spool order.
    pub(crate) fn replay(&mut self, mut f: impl FnMut(u32, &str, &[u8])) -> io::Result<()> {
        let mut buf = Vec::new();
        for (blob, path, off, len) in &self.records {
            buf.clear();
            self.file.seek(SeekFrom::Start(*off))?;
            (&mut self.file).take(*len).read_to_end(&mut buf)?;
            f(*blob, path, &buf);
        }
        Ok(())
    }
}

/// Where inspected files go.
pub(crate) enum InspectTo<'a> {
    /// The layer's position and diff ID are known: call the selector now.
    Now { layer: usize, diff_id: &'a str },
    /// Not known yet: spool under this blob key.
    Spool(&'a mut Spool, u32),
}

/// Hashes and counts bytes passing through; optionally enforces the image-wide total.
struct Tap<'a, R> {
    inner: R,
    hash: StreamHash,
    /// Off once the stored stream is known to be the uncompressed one: both digests are then the
    /// same, and hashing every byte twice was most of the CPU time of a docker-archive read.
    hashing: bool,
    count: u64,
    total: Option<(&'a Cell<u64>, u64)>,
    progress: Option<&'a dyn Progress>,
    limit_hit: bool,
}

impl<'a, R: Read> Tap<'a, R> {
    fn new(inner: R) -> Self {
        Tap {
            inner,
            hash: StreamHash::new(),
            hashing: true,
            count: 0,
            total: None,
            progress: None,
            limit_hit: false,
        }
    }
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.hashing {
            self.hash.update(&buf[..n]);
        }
        self.count += n as u64;
        if let Some(p) = self.progress {
            p.bytes(n as u64);
        }
        if let Some((total, limit)) = self.total {
            total.set(total.get() + n as u64);
            if total.get() > limit {
                self.limit_hit = true;
                return Err(io::Error::other("uncompressed size limit reached"));
            }
        }
        Ok(n)
    }
}

enum Decoder<R: BufRead> {
    Plain(R),
    Gzip(flate2::bufread::MultiGzDecoder<R>),
    Zstd(zstd::stream::read::Decoder<'static, R>),
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> Decoder<R> {
    fn into_raw(self) -> R {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(r) => r.into_inner(),
            Decoder::Zstd(r) => r.finish(),
        }
    }
}

/// Whether a blob's first bytes are a compression format's magic (it is then streamed through
/// a decompressor, which also rejects the formats it does not support).
pub(crate) fn is_compressed(head: &[u8]) -> bool {
    matches!(
        head,
        [0x1f, 0x8b, ..]
            | [0x28, 0xb5, 0x2f, 0xfd, ..]
            | [0xfd, b'7', b'z', b'X', b'Z', 0, ..]
            | [b'B', b'Z', b'h', ..]
    )
}

/// The outcome of a normalised tar path.
pub(crate) fn normalize(raw: &str) -> Result<Option<String>, &'static str> {
    let mut parts: Vec<&str> = Vec::new();
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("path escapes the image root through '..'");
                }
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let mut s = String::with_capacity(raw.len() + 1);
    for p in parts {
        s.push('/');
        s.push_str(p);
    }
    Ok(Some(s))
}

fn split_parent(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn hex_digest(h: StreamHash) -> String {
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// Indexes one layer blob from a stream. `label` names it in errors and notes (position and
/// digest, or its path inside an archive). `hash_stored` is false when the caller hashes the
/// stored bytes itself (a mapped compressed blob): `digest` is then left unset.
pub(crate) fn index_layer(
    raw: impl Read,
    label: &str,
    ctx: &WalkCtx<'_>,
    mut to: InspectTo<'_>,
    hash_stored: bool,
) -> Result<LayerIndex, ImageError> {
    let layer_err = |reason: String| ImageError::Layer {
        image: ctx.image.to_string(),
        layer: label.to_string(),
        reason,
    };
    let verify = ctx.opts.verify_layers;
    let mut stored = Tap::new(raw);
    stored.progress = Some(ctx.progress);
    stored.hashing = hash_stored && verify;
    let mut buf = BufReader::with_capacity(256 << 10, stored);
    let magic = buf
        .fill_buf()
        .map_err(|e| layer_err(format!("reading: {e}")))?;
    let decoder = match magic {
        [0x1f, 0x8b, ..] => Decoder::Gzip(flate2::bufread::MultiGzDecoder::new(buf)),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Decoder::Zstd(
            zstd::stream::read::Decoder::with_buffer(buf)
                .map_err(|e| layer_err(format!("zstd: {e}")))?,
        ),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => {
            return Err(layer_err("xz-compressed layers are not supported".into()))
        }
        [b'B', b'Z', b'h', ..] => {
            return Err(layer_err(
                "bzip2-compressed layers are not supported".into(),
            ))
        }
        _ => {
            buf.get_mut().hashing = false;
            Decoder::Plain(buf)
        }
    };
    let stored_is_plain = matches!(decoder, Decoder::Plain(_));
    let mut plain = Tap::new(decoder);
    plain.hashing = verify;
    plain.total = Some((
        &ctx.totals.uncompressed,
        ctx.opts.limits.max_total_uncompressed,
    ));
    let mut archive = tar::Archive::new(plain);
    let mut index = LayerIndex::default();
    {
        let entries = archive
            .entries()
            .map_err(|e| layer_err(format!("not a tar stream: {e}")))?;
        walk_entries(entries, None, label, ctx, &mut to, &mut index)?;
    }

    // The diff ID covers the whole uncompressed stream, end-of-archive padding included.
    let mut plain = archive.into_inner();
    io::copy(&mut plain, &mut io::sink()).map_err(|e| {
        stream_err(
            ctx,
            label,
            e,
            plain.limit_hit,
            " after the last entry".into(),
        )
    })?;
    let diff_id = if verify {
        hex_digest(plain.hash)
    } else {
        // Trusted as the config states it; a spooled blob's is filled in by its caller.
        match &to {
            InspectTo::Now { diff_id, .. } => diff_id.to_string(),
            InspectTo::Spool(..) => String::new(),
        }
    };
    let mut raw = plain.inner.into_raw();
    io::copy(&mut raw, &mut io::sink()).map_err(|e| layer_err(format!("reading: {e}")))?;
    let stored = raw.into_inner();
    if stored_is_plain {
        // Empty when trusted and not known yet: filled with the diff ID by the caller.
        index.digest = Some((diff_id.clone(), stored.count));
    } else if hash_stored && verify {
        index.digest = Some((hex_digest(stored.hash), stored.count));
    }
    index.diff_id = diff_id;
    Ok(finish_index(index, label))
}

/// Indexes one uncompressed layer held in memory (a mapped file range): headers are parsed in
/// place and the content of files nobody wants is never touched. Nothing is hashed here: the
/// caller hashes the same bytes on other threads and fills in `diff_id` and `digest`.
pub(crate) fn index_mapped(
    blob: &Blob,
    label: &str,
    ctx: &WalkCtx<'_>,
    mut to: InspectTo<'_>,
) -> Result<LayerIndex, ImageError> {
    let data = blob.bytes();
    let total = ctx.totals.uncompressed.get() + data.len() as u64;
    ctx.totals.uncompressed.set(total);
    if total > ctx.opts.limits.max_total_uncompressed {
        return Err(limit_err(ctx, label, String::new()));
    }
    let mut archive = tar::Archive::new(io::Cursor::new(data));
    let mut index = LayerIndex::default();
    {
        let entries = archive.entries_with_seek().map_err(|e| ImageError::Layer {
            image: ctx.image.to_string(),
            layer: label.to_string(),
            reason: format!("not a tar stream: {e}"),
        })?;
        walk_entries(entries, Some(blob), label, ctx, &mut to, &mut index)?;
    }
    ctx.progress.bytes(data.len() as u64);
    Ok(finish_index(index, label))
}

fn finish_index(mut index: LayerIndex, label: &str) -> LayerIndex {
    index.shrink();
    let cross = index.resolve_hardlinks();
    if cross > 0 {
        tracing::debug!(
            layer = label,
            cross,
            "hard links resolved against lower layers"
        );
    }
    index
}

fn limit_err(ctx: &WalkCtx<'_>, label: &str, at: String) -> ImageError {
    ImageError::LimitExceeded {
        image: ctx.image.to_string(),
        what: format!("uncompressed size (in layer {label}{at})"),
        limit: format!("{} bytes", ctx.opts.limits.max_total_uncompressed),
    }
}

fn stream_err(
    ctx: &WalkCtx<'_>,
    label: &str,
    e: io::Error,
    limit_hit: bool,
    at: String,
) -> ImageError {
    if limit_hit {
        limit_err(ctx, label, at)
    } else {
        ImageError::Layer {
            image: ctx.image.to_string(),
            layer: label.to_string(),
            reason: format!("corrupt or truncated stream{at}: {e}"),
        }
    }
}

/// Where a regular file's content comes from.
enum Content<'d> {
    /// In place, in the mapped layer.
    Slice(&'d [u8]),
    /// Read through the tar entry (a stream, or a sparse file whose data is not contiguous).
    Read,
}

/// The per-entry work shared by the streaming and the mapped walks. `mapped` is the layer the
/// entries are parsed from when it is in memory.
fn walk_entries<R: Read>(
    entries: tar::Entries<'_, R>,
    mapped: Option<&Blob>,
    label: &str,
    ctx: &WalkCtx<'_>,
    to: &mut InspectTo<'_>,
    index: &mut LayerIndex,
) -> Result<(), ImageError> {
    let layer_err = |reason: String| ImageError::Layer {
        image: ctx.image.to_string(),
        layer: label.to_string(),
        reason,
    };
    let limit_hit = || ctx.totals.uncompressed.get() > ctx.opts.limits.max_total_uncompressed;
    let data = mapped.map_or(&[][..], Blob::bytes);
    let mut last_path = String::new();
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = if last_path.is_empty() {
                    String::new()
                } else {
                    format!(" after {last_path}")
                };
                return Err(stream_err(ctx, label, e, limit_hit(), at));
            }
        };
        ctx.totals.entries.set(ctx.totals.entries.get() + 1);
        if ctx.totals.entries.get() > ctx.opts.limits.max_entries {
            return Err(ImageError::LimitExceeded {
                image: ctx.image.to_string(),
                what: format!("tar entry count (in layer {label})"),
                limit: format!("{} entries", ctx.opts.limits.max_entries),
            });
        }
        let etype = entry.header().entry_type();
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        // In place, an entry's data is a range of the layer: one that runs past its end is a
        // truncated layer (a stream would hit end-of-file while skipping it).
        let content = match mapped {
            Some(blob) => {
                let start = entry.raw_file_position();
                let stored = if etype.is_gnu_sparse() {
                    entry.header().entry_size().unwrap_or(u64::MAX)
                } else {
                    entry.size()
                };
                let end = start.saturating_add(stored);
                if end > data.len() as u64 {
                    return Err(layer_err(format!(
                        "corrupt or truncated stream in {raw_path}: its data ends at byte {end}, past the end of the layer ({} bytes)",
                        data.len()
                    )));
                }
                blob.advance(start as usize)
                    .map_err(|e| layer_err(format!("reading {raw_path}: {e}")))?;
                if etype.is_gnu_sparse() {
                    Content::Read
                } else {
                    Content::Slice(&data[start as usize..end as usize])
                }
            }
            None => Content::Read,
        };
        // Formatted only for a note: most entries never need it.
        let at = || format!("{raw_path} in layer {label}");
        if raw_path.len() > ctx.opts.limits.max_path_len {
            ctx.notes.add(
                format!(
                    "{}... in layer {label}",
                    &raw_path[..raw_path.floor_char_boundary_compat(64)]
                ),
                format!("path longer than {} bytes", ctx.opts.limits.max_path_len),
            );
            continue;
        }
        let path = match normalize(&raw_path) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(why) => {
                ctx.notes.add(at(), why);
                continue;
            }
        };
        last_path.clone_from(&path);
        let (parent, base) = split_parent(&path);
        let mode = entry.header().mode().unwrap_or(0) & 0o7777;
        let pushed = match marker(base) {
            Marker::Whiteout(name) => {
                index.push_plain(&format!("{parent}/{name}"), Kind::Whiteout, 0)
            }
            Marker::Opaque if parent.is_empty() => {
                ctx.notes
                    .add(at(), "opaque marker at the image root ignored");
                continue;
            }
            Marker::Opaque => index.push_plain(parent, Kind::Opaque, 0),
            Marker::Invalid(why) => {
                ctx.notes.add(at(), why);
                continue;
            }
            Marker::None => match etype {
                tar::EntryType::Directory => index.push_plain(&path, Kind::Dir, mode),
                tar::EntryType::Symlink => match entry.link_name_bytes() {
                    Some(t) if !t.is_empty() => {
                        index.push_link(&path, Kind::Symlink, &String::from_utf8_lossy(&t), mode)
                    }
                    _ => {
                        ctx.notes.add(at(), "symlink without a target");
                        continue;
                    }
                },
                tar::EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    match normalize(&target) {
                        Ok(Some(t)) => index.push_link(&path, Kind::Hardlink, &t, mode),
                        Ok(None) => {
                            ctx.notes.add(at(), "hard link to the image root");
                            continue;
                        }
                        Err(_) => {
                            ctx.notes.add(
                                at(),
                                format!("hard link target '{target}' escapes the image root"),
                            );
                            continue;
                        }
                    }
                }
                tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                    index.push_plain(&path, Kind::Other, mode)
                }
                tar::EntryType::Regular
                | tar::EntryType::Continuous
                | tar::EntryType::GNUSparse => {
                    let size = entry.size();
                    let read_err = |e: io::Error| {
                        stream_err(ctx, label, e, limit_hit(), format!(" in {path}"))
                    };
                    let mut head_buf = [0u8; HEAD];
                    let head: &[u8] = match content {
                        Content::Slice(d) => &d[..d.len().min(HEAD)],
                        Content::Read => {
                            let want = size.min(HEAD as u64) as usize;
                            let n =
                                read_full(&mut entry, &mut head_buf[..want]).map_err(read_err)?;
                            &head_buf[..n]
                        }
                    };
                    let interest = ctx.selector.select(&EntryMeta {
                        path: &path,
                        size,
                        mode,
                        head,
                    });
                    let mut kept = None;
                    if interest != Interest::Skip {
                        if size > ctx.opts.max_file_size {
                            ctx.notes.add(at(), format!("file of {size} bytes exceeds max_file_size ({} bytes); content not read", ctx.opts.max_file_size));
                        } else if interest == Interest::Keep
                            && ctx.totals.kept.get() + size > ctx.opts.limits.max_kept_bytes
                        {
                            ctx.notes.add(at(), format!("kept content would exceed max_kept_bytes ({} bytes); content not kept", ctx.opts.limits.max_kept_bytes));
                        } else {
                            let owned;
                            let bytes: &[u8] = match content {
                                Content::Slice(d) => d,
                                Content::Read => {
                                    let mut v = Vec::with_capacity(size as usize);
                                    v.extend_from_slice(head);
                                    (&mut entry)
                                        .take(size - head.len() as u64)
                                        .read_to_end(&mut v)
                                        .map_err(read_err)?;
                                    owned = v;
                                    &owned
                                }
                            };
                            if bytes.len() as u64 != size {
                                return Err(layer_err(format!(
                                    "{path}: content truncated ({} of {size} bytes)",
                                    bytes.len()
                                )));
                            }
                            if interest == Interest::Keep {
                                ctx.totals.kept.set(ctx.totals.kept.get() + size);
                                kept = Some(Arc::<[u8]>::from(bytes));
                            } else {
                                match to {
                                    InspectTo::Now { layer, diff_id } => {
                                        ctx.selector.inspect(&InspectedFile {
                                            path: &path,
                                            layer: *layer,
                                            diff_id,
                                            data: bytes,
                                        })
                                    }
                                    InspectTo::Spool(spool, blob) => {
                                        spool.push(*blob, &path, bytes).map_err(|e| {
                                            ImageError::io(
                                                ctx.image,
                                                "writing the inspection spool (temp dir)",
                                                e,
                                            )
                                        })?
                                    }
                                }
                            }
                        }
                    }
                    index.push_file(&path, size, mode, kept)
                }
                other => {
                    tracing::debug!(path, ?other, "tar entry type ignored");
                    continue;
                }
            },
        };
        pushed.map_err(layer_err)?;
    }
    Ok(())
}

/// `str::floor_char_boundary` is not stable on our MSRV.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for String {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        i = i.min(self.len());
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_paths() {
        assert_eq!(
            normalize("./usr/lib/../bin/sh").ok().flatten().as_deref(),
            Some("/usr/bin/sh")
        );
        assert_eq!(
            normalize("/etc/passwd").ok().flatten().as_deref(),
            Some("/etc/passwd")
        );
        assert_eq!(normalize("./").ok().flatten(), None);
        assert!(normalize("../etc/passwd").is_err());
        assert!(normalize("a/../../x").is_err());
    }
}
