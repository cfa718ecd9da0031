//! The results folder of a batched ensemble as the driver's store: opened fresh or for
//! `--resume` (the same command only, every kept part checked whole), finished batches
//! kept as part files, and the session's timing.

use super::OutDir;
use super::ensemble::{
    self as files, Header, MANIFEST, has_part, read_header, read_part, write_part,
};
use crate::error::{Context, Error, Result};
use crate::experiment::batch::{Parts, Shard, Slices};
use crate::experiment::ensemble::RunResult;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Opens the folder of an ensemble: a new one (refused if it holds results, unless
/// `force`), or, with `resume`, the folder of the same interrupted command, whose
/// finished parts are read back and checked before any work.
pub fn open(path: PathBuf, h: &Header, resume: bool, force: bool) -> Result<OutDir> {
    if resume {
        let earlier =
            read_header(&path).context("--resume needs the folder of an interrupted ensemble")?;
        // Older manifests carry no version; the rest must be the same command.
        if earlier.manifest != h.manifest || (earlier.shard, earlier.shards) != (h.shard, h.shards)
        {
            return Err(Error::invalid(format!(
                "{} holds a different ensemble (scenario, version, seed, runs, strategies, metric or shard differ); --resume only continues the same command",
                path.display()
            )));
        }
        crate::output::remove_stale_temporaries(&path);
        crate::output::remove_stale_temporaries(&path.join(files::PARTS));
        // Finished batches are reused only if they are whole: a damaged part stops here.
        let m = &h.manifest;
        for b in crate::experiment::ensemble::shard_batches(
            crate::experiment::ensemble::batches(m.runs),
            h.shard,
            h.shards,
        ) {
            if has_part(&path, b) {
                read_part(m, &path, b)?;
            }
        }
        Ok(OutDir { path })
    } else {
        let out = OutDir::prepare(&path, force)?;
        if force {
            let _ = std::fs::remove_dir_all(out.path.join(files::PARTS));
        }
        out.write(MANIFEST, &serde_json::to_vec_pretty(h)?)?;
        Ok(out)
    }
}

/// The part files of a results folder.
pub struct PartFiles<'a>(pub &'a OutDir);

impl Parts<[RunResult]> for PartFiles<'_> {
    type Error = Error;

    fn has(&self, batch: u32) -> bool {
        has_part(&self.0.path, batch)
    }

    fn save(&self, batch: u32, results: &[RunResult]) -> Result<()> {
        write_part(self.0, batch, results)
    }
}

/// `timing.json`: threads, wall time and simulations of this session (never compared
/// between runs: the only file that differs between identical commands).
pub fn write_timing(out: &OutDir, threads: usize, seconds: f64, simulations: f64) -> Result<()> {
    out.write(
        "timing.json",
        &serde_json::to_vec_pretty(&serde_json::json!({
            "threads": threads,
            "seconds": seconds,
            "simulations_this_session": simulations,
            "simulations_per_second": simulations / seconds.max(1e-9),
        }))?,
    )?;
    Ok(())
}

/// The manifest of a batched design (`sensitivity`): the command that made it, so that
/// `merge` can set the analysis up again, and which slice of the design the folder holds.
pub const DESIGN_MANIFEST: &str = "design-run.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DesignHeader {
    pub format: u32,
    /// The command, e.g. "sensitivity".
    pub kind: String,
    pub softpower_version: String,
    /// The scenario file as given (shown in the report) and as an absolute path (read
    /// again by `merge`, which checks its hash).
    pub scenario_file: String,
    pub scenario_path: PathBuf,
    pub scenario_sha256: String,
    /// The command's own arguments, as it serialises them.
    pub command: serde_json::Value,
    /// Design points (or samples), points per part file, and values per point (one per
    /// strategy measured).
    pub points: u64,
    pub batch_points: u64,
    pub width: u64,
    pub shard: u32,
    pub shards: u32,
}

impl DesignHeader {
    pub fn slices(&self) -> Slices {
        Slices {
            points: self.points,
            per_batch: self.batch_points,
        }
    }

    /// The same work, whatever the slice.
    pub fn same_work(&self, other: &DesignHeader) -> bool {
        let strip = |h: &DesignHeader| DesignHeader {
            shard: 0,
            ..h.clone()
        };
        strip(self) == strip(other)
    }
}

