//! Packing a rendered project as a gzip-compressed tar archive whose
//! entries sit under one top directory, as `tar xzf` users expect.

use crate::{TemplateError, TemplateFile};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::BTreeSet;

/// Packs `files` as a `.tar.gz` under the directory `root/` (usually the
/// project's name): a directory entry for every directory, then the files
/// in order; scripts are mode 0755, everything else 0644 (directories
/// 0755), owned by uid and gid 0, dated now.
pub fn tar_gz(root: &str, files: &[TemplateFile]) -> Result<Vec<u8>, TemplateError> {
    let mtime = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let root = root.trim_matches('/');
    let mut directories = BTreeSet::new();
    directories.insert(root.to_string());
    for file in files {
        let mut parts: Vec<&str> = file.path.split('/').collect();
        parts.pop();
        for depth in 1..=parts.len() {
            directories.insert(format!("{root}/{}", parts[..depth].join("/")));
        }
    }

    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for directory in &directories {
        let mut header = header(tar::EntryType::Directory, 0o755, 0, mtime);
        builder.append_data(&mut header, format!("{directory}/"), std::io::empty())?;
    }
    for file in files {
        let mode = if file.executable { 0o755 } else { 0o644 };
        let mut header = header(tar::EntryType::Regular, mode, file.contents.len() as u64, mtime);
        builder.append_data(&mut header, format!("{root}/{}", file.path), file.contents.as_bytes())?;
    }
    Ok(builder.into_inner()?.finish()?)
}

fn header(kind: tar::EntryType, mode: u32, size: u64, mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(size);
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    header
}
