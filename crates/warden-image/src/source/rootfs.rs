//! `dir:PATH`: an unpacked root filesystem, indexed as a single layer.
//!
//! Symlinks are recorded, never followed, so nothing outside the directory is ever read:
//! directories are listed with `symlink_metadata` and files are opened with `O_NOFOLLOW`.

use std::fs::{self, File};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use super::Session;
use crate::view::{Kind, LayerIndex};
use crate::{EntryMeta, Image, ImageError, InspectedFile, Interest};

fn open_nofollow(p: &Path) -> std::io::Result<File> {
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(p)
}

pub(crate) fn open(s: Session<'_>, root: &Path) -> Result<Image, ImageError> {
    let md = fs::metadata(root)
        .map_err(|e| ImageError::io(s.reference, format!("reading {}", root.display()), e))?;
    if !md.is_dir() {
        return Err(ImageError::Reference {
            reference: s.reference.to_string(),
            reason: format!("{} is not a directory", root.display()),
        });
    }
    let mut index = LayerIndex::default();
    s.progress.layer_started(0, 1, None);
    // Depth-first with sorted children, so the order (and any error) is deterministic.
    let mut stack: Vec<(std::path::PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) => {
                s.notes.add(
                    if rel.is_empty() {
                        "/".to_string()
                    } else {
                        rel.clone()
                    },
                    format!("directory not readable: {e}"),
                );
                continue;
            }
        };
        let mut names: Vec<_> = rd.filter_map(Result::ok).map(|e| e.file_name()).collect();
        names.sort();
        let mut subdirs = Vec::new();
        for name in names {
            let Some(name) = name.to_str().map(str::to_string) else {
                s.notes.add(
                    format!("{rel}/{}", name.to_string_lossy()),
                    "non-UTF-8 file name",
                );
                continue;
            };
            let full = dir.join(&name);
            let path = format!("{rel}/{name}");
            s.totals.entries.set(s.totals.entries.get() + 1);
            if s.totals.entries.get() > s.opts.limits.max_entries {
                return Err(ImageError::LimitExceeded {
                    image: s.reference.to_string(),
                    what: "entry count".into(),
                    limit: format!("{} entries", s.opts.limits.max_entries),
                });
            }
            let Ok(md) = fs::symlink_metadata(&full) else {
                s.notes.add(path, "vanished while walking");
                continue;
            };
            let ft = md.file_type();
            let mode = md.permissions().mode() & 0o7777;
            let pushed = if ft.is_dir() {
                subdirs.push((full, path.clone()));
                index.push_plain(&path, Kind::Dir, mode)
            } else if ft.is_symlink() {
                match fs::read_link(&full) {
                    Ok(t) => index.push_link(&path, Kind::Symlink, &t.to_string_lossy(), mode),
                    Err(e) => {
                        s.notes.add(path, format!("unreadable symlink: {e}"));
                        continue;
                    }
                }
            } else if ft.is_file() {
                file(&s, &full, &path, md.len(), mode).and_then(|content| {
                    index
                        .push_file(&path, md.len(), mode, content)
                        .map_err(|e| ImageError::meta(s.reference, &path, e))
                })?;
                continue;
            } else if ft.is_fifo() || ft.is_char_device() || ft.is_block_device() || ft.is_socket()
            {
                index.push_plain(&path, Kind::Other, mode)
            } else {
                continue;
            };
            pushed.map_err(|e| ImageError::meta(s.reference, &path, e))?;
        }
        stack.extend(subdirs.into_iter().rev());
    }
    s.progress.layer_done(0);
    index.shrink();
    let meta = warden_core::ImageMeta {
        reference: s.reference.to_string(),
        ..Default::default()
    };
    Ok(s.finish(meta, vec![index], vec![0]))
}

/// Asks the selector about one file and reads it when wanted. Read failures become notes.
fn file(
    s: &Session<'_>,
    full: &Path,
    path: &str,
    size: u64,
    mode: u32,
) -> Result<Option<Arc<[u8]>>, ImageError> {
    let mut f = match open_nofollow(full) {
        Ok(f) => f,
        Err(e) => {
            s.notes.add(path, format!("not readable: {e}"));
            return Ok(None);
        }
    };
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < head.len().min(size as usize) {
        match f.read(&mut head[n..size.min(64) as usize]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                s.notes.add(path, format!("not readable: {e}"));
                return Ok(None);
            }
        }
    }
    let interest = s.selector.select(&EntryMeta {
        path,
        size,
        mode,
        head: &head[..n],
    });
    if interest == Interest::Skip {
        return Ok(None);
    }
    if size > s.opts.max_file_size {
        s.notes.add(
            path,
            format!(
                "file of {size} bytes exceeds max_file_size ({} bytes); content not read",
                s.opts.max_file_size
            ),
        );
        return Ok(None);
    }
    if interest == Interest::Keep && s.totals.kept.get() + size > s.opts.limits.max_kept_bytes {
        s.notes.add(
            path,
            format!(
                "kept content would exceed max_kept_bytes ({} bytes); content not kept",
                s.opts.limits.max_kept_bytes
            ),
        );
        return Ok(None);
    }
    let mut data = head[..n].to_vec();
    // The file may grow while we read: never past the size the selector agreed to.
    if let Err(e) = f.take(size - n as u64).read_to_end(&mut data) {
        s.notes.add(path, format!("not readable: {e}"));
        return Ok(None);
    }
    if interest == Interest::Keep {
        s.totals.kept.set(s.totals.kept.get() + data.len() as u64);
        return Ok(Some(Arc::from(data)));
    }
    s.selector.inspect(&InspectedFile {
        path,
        layer: 0,
        diff_id: "",
        data: &data,
    });
    Ok(None)
}
