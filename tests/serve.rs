//! `softpower exercise serve` driven as a class would drive it: the real binary on a
//! free port, its pages in headless Chromium (a `#selftest=` address makes a page fill
//! in its own form as a team would and record what it showed), and plain HTTP for the
//! endpoints the pages call. The server is killed when each test ends.

mod common;
use common::browser;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const FOUR_POWERS: &str = "scenarios/exercises/four_powers.toml";

/// A running `softpower exercise serve`; dropping it kills the server.
struct Served {
    child: Child,
    base: String,
    /// "instructor" and each team id → its join code.
    codes: BTreeMap<String, String>,
    /// What the server printed after its codes.
    log: Arc<Mutex<String>>,
}

impl Served {
    fn start(game: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_softpower"))
            .args(["exercise", "serve"])
            .arg(game)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut base = None;
        let mut codes = BTreeMap::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("serving ") {
                base = rest
                    .rsplit(" at ")
                    .next()
                    .map(|u| u.trim_end_matches('/').to_string());
            }
            let w: Vec<&str> = line.split_whitespace().collect();
            if w.len() == 3 && w[2].starts_with("http://") {
                codes.insert(w[0].to_string(), w[1].to_string());
            }
            if line.starts_with("Press Ctrl+C") {
                break;
            }
        }
        let Some(base) = base.filter(|_| codes.len() > 1) else {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start: {err}");
        };
        // Keep reading, so the server never blocks on a full pipe.
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Served {
            child,
            base,
            codes,
            log,
        }
    }

    fn url(&self, who: &str, rest: &str) -> String {
        format!("{}/{}/{rest}", self.base, self.codes[who])
    }
    fn team_url(&self, team: &str) -> String {
        self.url(team, &format!("team/{team}/"))
    }

    /// Kills the server and checks it is gone.
    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        assert!(self.child.try_wait().unwrap().is_some());
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().unwrap();
    let s = r.status().as_u16();
    (s, r.body_mut().read_to_string().unwrap_or_default())
}

fn post(url: &str, body: &str) -> (u16, Value) {
    let mut r = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap();
    let s = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (s, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn new_game(dir: &Path) -> PathBuf {
    let game = dir.join("class");
    let out = Command::new(env!("CARGO_BIN_EXE_softpower"))
        .args(["exercise", "new", FOUR_POWERS, "--dir"])
        .arg(&game)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    game
}

fn decisions_file(game: &Path, round: u32, team: &str) -> PathBuf {
    game.join(format!("decisions/round-{round:02}/{team}.toml"))
}

fn round_json(game: &Path, r: u32) -> Value {
    serde_json::from_slice(&std::fs::read(game.join(format!("rounds/{r:02}/round.json"))).unwrap())
        .unwrap()
}

/// (round, title) of every inject of the game.
fn injects(game: &Path) -> Vec<(u32, String)> {
    let t: toml::Table = std::fs::read_to_string(game.join("injects.toml"))
        .unwrap()
        .parse()
        .unwrap();
    t["inject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let title = i["title"].as_str().unwrap().to_string();
            // So that the title reads the same in a page's source, its DOM and a report.
            assert!(!title.contains(['&', '<', '>', '"']), "{title}");
            (i["round"].as_integer().unwrap() as u32, title)
        })
        .collect()
}

/// A title as the served pages write it in their source.
fn in_source(title: &str) -> String {
    title.replace('\'', "&#39;")
}

/// Every character but letters and digits percent-encoded (for a `#selftest=` address).
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn dump_dom(bin: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    String::from_utf8_lossy(&browser::headless(
        bin,
        profile.path(),
        url,
        &["--dump-dom".to_string()],
    ))
    .into_owned()
}

/// The value of `data-NAME` on the page's `<body>`.
fn body_data(dom: &str, name: &str) -> Option<String> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let key = format!("data-{name}=\"");
    let at = body.find(&key)? + key.len();
    Some(body[at..].split('"').next()?.to_string())
}

/// What a team's page showed after it filled in its form and pressed Submit.
struct Submitted {
    /// Problems listed by the page.
    shown: usize,
    /// HTTP status of the submission.
    status: u16,
    /// The page after submitting (the DOM in Chromium; the problems' messages without).
    page: String,
}

