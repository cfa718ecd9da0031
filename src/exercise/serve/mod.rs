//! `softpower exercise serve`: the game folder served to the class's browsers.
//!
//! One thread answers one request at a time (tiny_http, no async runtime): a class
//! makes a few requests a second, and serial handling means a submission and an
//! `advance` never interleave. Every request re-opens the game folder, so the server
//! holds no state of its own and a class can switch between the browser and the CLI at
//! any moment; every write goes through the same functions and atomic writes as the CLI.
//!
//! ```text
//! /                                join page (type a code)
//! /CODE/                           instructor page, or a redirect to the team's page
//! /CODE/team/T/                    team T's page; check, submit (POST JSON),
//!                                  decisions.toml, rounds/NN/decisions.toml
//! /CODE/status.json                instructor: the state of every team's decisions
//! /CODE/advance, rewind, debrief   instructor: POST JSON, same code path as the CLI
//! /CODE/rounds/NN/, /CODE/debrief/ instructor: report pages and their files
//! ```
//! A code is checked on every request; a team's code opens only its own team's paths.

pub mod codes;
pub mod form;
mod pages;

use super::game::round_dir;
use super::{Game, MissingPolicy, TeamStatus};
use crate::error::{Error, Result};
use crate::output::write_atomic;
pub use codes::{Codes, Role};
use serde_json::json;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Largest request body read; a form of a few dozen actions is a few kB.
pub const MAX_BODY: usize = 64 * 1024;

pub struct Server {
    http: tiny_http::Server,
    dir: PathBuf,
    codes: Codes,
    addr: SocketAddr,
}

/// A response before it is sent.
struct Reply {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            kind: "text/html; charset=utf-8",
            body: body.into_bytes(),
            location: None,
        }
    }
    fn json(status: u16, v: serde_json::Value) -> Reply {
        Reply {
            status,
            kind: "application/json",
            body: v.to_string().into_bytes(),
            location: None,
        }
    }
    fn text(status: u16, body: String) -> Reply {
        Reply {
            status,
            kind: "text/plain; charset=utf-8",
            body: body.into_bytes(),
            location: None,
        }
    }
    fn redirect(to: String) -> Reply {
        Reply {
            status: 303,
            kind: "text/plain; charset=utf-8",
            body: Vec::new(),
            location: Some(to),
        }
    }
    fn status(status: u16, what: &str) -> Reply {
        Reply::html(status, pages::message(status, what))
    }
}

/// What the server tells the instructor's terminal (the CLI prints it).
pub type Log<'a> = &'a mut dyn FnMut(String);

