//! Output writers: the result folder, atomic files, CSV tables and the JSON manifest.
//!
//! Files are written to a temporary name in the same folder and renamed into place, so an
//! interrupted run never leaves a half-written file. A folder that already holds results
//! is refused unless the caller forces it.

pub mod ensemble;
pub mod figures;
pub mod tables;

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file and an atomic rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .context("output path has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// A results folder that is safe to write into.
#[derive(Debug, Clone)]
pub struct OutDir {
    pub path: PathBuf,
}

impl OutDir {
    /// Creates the folder, or refuses if it already holds files (unless `force`).
    pub fn prepare(path: &Path, force: bool) -> Result<OutDir> {
        if path.exists() {
            if !path.is_dir() {
                bail!(
                    "{} exists and is not a folder; choose another --out",
                    path.display()
                );
            }
            let earlier: Vec<String> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            if !earlier.is_empty() && !force {
                bail!(
                    "{} already holds results ({}{}); nothing was overwritten.\n  help: pass --force to replace them, or --out DIR to write elsewhere",
                    path.display(),
                    earlier
                        .iter()
                        .take(4)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if earlier.len() > 4 { ", ..." } else { "" }
                );
            }
        }
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(OutDir {
            path: path.to_path_buf(),
        })
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let p = self.path.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_atomic(&p, bytes)?;
        Ok(p)
    }

    /// Removes a file a previous forced run may have left, if this run does not write it.
    pub fn remove_stale(&self, name: &str) {
        let _ = std::fs::remove_file(self.path.join(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_existing_results_unless_forced() {
        let d = tempfile::tempdir().unwrap();
        let out = OutDir::prepare(&d.path().join("r"), false).unwrap();
        out.write("a.csv", b"x").unwrap();
        let err = OutDir::prepare(&out.path, false).unwrap_err().to_string();
        assert!(err.contains("--force") && err.contains("a.csv"), "{err}");
        OutDir::prepare(&out.path, true).unwrap();
        assert_eq!(std::fs::read(out.path.join("a.csv")).unwrap(), b"x");
    }

    #[test]
    fn atomic_write_leaves_no_temporary() {
        let d = tempfile::tempdir().unwrap();
        write_atomic(&d.path().join("f.txt"), b"hello").unwrap();
        let names: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.txt")]);
    }
}
