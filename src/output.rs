//! Output files written whole or not at all, and several of them all or none.
//!
//! A reader (a browser's dev server, `include_bytes!`, the next build step) must never see half a
//! file, nor a new map beside an old binary. So every output is first written to a temporary file
//! beside its target and only renamed into place when all outputs of the run are ready
//! ([`Outputs::commit`]).
//!
//! The temporary file is created exclusively (`O_CREAT | O_EXCL`) under an unpredictable name: a
//! file or symlink already at that name makes the creation fail (and another name is tried), so
//! nothing is ever written through a planted link. Temporary files are removed on error, when an
//! [`Outputs`] is dropped uncommitted, and — through [`remove_pending`], which the command line
//! calls from its SIGINT/SIGTERM handler — when the process is interrupted.

use std::collections::hash_map::RandomState;
use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Every temporary file staged and not yet renamed or removed, for [`remove_pending`].
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file of this process that is not committed yet. For signal handlers:
/// after it, the process should exit.
pub fn remove_pending() {
    for tmp in pending().drain(..) {
        let _ = std::fs::remove_file(tmp);
    }
}

/// A set of output files committed together.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("watlink-output-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let mut outputs = watlink::output::Outputs::new();
/// outputs.stage(&dir.join("app.wasm"), b"\0asm\x01\0\0\0").unwrap();
/// outputs.stage(&dir.join("app.map.json"), b"{}").unwrap();
/// assert!(!dir.join("app.wasm").exists()); // nothing visible yet
/// outputs.commit().unwrap();
/// assert_eq!(std::fs::read(dir.join("app.map.json")).unwrap(), b"{}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct Outputs {
    /// (temporary file, target), in staging order.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Outputs {
    /// No outputs yet.
    pub fn new() -> Outputs {
        Outputs::default()
    }

    /// Writes `bytes` to a fresh temporary file beside `path`, to be renamed onto `path` by
    /// [`Outputs::commit`].
    ///
    /// # Errors
    /// Creating or writing the temporary file failed (it is removed again).
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let stem = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (tmp, mut file) = create_exclusive(&dir, &stem)?;
        pending().push(tmp.clone());
        let written = file.write_all(bytes).and_then(|()| file.flush());
        if let Err(e) = written {
            forget(&tmp);
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file onto its target, in staging order.
    ///
    /// # Errors
    /// A rename failed: the files not yet renamed are removed (those renamed stay).
    pub fn commit(mut self) -> io::Result<()> {
        let staged = std::mem::take(&mut self.staged);
        let mut result = Ok(());
        for (tmp, target) in staged {
            if result.is_ok() {
                result = std::fs::rename(&tmp, &target)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())));
            }
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            forget(&tmp);
        }
        result
    }
}

impl Drop for Outputs {
    /// An uncommitted set leaves nothing behind.
    fn drop(&mut self) {
        for (tmp, _) in self.staged.drain(..) {
            let _ = std::fs::remove_file(&tmp);
            forget(&tmp);
        }
    }
}

fn forget(tmp: &Path) {
    pending().retain(|p| p != tmp);
}

/// `.NAME.<random>.tmp` in `dir`, created exclusively; another name if one exists already.
fn create_exclusive(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for attempt in 0u64..16 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(attempt);
        h.write_u32(std::process::id());
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", h.finish()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// Writes one file whole or not at all.
///
/// # Errors
/// As [`Outputs::stage`] and [`Outputs::commit`].
pub fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut outputs = Outputs::new();
    outputs.stage(path, bytes)?;
    outputs.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `remove_pending` removes every test's temporary files: one test at a time.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("watlink-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_is_visible_until_commit_and_drop_cleans_up() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = scratch("drop");
        let mut outputs = Outputs::new();
        outputs.stage(&dir.join("a.wasm"), b"a").unwrap();
        assert_eq!(names(&dir).len(), 1);
        assert!(names(&dir)[0].starts_with(".a.wasm.") && names(&dir)[0].ends_with(".tmp"));
        drop(outputs);
        assert!(names(&dir).is_empty());
        let mut outputs = Outputs::new();
        outputs.stage(&dir.join("a.wasm"), b"a").unwrap();
        outputs.stage(&dir.join("a.json"), b"{}").unwrap();
        outputs.commit().unwrap();
        assert_eq!(names(&dir), ["a.json", "a.wasm"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn remove_pending_removes_staged_files() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = scratch("pending");
        let mut outputs = Outputs::new();
        outputs.stage(&dir.join("b.wasm"), b"b").unwrap();
        remove_pending();
        assert!(names(&dir).is_empty());
        // Committing afterwards fails cleanly: the temporary file is gone.
        assert!(outputs.commit().is_err());
        assert!(names(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_target_is_replaced_not_written_through() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = scratch("symlink");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("out.wasm")).unwrap();
        write_whole(&dir.join("out.wasm"), b"new").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(dir.join("out.wasm")).unwrap(), b"new");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