impl Server {
    /// Opens the game, creates its join codes if it has none, and listens on `addr`
    /// (port 0: any free port). Returns whether new codes were written.
    pub fn open(dir: &Path, addr: SocketAddr) -> Result<(Server, bool)> {
        let g = Game::open(dir)?;
        let (codes, created) = Codes::load_or_create(&g)?;
        let http = tiny_http::Server::http(addr).map_err(|e| {
            Error::invalid(format!("cannot listen on {addr}: {e}"))
                .help("another program may use this port: choose another with --port")
        })?;
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::failure("the server has no IP address"))?;
        Ok((
            Server {
                http,
                dir: dir.to_path_buf(),
                codes,
                addr,
            },
            created,
        ))
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }
    pub fn codes(&self) -> &Codes {
        &self.codes
    }

    /// Answers requests until `stop` is set.
    pub fn run(&self, stop: &AtomicBool, log: Log) -> Result<()> {
        while !stop.load(Ordering::SeqCst) {
            match self.http.recv_timeout(Duration::from_millis(200)) {
                Ok(Some(req)) => self.answer(req, log),
                Ok(None) => {}
                Err(e) => return Err(Error::failure(format!("the web server failed: {e}"))),
            }
        }
        Ok(())
    }

    fn answer(&self, mut req: tiny_http::Request, log: Log) {
        let method = req.method().clone();
        let url = req.url().to_string();
        let body = if matches!(method, tiny_http::Method::Post) {
            if req.body_length().is_some_and(|n| n > MAX_BODY) {
                Err(())
            } else {
                let mut b = Vec::new();
                match req
                    .as_reader()
                    .take(MAX_BODY as u64 + 1)
                    .read_to_end(&mut b)
                {
                    Ok(_) if b.len() <= MAX_BODY => Ok(b),
                    _ => Err(()),
                }
            }
        } else {
            Ok(Vec::new())
        };
        let reply = match body {
            Err(()) => Reply::json(413, json!({"error": "the request is too large"})),
            Ok(body) => {
                let post = matches!(method, tiny_http::Method::Post);
                let get = matches!(method, tiny_http::Method::Get | tiny_http::Method::Head);
                if !(post || get) {
                    Reply::status(405, "This method is not allowed here.")
                } else {
                    // A bug must not end the class: the request fails, the server goes on.
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.route(&url, post, &body, log)
                    }))
                    .unwrap_or_else(|_| Reply::status(500, "Internal error: please report it."))
                }
            }
        };
        let mut resp = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
        let mut headers = vec![
            ("Content-Type", reply.kind),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            // Codes are in the addresses: never send them to another site.
            ("Referrer-Policy", "no-referrer"),
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ];
        let location = reply.location.clone().unwrap_or_default();
        if reply.location.is_some() {
            headers.push(("Location", &location));
        }
        for (k, v) in headers {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                resp.add_header(h);
            }
        }
        // The browser may have gone away; nothing to do about it.
        let _ = req.respond(resp);
    }

    fn route(&self, url: &str, post: bool, body: &[u8], log: Log) -> Reply {
        let path = url.split(['?', '#']).next().unwrap_or("");
        let dir_like = path.ends_with('/');
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // Only plain names: no encoded characters, no dot files, so no path leaves the folder.
        let plain = |s: &str| {
            !s.starts_with('.')
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        };
        if !segs.iter().all(|s| plain(s)) {
            return Reply::status(404, "There is no such page.");
        }
        let Some((&code, rest)) = segs.split_first() else {
            return if post {
                Reply::status(405, "This method is not allowed here.")
            } else {
                Reply::html(200, pages::join())
            };
        };
        if code == "favicon.ico" {
            return Reply::status(404, "There is no such page.");
        }
        let g = match Game::open(&self.dir) {
            Ok(g) => g,
            Err(e) => return Reply::html(500, pages::message(500, &e.report())),
        };
        let Some(role) = self.codes.role(code, &g.settings.teams) else {
            log(format!(
                "refused a request with an unknown join code: {path}"
            ));
            return Reply::status(
                403,
                "This join code is not valid for this game. Check it with your instructor.",
            );
        };
        match (role, rest) {
            (Role::Team(t), []) => {
                Reply::redirect(format!("/{code}/team/{}/", g.settings.teams[t]))
            }
            (_, ["team", team, sub @ ..]) => {
                let Some(t) = g.settings.teams.iter().position(|x| x == team) else {
                    return Reply::status(404, "There is no such team in this game.");
                };
                if role != Role::Instructor && role != Role::Team(t) {
                    log(format!(
                        "refused: a code of another team asked for team {team}'s {path}"
                    ));
                    return Reply::status(403, "This join code does not open this team's pages.");
                }
                self.team_route(&g, t, code, sub, dir_like, post, body, log)
            }
            (Role::Instructor, sub) => {
                self.instructor_route(g, code, sub, dir_like, post, body, log)
            }
            (Role::Team(_), _) => Reply::status(403, "This join code does not open this page."),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn team_route(
        &self,
        g: &Game,
        t: usize,
        code: &str,
        sub: &[&str],
        dir_like: bool,
        post: bool,
        body: &[u8],
        log: Log,
    ) -> Reply {
        let team = &g.settings.teams[t];
        match (sub, post) {
            ([], false) if !dir_like => Reply::redirect(format!("/{code}/team/{team}/")),
            ([], false) => Reply::html(200, pages::team(g, t)),
            (["decisions.toml"], false) => {
                match std::fs::read_to_string(g.decisions_path(t, g.current())) {
                    Ok(text) => Reply::text(200, text),
                    Err(_) => Reply::status(404, "There is no decisions file for this round."),
                }
            }
            (["rounds", nn, "decisions.toml"], false) => {
                let p = g
                    .dir
                    .join("rounds")
                    .join(nn)
                    .join("decisions")
                    .join(format!("{team}.toml"));
                match round_number(nn, g.completed()) {
                    Some(_) => match std::fs::read_to_string(p) {
                        Ok(text) => Reply::text(200, text),
                        Err(_) => Reply::status(404, "There is no such file."),
                    },
                    None => Reply::status(404, "That round has not been played."),
                }
            }
            (["check"], true) => match parse_form(body) {
                Ok(f) => {
                    let c = form::check(g, t, &f, "");
                    Reply::json(200, checked_json(&c))
                }
                Err(r) => r,
            },
            (["submit"], true) => match parse_form(body) {
                Ok(f) => self.submit(g, t, &f, log),
                Err(r) => r,
            },
            (["check" | "submit"], false) => Reply::status(405, "Send the form with POST."),
            _ => Reply::status(404, "There is no such page."),
        }
    }

    fn submit(&self, g: &Game, t: usize, f: &form::Form, log: Log) -> Reply {
        let team = &g.settings.teams[t];
        let path = g.decisions_path(t, g.current());
        // Keep the template's comments, so the file still explains itself in the CLI.
        let header = std::fs::read_to_string(&path)
            .map(|x| form::header_of(&x))
            .unwrap_or_default();
        let c = form::check(g, t, f, &header);
        let Some(text) = &c.text else {
            return Reply::json(422, checked_json(&c));
        };
        if let Err(e) = write_atomic(&path, text.as_bytes()) {
            return Reply::json(500, json!({"error": e.report()}));
        }
        log(format!(
            "{team} submitted round {} ({} actions, spends {})",
            g.current(),
            c.decisions.as_ref().map_or(0, |d| d.actions.len()),
            super::decisions::num(c.spend)
        ));
        let mut v = checked_json(&c);
        v["submitted"] = json!(true);
        v["file"] = json!(
            path.strip_prefix(&g.dir)
                .unwrap_or(&path)
                .display()
                .to_string()
        );
        Reply::json(200, v)
    }

    #[allow(clippy::too_many_arguments)]
    fn instructor_route(
        &self,
        mut g: Game,
        code: &str,
        sub: &[&str],
        dir_like: bool,
        post: bool,
        body: &[u8],
        log: Log,
    ) -> Reply {
        let arg: serde_json::Value = if post {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return Reply::json(400, json!({"error": format!("not JSON: {e}")})),
            }
        } else {
            serde_json::Value::Null
        };
        let done = |g: &Game, message: String, log: Log| {
            log(message.clone());
            Reply::json(
                200,
                json!({"ok": true, "message": message, "round": g.current()}),
            )
        };
        let refused = |e: Error| Reply::json(422, json!({"error": e.report()}));
        match (sub, post) {
            ([], false) if !dir_like => Reply::redirect(format!("/{code}/")),
            ([], false) => Reply::html(200, pages::instructor(&g, &self.codes)),
            (["status.json"], false) => Reply::json(200, status_json(&g)),
            (["advance"], true) => {
                let missing = match arg.get("missing").and_then(|m| m.as_str()).unwrap_or("") {
                    "" | "none" => None,
                    "hold" => Some(MissingPolicy::Hold),
                    "repeat" => Some(MissingPolicy::Repeat),
                    other => {
                        return Reply::json(
                            400,
                            json!({"error": format!("missing = \"{other}\": allowed hold, repeat or none")}),
                        );
                    }
                };
                match g.advance(missing) {
                    Ok(_) => {
                        let r = g.completed();
                        let notes = g
                            .records
                            .last()
                            .map(|x| x.notes.join("; "))
                            .unwrap_or_default();
                        done(
                            &g,
                            format!(
                                "round {r} of {} played{}",
                                g.settings.rounds,
                                if notes.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {notes}")
                                }
                            ),
                            log,
                        )
                    }
                    Err(e) => refused(e),
                }
            }
            (["rewind"], true) => {
                let Some(to) = arg
                    .get("to")
                    .and_then(|x| x.as_u64())
                    .and_then(|x| u32::try_from(x).ok())
                else {
                    return Reply::json(
                        400,
                        json!({"error": "to: give the round to restart from, e.g. {\"to\": 2}"}),
                    );
                };
                match g.rewind(to) {
                    Ok(slot) => done(
                        &g,
                        format!(
                            "rewound to the start of round {to}; later rounds were moved to {}",
                            slot.strip_prefix(&g.dir).unwrap_or(&slot).display()
                        ),
                        log,
                    ),
                    Err(e) => refused(e),
                }
            }
            (["debrief"], true) => match g.debrief() {
                Ok(_) => done(
                    &g,
                    format!("debrief of {} rounds written", g.completed()),
                    log,
                ),
                Err(e) => refused(e),
            },
            (["rounds", nn, rest @ ..], false) => match round_number(nn, g.completed()) {
                None => Reply::status(404, "That round has not been played."),
                Some(r) => {
                    let dir = g.dir.join("rounds").join(round_dir(r));
                    self.folder(&dir, &format!("Round {r} report"), rest, dir_like)
                }
            },
            (["debrief", rest @ ..], false) => {
                self.folder(&g.dir.join("debrief"), "Debrief", rest, dir_like)
            }
            (["advance" | "rewind"], false) => {
                Reply::status(405, "Use the buttons of the instructor's page.")
            }
            _ => Reply::status(404, "There is no such page."),
        }
    }

    /// A report folder: its page (`report.html`/`debrief.html`, else the Markdown as
    /// preformatted text with its figures) or one of its files.
    fn folder(&self, dir: &Path, title: &str, rest: &[&str], dir_like: bool) -> Reply {
        match rest {
            [] if !dir_like => Reply::status(404, "Add a / at the end of the address."),
            [] => {
                for page in ["report.html", "debrief.html"] {
                    if let Ok(b) = std::fs::read(dir.join(page)) {
                        return Reply::html(200, String::from_utf8_lossy(&b).into_owned());
                    }
                }
                for md in ["report.md", "debrief.md"] {
                    if let Ok(text) = std::fs::read_to_string(dir.join(md)) {
                        let mut figures: Vec<String> = std::fs::read_dir(dir)
                            .into_iter()
                            .flatten()
                            .flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .filter(|n| n.ends_with(".png") && !n.starts_with('.'))
                            .collect();
                        figures.sort();
                        return Reply::html(200, pages::markdown_page(title, &text, &figures));
                    }
                }
                Reply::status(404, "There is no report here yet.")
            }
            [name] => {
                let kind = match name.rsplit_once('.').map(|x| x.1) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("png") => "image/png",
                    Some("svg") => "image/svg+xml",
                    Some("md" | "csv" | "toml") => "text/plain; charset=utf-8",
                    Some("json") => "application/json",
                    _ => return Reply::status(404, "There is no such file."),
                };
                match std::fs::read(dir.join(name)) {
                    Ok(body) => Reply {
                        status: 200,
                        kind,
                        body,
                        location: None,
                    },
                    Err(_) => Reply::status(404, "There is no such file."),
                }
            }
            _ => Reply::status(404, "There is no such file."),
        }
    }
}

