//! The game folder: creating it, reading its state, advancing and rewinding rounds.
//!
//! ```text
//! GAME/game.toml                   settings (rounds, ticks per round, teams, scenario hash)
//! GAME/scenario.toml               frozen copy of the scenario
//! GAME/injects.toml                instructor only: surprise events by round
//! GAME/README.md                   instructor's notes
//! GAME/decisions/round-NN/T.toml   what team T edits for round NN
//! GAME/rounds/NN/                  a played round: decisions as played, round.json,
//!                                  report.md and its PNGs
//! GAME/rewound/K/                  rounds and decisions set aside by `rewind`
//! ```
//!
//! The rounds played are the folders `rounds/01 .. rounds/NN`; a round is committed by
//! renaming its fully written temporary folder into place, so an interrupted `advance`
//! leaves the game as it was. The next round's decisions folder is derived from the last
//! round and re-created if an interruption lost it.

use super::decisions::{self, Decisions, TemplateInfo};
use super::play::{self, Played, Setup};
use super::report::{self, RoundRecord};
use super::{ATTRIBUTION_TOLERANCE, Settings};
use crate::output::write_atomic;
use crate::scenario::check::check_inject;
use crate::scenario::select::PopIndex;
use crate::scenario::{Inject, Scenario, ScenarioError, TomlPath, located, parse_str, parse_toml};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Invalid input (bad decisions, bad arguments, a game that cannot advance): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(msg: impl Into<String>) -> anyhow::Error {
    Invalid(msg.into()).into()
}

/// What `advance` does for teams that have not submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    /// The team does nothing this round.
    Hold,
    /// The team repeats its previous round's actions.
    Repeat,
}

/// The state of one team's decisions file for the next round.
#[derive(Debug)]
pub enum TeamStatus {
    Missing,
    /// Valid but `submitted = false`.
    Draft(Decisions),
    Submitted(Decisions),
    /// Has problems and says `submitted = true`: blocks the round.
    Invalid(ScenarioError),
    /// Has problems but is not submitted: counts as missing.
    InvalidDraft(ScenarioError),
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct InjectsFile {
    #[serde(default, rename = "inject")]
    injects: Vec<Inject>,
}

/// Whether a file that fails validation still says `submitted = true` (an unreadable
/// file counts as submitted, so its errors are not silently skipped).
fn claims_submitted(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(t) => t
            .get("submitted")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        Err(_) => true,
    }
}

/// An open game.
pub struct Game {
    pub dir: PathBuf,
    pub scenario: Scenario,
    pub settings: Settings,
    /// Actor index of each team.
    pub teams: Vec<usize>,
    pub played: Vec<Played>,
    pub records: Vec<RoundRecord>,
}

pub fn round_dir(n: u32) -> String {
    format!("{n:02}")
}

