//! `report.html` and the figure options, through the real binary: the page of a run,
//! a comparison, a sweep and a sensitivity analysis holds the scenario's description, the headline table,
//! every figure (the very bytes of the files beside it), the manifest and links to the
//! data; it needs no network; it works in a headless browser (sorting, hover values);
//! `--format svg` writes vector figures holding the same series as the PNGs, and
//! `--figure-width`/`--dpi` size the PNGs.

mod common;
use common::browser;

use assert_cmd::Command;
use base64::Engine as _;
use predicates::prelude::*;
use std::path::Path;

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

const SCENARIO: &str = "scenarios/middle_power.toml";

fn run_into(out: &Path, extra: &[&str]) {
    softpower()
        .args(["run", SCENARIO, "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn summary_files(dir: &Path) -> Vec<String> {
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

fn figures_of(dir: &Path, ext: &str) -> Vec<String> {
    summary_files(dir)
        .into_iter()
        .filter(|f| f.ends_with(ext))
        .collect()
}

/// The page refers to nothing outside itself but the files beside it.
fn assert_self_contained(html: &str) {
    for bad in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(bad), "the page refers outside itself: {bad}");
    }
    assert!(
        html.contains("Content-Security-Policy\" content=\"default-src 'none'"),
        "the page forbids every other source"
    );
}

/// Every PNG beside the page is embedded in it, byte for byte, with a caption.
fn assert_pngs_embedded(dir: &Path, html: &str) {
    let pngs = figures_of(dir, ".png");
    assert!(!pngs.is_empty());
    assert_eq!(
        html.matches("src=\"data:image/png;base64,").count(),
        pngs.len(),
        "one embedded image per figure"
    );
    for name in &pngs {
        let stem = name.trim_end_matches(".png");
        let at = html
            .find(&format!("<figure id=\"{stem}\""))
            .unwrap_or_else(|| panic!("{name} is not on the page"));
        let rest = &html[at..];
        let b64 = rest
            .split("base64,")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(
            bytes,
            std::fs::read(dir.join(name)).unwrap(),
            "{name} on the page is the file"
        );
        let fig = &rest[..rest.find("</figure>").unwrap()];
        let caption = &fig[fig.find("<figcaption>").unwrap()..];
        assert!(
            caption.len() > 80,
            "{name} has a caption saying how to read it"
        );
        assert!(caption.contains(&format!("href=\"{name}\"")));
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_run_writes_a_self_contained_report_with_every_figure_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mp");
    run_into(&out, &[]);
    let files = summary_files(&out);
    assert!(
        files.contains(&"report.html".to_string()),
        "summary.json lists the report"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_pngs_embedded(&out, &html);

    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let sc: toml::Value = toml::from_str(&text).unwrap();
    let desc = sc["scenario"]["description"].as_str().unwrap();
    assert!(
        html.contains(&desc.replace('\'', "&#39;")),
        "the scenario's description"
    );
    assert!(html.contains(&sha256_hex(text.as_bytes())), "scenario hash");
    let seed = sc["scenario"]["seed"].as_integer().unwrap();
    assert!(html.contains(&format!("<dt>Seed</dt><dd>{seed}</dd>")));
    assert!(html.contains(env!("CARGO_PKG_VERSION")));
    for f in ["timeseries.csv", "populations.csv", "summary.json"] {
        assert!(html.contains(&format!("href=\"{f}\"")), "a link to {f}");
    }

    // The headline table has one row per actor, and the key changes name the actor
    // whose index rose most, as summary.json's numbers say.
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let actors = s["actors"].as_object().unwrap();
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 1 + actors.len());
    let (best, delta) = actors
        .iter()
        .map(|(id, a)| {
            (
                id.clone(),
                a["soft_power_final"].as_f64().unwrap() - a["soft_power_initial"].as_f64().unwrap(),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    assert!(delta > 0.0);
    let name = sc["actor"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_str() == Some(&best))
        .unwrap()["name"]
        .as_str()
        .unwrap();
    let short = name.split(" (").next().unwrap();
    let sentence = format!(
        "{}'s soft-power index rose most, +{}",
        short,
        softpower::plot::human(delta, 2)
    );
    assert!(
        html.contains(&sentence.replace('\'', "&#39;")),
        "key changes say: {sentence}"
    );
}

#[test]
fn no_report_skips_the_page_and_a_forced_rerun_removes_an_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run_into(&out, &["--no-plots"]);
    assert!(
        out.join("report.html").is_file(),
        "a page even without figures"
    );
    run_into(&out, &["--no-plots", "--no-report", "--force"]);
    assert!(!out.join("report.html").exists());
    assert!(!summary_files(&out).contains(&"report.html".to_string()));
}

fn compare_into(out: &Path, extra: &[&str]) {
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--runs",
            "4",
            "--strategies",
            "exchanges_only,digital_only",
            "--quiet",
            "--threads",
            "2",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn sweep_into(out: &Path, extra: &[&str]) {
    softpower()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "actor.norland.budget=5..20:3",
            "--runs",
            "3",
            "--quiet",
            "--threads",
            "2",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn compare_and_sweep_write_reports_with_ranking_figures_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c");
    compare_into(&c, &[]);
    let html = std::fs::read_to_string(c.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_pngs_embedded(&c, &html);
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        1 + 3,
        "baseline and two strategies"
    );
    for s in ["baseline", "exchanges_only", "digital_only"] {
        assert!(table.contains(s));
    }
    assert!(html.contains("exchanges_only against baseline:"));
    for f in ["runs.csv", "compare.csv", "paired.csv"] {
        assert!(html.contains(&format!("href=\"{f}\"")));
    }
    assert!(
        html.contains("A middle power"),
        "the scenario's description"
    );

    let s = dir.path().join("s");
    sweep_into(&s, &[]);
    let html = std::fs::read_to_string(s.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_pngs_embedded(&s, &html);
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 1 + 3, "three sweep points");
    assert!(html.contains("href=\"sweep.csv\""));
}

#[test]
fn svg_figures_parse_and_hold_the_same_series_as_the_pngs() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("png");
    let svg = dir.path().join("svg");
    run_into(&png, &["--no-attribution"]);
    run_into(&svg, &["--no-attribution", "--format", "svg"]);
    let pngs = figures_of(&png, ".png");
    let svgs = figures_of(&svg, ".svg");
    assert!(figures_of(&svg, ".png").is_empty(), "no PNG in SVG mode");
    assert_eq!(
        pngs.iter()
            .map(|p| p.trim_end_matches(".png"))
            .collect::<Vec<_>>(),
        svgs.iter()
            .map(|p| p.trim_end_matches(".svg"))
            .collect::<Vec<_>>(),
        "the same figures"
    );
    let sc: toml::Value = toml::from_str(&std::fs::read_to_string(SCENARIO).unwrap()).unwrap();
    let actor_names: Vec<String> = sc["actor"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["name"]
                .as_str()
                .unwrap()
                .split(" (")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    for name in &svgs {
        let text = std::fs::read_to_string(svg.join(name)).unwrap();
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(root.attribute("width").unwrap().ends_with("in"));
        // The view box is the PNG's pixel grid: the same layout.
        let pimg = image::open(png.join(name.replace(".svg", ".png"))).unwrap();
        assert_eq!(
            root.attribute("viewBox").unwrap(),
            format!("0 0 {} {}", pimg.width(), pimg.height()),
            "{name}"
        );
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_string()))
            .collect();
        assert!(!texts.is_empty(), "{name} has its text as text");
        if name == "soft_power.svg" {
            // One line per actor, each named in the legend, with a point per tick.
            for a in &actor_names {
                assert!(
                    texts.iter().any(|t| t == a),
                    "{a} is in the legend of {name}: {texts:?}"
                );
            }
            let ticks = sc["scenario"]["ticks"].as_integer().unwrap() as usize;
            let long_lines = doc
                .descendants()
                .filter(|n| n.has_tag_name("polyline"))
                .filter(|n| {
                    n.attribute("points")
                        .is_some_and(|p| p.split_whitespace().count() > ticks)
                })
                .count();
            assert_eq!(long_lines, actor_names.len(), "one line per actor");
        }
    }
    // The report inlines the SVGs.
    let html = std::fs::read_to_string(svg.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_eq!(html.matches("<div class=\"svg\"").count(), svgs.len());
}

#[test]
fn figure_width_and_dpi_size_the_pngs_and_bad_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("print");
    run_into(
        &out,
        &[
            "--no-attribution",
            "--figure-width",
            "6.5",
            "--dpi",
            "300",
            "--no-report",
        ],
    );
    let img = image::open(out.join("soft_power.png")).unwrap();
    assert_eq!(img.width(), 1950, "6.5 inches at 300 dpi");
    softpower()
        .args(["run", SCENARIO, "--dpi", "5", "--out"])
        .arg(dir.path().join("bad"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--dpi 5: must be from 36 to 1200"));
    assert!(
        !dir.path().join("bad").exists(),
        "nothing written for a bad option"
    );
}

// ---------------------------------------------------------------- browser

/// Loads `page#selftest` in headless Chromium, offline, and returns the DOM after the
/// page's script ran (None when no browser is installed and CI did not require one).
fn dom_in_browser(page: &Path) -> Option<String> {
    let bin = browser::chromium_or_skip()?;
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}#selftest", page.canonicalize().unwrap().display());
    let extra = [
        "--window-size=1280,2000".to_string(),
        "--dump-dom".to_string(),
    ];
    let dom = browser::headless(&bin, profile.path(), &url, &extra);
    Some(String::from_utf8_lossy(&dom).into_owned())
}

fn body_attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let at = body.find(&format!("{name}=\""))? + name.len() + 2;
    body[at..].split('"').next()
}

fn check_page(page: &Path, figures: usize) {
    let Some(dom) = dom_in_browser(page) else {
        return;
    };
    let head = &dom[..dom.len().min(400)];
    assert_eq!(
        body_attr(&dom, "data-ready"),
        Some("1"),
        "script ran: {head}"
    );
    assert_eq!(
        body_attr(&dom, "data-figures"),
        Some(figures.to_string().as_str()),
        "every figure decoded and shown"
    );
    assert_eq!(body_attr(&dom, "data-errors"), None, "no script error");
    assert_eq!(
        body_attr(&dom, "data-blocked"),
        None,
        "no request the policy had to block"
    );
    let st = body_attr(&dom, "data-selftest").unwrap_or("");
    assert!(
        st.contains("sorted"),
        "a click on a column head sorts the table both ways: {st:?}"
    );
    assert!(
        st.contains("hover"),
        "pointing at a figure shows values: {st:?}"
    );
    assert!(dom.contains("aria-sort=\"descending\""), "sorted twice");
}

#[test]
fn reports_work_in_a_headless_browser_without_network() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("run");
    run_into(&r, &[]);
    check_page(&r.join("report.html"), figures_of(&r, ".png").len());
    let s = dir.path().join("run-svg");
    run_into(&s, &["--format", "svg", "--no-attribution"]);
    check_page(&s.join("report.html"), figures_of(&s, ".svg").len());
    let c = dir.path().join("cmp");
    compare_into(&c, &[]);
    check_page(&c.join("report.html"), figures_of(&c, ".png").len());
    let w = dir.path().join("sweep");
    sweep_into(&w, &[]);
    check_page(&w.join("report.html"), figures_of(&w, ".png").len());
    for (name, extra) in [
        ("sobol", &["--samples", "4", "--bootstrap", "50"][..]),
        (
            "morris",
            &["--method", "morris", "--samples", "2", "--format", "svg"][..],
        ),
    ] {
        let s = dir.path().join(name);
        sensitivity_into(&s, extra);
        check_page(&s.join("report.html"), 1);
    }
}

fn sensitivity_into(out: &Path, extra: &[&str]) {
    softpower()
        .args([
            "sensitivity",
            "scenarios/middle_power_uncertain.toml",
            "--quiet",
            "--threads",
            "2",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn runs_csv_writes_seeds_as_text_that_run_seed_reproduces() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c");
    compare_into(&c, &["--no-plots", "--no-report"]);
    let runs = std::fs::read_to_string(c.join("runs.csv")).unwrap();
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let seed_col = header.iter().position(|h| *h == "seed").unwrap();
    for r in &rows {
        let s = r[seed_col];
        // 64-bit seeds pass 2^53, beyond which a spreadsheet or pandas rounds numbers:
        // written as hexadecimal text, no reader takes them for a number.
        assert!(
            s.starts_with("0x") && s.len() == 18,
            "seed {s} is hexadecimal text"
        );
        assert!(s.parse::<f64>().is_err());
    }
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.join("summary.json")).unwrap()).unwrap();
    let focal = s["metrics"]["focal"].as_str().unwrap().to_string();
    let col = header.iter().position(|h| *h == focal).unwrap();
    let base = rows.iter().find(|r| r[0] == "baseline").unwrap();
    // `run --seed` takes the seed as written and gives the same final value.
    let one = dir.path().join("one");
    softpower()
        .args([
            "run",
            SCENARIO,
            "--quiet",
            "--no-plots",
            "--no-report",
            "--no-attribution",
        ])
        .args(["--seed", base[seed_col], "--out"])
        .arg(&one)
        .assert()
        .success();
    let sum: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("summary.json")).unwrap()).unwrap();
    let actor = focal.split(':').nth(1).unwrap();
    let got = sum["actors"][actor]["soft_power_final"].as_f64().unwrap();
    let want: f64 = base[col].parse().unwrap();
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "run --seed {} gives {got}, runs.csv says {want}",
        base[seed_col]
    );
}

