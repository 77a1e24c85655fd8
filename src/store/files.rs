//! The modes of what the server keeps in its data dir (citizen data, password and session
//! hashes, the token key): the directory is [`DIR_MODE`] (0700) and the files [`FILE_MODE`]
//! (0600), whatever the umask. What the server creates gets these modes at creation; what an
//! older run left readable by others is tightened at start, with a warning in the log.
//!
//! SQLite creates a database's `-wal` and `-shm` files with the mode of the database file, so
//! creating `booking.db` as 0600 before SQLite opens it makes them 0600 too.

use std::path::Path;

use anyhow::Context as _;

/// Mode of the data dir.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the files in it.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its missing parents) as [`DIR_MODE`], or tightens it if it exists.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        create_dir(dir).with_context(|| format!("creating data dir {}", dir.display()))?;
    }
    tighten(dir, DIR_MODE)
}

/// Tightens the file `path` to [`FILE_MODE`] if it exists.
pub fn private_file(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        tighten(path, FILE_MODE)?;
    }
    Ok(())
}

/// The SQLite database file `db` (and its `-wal` and `-shm`): tightened if they exist, else
/// the database is created empty as [`FILE_MODE`] (SQLite fills it in).
pub fn private_sqlite(db: &Path) -> anyhow::Result<()> {
    if !db.exists() {
        create_file(db).with_context(|| format!("creating {}", db.display()))?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        private_file(Path::new(&name))?;
    }
    Ok(())
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
}

#[cfg(unix)]
fn create_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
        .map(drop)
}

/// Sets `path` to `mode` when it allows more (group or others), with a warning.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let found = std::fs::metadata(path)
        .with_context(|| format!("reading the mode of {}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if found & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("setting the mode of {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            was = format!("{found:o}"),
            now = format!("{mode:o}"),
            "tightened the mode of a data file"
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(not(unix))]
fn create_file(path: &Path) -> std::io::Result<()> {
    std::fs::File::create(path).map(drop)
}

#[cfg(not(unix))]
fn tighten(_: &Path, _: u32) -> anyhow::Result<()> {
    Ok(())
}