impl Game {
    /// Creates a game folder from a validated scenario. `rounds` and `ticks_per_round`
    /// override the scenario's `[exercise]` table.
    pub fn create(
        scenario_path: &Path,
        dir: &Path,
        rounds: Option<u32>,
        ticks_per_round: Option<u32>,
    ) -> Result<Game> {
        let text = std::fs::read_to_string(scenario_path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", scenario_path.display())))?;
        let sc = parse_str(&text, scenario_path, &Default::default())?;
        let ex = sc.exercise.clone();
        let rounds = rounds.or(ex.as_ref().map(|x| x.rounds)).ok_or_else(|| {
            invalid(format!(
                "{}: no [exercise] table, so the number of rounds is unknown\n  help: add [exercise] rounds = 6 to the scenario, or pass --rounds",
                scenario_path.display()
            ))
        })?;
        if !(1..=99).contains(&rounds) {
            bail!(invalid("--rounds: allowed 1 to 99"));
        }
        let tpr = ticks_per_round
            .or(ex.as_ref().and_then(|x| x.ticks_per_round))
            .unwrap_or(sc.scenario.ticks / rounds);
        if tpr == 0 {
            bail!(invalid(format!(
                "a round would last 0 ticks ({} ticks for {rounds} rounds)\n  help: pass --ticks-per-round",
                sc.scenario.ticks
            )));
        }
        let teams: Vec<String> = sc
            .actors
            .iter()
            .filter(|a| a.playable)
            .map(|a| a.id.clone())
            .collect();
        if teams.is_empty() {
            bail!(invalid(format!(
                "{}: no actor is playable\n  help: mark the actors teams play with `playable = true`",
                scenario_path.display()
            )));
        }
        if let Some((i, c)) = sc
            .campaigns
            .iter()
            .enumerate()
            .find(|(_, c)| teams.contains(&c.actor))
        {
            bail!(invalid(format!(
                "{}: campaign[{i}] (\"{}\") belongs to playable actor \"{}\"\n  help: teams decide their own campaigns; remove it or make the actor not playable",
                scenario_path.display(),
                c.id,
                c.actor
            )));
        }
        if dir.exists()
            && (!dir.is_dir()
                || std::fs::read_dir(dir)
                    .with_context(|| format!("cannot read {}", dir.display()))?
                    .next()
                    .is_some())
        {
            bail!(invalid(format!(
                "{} already exists and is not empty; nothing was changed\n  help: choose another --dir",
                dir.display()
            )));
        }
        use sha2::{Digest, Sha256};
        let settings = Settings {
            scenario: "scenario.toml".into(),
            scenario_sha256: Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            rounds,
            ticks_per_round: tpr,
            teams,
        };
        let injects = ex.map(|x| x.injects).unwrap_or_default();
        // Injects copied from the scenario must fit the rounds chosen on the command line.
        let idx = PopIndex::new(&sc);
        let mut problems = Vec::new();
        for (i, inj) in injects.iter().enumerate() {
            problems.extend(check_inject(
                &sc,
                &idx,
                TomlPath::root().key("exercise").key("inject").idx(i),
                inj,
                rounds,
                tpr,
            ));
        }
        if !problems.is_empty() {
            return Err(located(&text, scenario_path, problems).into());
        }

        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let tmp = parent.join(format!(
            ".{}.tmp-{}",
            dir.file_name()
                .map_or("game".into(), |n| n.to_string_lossy()),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        let res = (|| -> Result<()> {
            std::fs::create_dir_all(&tmp)?;
            write_atomic(&tmp.join("scenario.toml"), text.as_bytes())?;
            let header = "# Written by `softpower exercise new`. Do not edit: the game is defined by\n# this file, scenario.toml, injects.toml and the decisions in rounds/.\n";
            write_atomic(
                &tmp.join("game.toml"),
                format!("{header}{}", toml::to_string(&settings)?).as_bytes(),
            )?;
            write_atomic(
                &tmp.join("injects.toml"),
                report::injects_toml(&sc, &settings, &injects).as_bytes(),
            )?;
            write_atomic(
                &tmp.join("README.md"),
                report::instructor_readme(&sc, &settings, &injects).as_bytes(),
            )?;
            Ok(())
        })();
        if let Err(e) = res {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if dir.exists() {
            std::fs::remove_dir(dir)
                .with_context(|| format!("cannot replace {}", dir.display()))?;
        }
        std::fs::rename(&tmp, dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Game::open(dir)
    }

    /// Opens a game folder, re-creating the next round's decisions if they are missing.
    pub fn open(dir: &Path) -> Result<Game> {
        let gpath = dir.join("game.toml");
        let gtext = std::fs::read_to_string(&gpath).map_err(|e| {
            invalid(format!(
                "{} is not a game folder (cannot read game.toml: {e})\n  help: create one with `softpower exercise new SCENARIO --dir {}`",
                dir.display(),
                dir.display()
            ))
        })?;
        let settings: Settings = parse_toml(&gtext, &gpath)?;
        let spath = dir.join(&settings.scenario);
        let stext = std::fs::read_to_string(&spath)
            .with_context(|| format!("cannot read {}", spath.display()))?;
        use sha2::{Digest, Sha256};
        let sha: String = Sha256::digest(stext.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if sha != settings.scenario_sha256 {
            bail!(invalid(format!(
                "{} was changed after the game started; the rounds played no longer match it\n  help: restore the original, or start a new game",
                spath.display()
            )));
        }
        let scenario = parse_str(&stext, &spath, &Default::default())?;
        let teams = settings
            .teams
            .iter()
            .map(|t| {
                scenario
                    .actors
                    .iter()
                    .position(|a| &a.id == t)
                    .ok_or_else(|| invalid(format!("game.toml: unknown team \"{t}\"")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut game = Game {
            dir: dir.to_path_buf(),
            scenario,
            settings,
            teams,
            played: Vec::new(),
            records: Vec::new(),
        };
        while game.played.len() < game.settings.rounds as usize {
            let rd = dir
                .join("rounds")
                .join(round_dir(game.played.len() as u32 + 1));
            if !rd.join("round.json").is_file() {
                break;
            }
            let mut decisions = Vec::new();
            for t in &game.settings.teams {
                let p = rd.join("decisions").join(format!("{t}.toml"));
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                decisions.push(parse_toml::<Decisions>(&text, &p)?);
            }
            let rec: RoundRecord =
                serde_json::from_slice(&std::fs::read(rd.join("round.json"))?)
                    .with_context(|| format!("cannot read {}", rd.join("round.json").display()))?;
            game.played.push(Played { decisions });
            game.records.push(rec);
        }
        game.clean_temporaries();
        game.ensure_decisions()?;
        Ok(game)
    }

    /// Rounds completed.
    pub fn completed(&self) -> u32 {
        self.played.len() as u32
    }
    pub fn finished(&self) -> bool {
        self.completed() >= self.settings.rounds
    }
    /// The next round to play (from 1).
    pub fn current(&self) -> u32 {
        self.completed() + 1
    }

    pub fn decisions_dir(&self, round: u32) -> PathBuf {
        self.dir
            .join("decisions")
            .join(format!("round-{}", round_dir(round)))
    }
    pub fn decisions_path(&self, team: usize, round: u32) -> PathBuf {
        self.decisions_dir(round)
            .join(format!("{}.toml", self.settings.teams[team]))
    }

    fn setup<'a>(&'a self, injects: &'a [Inject]) -> Setup<'a> {
        Setup {
            sc: &self.scenario,
            base: &self.dir,
            settings: &self.settings,
            teams: &self.teams,
            injects,
        }
    }

    /// Budget units a team may spend in `round`: every round's allowance so far minus
    /// what it spent in earlier rounds (unspent budget carries over).
    pub fn budget_left(&self, team: usize, round: u32) -> f64 {
        self.allowance(team) * round as f64 - self.spent_before(team, round)
    }
    pub fn allowance(&self, team: usize) -> f64 {
        self.scenario.actors[self.teams[team]].budget * self.settings.ticks_per_round as f64
    }
    pub fn spent_before(&self, team: usize, round: u32) -> f64 {
        self.played
            .iter()
            .take(round.saturating_sub(1) as usize)
            .map(|p| p.decisions[team].total_spend())
            .sum()
    }

    fn clean_temporaries(&self) {
        for d in [
            self.dir.clone(),
            self.dir.join("rounds"),
            self.dir.join("decisions"),
        ] {
            if let Ok(rd) = std::fs::read_dir(&d) {
                for e in rd.flatten() {
                    let n = e.file_name().to_string_lossy().into_owned();
                    if n.starts_with(".tmp-") {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
    }

    /// Writes the commented decisions files of the current round if its folder is missing.
    fn ensure_decisions(&self) -> Result<()> {
        if self.finished() {
            return Ok(());
        }
        let r = self.current();
        let target = self.decisions_dir(r);
        if target.exists() {
            return Ok(());
        }
        let parent = self.dir.join("decisions");
        std::fs::create_dir_all(&parent)?;
        let tmp = parent.join(format!(".tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        for t in 0..self.teams.len() {
            let previous = self.played.last().map(|p| &p.decisions[t]);
            let text = decisions::template(&TemplateInfo {
                sc: &self.scenario,
                settings: &self.settings,
                team: self.teams[t],
                round: r,
                budget_left: self.budget_left(t, r),
                spent_so_far: self.spent_before(t, r),
                previous,
            });
            write_atomic(
                &tmp.join(format!("{}.toml", self.settings.teams[t])),
                text.as_bytes(),
            )?;
        }
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        Ok(())
    }

    /// The injects, validated against the game.
    pub fn injects(&self) -> Result<Vec<Inject>> {
        let p = self.dir.join("injects.toml");
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", p.display())),
        };
        let f: InjectsFile = parse_toml(&text, &p)?;
        let idx = PopIndex::new(&self.scenario);
        let mut problems = Vec::new();
        for (i, inj) in f.injects.iter().enumerate() {
            problems.extend(check_inject(
                &self.scenario,
                &idx,
                TomlPath::root().key("inject").idx(i),
                inj,
                self.settings.rounds,
                self.settings.ticks_per_round,
            ));
        }
        if problems.is_empty() {
            Ok(f.injects)
        } else {
            Err(located(&text, &p, problems).into())
        }
    }

    /// The state of every team's decisions for the current round.
    pub fn status(&self) -> Vec<TeamStatus> {
        let r = self.current();
        (0..self.teams.len())
            .map(|t| {
                let p = self.decisions_path(t, r);
                let Ok(text) = std::fs::read_to_string(&p) else {
                    return TeamStatus::Missing;
                };
                match decisions::parse(
                    &text,
                    &p,
                    &self.scenario,
                    &self.settings,
                    &self.settings.teams[t],
                    r,
                    self.budget_left(t, r),
                ) {
                    Ok(d) if d.submitted => TeamStatus::Submitted(d),
                    Ok(d) => TeamStatus::Draft(d),
                    Err(e) if claims_submitted(&text) => TeamStatus::Invalid(e),
                    Err(e) => TeamStatus::InvalidDraft(e),
                }
            })
            .collect()
    }

    /// Plays the current round. Returns the round folder. On any error nothing changes.
    pub fn advance(&mut self, missing: Option<MissingPolicy>) -> Result<PathBuf> {
        if self.finished() {
            bail!(invalid(format!(
                "the game is over: all {} rounds are played\n  help: `softpower exercise report {}` writes the debrief; `exercise rewind` replays from an earlier round",
                self.settings.rounds,
                self.dir.display()
            )));
        }
        let injects = self.injects()?;
        let r = self.current();
        let mut errors = Vec::new();
        let mut absent = Vec::new();
        let mut chosen = Vec::new();
        for (t, st) in self.status().into_iter().enumerate() {
            match st {
                TeamStatus::Submitted(d) => chosen.push(Some(d)),
                TeamStatus::Invalid(e) => {
                    errors.push(e.to_string());
                    chosen.push(None);
                }
                TeamStatus::Missing | TeamStatus::Draft(_) | TeamStatus::InvalidDraft(_) => {
                    absent.push(t);
                    chosen.push(None);
                }
            }
        }
        if !errors.is_empty() {
            bail!(invalid(format!(
                "{}\nround {r} was not played: fix the decisions above (nothing was changed)",
                errors.join("\n")
            )));
        }
        let names = |v: &[usize]| {
            v.iter()
                .map(|&t| self.settings.teams[t].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut notes = Vec::new();
        match missing {
            None if !absent.is_empty() => bail!(invalid(format!(
                "round {r} was not played: no submitted decisions from {} (nothing was changed)\n  help: the team sets `submitted = true` in {}, or pass --missing hold (they do nothing) or --missing repeat (they repeat last round)",
                names(&absent),
                self.decisions_dir(r).display()
            ))),
            _ => {}
        }
        for &t in &absent {
            let team = &self.settings.teams[t];
            let prev = match missing {
                Some(MissingPolicy::Repeat) => self.played.last().map(|p| &p.decisions[t]),
                _ => None,
            };
            let actions = prev.map(|p| p.actions.clone()).unwrap_or_default();
            let d = Decisions {
                team: team.clone(),
                round: r,
                submitted: false,
                prediction: None,
                actions,
            };
            let left = self.budget_left(t, r);
            if d.total_spend() > left * (1.0 + 1e-9) + 1e-12 {
                bail!(invalid(format!(
                    "--missing repeat: team \"{team}\" cannot repeat last round: it would spend {} with {} left\n  help: use --missing hold, or have the team submit",
                    decisions::num(d.total_spend()),
                    decisions::num(left)
                )));
            }
            notes.push(match prev {
                Some(_) => format!("{team} did not submit and repeats last round's actions"),
                None => format!("{team} did not submit and does nothing this round"),
            });
            chosen[t] = Some(d);
        }
        let chosen: Vec<Decisions> = chosen.into_iter().map(|d| d.expect("resolved")).collect();

        let mut played = self.played.clone();
        played.push(Played {
            decisions: chosen.clone(),
        });
        let outcome = play::simulate_round(&self.setup(&injects), &played)?;
        if let Some(prev) = self.records.last() {
            for (t, tr) in prev.teams.iter().enumerate() {
                if (tr.sp_end - outcome.sp_start[t]).abs() > 1e-9 {
                    bail!(
                        "replaying rounds 1 to {} gives {} an index of {} instead of the recorded {}: the game no longer reproduces (was a file in {} edited, or softpower changed?)",
                        r - 1,
                        tr.team,
                        outcome.sp_start[t],
                        tr.sp_end,
                        self.dir.display()
                    );
                }
            }
        }
        for (t, a) in outcome.attribution.iter().enumerate() {
            if a.residual.abs() > ATTRIBUTION_TOLERANCE {
                bail!(
                    "internal error: the attribution of {}'s change misses {} (tolerance {ATTRIBUTION_TOLERANCE})",
                    self.settings.teams[t],
                    a.residual
                );
            }
        }
        let record = report::round_record(self, r, &chosen, &outcome, notes);

        let rounds = self.dir.join("rounds");
        std::fs::create_dir_all(&rounds)?;
        let tmp = rounds.join(format!(".tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let res = (|| -> Result<()> {
            std::fs::create_dir_all(tmp.join("decisions"))?;
            for d in &chosen {
                write_atomic(
                    &tmp.join("decisions").join(format!("{}.toml", d.team)),
                    decisions::canonical(d).as_bytes(),
                )?;
            }
            for (name, bytes) in report::round_files(self, &record, &outcome)? {
                write_atomic(&tmp.join(name), &bytes)?;
            }
            write_atomic(
                &tmp.join("round.json"),
                &serde_json::to_vec_pretty(&record)?,
            )?;
            Ok(())
        })();
        if let Err(e) = res {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let target = rounds.join(round_dir(r));
        if target.exists() {
            // Left by an interrupted rewind: set it aside rather than overwrite it.
            let aside = self.rewound_slot()?.join("rounds");
            std::fs::create_dir_all(&aside)?;
            std::fs::rename(&target, aside.join(round_dir(r)))?;
        }
        // The commit point: the round exists once this rename is done.
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        self.played = played;
        self.records.push(record);
        self.ensure_decisions()?;
        Ok(target)
    }

    fn rewound_slot(&self) -> Result<PathBuf> {
        let base = self.dir.join("rewound");
        let mut k = 1;
        while base.join(k.to_string()).exists() {
            k += 1;
        }
        let p = base.join(k.to_string());
        std::fs::create_dir_all(&p)?;
        Ok(p)
    }

    /// Restores the game to the start of `round`: later rounds and their decisions are
    /// moved to `rewound/K/`, never deleted. Rounds are moved from the last one down, so
    /// an interruption leaves a consistent game at some round between.
    pub fn rewind(&mut self, round: u32) -> Result<PathBuf> {
        if round == 0 || round > self.current() {
            bail!(invalid(format!(
                "--to {round}: allowed 1 to {} (round {} is the next to play)",
                self.current(),
                self.current()
            )));
        }
        let slot = self.rewound_slot()?;
        for r in (round..=self.completed()).rev() {
            let from = self.dir.join("rounds").join(round_dir(r));
            std::fs::create_dir_all(slot.join("rounds"))?;
            std::fs::rename(&from, slot.join("rounds").join(round_dir(r)))
                .with_context(|| format!("cannot move {}", from.display()))?;
        }
        for r in (round + 1..=self.settings.rounds).rev() {
            let from = self.decisions_dir(r);
            if from.exists() {
                std::fs::create_dir_all(slot.join("decisions"))?;
                std::fs::rename(
                    &from,
                    slot.join("decisions")
                        .join(format!("round-{}", round_dir(r))),
                )
                .with_context(|| format!("cannot move {}", from.display()))?;
            }
        }
        self.played.truncate(round as usize - 1);
        self.records.truncate(round as usize - 1);
        self.ensure_decisions()?;
        Ok(slot)
    }

    /// Writes the final debrief into `GAME/debrief/` (replacing an earlier one).
    /// Returns the folder and whether an earlier debrief was replaced.
    pub fn debrief(&self) -> Result<(PathBuf, bool)> {
        if self.played.is_empty() {
            bail!(invalid(
                "no round has been played yet: there is nothing to debrief\n  help: `softpower exercise advance GAME` plays a round"
            ));
        }
        let injects = self.injects()?;
        let (engine, recorder) = play::simulate_game(&self.setup(&injects), &self.played)?;
        let files = report::debrief_files(self, &injects, &engine, &recorder)?;
        let target = self.dir.join("debrief");
        let tmp = self
            .dir
            .join(format!(".tmp-debrief-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let res = (|| -> Result<()> {
            std::fs::create_dir_all(&tmp)?;
            for (name, bytes) in &files {
                write_atomic(&tmp.join(name), bytes)?;
            }
            Ok(())
        })();
        if let Err(e) = res {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let replaced = target.exists();
        if replaced {
            let old = self
                .dir
                .join(format!(".tmp-old-debrief-{}", std::process::id()));
            std::fs::rename(&target, &old)?;
            std::fs::rename(&tmp, &target)?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&tmp, &target)?;
        }
        Ok((target, replaced))
    }
}