/// A played round's number from its folder name (`01`), if that round was played.
fn round_number(nn: &str, completed: u32) -> Option<u32> {
    let r: u32 = nn.parse().ok()?;
    (nn == round_dir(r) && (1..=completed).contains(&r)).then_some(r)
}

fn parse_form(body: &[u8]) -> std::result::Result<form::Form, Reply> {
    serde_json::from_slice(body).map_err(|e| {
        Reply::json(
            400,
            json!({"error": format!("the form could not be read: {e}")}),
        )
    })
}

fn checked_json(c: &form::Checked) -> serde_json::Value {
    json!({
        "ok": c.problems.is_empty(),
        "problems": c.problems,
        "spend": c.spend,
        "budget_left": c.budget_left,
    })
}

/// The state of each team's decisions for the next round, for the instructor.
fn status_json(g: &Game) -> serde_json::Value {
    let teams: Vec<serde_json::Value> = if g.finished() {
        Vec::new()
    } else {
        g.status()
            .into_iter()
            .enumerate()
            .map(|(t, st)| {
                let (state, detail) = pages::describe(g, t, &st);
                json!({"team": g.settings.teams[t], "state": state, "detail": detail,
                       "submitted": matches!(st, TeamStatus::Submitted(_))})
            })
            .collect()
    };
    json!({
        "round": g.current(),
        "rounds": g.settings.rounds,
        "completed": g.completed(),
        "finished": g.finished(),
        "teams": teams,
    })
}
