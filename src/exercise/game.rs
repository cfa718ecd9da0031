//! The game folder: creating it, reading its state, advancing and rewinding rounds.
//!
//! ```text
//! GAME/game.toml                   settings (rounds, ticks per round, teams, scenario hash)
//! GAME/scenario.toml               frozen copy of the scenario
//! GAME/injects.toml                instructor only: surprise events by round
//! GAME/README.md                   briefing for teams and instructor (no injects)
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
use super::{ATTRIBUTION_TOLERANCE, FORMAT_VERSION, Settings, plain_id};
use crate::error::{Context, Error, Result, sha256_hex};
use crate::output::{is_temp_name, write_atomic};
use crate::scenario::check::check_inject;
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::select::PopIndex;
use crate::scenario::{Inject, Scenario, ScenarioError, TomlPath, located, parse_str, parse_toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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

/// Reads a file of the game folder as text. `Ok(None)` if it does not exist; a file that
/// cannot be read or is not UTF-8 is reported like a scenario problem, at its place.
fn read_game_text(p: &Path) -> std::result::Result<Option<String>, ScenarioError> {
    let problem = |d: Diagnostic| ScenarioError {
        file: p.to_path_buf(),
        diagnostics: vec![d],
    };
    let bytes = match std::fs::read(p) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(problem(Diagnostic::new(
                TomlPath::root(),
                format!("cannot read the file: {e}"),
            )));
        }
    };
    crate::scenario::load::utf8_text(bytes, p).map(Some)
}

/// A file's problems in one line, for a warning (the full text is in `status`).
pub fn summary(e: &ScenarioError) -> String {
    let first = e.diagnostics.first().map_or(String::new(), |d| {
        let at = d.line.map_or(String::new(), |l| format!("line {l}: "));
        let field = d.path.to_string();
        if field.is_empty() {
            format!("{at}{}", d.message)
        } else {
            format!("{at}{field}: {}", d.message)
        }
    });
    match e.diagnostics.len() {
        0 => format!("{}", e.file.display()),
        1 => format!("{} {first}", e.file.display()),
        n => format!("{} {first} (and {} more)", e.file.display(), n - 1),
    }
}

/// Like [`read_game_text`] for a file that must exist.
fn read_required(p: &Path) -> Result<String> {
    read_game_text(p)?.ok_or_else(|| Error::in_file(p, "is missing from the game folder"))
}

/// Reads and checks round `n`'s `round.json`: it must be that round of this game.
fn read_record(p: &Path, settings: &Settings, n: u32) -> Result<RoundRecord> {
    let text = read_required(p)?;
    let rec: RoundRecord = serde_json::from_str(&text)
        .map_err(|e| Error::in_file(p, format!("not a round record: {e}")))?;
    let names: Vec<&str> = rec.teams.iter().map(|t| t.team.as_str()).collect();
    let wanted: Vec<&str> = settings.teams.iter().map(|t| t.as_str()).collect();
    if rec.round != n || names != wanted {
        return Err(Error::in_file(
            p,
            format!(
                "records round {} of teams {}, but this is round {n} of teams {}",
                rec.round,
                names.join(", "),
                wanted.join(", ")
            ),
        )
        .help("a round folder was edited or copied from another game: restore it, or rewind"));
    }
    Ok(rec)
}

