//! Output writers: the result folder, atomic files, CSV tables and the JSON manifest.
//!
//! Files are written to a temporary name in the same folder and renamed into place, so an
//! interrupted run never leaves a half-written file. A folder that already holds results
//! is refused unless the caller forces it.

pub mod batch;
pub mod calibrate;
pub mod discover;
pub mod ensemble;
pub mod figures;
pub mod report;
pub mod sensitivity;
pub mod split;
pub mod tables;
pub mod traced;

use crate::error::{Context, Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file and an atomic rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Error::in_file(path, "an output path needs a file name"))?
        .to_string_lossy();
    let tmp = dir.join(temp_name(&name));
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

/// The hidden name a file is written under before its rename: `.NAME.tmp-PID`.
pub fn temp_name(name: &str) -> String {
    format!(".{name}.tmp-{}", std::process::id())
}

/// Whether `name` is a temporary of `write_atomic` (or of the exercise's folder commits):
/// `.NAME.tmp-PID` or `.tmp-…`. Only such names are ever cleaned up.
pub fn is_temp_name(name: &str) -> bool {
    if !name.starts_with('.') {
        return false;
    }
    if name.starts_with(".tmp-") {
        return true;
    }
    name.rsplit_once(".tmp-").is_some_and(|(head, pid)| {
        head.len() > 1 && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Removes temporaries of softpower's own naming that a killed process left in `dir`
/// (not in sub-folders). A temporary whose process is still running is left alone: a
/// CLI `exercise advance` may be writing it while `exercise serve` opens the same game.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if is_temp_name(&name) && !written_by_another_live_process(&name) {
            let p = e.path();
            if p.is_dir() {
                let _ = std::fs::remove_dir_all(&p);
            } else {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

/// Whether the process whose id ends a temporary's name is running and is not this one.
/// Only Linux's /proc is asked; elsewhere every temporary counts as stale, as before.
fn written_by_another_live_process(name: &str) -> bool {
    let Some((_, pid)) = name.rsplit_once('-') else {
        return false;
    };
    match pid.parse::<u32>() {
        Ok(pid) if pid != std::process::id() => Path::new("/proc").join(pid.to_string()).exists(),
        _ => false,
    }
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
                return Err(Error::invalid(format!(
                    "{} exists and is not a folder; choose another --out",
                    path.display()
                )));
            }
            let earlier: Vec<String> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            if !earlier.is_empty() && !force {
                return Err(Error::invalid(format!(
                    "{} already holds results ({}{}); nothing was overwritten.",
                    path.display(),
                    earlier
                        .iter()
                        .take(4)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if earlier.len() > 4 { ", ..." } else { "" }
                ))
                .help("pass --force to replace them, or --out DIR to write elsewhere"));
            }
            remove_stale_temporaries(path);
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
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
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

    /// The id of a process that has ended (its id is not reused within the test).
    fn ended_process_id() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        child.id()
    }

    #[test]
    fn a_forced_rerun_removes_temporaries_a_killed_run_left() {
        let d = tempfile::tempdir().unwrap();
        let out = OutDir::prepare(&d.path().join("r"), false).unwrap();
        out.write("a.csv", b"x").unwrap();
        let left = format!(".a.csv.tmp-{}", ended_process_id());
        std::fs::write(out.path.join(&left), b"half").unwrap();
        std::fs::write(out.path.join(".notes"), b"the user's").unwrap();
        OutDir::prepare(&out.path, true).unwrap();
        assert!(!out.path.join(&left).exists());
        assert!(
            out.path.join(".notes").exists(),
            "only softpower's own names are removed"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_temporary_another_running_process_is_writing_is_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let mut writer = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let busy = d.path().join(format!(".round.json.tmp-{}", writer.id()));
        std::fs::write(&busy, b"being written").unwrap();
        remove_stale_temporaries(d.path());
        let kept = busy.exists();
        writer.kill().unwrap();
        writer.wait().unwrap();
        assert!(kept, "a live process's temporary was removed");
        remove_stale_temporaries(d.path());
        assert!(
            !busy.exists(),
            "once its process ended, the temporary is stale"
        );
    }

    #[test]
    fn temporary_names_are_recognised_exactly() {
        assert!(is_temp_name(".summary.json.tmp-123"));
        assert!(is_temp_name(".tmp-123"));
        assert!(!is_temp_name("summary.json.tmp-123"));
        assert!(!is_temp_name(".config"));
        assert!(!is_temp_name(".x.tmp-12a"));
    }
}
