//! The bytes of uploaded documents, content-addressed: `<dir>/<sha256 hex>`, the directory 0700
//! and each file 0600 (like the rest of the data dir). A file is written under a temporary name
//! and renamed into place, so a reader never sees half a file; the same bytes uploaded twice are
//! stored once.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The path of the document with digest `sha256` (64 hex digits, checked by the caller).
pub fn path_of(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(sha256)
}

/// Stores `bytes` as `<dir>/<sha256>` unless it is there already.
pub fn store(dir: &Path, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
    crate::store::files::private_dir(dir)?;
    let path = path_of(dir, sha256);
    if path.exists() {
        return Ok(());
    }
    let tmp = dir.join(format!(".{sha256}.{}", crate::booking::store::new_id()));
    let mut file = create_private(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    drop(file);
    std::fs::rename(&tmp, &path).with_context(|| format!("storing {}", path.display()))?;
    Ok(())
}

/// Reads the document with digest `sha256`.
pub fn read(dir: &Path, sha256: &str) -> std::io::Result<Vec<u8>> {
    std::fs::read(path_of(dir, sha256))
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(crate::store::files::FILE_MODE)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}