/// Reads and checks the manifest of a design folder (a folder the user named).
pub fn read_design_header(dir: &Path) -> Result<DesignHeader> {
    let p = dir.join(DESIGN_MANIFEST);
    let bytes = std::fs::read(&p).map_err(|e| {
        Error::invalid(format!(
            "{} holds no batched design (cannot read {DESIGN_MANIFEST}: {e})",
            dir.display()
        ))
    })?;
    let h: DesignHeader = serde_json::from_slice(&bytes)
        .map_err(|e| Error::in_file(&p, format!("not a softpower design manifest: {e}")))?;
    files::check_version(&p, h.format)?;
    if h.shards == 0 || !(1..=h.shards).contains(&h.shard) || h.batch_points == 0 || h.width == 0 {
        return Err(Error::in_file(
            &p,
            format!(
                "shard {} of {} is not a slice of the work",
                h.shard, h.shards
            ),
        ));
    }
    Ok(h)
}

/// Whether `dir` holds a batched design (rather than an ensemble).
pub fn is_design(dir: &Path) -> bool {
    dir.join(DESIGN_MANIFEST).is_file()
}

/// Opens the folder of a batched design, fresh or (`resume`) the same interrupted
/// command's, whose kept parts are read back and checked first.
pub fn open_design(path: PathBuf, h: &DesignHeader, resume: bool, force: bool) -> Result<OutDir> {
    if resume {
        let earlier = read_design_header(&path)
            .context("--resume needs the folder of an interrupted run of the same command")?;
        if earlier != *h {
            return Err(Error::invalid(format!(
                "{} holds a different analysis (scenario, version, arguments or shard differ); --resume only continues the same command",
                path.display()
            )));
        }
        crate::output::remove_stale_temporaries(&path);
        crate::output::remove_stale_temporaries(&path.join(files::PARTS));
        let parts = DesignParts {
            dir: &path,
            slices: h.slices(),
            width: h.width,
        };
        for b in h
            .slices()
            .plan(
                Shard {
                    k: h.shard,
                    n: h.shards,
                },
                &parts,
            )
            .batches
        {
            if parts.has(b) {
                parts.read(b)?;
            }
        }
        Ok(OutDir { path })
    } else {
        let out = OutDir::prepare(&path, force)?;
        if force {
            let _ = std::fs::remove_dir_all(out.path.join(files::PARTS));
        }
        out.write(DESIGN_MANIFEST, &serde_json::to_vec_pretty(h)?)?;
        Ok(out)
    }
}

#[derive(Serialize, Deserialize)]
struct DesignPart {
    format: u32,
    batch: u32,
    first: u64,
    /// Outputs as IEEE-754 bits: read back exactly.
    bits: Vec<u64>,
}

/// The part files of a design folder: the outputs of each batch of design points,
/// `width` values per point.
pub struct DesignParts<'a> {
    pub dir: &'a Path,
    pub slices: Slices,
    pub width: u64,
}

impl DesignParts<'_> {
    /// The outputs of batch `b`, checked to be exactly its design points.
    pub fn read(&self, b: u32) -> Result<Vec<f64>> {
        let path = self.dir.join(files::part_name(b));
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let items = self.slices.items(b);
        let part: DesignPart = serde_json::from_slice(&bytes)
            .ok()
            .filter(|p: &DesignPart| {
                p.batch == b
                    && p.first == items.start
                    && p.bits.len() as u64 == (items.end - items.start) * self.width
            })
            .ok_or_else(|| {
                Error::in_file(&path, format!("is not the whole batch {b} of this design")).help(
                    "the part file was edited or damaged: delete it and run the same command with --resume to redo its batch",
                )
            })?;
        Ok(part.bits.into_iter().map(f64::from_bits).collect())
    }

    /// Every output of the design, in design order, from the part files of `dirs`
    /// (each batch from the folder that has it).
    pub fn gather(dirs: &[PathBuf], slices: Slices, width: u64) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity((slices.points * width) as usize);
        for b in 0..slices.batches() {
            let dir = dirs
                .iter()
                .find(|d| d.join(files::part_name(b)).is_file())
                .ok_or_else(|| {
                    Error::invalid(format!("batch {b} of the design is in none of the folders"))
                })?;
            out.extend(DesignParts { dir, slices, width }.read(b)?);
        }
        Ok(out)
    }
}

impl Parts<[f64]> for DesignParts<'_> {
    type Error = Error;

    fn has(&self, batch: u32) -> bool {
        self.dir.join(files::part_name(batch)).is_file()
    }

    fn save(&self, batch: u32, outputs: &[f64]) -> Result<()> {
        let part = DesignPart {
            format: files::FORMAT_VERSION,
            batch,
            first: self.slices.items(batch).start,
            bits: outputs.iter().map(|x| x.to_bits()).collect(),
        };
        OutDir {
            path: self.dir.to_path_buf(),
        }
        .write(&files::part_name(batch), &serde_json::to_vec(&part)?)?;
        Ok(())
    }
}