// ---------------------------------------------------------------- exercise

/// Every pixel colour of a PNG.
fn colours(png: &Path) -> std::collections::HashSet<[u8; 3]> {
    image::open(png)
        .unwrap()
        .to_rgb8()
        .pixels()
        .map(|p| p.0)
        .collect()
}

#[test]
fn an_instrument_keeps_its_colour_in_the_exercise_whatever_else_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("g");
    softpower()
        .args([
            "exercise",
            "new",
            "scenarios/exercises/four_powers.toml",
            "--dir",
        ])
        .arg(&game)
        .assert()
        .success();
    // Round 1: every team uses exchanges only, so exchange is the first series drawn.
    for team in ["atlantia", "norland", "aurelia", "ruskar"] {
        let p = game.join(format!("decisions/round-01/{team}.toml"));
        let text = std::fs::read_to_string(&p).unwrap();
        let head = text.split("\nteam = ").next().unwrap().to_string();
        std::fs::write(
            &p,
            format!(
                "{head}\nteam = \"{team}\"\nround = 1\nsubmitted = true\n\n[[action]]\nid = \"ex\"\ninstrument = \"exchange\"\ntargets = [\"meridia_youth\"]\nspend = 2\n"
            ),
        )
        .unwrap();
    }
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .success();
    let seen = colours(&game.join("rounds/01/budget.png"));
    let rgb = |c: plotters::style::RGBColor| [c.0, c.1, c.2];
    let exchange = rgb(softpower::plot::palette::categorical(1));
    let messaging = rgb(softpower::plot::palette::categorical(0));
    assert!(
        seen.contains(&exchange),
        "exchange is drawn in its own colour (slot 1), as in every round"
    );
    assert!(
        !seen.contains(&messaging),
        "messaging's colour is not lent to exchange"
    );
}

