//! `softpower exercise`: the classroom game's subcommands; the game logic lives in
//! `exercise`, this file only parses arguments and prints.

use super::{say, tell};
use crate::error::{Error, Result};
use crate::exercise::{Game, MissingPolicy, TeamStatus};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Args)]
#[command(
    after_help = "A game is a folder. Typical class:\n  softpower exercise new scenarios/exercises/four_powers.toml --dir class1\n  (teams edit class1/decisions/round-01/<team>.toml and set submitted = true)\n  softpower exercise status class1           # safe to project; --instructor shows the injects\n  softpower exercise advance class1          # writes class1/rounds/01/report.html and .md\n  softpower exercise rewind class1 --to 1\n  softpower exercise report class1           # class1/debrief/debrief.html, scores.csv\n\nSee docs/TEACHING.md."
)]
pub struct ExerciseArgs {
    #[command(subcommand)]
    pub command: ExerciseCommand,
}

#[derive(Subcommand)]
pub enum ExerciseCommand {
    /// Create a game folder from a scenario whose actors are marked `playable = true`
    New {
        /// Scenario file (TOML) with playable actors and usually an [exercise] table
        scenario: PathBuf,
        /// Game folder to create (must not exist, or be empty)
        #[arg(long)]
        dir: PathBuf,
        /// Number of rounds [default: exercise.rounds of the scenario]
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=99))]
        rounds: Option<u32>,
        /// Ticks simulated per round [default: exercise.ticks_per_round, else ticks / rounds]
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        ticks_per_round: Option<u32>,
    },
    /// Show which teams have submitted and whether each decisions file is valid (safe to
    /// project: nothing about injects to come)
    Status {
        /// Game folder
        game: PathBuf,
        /// Also show the injects planned, and those of the next round (not for projection)
        #[arg(long)]
        instructor: bool,
    },
    /// Play the next round and write its report (with --missing, invalid files count as not submitted)
    Advance {
        /// Game folder
        game: PathBuf,
        /// What teams that have not submitted (or submitted an invalid file) do: hold (nothing) or repeat (last round)
        #[arg(long, value_enum)]
        missing: Option<Missing>,
    },
    /// Go back to the start of round N (later rounds are moved to GAME/rewound/)
    Rewind {
        /// Game folder
        game: PathBuf,
        /// Round to restart from
        #[arg(long)]
        to: u32,
    },
    /// Write the final debrief: debrief.md, debrief.html (self-contained), scores.csv
    Report {
        /// Game folder
        game: PathBuf,
    },
    /// Serve the game to the class's browsers: a page per team behind its own join code, and the instructor's page
    #[command(
        after_help = "Prints one join code per team and one for the instructor (kept in GAME/codes.toml, the same after a restart).\nTeams open the address shown and type their code. By default only this computer can connect;\n--open-to-network lets the other computers of the classroom network in. Ctrl+C stops the server.\nDecisions submitted from the browser are the same files `exercise status` and `advance` read.\n\nExample:\n  softpower exercise serve class1 --open-to-network"
    )]
    Serve {
        /// Game folder
        game: PathBuf,
        /// Port to listen on (0: any free port)
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Address to listen on [default: 127.0.0.1, this computer only]
        #[arg(long, conflicts_with = "open_to_network")]
        bind: Option<std::net::IpAddr>,
        /// Let the other computers of the network in (listens on 0.0.0.0)
        #[arg(long)]
        open_to_network: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Missing {
    Hold,
    Repeat,
}

pub fn exercise(args: ExerciseArgs) -> Result<()> {
    execute(args)
}

fn execute(args: ExerciseArgs) -> Result<()> {
    match args.command {
        ExerciseCommand::New {
            scenario,
            dir,
            rounds,
            ticks_per_round,
        } => {
            let g = Game::create(&scenario, &dir, rounds, ticks_per_round)?;
            let (_, moved) = crate::exercise::game::fit_injects(
                &g.scenario,
                g.settings.rounds,
                g.settings.ticks_per_round,
            );
            say!(
                "created {}: {} teams ({}), {} rounds of {} {}s",
                dir.display(),
                g.settings.teams.len(),
                g.settings.teams.join(", "),
                g.settings.rounds,
                g.settings.ticks_per_round,
                g.scenario.scenario.tick_label
            );
            say!(
                "  teams edit {}/<team>.toml; injects.toml is for the instructor only",
                g.decisions_dir(1).display()
            );
            for m in moved {
                say!("  instructor: {m} (injects.toml)");
            }
        }
        ExerciseCommand::Status { game, instructor } => {
            let g = Game::open(&game)?;
            print_status(&g, instructor)?;
        }
        ExerciseCommand::Advance { game, missing } => {
            let mut g = Game::open(&game)?;
            let policy = missing.map(|m| match m {
                Missing::Hold => MissingPolicy::Hold,
                Missing::Repeat => MissingPolicy::Repeat,
            });
            let dir = g.advance(policy)?;
            let rec = g
                .records
                .last()
                .ok_or_else(|| Error::failure("no round record after a round was played"))?;
            say!(
                "round {} of {} played: {}",
                rec.round,
                rec.rounds,
                dir.join("report.md").display()
            );
            let mut order: Vec<_> = rec.teams.iter().collect();
            order.sort_by_key(|t| t.rank);
            for t in order {
                say!(
                    "  {}. {:<28} score {:+.5}  index {:>8.4} ({:+.4})",
                    t.rank,
                    t.name,
                    t.score,
                    t.sp_end,
                    t.change
                );
            }
            for n in &rec.notes {
                match n.strip_prefix("warning: ") {
                    Some(w) => say!("  WARNING: {w}"),
                    None => say!("  note: {n}"),
                }
            }
            if g.finished() {
                say!(
                    "the game is over: `softpower exercise report {}` writes the debrief",
                    game.display()
                );
            } else {
                say!(
                    "round {} decisions (pre-filled with the last choices): {}",
                    g.current(),
                    g.decisions_dir(g.current()).display()
                );
            }
        }
        ExerciseCommand::Rewind { game, to } => {
            let mut g = Game::open(&game)?;
            let slot = g.rewind(to)?;
            say!(
                "rewound {} to the start of round {to}; later rounds and decisions were moved to {}",
                game.display(),
                slot.display()
            );
        }
        ExerciseCommand::Report { game } => {
            let g = Game::open(&game)?;
            let (dir, replaced) = g.debrief()?;
            if replaced {
                say!("replaced the earlier debrief in {}", dir.display());
            }
            say!(
                "debrief of {} rounds: {}, {}, {}",
                g.completed(),
                dir.join("debrief.md").display(),
                dir.join("debrief.html").display(),
                dir.join("scores.csv").display()
            );
        }
        ExerciseCommand::Serve {
            game,
            port,
            bind,
            open_to_network,
        } => serve(&game, port, bind, open_to_network)?,
    }
    Ok(())
}

fn serve(
    game: &std::path::Path,
    port: u16,
    bind: Option<std::net::IpAddr>,
    open_to_network: bool,
) -> Result<()> {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let ip = match bind {
        Some(ip) => ip,
        None if open_to_network => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    let (server, created) = crate::exercise::serve::Server::open(game, SocketAddr::new(ip, port))?;
    let addr = server.address();
    let shown = if addr.ip().is_unspecified() {
        format!("http://<this computer's address>:{}", addr.port())
    } else {
        format!("http://{addr}")
    };
    say!("serving {} at {shown}/", game.display());
    if !addr.ip().is_loopback() {
        tell!(
            "warning: any computer that can reach this one on the network can open these pages; only the join codes keep the game private. Stop with Ctrl+C when the class is over."
        );
    } else {
        say!("  only this computer can connect (--open-to-network lets the classroom in)");
    }
    let codes = server.codes();
    say!(
        "join codes ({} {}):",
        if created { "new, written to" } else { "from" },
        game.join(crate::exercise::serve::codes::FILE).display()
    );
    say!(
        "  {:<20} {}   {shown}/{}/",
        "instructor",
        codes.instructor,
        codes.instructor
    );
    let g = Game::open(game)?;
    for t in &g.settings.teams {
        let c = codes.teams.get(t).map_or("", |c| c.as_str());
        say!("  {t:<20} {c}   {shown}/{c}/");
    }
    say!("Press Ctrl+C to stop.");
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    server.run(&stop, &mut |line| say!("{line}"))?;
    say!("stopped; the game folder holds everything (serve it again to continue)");
    Ok(())
}

fn print_status(g: &Game, instructor: bool) -> Result<()> {
    if instructor {
        print_plan(g)?;
    }
    if g.finished() {
        say!(
            "{}: all {} rounds played; `exercise report` writes the debrief",
            g.dir.display(),
            g.settings.rounds
        );
        return Ok(());
    }
    let r = g.current();
    say!(
        "{}: round {r} of {} is next ({} played)",
        g.dir.display(),
        g.settings.rounds,
        g.completed()
    );
    let mut problems = Vec::new();
    let mut drafts = Vec::new();
    let mut ready = 0;
    for (t, st) in g.status().into_iter().enumerate() {
        let team = &g.settings.teams[t];
        let left = g.budget_left(t, r);
        let line = match st {
            TeamStatus::Missing => "missing: no decisions file".to_string(),
            TeamStatus::Draft(d) => format!(
                "not submitted (valid draft: {} actions, {} of {} budget; set submitted = true)",
                d.actions.len(),
                crate::exercise::decisions::num(d.total_spend()),
                crate::exercise::decisions::num(left)
            ),
            TeamStatus::Submitted(d) => {
                ready += 1;
                format!(
                    "submitted, valid: {} actions, spends {} of {}{}",
                    d.actions.len(),
                    crate::exercise::decisions::num(d.total_spend()),
                    crate::exercise::decisions::num(left),
                    if d.prediction.is_some() {
                        ", with a prediction"
                    } else {
                        ""
                    }
                )
            }
            TeamStatus::InvalidDraft(e) => {
                drafts.push(e.to_string());
                format!(
                    "not submitted (draft with {} problems, below)",
                    e.diagnostics.len()
                )
            }
            TeamStatus::Invalid(e) => {
                problems.push(e.to_string());
                format!("INVALID ({} problems, below)", e.diagnostics.len())
            }
        };
        say!("  {team:<20} {line}");
    }
    // Projected in class: whether the instructor's file is valid, nothing of what it holds.
    match g.injects() {
        Ok(_) => say!("  injects.toml: valid"),
        Err(e) => problems.push(e.report()),
    }
    for w in g.warnings() {
        say!("  WARNING: {w}");
    }
    for p in drafts.iter().chain(&problems) {
        tell!("{p}");
    }
    say!(
        "{ready} of {} teams ready{}",
        g.teams.len(),
        if problems.is_empty() {
            String::new()
        } else {
            "; fix the problems, or play the round with `advance --missing hold|repeat` (invalid files then count as not submitted)".into()
        }
    );
    if !problems.is_empty() {
        return Err(Error::invalid(format!(
            "{} file(s) with problems",
            problems.len()
        )));
    }
    Ok(())
}

/// The instructor's view of the injects: every one planned, marking the next round's.
fn print_plan(g: &Game) -> Result<()> {
    let injects = g.injects()?;
    let label = &g.scenario.scenario.tick_label;
    say!(
        "INSTRUCTOR ONLY (do not project): {} injects planned in {}",
        injects.len(),
        g.dir.join("injects.toml").display()
    );
    let next = g.current();
    for i in &injects {
        let when = if i.round < next {
            "played"
        } else if i.round == next && !g.finished() {
            "NEXT ROUND"
        } else {
            "to come"
        };
        say!(
            "  round {} ({label} {} of the round) [{when}]: {}",
            i.round,
            i.at,
            if i.title.is_empty() {
                "(untitled)"
            } else {
                &i.title
            }
        );
    }
    Ok(())
}