/// Builds a folder under a temporary name next to `target` with `fill`, then renames it
/// into place (the commit point): the folder exists whole or not at all. `target` must
/// not exist. `tag` tells the temporaries of different folders apart.
fn commit_folder(target: &Path, tag: &str, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = parent.join(format!(".{tag}tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let res = std::fs::create_dir_all(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))
        .and_then(|()| fill(&tmp))
        .and_then(|()| {
            std::fs::rename(&tmp, target)
                .with_context(|| format!("cannot create {}", target.display()))
        });
    if res.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    res
}

/// The frozen scenario's text and the edge lists it needs: every `edge_list` generator is
/// pointed at a copy inside the game folder (`edges-N.txt`, N its 1-based position), so
/// the folder is whole on its own and no path leaves it. Returns the text to freeze and
/// (copy's name, file to copy) pairs; a scenario without edge lists is frozen as written.
fn freeze_edge_lists(
    text: &str,
    sc: &Scenario,
    scenario_path: &Path,
) -> Result<(String, Vec<(String, PathBuf)>)> {
    use crate::scenario::GraphModel;
    let base = crate::scenario::load::base_dir(scenario_path);
    let lists: Vec<(usize, PathBuf)> = sc
        .generators
        .iter()
        .enumerate()
        .filter_map(|(i, g)| match &g.graph {
            GraphModel::EdgeList { file } => Some((i, base.join(file))),
            _ => None,
        })
        .collect();
    if lists.is_empty() {
        return Ok((text.to_string(), Vec::new()));
    }
    // The text parsed as a scenario already, so the tables are where serde found them.
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Error::in_file(scenario_path, format!("cannot parse: {e}")))?;
    let mut copies = Vec::with_capacity(lists.len());
    for (i, source) in lists {
        let copy = format!("edges-{}.txt", i + 1);
        let file = doc
            .get_mut("generate")
            .and_then(|g| g.get_mut(i))
            .and_then(|g| g.get_mut("graph"))
            .and_then(|g| g.get_mut("file"))
            .and_then(|f| f.as_value_mut())
            .ok_or_else(|| {
                Error::failure(format!(
                    "{}: generate[{i}].graph.file not found to freeze the edge list",
                    scenario_path.display()
                ))
            })?;
        let decor = file.decor().clone();
        *file = toml_edit::Value::from(copy.as_str());
        *file.decor_mut() = decor;
        copies.push((copy, source));
    }
    Ok((doc.to_string(), copies))
}

/// A plain identifier close to `id`, for the help of a refused team id.
fn suggest_plain(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_matches('_')
        .chars()
        .take(64)
        .collect();
    if s.is_empty() { "team_1".into() } else { s }
}

/// The scenario's injects placed in a game of `rounds` rounds of `tpr` ticks. When the
/// game is cut differently from the scenario's `[exercise]` table (a shorter class), an
/// inject keeps its moment in the story, its tick from the start, and moves to the round
/// holding that tick; one after the game's end is left out. Returns the injects and, for
/// the instructor, what moved.
pub fn fit_injects(sc: &Scenario, rounds: u32, tpr: u32) -> (Vec<Inject>, Vec<String>) {
    let Some(ex) = &sc.exercise else {
        return (Vec::new(), Vec::new());
    };
    let t0 = ex.ticks_per_round(sc.scenario.ticks);
    if (ex.rounds, t0) == (rounds, tpr) || t0 == 0 {
        return (ex.injects.clone(), Vec::new());
    }
    let label = &sc.scenario.tick_label;
    let end = rounds as u64 * tpr as u64;
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for inj in &ex.injects {
        let tick = inj.round.saturating_sub(1) as u64 * t0 as u64 + inj.at as u64;
        let name = if inj.title.is_empty() {
            format!("the inject of round {}", inj.round)
        } else {
            format!("\"{}\"", inj.title)
        };
        if tick >= end {
            notes.push(format!(
                "{name} ({label} {tick}) falls after the game's last {label} and is left out"
            ));
            continue;
        }
        let mut x = inj.clone();
        x.round = (tick / tpr as u64) as u32 + 1;
        x.at = (tick % tpr as u64) as u32;
        if x.round != inj.round {
            notes.push(format!(
                "{name} ({label} {tick}) moves from round {} to round {}",
                inj.round, x.round
            ));
        }
        out.push(x);
    }
    (out, notes)
}

impl Settings {
    /// Checks a `game.toml` read back: every name in it must stay a plain file name
    /// inside the game folder, and the numbers must make a game.
    fn check(&self, path: &Path, text: &str) -> Result<()> {
        let mut d = Vec::new();
        let root = TomlPath::root();
        if !self.scenario.ends_with(".toml") || !plain_id(self.scenario.trim_end_matches(".toml")) {
            d.push(
                Diagnostic::new(
                    root.key("scenario"),
                    format!(
                        "\"{}\" is not a file name inside the game folder",
                        self.scenario
                    ),
                )
                .help("write scenario = \"scenario.toml\""),
            );
        }
        if !(1..=99).contains(&self.rounds) {
            d.push(Diagnostic::new(
                root.key("rounds"),
                format!("{} rounds; allowed 1 to 99", self.rounds),
            ));
        }
        if self.ticks_per_round == 0 || self.rounds.checked_mul(self.ticks_per_round).is_none() {
            d.push(Diagnostic::new(
                root.key("ticks_per_round"),
                format!(
                    "{} ticks per round; allowed at least 1, with rounds × ticks_per_round below 2^32",
                    self.ticks_per_round
                ),
            ));
        }
        if self.teams.is_empty() {
            d.push(Diagnostic::new(
                root.key("teams"),
                "no teams: a game needs at least one",
            ));
        }
        for (i, t) in self.teams.iter().enumerate() {
            if !plain_id(t) {
                d.push(Diagnostic::new(
                    root.key("teams").idx(i),
                    format!("\"{t}\" is not a plain identifier (letters, digits, _ and -)"),
                ));
            } else if self.teams[..i].contains(t) {
                d.push(Diagnostic::new(
                    root.key("teams").idx(i),
                    format!("team \"{t}\" is listed twice"),
                ));
            }
        }
        if d.is_empty() {
            return Ok(());
        }
        let mut e = located(text, path, d);
        if let Some(last) = e.diagnostics.last_mut()
            && last.help.is_none()
        {
            last.help = Some(
                "game.toml is written by `exercise new` and must not be edited: restore it, or start a new game"
                    .into(),
            );
        }
        Err(e.into())
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
        let bytes = crate::error::read_user_file(scenario_path)?;
        let text = crate::scenario::load::utf8_text(bytes, scenario_path)?;
        let sc = parse_str(&text, scenario_path, &Default::default())?;
        let ex = sc.exercise.clone();
        let rounds = rounds.or(ex.as_ref().map(|x| x.rounds)).ok_or_else(|| {
            Error::in_file(
                scenario_path,
                "no [exercise] table, so the number of rounds is unknown",
            )
            .help("add [exercise] rounds = 6 to the scenario, or pass --rounds")
        })?;
        if !(1..=99).contains(&rounds) {
            return Err(
                Error::invalid(format!("--rounds {rounds}: out of range")).help("allowed: 1 to 99")
            );
        }
        let tpr = ticks_per_round
            .or(ex.as_ref().and_then(|x| x.ticks_per_round))
            .unwrap_or(sc.scenario.ticks / rounds);
        if tpr == 0 {
            return Err(Error::invalid(format!(
                "a round would last 0 ticks ({} ticks for {rounds} rounds)",
                sc.scenario.ticks
            ))
            .help("pass --ticks-per-round (at least 1), or fewer --rounds"));
        }
        let teams: Vec<String> = sc
            .actors
            .iter()
            .filter(|a| a.playable)
            .map(|a| a.id.clone())
            .collect();
        if let Some(i) = sc
            .actors
            .iter()
            .position(|a| a.playable && !plain_id(&a.id))
        {
            let t = &sc.actors[i].id;
            let d = Diagnostic::new(
                TomlPath::root().key("actor").idx(i).key("id"),
                format!("playable actor \"{t}\" cannot be a team: its id names the team's decisions file"),
            )
            .help(format!(
                "allowed: a plain identifier (letters, digits, _ and -, at most 64), e.g. id = \"{}\"",
                suggest_plain(t)
            ));
            return Err(located(&text, scenario_path, vec![d]).into());
        }
        if teams.is_empty() {
            return Err(Error::in_file(scenario_path, "no actor is playable")
                .help("mark the actors teams play with `playable = true`"));
        }
        if let Some((i, c)) = sc
            .campaigns
            .iter()
            .enumerate()
            .find(|(_, c)| teams.contains(&c.actor))
        {
            let d = Diagnostic::new(
                TomlPath::root().key("campaign").idx(i).key("actor"),
                format!(
                    "campaign \"{}\" belongs to playable actor \"{}\"",
                    c.id, c.actor
                ),
            )
            .help("teams decide their own campaigns; remove it or make the actor not playable");
            return Err(located(&text, scenario_path, vec![d]).into());
        }
        if dir.exists()
            && (!dir.is_dir()
                || std::fs::read_dir(dir)
                    .with_context(|| format!("cannot read {}", dir.display()))?
                    .next()
                    .is_some())
        {
            return Err(Error::invalid(format!(
                "{} already exists and is not empty; nothing was changed",
                dir.display()
            ))
            .help("choose another --dir"));
        }
        let (frozen, edge_lists) = freeze_edge_lists(&text, &sc, scenario_path)?;
        let settings = Settings {
            format: FORMAT_VERSION,
            scenario: "scenario.toml".into(),
            scenario_sha256: sha256_hex(frozen.as_bytes()),
            rounds,
            ticks_per_round: tpr,
            teams,
        };
        let (injects, _) = fit_injects(&sc, rounds, tpr);
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
        let name = dir
            .file_name()
            .map_or("game".into(), |n| n.to_string_lossy().into_owned());
        // Temporaries of this folder that a killed `exercise new` left.
        if let Ok(rd) = std::fs::read_dir(parent) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with(&format!(".{name}.tmp-")) && is_temp_name(&n) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        if dir.exists() {
            std::fs::remove_dir(dir)
                .with_context(|| format!("cannot replace {}", dir.display()))?;
        }
        // The game is opened (its scenario re-read from inside the folder, round 1's
        // decisions written) before the rename, so a failure leaves no folder behind.
        commit_folder(dir, &format!("{name}."), |tmp| {
            for (copy, source) in &edge_lists {
                let bytes = crate::error::read_user_file(source)?;
                write_atomic(&tmp.join(copy), &bytes)?;
            }
            write_atomic(&tmp.join("scenario.toml"), frozen.as_bytes())?;
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
            Game::open(tmp).map(|_| ())
        })?;
        Game::open(dir)
    }

    /// Opens a game folder, re-creating the next round's decisions if they are missing.
    pub fn open(dir: &Path) -> Result<Game> {
        let gpath = dir.join("game.toml");
        let Some(gtext) = read_game_text(&gpath)? else {
            return Err(Error::invalid(format!(
                "{} is not a game folder (it has no game.toml)",
                dir.display()
            ))
            .help(format!(
                "create one with `softpower exercise new SCENARIO --dir {}`",
                dir.display()
            )));
        };
        // The version first, so a newer layout is reported as such and not as a bad field.
        if let Ok(t) = gtext.parse::<toml::Table>()
            && let Some(v) = t.get("format")
        {
            let v = v
                .as_integer()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0);
            crate::output::ensemble::check_version(&gpath, v)?;
        }
        let settings: Settings = parse_toml(&gtext, &gpath)?;
        settings.check(&gpath, &gtext)?;
        let spath = dir.join(&settings.scenario);
        let stext = read_required(&spath)?;
        if sha256_hex(stext.as_bytes()) != settings.scenario_sha256 {
            return Err(Error::in_file(
                &spath,
                "was changed after the game started; the rounds played no longer match it",
            )
            .help("restore the original, or start a new game"));
        }
        let scenario = parse_str(&stext, &spath, &Default::default())?;
        let teams = settings
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| {
                scenario.actors.iter().position(|a| &a.id == t).ok_or_else(|| {
                    let d = Diagnostic::new(
                        TomlPath::root().key("teams").idx(i),
                        format!("unknown team \"{t}\": no actor of scenario.toml has this id"),
                    )
                    .help("game.toml is written by `exercise new` and must not be edited: restore it, or start a new game");
                    Error::from(located(&gtext, &gpath, vec![d]))
                })
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
                decisions.push(parse_toml::<Decisions>(&read_required(&p)?, &p)?);
            }
            let rec = read_record(
                &rd.join("round.json"),
                &game.settings,
                game.played.len() as u32 + 1,
            )?;
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
            crate::output::remove_stale_temporaries(&d);
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
        commit_folder(&target, "", |tmp| self.write_templates(tmp, r))
    }

    fn write_templates(&self, tmp: &Path, r: u32) -> Result<()> {
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

    /// Problems that do not stop the round, for `status` and the round report: files in
    /// the round's decisions folder that no team owns, and actions that provably do
    /// nothing (`play::no_ops`), in the teams' valid files (submitted or draft).
    pub fn warnings(&self) -> Vec<String> {
        if self.finished() {
            return Vec::new();
        }
        let r = self.current();
        let mut out = Vec::new();
        let dir = self.decisions_dir(r);
        let mut stray: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| {
                        !n.starts_with('.')
                            && !self
                                .settings
                                .teams
                                .iter()
                                .any(|t| *n == format!("{t}.toml"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        stray.sort();
        for n in stray {
            let stem = n.trim_end_matches(".toml").to_lowercase();
            let near = self
                .settings
                .teams
                .iter()
                .min_by_key(|t| strsim::levenshtein(&stem, &t.to_lowercase()))
                .map(|t| format!("; did you mean {t}.toml?"))
                .unwrap_or_default();
            out.push(format!(
                "{} is not a team's file and is ignored: teams' files are {}{near}",
                dir.join(&n).display(),
                self.settings
                    .teams
                    .iter()
                    .map(|t| format!("{t}.toml"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let current: Vec<Decisions> = self
            .status()
            .into_iter()
            .enumerate()
            .map(|(t, st)| match st {
                TeamStatus::Submitted(d) | TeamStatus::Draft(d) => d,
                _ => Decisions {
                    team: self.settings.teams[t].clone(),
                    round: r,
                    submitted: false,
                    prediction: None,
                    actions: Vec::new(),
                },
            })
            .collect();
        let mut played = self.played.clone();
        played.push(Played { decisions: current });
        let injects = self.injects().unwrap_or_default();
        if let Ok(v) = play::no_ops(&self.setup(&injects), &played) {
            for (t, id, why) in v {
                out.push(format!(
                    "{}: action \"{id}\" does nothing: {why}",
                    self.settings.teams[t]
                ));
            }
        }
        out
    }

    /// The state of every team's decisions for the current round.
    pub fn status(&self) -> Vec<TeamStatus> {
        let r = self.current();
        (0..self.teams.len())
            .map(|t| {
                let p = self.decisions_path(t, r);
                // An unreadable or non-UTF-8 file is invalid, never "missing": `--missing
                // hold` must not silently drop a team's actions.
                let text = match read_game_text(&p) {
                    Ok(Some(text)) => text,
                    Ok(None) => return TeamStatus::Missing,
                    Err(e) => return TeamStatus::Invalid(e),
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
            return Err(Error::invalid(format!(
                "the game is over: all {} rounds are played",
                self.settings.rounds
            ))
            .help(format!(
                "`softpower exercise report {}` writes the debrief; `exercise rewind` replays from an earlier round",
                self.dir.display()
            )));
        }
        let injects = self.injects()?;
        let r = self.current();
        let mut errors = Vec::new();
        let mut absent = Vec::new();
        let mut chosen = Vec::new();
        let mut notes = Vec::new();
        for (t, st) in self.status().into_iter().enumerate() {
            match st {
                TeamStatus::Submitted(d) => chosen.push(Some(d)),
                TeamStatus::Invalid(e) => {
                    // With a --missing policy a bad file never stops the class: the team
                    // is treated as not submitted, and told why.
                    if missing.is_some() {
                        notes.push(format!(
                            "warning: {}'s submitted decisions are invalid, so they count as not submitted: {}",
                            self.settings.teams[t],
                            summary(&e)
                        ));
                        absent.push(t);
                    } else {
                        errors.push(e.to_string());
                    }
                    chosen.push(None);
                }
                TeamStatus::Missing | TeamStatus::Draft(_) | TeamStatus::InvalidDraft(_) => {
                    absent.push(t);
                    chosen.push(None);
                }
            }
        }
        if !errors.is_empty() {
            return Err(Error::invalid(format!(
                "{}\nround {r} was not played: fix the decisions above (nothing was changed)",
                errors.join("\n")
            ))
            .help("or pass --missing hold or --missing repeat to play the round with invalid files counted as not submitted"));
        }
        notes.extend(self.warnings().into_iter().map(|w| format!("warning: {w}")));
        let names = |v: &[usize]| {
            v.iter()
                .map(|&t| self.settings.teams[t].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match missing {
            None if !absent.is_empty() => {
                return Err(Error::invalid(format!(
                    "round {r} was not played: no submitted decisions from {} (nothing was changed)",
                    names(&absent)
                ))
                .help(format!(
                    "the team sets `submitted = true` in {}, or pass --missing hold (they do nothing) or --missing repeat (they repeat last round)",
                    self.decisions_dir(r).display()
                )));
            }
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
                return Err(Error::invalid(format!(
                    "--missing repeat: team \"{team}\" cannot repeat last round: it would spend {} with {} left",
                    decisions::num(d.total_spend()),
                    decisions::num(left)
                ))
                .help("use --missing hold, or have the team submit"));
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
                    return Err(Error::invalid(format!(
                        "replaying rounds 1 to {} gives {} an index of {} instead of the recorded {}: the game no longer reproduces (was a file in {} edited, or softpower changed?)",
                        r - 1,
                        tr.team,
                        outcome.sp_start[t],
                        tr.sp_end,
                        self.dir.display()
                    ))
                    .help(format!(
                        "undo the edit, or replay from the start with `softpower exercise rewind {} --to 1` (played rounds are set aside in rewound/, not deleted)",
                        self.dir.display()
                    )));
                }
            }
        }
        for (t, a) in outcome.attribution.iter().enumerate() {
            if a.residual.abs() > ATTRIBUTION_TOLERANCE {
                return Err(Error::failure(format!(
                    "internal error: the attribution of {}'s change misses {} (tolerance {ATTRIBUTION_TOLERANCE})",
                    self.settings.teams[t], a.residual
                )));
            }
        }
        let record = report::round_record(self, r, &chosen, &outcome, notes);

        let rounds = self.dir.join("rounds");
        let target = rounds.join(round_dir(r));
        if target.exists() {
            // Left by an interrupted rewind: set it aside rather than overwrite it.
            let aside = self.rewound_slot()?.join("rounds");
            std::fs::create_dir_all(&aside)?;
            std::fs::rename(&target, aside.join(round_dir(r)))?;
        }
        // The commit point: the round exists once its folder is renamed into place.
        commit_folder(&target, "", |tmp| {
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
        })?;
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
        if round > self.settings.rounds {
            return Err(Error::invalid(format!(
                "--to {round}: the game has only {} rounds",
                self.settings.rounds
            ))
            .help(format!(
                "pass --to 1 to {}",
                self.current().min(self.settings.rounds)
            )));
        }
        if round == 0 || round > self.current() {
            return Err(Error::invalid(format!(
                "--to {round}: round {} is the next to play",
                self.current()
            ))
            .help(format!("pass --to 1 to {}", self.current())));
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
            return Err(Error::invalid(
                "no round has been played yet: there is nothing to debrief",
            )
            .help(format!(
                "`softpower exercise advance {}` plays a round",
                self.dir.display()
            )));
        }
        let injects = self.injects()?;
        let (engine, recorder) = play::simulate_game(&self.setup(&injects), &self.played)?;
        let files = report::debrief_files(self, &injects, &engine, &recorder)?;
        let target = self.dir.join("debrief");
        let replaced = target.exists();
        // The earlier debrief is set aside first and removed once the new one is in place.
        let old = self
            .dir
            .join(format!(".tmp-old-debrief-{}", std::process::id()));
        if replaced {
            let _ = std::fs::remove_dir_all(&old);
            std::fs::rename(&target, &old)
                .with_context(|| format!("cannot replace {}", target.display()))?;
        }
        let res = commit_folder(&target, "debrief.", |tmp| {
            for (name, bytes) in &files {
                write_atomic(&tmp.join(name), bytes)?;
            }
            Ok(())
        });
        if replaced {
            if res.is_err() {
                let _ = std::fs::rename(&old, &target);
            } else {
                let _ = std::fs::remove_dir_all(&old);
            }
        }
        res?;
        Ok((target, replaced))
    }
}