/// x pixels of the vertical lines drawn in exactly `rgb` (columns holding at least
/// `min` such pixels; neighbouring columns count as one line, at their mean).
fn vertical_lines(png: &Path, rgb: [u8; 3], min: usize) -> Vec<f64> {
    let img = image::open(png).unwrap().to_rgb8();
    let cols: Vec<u32> = (0..img.width())
        .filter(|&x| {
            (0..img.height())
                .filter(|&y| img.get_pixel(x, y).0 == rgb)
                .count()
                >= min
        })
        .collect();
    let mut lines: Vec<Vec<u32>> = Vec::new();
    for x in cols {
        match lines.last_mut() {
            Some(l) if *l.last().unwrap() + 1 == x => l.push(x),
            _ => lines.push(vec![x]),
        }
    }
    lines
        .iter()
        .map(|l| l.iter().map(|&x| x as f64).sum::<f64>() / l.len() as f64)
        .collect()
}

#[test]
fn an_inject_shows_as_a_marker_on_the_scoreboard_from_the_round_it_strikes() {
    let scenario = "scenarios/exercises/four_powers.toml";
    let sc: toml::Value = toml::from_str(&std::fs::read_to_string(scenario).unwrap()).unwrap();
    let ex = &sc["exercise"];
    let per = ex["ticks_per_round"].as_integer().unwrap();
    let total = per * ex["rounds"].as_integer().unwrap();
    // Where each inject strikes (and a crisis ends), in ticks, from the scenario itself.
    let mut strikes: Vec<(i64, i64)> = Vec::new();
    for inj in ex["inject"].as_array().unwrap() {
        let round = inj["round"].as_integer().unwrap();
        let t = (round - 1) * per + inj["at"].as_integer().unwrap();
        strikes.push((round, t));
        if let Some(d) = inj.get("duration").and_then(|d| d.as_integer())
            && t + d < total
        {
            strikes.push((round, t + d));
        }
    }
    let first = strikes.iter().map(|s| s.0).min().unwrap();
    let last = strikes.iter().map(|s| s.0).max().unwrap();
    assert!(
        first > 1 && last > first,
        "the test needs injects in several rounds"
    );

    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("g");
    softpower()
        .args(["exercise", "new", scenario, "--dir"])
        .arg(&game)
        .assert()
        .success();
    for _ in 0..last {
        softpower()
            .args(["exercise", "advance", "--missing", "hold"])
            .arg(&game)
            .assert()
            .success();
    }
    // A marker is a dashed line down the whole plot: far more pixels of its colour in
    // one column than any text has.
    let marker = [0x55, 0x55, 0x55];
    for round in 1..=last {
        let png = game.join(format!("rounds/{round:02}/scoreboard.png"));
        let lines = vertical_lines(&png, marker, 100);
        let mut due: Vec<i64> = strikes
            .iter()
            .filter(|s| s.0 <= round && s.1 <= round * per)
            .map(|s| s.1)
            .collect();
        due.sort();
        due.dedup();
        assert_eq!(
            lines.len(),
            due.len(),
            "round {round}: one marker per inject struck so far (ticks {due:?}), found at x = {lines:?}"
        );
        // Where there are several, they stand where their ticks are: the gaps between
        // lines are in the ratio of the gaps between ticks.
        if due.len() >= 3 {
            let (t0, tn) = (due[0] as f64, due[due.len() - 1] as f64);
            let (x0, xn) = (lines[0], lines[lines.len() - 1]);
            for (t, x) in due.iter().zip(&lines) {
                let want = (*t as f64 - t0) / (tn - t0);
                let got = (x - x0) / (xn - x0);
                assert!(
                    (got - want).abs() < 0.02,
                    "round {round}: marker of tick {t} at {got:.3} of the span, want {want:.3}"
                );
            }
        }
    }
}