/// A team fills in its form on its page and submits it. In Chromium when it is installed
/// (the page's own script types the form and presses Submit), else through the same two
/// requests the page makes.
fn submit_form(browser: Option<&Path>, s: &Served, team: &str, form: &Value) -> Submitted {
    match browser {
        Some(bin) => {
            let mut spec = form.clone();
            spec["submit"] = json!(true);
            let url = format!("{}#selftest={}", s.team_url(team), pct(&spec.to_string()));
            let dom = dump_dom(bin, &url);
            assert_eq!(
                body_data(&dom, "selftest").as_deref(),
                Some("done"),
                "the page did not finish its self-test: {}",
                &dom[..dom.len().min(2000)]
            );
            Submitted {
                shown: body_data(&dom, "selftest-shown").unwrap().parse().unwrap(),
                status: body_data(&dom, "selftest-submit").unwrap().parse().unwrap(),
                page: dom,
            }
        }
        None => {
            let mut f = form.clone();
            f["round"] = json!(current_round(s));
            let (c, checked) = post(&s.url(team, &format!("team/{team}/check")), &f.to_string());
            assert_eq!(c, 200);
            let problems = checked["problems"].as_array().unwrap();
            let (status, _) = post(&s.url(team, &format!("team/{team}/submit")), &f.to_string());
            Submitted {
                shown: problems.len(),
                status,
                page: problems
                    .iter()
                    .map(|p| p["message"].as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            }
        }
    }
}

/// The instructor presses a button of the instructor's page: `advance:hold`,
/// `advance:` (wait for every team), `rewind:4` or `debrief`. Returns the status of the
/// request the page made and the message the page showed.
fn instructor_presses(browser: Option<&Path>, s: &Served, what: &str) -> (u16, String) {
    match browser {
        Some(bin) => {
            let dom = dump_dom(bin, &format!("{}#selftest={what}", s.url("instructor", "")));
            assert_eq!(
                body_data(&dom, "selftest").as_deref(),
                Some("done"),
                "{what}: {}",
                &dom[..dom.len().min(2000)]
            );
            let status = body_data(&dom, "selftest-status").unwrap().parse().unwrap();
            let out = dom.split("id=\"out\"").nth(1).unwrap();
            let out = out[out.find('>').unwrap() + 1..]
                .split("</pre>")
                .next()
                .unwrap();
            (status, out.to_string())
        }
        None => {
            let (verb, arg) = what.split_once(':').unwrap_or((what, ""));
            let body = match verb {
                "advance" => json!({ "missing": arg }),
                "rewind" => json!({ "to": arg.parse::<u32>().unwrap() }),
                _ => json!({}),
            };
            let (c, v) = post(&s.url("instructor", verb), &body.to_string());
            let text = v["message"].as_str().or(v["error"].as_str()).unwrap_or("");
            (c, text.to_string())
        }
    }
}

/// A served page's status, Content-Type and body.
fn get_typed(url: &str) -> (u16, String, String) {
    let mut r = agent().get(url).call().unwrap();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let s = r.status().as_u16();
    (s, kind, r.body_mut().read_to_string().unwrap_or_default())
}

/// A served report page (a round's or the debrief) opened by the instructor: HTML, every
/// embedded figure decoded in Chromium and no script error; a team's code is refused.
fn check_served_report(browser: Option<&Path>, s: &Served, folder: &str, page: &str) -> String {
    let (c, kind, html) = get_typed(&s.url("instructor", folder));
    assert_eq!(c, 200, "{folder}");
    assert_eq!(kind, "text/html; charset=utf-8", "{folder}");
    let (c, kind, same) = get_typed(&s.url("instructor", &format!("{folder}{page}")));
    assert_eq!((c, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert_eq!(same, html, "{folder} and its {page} differ");
    for team in ["atlantia", "ruskar"] {
        assert_eq!(get(&s.url(team, folder)).0, 403, "{team} opened {folder}");
        let own = get(&s.url(team, &format!("{folder}{page}"))).0;
        assert_eq!(own, 403, "{team} opened {folder}{page}");
    }
    if let Some(bin) = browser {
        let dom = dump_dom(bin, &s.url("instructor", folder));
        let images = html.matches("<img ").count();
        assert!(images > 0, "{folder} has no figure");
        assert_eq!(
            body_data(&dom, "images-loaded"),
            Some(images.to_string()),
            "not every figure of {folder} decoded: {}",
            &dom[..dom.len().min(600)]
        );
        assert_eq!(body_data(&dom, "errors"), None, "{folder} reported errors");
    }
    html
}

fn current_round(s: &Served) -> u64 {
    let (c, body) = get(&s.url("instructor", "status.json"));
    assert_eq!(c, 200);
    serde_json::from_str::<Value>(&body).unwrap()["round"]
        .as_u64()
        .unwrap()
}

/// The form of each team of four_powers, as a team would fill it in every round.
fn form_of(team: &str, round: u32) -> Value {
    let actions = match team {
        "atlantia" => json!([
            {"id": "tv", "instrument": "messaging", "channel": "broadcast", "targets": ["meridia_public"], "spend": "20"},
            {"id": "fulbright", "instrument": "exchange", "targets": ["meridia_elites"], "spend": "10"}
        ]),
        "norland" => json!([
            {"id": "students", "instrument": "exchange", "targets": ["meridia_youth"], "spend": "6"},
            {"id": "online", "instrument": "messaging", "channel": "digital", "targets": ["solvia_youth"], "spend": "4"},
            {"id": "inoculate", "instrument": "prebunk", "channel": "digital", "story": "norland_spies", "targets": ["meridia_youth"], "spend": "1"}
        ]),
        "aurelia" => json!([
            {"id": "diaspora", "instrument": "messaging", "channel": "digital", "targets": ["aurelian_diaspora", "meridia_youth"], "spend": "2.5", "emphasis": "1, 0.5, 0"}
        ]),
        _ => json!([
            {"id": "smear", "instrument": "propaganda", "channel": "digital", "against": "atlantia", "targets": ["solvia_public"], "spend": "8"},
            {"id": "aid_lie", "instrument": "misinformation", "channel": "digital", "story": "rigged_aid", "targets": ["solvia_youth"], "spend": "6"}
        ]),
    };
    json!({
        "round": round,
        "prediction": if round % 2 == 1 { "0.002" } else { "" },
        "why": if round % 2 == 1 { format!("{team} expects its campaigns to pay in round {round}") } else { String::new() },
        "actions": actions,
    })
}

fn status_of(s: &Served, team: &str) -> String {
    let (_, body) = get(&s.url("instructor", "status.json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    v["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == team)
        .map(|t| t["state"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn a_team_submits_from_its_page_sees_its_results_and_no_other_code_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let game = new_game(dir.path());
    let s = Served::start(&game);
    let chromium = browser::chromium_or_skip();
    let bin = chromium.as_deref();
    let page = s.team_url("atlantia");
    let (code, html) = get(&page);
    assert_eq!(code, 200);
    assert!(html.contains("Round 1 of 6") && html.contains("48 left this round"));
    assert!(html.contains("Briefing") && html.contains("Instruments"));
    for (_, title) in injects(&game) {
        let title = in_source(&title);
        assert!(!html.contains(&title), "the team page shows inject {title}");
    }

    // An invalid form: every problem shown at once, and nothing written.
    let file = decisions_file(&game, 1, "atlantia");
    let before = std::fs::read(&file).unwrap();
    let bad = json!({"round": 1, "prediction": "5", "actions": [
        {"id": "a b", "instrument": "messaging", "channel": "digital", "targets": [], "spend": "lots"},
        {"id": "tv", "instrument": "messaging", "channel": "broadcast", "targets": ["meridia_public"], "spend": "1000"}
    ]});
    let Submitted { shown, status, .. } = submit_form(bin, &s, "atlantia", &bad);
    assert!(
        shown >= 5,
        "id, targets, spend, prediction and the budget should all be shown: {shown}"
    );
    assert_eq!(status, 422);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "a refused form wrote"
    );

    // A valid form: the file the CLI reads, at the same path.
    let Submitted { shown, status, .. } = submit_form(bin, &s, "atlantia", &form_of("atlantia", 1));
    assert_eq!((shown, status), (0, 200));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("submitted = true") && text.contains("id = \"fulbright\""));
    assert!(
        text.starts_with("# Decisions of team"),
        "the comments are kept"
    );
    let cli = Command::new(env!("CARGO_BIN_EXE_softpower"))
        .args(["exercise", "status"])
        .arg(&game)
        .output()
        .unwrap();
    let cli = String::from_utf8_lossy(&cli.stdout);
    assert!(
        cli.lines()
            .any(|l| l.contains("atlantia") && l.contains("submitted, valid: 2 actions")),
        "{cli}"
    );

    // Another team's code, a wrong code and a near miss are refused.
    let norland = &s.codes["norland"];
    let a_code = &s.codes["atlantia"];
    for path in [
        "team/atlantia/",
        "team/atlantia/decisions.toml",
        "status.json",
    ] {
        assert_eq!(get(&s.url("norland", path)).0, 403, "{path}");
    }
    let (c, _) = post(
        &s.url("norland", "team/atlantia/submit"),
        &form_of("atlantia", 1).to_string(),
    );
    assert_eq!(c, 403);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    let near = format!(
        "{}{}",
        &a_code[..a_code.len() - 1],
        if a_code.ends_with('A') { 'B' } else { 'A' }
    );
    for code in [
        "ZZZZZ-ZZZZZ",
        near.as_str(),
        "",
        norland.to_lowercase().as_str(),
    ] {
        let (c, _) = get(&format!("{}/{code}/team/atlantia/", s.base));
        assert_ne!(c, 200, "code {code:?}");
    }
    assert_eq!(get(&format!("{}/ZZZZZ-ZZZZZ/", s.base)).0, 403);
    let (c, _) = post(&format!("{}/ZZZZZ-ZZZZZ/advance", s.base), "{}");
    assert_eq!(c, 403);

    // Bad input gets an answer, never a dead server.
    assert_eq!(
        post(&s.url("atlantia", "team/atlantia/submit"), "not json").0,
        400
    );
    let huge = format!("{{\"why\": \"{}\"}}", "x".repeat(200_000));
    assert_eq!(
        post(&s.url("atlantia", "team/atlantia/check"), &huge).0,
        413
    );
    assert_eq!(get(&s.url("atlantia", "team/atlantia/nothing")).0, 404);
    assert_eq!(
        get(&s.url("atlantia", "team/atlantia/%2e%2e/%2e%2e/codes.toml")).0,
        404
    );
    assert_eq!(get(&s.url("atlantia", "team/nobody/")).0, 404);
    assert_eq!(get(&page).0, 200);

    // Norland submits too; the instructor plays the round, the others hold.
    let sub = submit_form(None, &s, "norland", &form_of("norland", 1));
    assert_eq!((sub.shown, sub.status), (0, 200));
    assert_eq!(status_of(&s, "norland"), "submitted");
    assert_eq!(instructor_presses(bin, &s, "advance:hold").0, 200);
    let rec = round_json(&game, 1);
    let change = rec["teams"][0]["change"].as_f64().unwrap();
    let page_now = match bin {
        Some(b) => dump_dom(b, &page),
        None => get(&page).1,
    };
    assert!(page_now.contains("data-round=\"1\""), "no results shown");
    assert!(
        page_now.contains(&format!("{change:+.4}")),
        "atlantia's change {change} is not on its page"
    );
    assert!(page_now.contains("Round 2 of 6"));
    // Its own decisions as played, and only its own.
    let (c, own) = get(&s.url("atlantia", "team/atlantia/rounds/01/decisions.toml"));
    assert_eq!(c, 200);
    assert!(own.contains("team = \"atlantia\""));
    assert_eq!(
        get(&s.url("norland", "team/atlantia/rounds/01/decisions.toml")).0,
        403
    );
    assert_eq!(
        get(&s.url("atlantia", "rounds/01/")).0,
        403,
        "reports are the instructor's"
    );
    assert!(s.log.lock().unwrap().contains("round 1 of 6 played") || bin.is_some());
    s.stop();
}

/// Every team submits every round from its page in Chromium (the four teams' browsers at
/// once, as in a class), and the instructor plays, rewinds and writes the debrief with the
/// buttons of the instructor's page. Without Chromium (and without
/// SOFTPOWER_REQUIRE_BROWSER) the same requests go over plain HTTP.
#[test]
fn four_teams_play_six_rounds_of_four_powers_through_the_served_pages() {
    let dir = tempfile::tempdir().unwrap();
    let game = new_game(dir.path());
    let chromium = browser::chromium_or_skip();
    let bin = chromium.as_deref();
    let mut s = Served::start(&game);
    let teams = ["atlantia", "norland", "aurelia", "ruskar"];
    let surprises = injects(&game);
    assert_eq!(surprises.len(), 3);
    let mut round4 = None;
    let mut r = 1;
    while r <= 6 {
        for team in teams {
            let (c, html) = get(&s.team_url(team));
            assert_eq!(c, 200);
            assert!(
                html.contains(&format!("Round {r} of 6 is next")),
                "{team} round {r}"
            );
            // An inject shows on team pages from the round it fires, never before.
            for (at, title) in &surprises {
                assert_eq!(
                    html.contains(&in_source(title)),
                    *at < r,
                    "{team}'s page in round {r} and inject {title} of round {at}"
                );
            }
        }
        // One browser per team, all at once; ruskar is late in round 3 and repeats.
        let s_ref = &s;
        let game_ref = &game;
        let play = move |team: &'static str| {
            let form = form_of(team, r);
            let file = decisions_file(game_ref, r, team);
            if r == 2 && team == "aurelia" {
                let mut over = form.clone();
                over["actions"][0]["spend"] = json!("99");
                let before = std::fs::read(&file).unwrap();
                let sub = submit_form(bin, s_ref, team, &over);
                assert_eq!(sub.status, 422, "{}", sub.page);
                assert!(sub.shown >= 1, "the page showed no problem");
                assert!(sub.page.contains("left this round"), "{}", sub.page);
                assert_eq!(std::fs::read(&file).unwrap(), before);
            }
            let sub = submit_form(bin, s_ref, team, &form);
            assert_eq!((sub.shown, sub.status), (0, 200), "{team} round {r}");
            if bin.is_some() {
                assert!(
                    sub.page.contains(&format!("Submitted for round {r}.")),
                    "{team} round {r}: {}",
                    &sub.page[..sub.page.len().min(2000)]
                );
            }
            if r == 2 && team == "norland" {
                // Then edited as a file, as with the CLI: the server plays the file.
                let text = std::fs::read_to_string(&file).unwrap();
                let head = text.split("\nteam = ").next().unwrap();
                std::fs::write(
                    &file,
                    format!("{head}\nteam = \"norland\"\nround = 2\nsubmitted = true\n\n[[action]]\nid = \"students\"\ninstrument = \"exchange\"\ntargets = [\"meridia_youth\"]\nspend = 6\n"),
                )
                .unwrap();
            }
        };
        std::thread::scope(|scope| {
            for team in teams {
                if !(r == 3 && team == "ruskar") {
                    scope.spawn(move || play(team));
                }
            }
        });
        for team in teams {
            let want = if r == 3 && team == "ruskar" {
                "draft"
            } else {
                "submitted"
            };
            assert_eq!(status_of(&s, team), want, "{team} round {r}");
        }
        if r == 2 {
            let played = std::fs::read_to_string(decisions_file(&game, 2, "norland")).unwrap();
            assert!(
                !played.contains("id = \"online\""),
                "the hand edit was overwritten"
            );
        }
        if r == 3 {
            // Waiting for every team, the round is not played while ruskar is late.
            let (c, text) = instructor_presses(bin, &s, "advance:");
            assert_eq!(c, 422);
            assert!(text.contains("ruskar"), "{text}");
        }
        let (c, text) =
            instructor_presses(bin, &s, if r == 3 { "advance:repeat" } else { "advance:" });
        assert_eq!(c, 200, "round {r}: {text}");
        assert!(text.contains(&format!("round {r} of 6 played")), "{text}");
        let rec = round_json(&game, r);
        if r == 3 {
            assert!(
                rec["notes"][0]
                    .as_str()
                    .unwrap()
                    .contains("ruskar did not submit and repeats")
            );
            // A restart keeps the codes and the game.
            let codes = s.codes.clone();
            drop(s);
            s = Served::start(&game);
            assert_eq!(s.codes, codes);
        }
        if r == 4 && round4.is_none() {
            // Rewind and play round 4 again: the same decisions give the same round.
            round4 = Some(rec);
            let (c, text) = instructor_presses(bin, &s, "rewind:4");
            assert_eq!(c, 200, "{text}");
            assert!(!game.join("rounds/04").exists());
            continue;
        }
        if r == 4 {
            assert_eq!(round4.as_ref().unwrap()["teams"], rec["teams"]);
        }
        // The instructor's page links the round's report and lists the surprises that
        // struck, and only those; the report, projected to the class, names this round's
        // inject and none still to come.
        let (_, page) = get(&s.url("instructor", ""));
        for n in 1..=r {
            assert!(page.contains(&format!("<a href=\"rounds/{n:02}/\">Round {n} report</a>")));
        }
        let released = page.split("id=\"released\"").nth(1).unwrap();
        let released = released.split("</ul>").next().unwrap();
        let report = check_served_report(bin, &s, &format!("rounds/{r:02}/"), "report.html");
        assert!(report.contains(&format!("Round {r} of 6")));
        for (at, title) in &surprises {
            assert_eq!(
                released.contains(&in_source(title)),
                *at <= r,
                "released list in round {r}, inject of round {at}: {released}"
            );
            assert_eq!(
                report.contains(title.as_str()),
                *at == r,
                "report of round {r}, inject {title} of round {at}"
            );
        }
        if r == 2 {
            // A debrief written mid-game spoils nothing either.
            let (c, text) = instructor_presses(bin, &s, "debrief");
            assert_eq!(c, 200, "{text}");
            let debrief = check_served_report(bin, &s, "debrief/", "debrief.html");
            for (_, title) in &surprises {
                assert!(
                    !debrief.contains(title.as_str()),
                    "{title} in an early debrief"
                );
            }
        }
        r += 1;
    }
    let (c, v) = post(&s.url("instructor", "advance"), "{}");
    assert_eq!(c, 422);
    assert!(v["error"].as_str().unwrap().contains("the game is over"));
    for team in teams {
        let (_, html) = get(&s.team_url(team));
        assert!(html.contains("The game is over"));
        assert_eq!(html.matches("<section class=\"round\"").count(), 6);
        for (_, title) in &surprises {
            assert!(html.contains(&in_source(title)));
        }
    }
    let (c, text) = instructor_presses(bin, &s, "debrief");
    assert_eq!(c, 200, "{text}");
    assert!(text.contains("debrief of 6 rounds written"), "{text}");
    let (_, html) = get(&s.url("instructor", ""));
    assert!(html.contains("All 6 rounds are played"));
    assert!(html.contains("<a href=\"debrief/\">Debrief</a>"));
    let debrief = check_served_report(bin, &s, "debrief/", "debrief.html");
    assert!(debrief.contains("Debrief"));
    for (_, title) in &surprises {
        assert!(
            debrief.contains(title.as_str()),
            "{title} not in the debrief"
        );
    }
    assert_eq!(get(&s.url("instructor", "rounds/07/")).0, 404);
    s.stop();
}

#[test]
fn serve_refuses_a_folder_that_is_no_game_a_busy_port_and_broken_codes_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_softpower"))
            .args(["exercise", "serve"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, err) = run(&[empty.to_str().unwrap(), "--port", "0"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not a game folder"), "{err}");

    let game = new_game(dir.path());
    let s = Served::start(&game);
    let port = s.base.rsplit(':').next().unwrap().to_string();
    let (code, err) = run(&[game.to_str().unwrap(), "--port", &port]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cannot listen") && err.contains("--port"),
        "{err}"
    );
    s.stop();

    // Hand-edited codes are refused rather than served: "1234" would be easy to guess.
    let codes = game.join("codes.toml");
    let text = std::fs::read_to_string(&codes).unwrap();
    let guessable = text.replacen("instructor = \"", "instructor = \"1234", 1);
    std::fs::write(&codes, &guessable).unwrap();
    let (code, err) = run(&[game.to_str().unwrap(), "--port", "0"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("codes.toml") && err.contains("not a join code"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&codes).unwrap(), guessable);
    assert_eq!(
        run(&[
            game.to_str().unwrap(),
            "--bind",
            "127.0.0.1",
            "--open-to-network"
        ])
        .0,
        Some(2)
    );
}
