//! Files and directories private to this process's user: created with
//! mode 0700 (directories) and 0600 (files) whatever the umask, and the
//! checks that a directory or file was not made, or cannot be changed, by
//! anyone else — for what the host reads back and trusts, such as compiled
//! code. The server's data directory, database and keys use them too.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of private directories.
pub const DIR_MODE: u32 = 0o700;
/// Mode of private files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents with mode 0700 and sets `dir`
/// itself to 0700 if it existed already.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(DIR_MODE);
        builder.create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Creates `dir` and its missing parents with mode 0700 if it is missing;
/// an existing directory (perhaps one the operator shares on purpose) is
/// left as it is.
pub fn create_missing_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)
}

/// Creates a new file with mode 0600 (failing if `path` exists, a
/// symbolic link included).
pub fn create_new_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// Writes `bytes` to the new file `path` (mode 0600).
pub fn write_new_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = create_new_file(path)?;
    file.write_all(bytes)
}

/// Sets an existing file to mode 0600.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Why `dir` may hold things another user put or can change there: it
/// (following symbolic links) must be a directory of this process's user
/// that neither its group nor others may write, and each directory above it
/// must belong to this user or root and be writable by no one else (its
/// group may write it when that is this process's own group, as with
/// per-user groups), unless it is sticky like `/tmp` (then nobody else can
/// move `dir` away).
pub fn check_dir(dir: &Path) -> Result<(), String> {
    let real = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let meta = std::fs::metadata(&real).map_err(|e| format!("{}: {e}", real.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", real.display()));
    }
    check_owner_and_mode(&real, &meta)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = user();
        let my_group = nix::unistd::getegid().as_raw();
        for above in real.ancestors().skip(1) {
            let meta = std::fs::metadata(above).map_err(|e| format!("{}: {e}", above.display()))?;
            if meta.uid() != me && meta.uid() != 0 {
                return Err(format!(
                    "{} lies in {}, which belongs to user {}, not to this process's user ({me}) or root",
                    real.display(),
                    above.display(),
                    meta.uid()
                ));
            }
            let sticky = meta.mode() & 0o1000 != 0;
            let others_write = meta.mode() & 0o002 != 0 || (meta.mode() & 0o020 != 0 && meta.gid() != my_group);
            if others_write && !sticky {
                return Err(format!(
                    "{} lies in {}, which others may write (mode {:o})",
                    real.display(),
                    above.display(),
                    meta.mode() & 0o7777
                ));
            }
        }
    }
    Ok(())
}

/// Why the file `path` may not be trusted: it must be a regular file (not
/// a symbolic link) of this process's user that neither its group nor
/// others may write.
pub fn check_file(path: &Path) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.file_type().is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    check_owner_and_mode(path, &meta)
}

fn check_owner_and_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = user();
        if meta.uid() != me {
            return Err(format!(
                "{} belongs to user {}, not to this process's user ({me})",
                path.display(),
                meta.uid()
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(format!("{} may be written by others (mode {:o})", path.display(), meta.mode() & 0o7777));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

/// This process's effective user id.
#[cfg(unix)]
fn user() -> u32 {
    nix::unistd::geteuid().as_raw()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::testing::{mode, with_umask};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn made_private_whatever_the_umask() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("a/b");
        let file = dir.join("f");
        with_umask(0o000, || {
            create_dir(&dir).unwrap();
            write_new_file(&file, b"x").unwrap();
        });
        assert_eq!((mode(&base.path().join("a")), mode(&dir), mode(&file)), (0o700, 0o700, 0o600));
        assert!(create_new_file(&file).is_err(), "never opens an existing file");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "an existing directory is made private");
        assert_eq!(check_dir(&dir), Ok(()));
        assert_eq!(check_file(&file), Ok(()));
    }

    #[test]
    fn what_others_own_or_may_write_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("d");
        create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(check_dir(&dir).unwrap_err().contains("may be written by others (mode 777)"));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = dir.join("f");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(check_file(&file).unwrap_err().contains("may be written by others"));
        let link = dir.join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(check_file(&link).unwrap_err().contains("not a regular file"));
        // A directory of ours inside one that others may write.
        let open = base.path().join("open");
        let inner = open.join("inner");
        create_dir(&inner).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(check_dir(&inner).unwrap_err().contains("which others may write"));
        if user() == 0 {
            std::os::unix::fs::chown(&dir, Some(65534), None).unwrap();
            assert!(check_dir(&dir).unwrap_err().contains("belongs to user 65534"));
            std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(check_file(&file).unwrap_err().contains("belongs to user 65534"));
        }
    }
}