/// The text of a page without its markup, entities decoded the way `esc` encodes them.
fn page_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The number just before the first occurrence of `suffix` in `text`.
fn number_before(text: &str, suffix: &str) -> f64 {
    let at = text
        .find(suffix)
        .unwrap_or_else(|| panic!("\"{suffix}\" is not on the page"));
    let head = &text[..at];
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == ','))
        .map_or(0, |(i, c)| i + c.len_utf8());
    head[start..].replace(',', "").parse().unwrap()
}

fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| {
            head.iter()
                .cloned()
                .zip(x.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn a_split_sweep_puts_every_declared_strategy_on_the_frontier_and_says_where_each_stands() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("split");
    softpower()
        .args([
            "sweep",
            SCENARIO,
            "--split",
            "norland:norland_scholarships,norland_digital",
            "--total",
            "0.8",
            "--steps",
            "2",
            "--runs",
            "2",
            "--quiet",
            "--threads",
            "2",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let strategies = [
        "exchanges_only",
        "digital_only",
        "elites_first",
        "never_stop",
        "listen_and_shift",
    ];
    let pareto = csv_rows(&out.join("pareto.csv"));
    assert_eq!(
        pareto.len(),
        1 + strategies.len() + 3,
        "baseline, strategies, splits"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_pngs_embedded(&out, &html);
    let text = page_text(&html);
    for s in strategies {
        let row = pareto
            .iter()
            .find(|r| r["variant"] == s)
            .unwrap_or_else(|| panic!("{s} is a point of the frontier"));
        assert_eq!(row["kind"], "strategy");
        assert!(row["spend"].parse::<f64>().unwrap() > 0.0);
        let lo: f64 = row["effect_ci_low"].parse().unwrap();
        let hi: f64 = row["effect_ci_high"].parse().unwrap();
        let e: f64 = row["effect"].parse().unwrap();
        assert!(lo <= e && e <= hi, "{s}: the effect lies in its interval");
        // The page's verdict on each strategy is the one pareto.csv gives.
        let verdict = if row["on_front"] == "true" {
            format!("Strategy {s} is on the front")
        } else {
            format!("Strategy {s} costs more for less")
        };
        assert!(text.contains(&verdict), "the page says: {verdict}");
    }
    assert_eq!(
        pareto.iter().filter(|r| r["kind"] == "split").count(),
        3,
        "three splits of the total"
    );
    // decision.csv as compare writes it: one row per point, exactly one minimax choice.
    let decision = csv_rows(&out.join("decision.csv"));
    assert_eq!(decision.len(), pareto.len());
    assert_eq!(
        decision
            .iter()
            .filter(|r| r["minimax_regret_choice"] == "true")
            .count(),
        1
    );
    let p_best: f64 = decision
        .iter()
        .map(|r| r["p_best"].parse::<f64>().unwrap())
        .sum();
    assert!(
        (p_best - 1.0).abs() < 1e-9,
        "some point is best in every run"
    );
    let choice = decision
        .iter()
        .find(|r| r["minimax_regret_choice"] == "true")
        .unwrap();
    assert!(text.contains(&format!("Minimax-regret choice: {}", choice["strategy"])));
    for f in ["pareto.csv", "decision.csv", "paired.csv"] {
        assert!(html.contains(&format!("href=\"{f}\"")), "links {f}");
    }
    assert!(html.contains("<figure id=\"pareto\""));
    check_page(&out.join("report.html"), figures_of(&out, ".png").len());
}

#[test]
fn discover_writes_a_report_page_with_the_chosen_box_and_honours_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("discover");
    let run = |out: &Path, extra: &[&str]| {
        softpower()
            .args([
                "discover",
                "scenarios/middle_power_uncertain.toml",
                "--question",
                "elites_first beats digital_only on soft_power:norland",
                "--samples",
                "16",
                "--quiet",
                "--threads",
                "2",
                "--out",
            ])
            .arg(out)
            .args(extra)
            .assert()
            .success();
    };
    run(&out, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    let text = page_text(&html);
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("discover.json")).unwrap()).unwrap();
    let chosen = &j["chosen"];
    assert!(text.contains("elites_first beats digital_only on soft_power:norland"));
    assert!(
        text.contains(&format!(
            "Where it holds: {}.",
            chosen["description"].as_str().unwrap()
        )),
        "the chosen box in words"
    );
    // The percentages the page gives are discover.json's, rounded.
    for (k, after) in [
        ("density", "% of samples (density"),
        ("coverage", "% of all yes-samples (coverage)"),
        ("mass", "% of all samples (mass)"),
    ] {
        let shown = number_before(&text, after);
        let want = 100.0 * chosen[k].as_f64().unwrap();
        assert!(
            (shown - want).abs() <= 0.005 * want.abs() + 1e-9,
            "{k}: the page shows {shown}%, discover.json has {want}%"
        );
    }
    for b in chosen["bounds"].as_array().unwrap() {
        assert!(text.contains(b["parameter"].as_str().unwrap()));
        if b["low"].is_null() && b["high"].is_null() {
            assert!(text.contains("Left free"), "a parameter left free is named");
        }
    }
    assert!(html.contains("<figure id=\"discover\""));
    for f in ["discover.csv", "box.csv", "samples.csv", "discover.json"] {
        assert!(html.contains(&format!("href=\"{f}\"")), "links {f}");
    }
    check_page(&out.join("report.html"), 1);

    // --no-report writes no page, and a forced rerun removes an old one.
    run(&out, &["--no-report", "--force"]);
    assert!(!out.join("report.html").exists());
}

#[test]
fn calibrate_writes_a_report_page_with_the_fit_the_posterior_and_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("calibrate");
    let run = |extra: &[&str]| {
        softpower()
            .args([
                "calibrate",
                "scenarios/calibration/survey_recovery.toml",
                "--steps",
                "60",
                "--predictive-draws",
                "20",
                "--quiet",
                "--threads",
                "2",
                "--out",
            ])
            .arg(&out)
            .args(extra)
            .assert()
            .success();
    };
    run(&[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_pngs_embedded(&out, &html);
    let text = page_text(&html);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let fits = figures_of(&out, ".png");
    assert!(
        fits.len() >= 2 && fits.iter().all(|f| f.starts_with("fit_")),
        "one fit figure per surveyed unit: {fits:?}"
    );
    for p in s["parameters"].as_array().unwrap() {
        assert!(
            text.contains(p["path"].as_str().unwrap()),
            "posterior table row"
        );
    }
    for w in s["warnings"].as_array().unwrap() {
        assert!(
            text.contains(&format!("Warning: {}", w.as_str().unwrap())),
            "identification and other warnings are on the page"
        );
    }
    assert!(text.contains("Posterior predictive check: p = "));
    assert!(text.contains(&format!(
        "to {} survey figures",
        s["observations"].as_u64().unwrap()
    )));
    for f in ["posterior.csv", "fit.csv", "summary.json"] {
        assert!(html.contains(&format!("href=\"{f}\"")), "links {f}");
    }
    check_page(&out.join("report.html"), fits.len());

    run(&["--no-report", "--force"]);
    assert!(!out.join("report.html").exists());
    assert!(!summary_files(&out).contains(&"report.html".to_string()));
}
