//! `[[uncertain]]`, `softpower sensitivity` and `compare` under uncertainty through the real
//! binary, on a Friedkin–Johnsen scenario whose metric has a closed form.
//!
//! Two populations A and B of equal size, one tie, self weight 1, so W = [[½, ½], [½, ½]];
//! only the social-influence rule moves opinions (no campaigns, no forgetting). The
//! attitude equilibrium is z* = (I − ΛW)⁻¹ (I − Λ) u with Λ = diag(1 − s) (docs/MODEL.md
//! 3.6), so the favourability of the issue, (z*_A + z*_B)/2, is a function of A's
//! stubbornness alone once B's is fixed. The digital-messaging cost is read only by
//! campaigns, of which there are none: it provably has no effect.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/fj_pair.rs"]
mod fj_pair;

use cli::{rows, softpower, write};
use fj_pair::{INERT_PRIOR, STUBBORNNESS_PRIOR, equilibrium};
use predicates::prelude::*;
use std::path::Path;

fn scenario(extra: &str) -> String {
    fj_pair::scenario(
        "fj_uncertain",
        3,
        200,
        &format!("{STUBBORNNESS_PRIOR}\n{INERT_PRIOR}{extra}"),
    )
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

fn sensitivity(file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .arg("sensitivity")
        .arg(file)
        .args(["--metric", "favourability:issue", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn every_design_point_lands_on_the_friedkin_johnsen_equilibrium_of_its_stubbornness() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("s");
    sensitivity(&file, &out, &["--samples", "32", "--no-plots", "-q"]).success();
    let design = rows(&out.join("design.csv"));
    assert_eq!(design.len(), 32 * (2 + 2), "N(d + 2) runs");
    let mut seen = std::collections::BTreeSet::new();
    for r in &design {
        let (s, y) = (num(&r[1]), num(&r[3]));
        assert!(
            (0.1..=0.9).contains(&s),
            "stubbornness {s} within its prior"
        );
        assert!(
            (y - equilibrium(s)).abs() < 1e-4,
            "at s = {s}: {y} vs {}",
            equilibrium(s)
        );
        seen.insert(r[1].clone());
    }
    assert!(seen.len() > 32, "the design spreads the parameter");
}

#[test]
fn an_inert_parameter_has_zero_indices_and_the_only_influential_one_explains_all_variance() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("s");
    sensitivity(&file, &out, &["--samples", "128"])
        .success()
        .stdout(predicate::str::contains(
            "Sobol indices of favourability:issue",
        ));
    let t = rows(&out.join("sensitivity.csv"));
    let get = |p: &str| t.iter().find(|r| r[0] == p).unwrap().clone();
    let inert = get("model.messaging.cost_digital");
    // f(A_B^(i)) = f(A) bit for bit when input i is unused, so both estimators are 0.
    for c in 4..10 {
        assert_eq!(num(&inert[c]), 0.0, "inert column {c}: {inert:?}");
    }
    // A function of one input: S_i = S_Ti = 1 (its whole variance is that input's).
    let s = get("population.a.stubbornness");
    let (first, total) = (num(&s[4]), num(&s[7]));
    assert!((first - 1.0).abs() < 0.05, "first order {first}");
    assert!((total - 1.0).abs() < 0.05, "total {total}");
    assert!(
        num(&s[8]) <= 1.0 && 1.0 <= num(&s[9]),
        "the total index's interval holds 1: {s:?}"
    );
    assert!(out.join("sensitivity.png").is_file());
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(j["evaluations"], 128 * 4);
}

#[test]
fn morris_screening_gives_the_inert_parameter_no_effect() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("m");
    sensitivity(
        &file,
        &out,
        &["--method", "morris", "--samples", "10", "--no-plots", "-q"],
    )
    .success();
    let t = rows(&out.join("sensitivity.csv"));
    let inert = t
        .iter()
        .find(|r| r[0] == "model.messaging.cost_digital")
        .unwrap();
    assert_eq!((num(&inert[5]), num(&inert[6])), (0.0, 0.0));
    let s = t
        .iter()
        .find(|r| r[0] == "population.a.stubbornness")
        .unwrap();
    // The equilibrium rises with A's stubbornness (A holds to the higher anchor), so every
    // elementary effect is positive and μ = μ*.
    assert!(num(&s[5]) > 0.0 && num(&s[4]) == num(&s[5]), "{s:?}");
    assert_eq!(rows(&out.join("design.csv")).len(), 10 * 3);
}

#[test]
fn results_are_byte_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let (a, b) = (dir.path().join("t1"), dir.path().join("t2"));
    sensitivity(&file, &a, &["--samples", "16", "--threads", "1", "-q"]).success();
    sensitivity(&file, &b, &["--samples", "16", "--threads", "2", "-q"]).success();
    for n in [
        "sensitivity.csv",
        "design.csv",
        "sensitivity.json",
        "sensitivity.png",
    ] {
        assert!(
            std::fs::read(a.join(n)).unwrap() == std::fs::read(b.join(n)).unwrap(),
            "{n} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn the_paired_difference_of_a_strategy_identical_to_the_baseline_is_refused_as_constant() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "fj.toml",
        &scenario("[[strategy]]\nname = \"same\"\ndescription = \"changes nothing\"\n"),
    );
    sensitivity(
        &file,
        &dir.path().join("d"),
        &[
            "--strategy",
            "same",
            "--minus",
            "baseline",
            "--samples",
            "8",
        ],
    )
    .code(2)
    .stderr(predicate::str::contains("same value at every design point"));
}

#[test]
fn compare_under_uncertainty_pairs_strategies_on_the_same_draws() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "fj.toml",
        &scenario(
            "[[strategy]]\nname = \"same\"\ndescription = \"changes nothing\"\n\
             [[strategy]]\nname = \"firm_b\"\n[strategy.set]\n\"population.b.stubbornness\" = 0.9\n",
        ),
    );
    let out = dir.path().join("c");
    softpower()
        .arg("compare")
        .arg(&file)
        .args(["--runs", "16", "--metric", "favourability:issue", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "same draw of 2 uncertain parameters",
        ))
        .stdout(predicate::str::contains("P(best)"));
    let runs = rows(&out.join("runs.csv"));
    let head: Vec<String> = csv::Reader::from_path(out.join("runs.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    let col = head
        .iter()
        .position(|h| h == "favourability:issue")
        .unwrap();
    let of = |s: &str| -> Vec<f64> {
        runs.iter()
            .filter(|r| r[0] == s)
            .map(|r| num(&r[col]))
            .collect()
    };
    let (base, same, firm) = (of("baseline"), of("same"), of("firm_b"));
    assert_eq!(base.len(), 16);
    assert_eq!(
        base, same,
        "an unchanged strategy equals the baseline run by run"
    );
    assert!(
        base.iter().any(|&x| x != base[0]),
        "the parameters differ between runs"
    );
    // B holds its lower anchor more firmly: favourability falls in every draw.
    assert!(base.iter().zip(&firm).all(|(b, f)| f < b));
    let paired = rows(&out.join("paired.csv"));
    let same_row = paired
        .iter()
        .find(|r| r[0] == "same" && r[2] == "favourability:issue")
        .unwrap();
    assert!(
        same_row[5..8].iter().all(|x| num(x) == 0.0),
        "mean difference and its interval are exactly 0: {same_row:?}"
    );
    let d = rows(&out.join("decision.csv"));
    let p = |s: &str| num(&d.iter().find(|r| r[0] == s).unwrap()[2]);
    // Ties split the win: baseline and its copy share every run, firm_b never wins.
    assert_eq!((p("baseline"), p("same"), p("firm_b")), (0.5, 0.5, 0.0));
    let regret = |s: &str| num(&d.iter().find(|r| r[0] == s).unwrap()[3]);
    assert_eq!(regret("same"), 0.0);
    assert!(regret("firm_b") > 0.0);
}

#[test]
fn bad_priors_are_located_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "path = \"model.exchange.spilover\"\nprior = \"uniform\"\nlow = 0\nhigh = 1\n",
            "model.exchange.spillover",
        ),
        (
            "path = \"model.self_weight\"\nprior = \"unifrom\"\nlow = 0.5\nhigh = 1\n",
            "did you mean \"uniform\"",
        ),
        (
            "path = \"population.b.stubbornness\"\nprior = \"uniform\"\nlow = 0.5\nhigh = 1.5\n",
            "allowed values",
        ),
        (
            "path = \"population.b.stubbornness\"\nprior = \"normal\"\nmean = 0.5\nsd = 0.1\n",
            "truncated_normal",
        ),
        (
            "path = \"population.a.stubbornness\"\nprior = \"uniform\"\nlow = 0.2\nhigh = 0.4\n",
            "has a prior already",
        ),
        (
            "path = \"model.self_weight\"\nprior = \"triangular\"\nlow = 0.5\nhigh = 2\n",
            "needs \"mode\"",
        ),
    ];
    for (i, (block, expect)) in cases.iter().enumerate() {
        let text = scenario(&format!("\n[[uncertain]]\n{block}"));
        let line = text.lines().count() - block.lines().count() + 1;
        let file = write(dir.path(), &format!("bad{i}.toml"), &text);
        softpower()
            .arg("check")
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expect))
            .stderr(predicate::str::contains(format!("bad{i}.toml:")))
            .stderr(predicate::str::contains("uncertain[2]"))
            .stderr(predicate::function(move |s: &str| {
                (line..line + 5).any(|l| s.contains(&format!(".toml:{l}:")))
            }));
    }
}

#[test]
fn bad_metric_strings_and_scenarios_without_priors_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    softpower()
        .arg("sensitivity")
        .arg(&file)
        .args(["--metric", "favourability:isue", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"issue\""));
    softpower()
        .arg("sensitivity")
        .arg(&file)
        .args(["--metric", "favourability:issue@peek", "--out"])
        .arg(dir.path().join("y"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"peak\""));
    softpower()
        .args([
            "sensitivity",
            "scenarios/classic/friedkin_johnsen.toml",
            "--out",
        ])
        .arg(dir.path().join("z"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no [[uncertain]] blocks"));
}

/// The commands of README.md "Under parameter uncertainty", exactly as written there
/// (with an output folder), and what the README says they show.
#[test]
fn the_readme_worked_example_shows_what_it_says() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("### Under parameter uncertainty")
        .nth(1)
        .unwrap()
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let commands: Vec<Vec<&str>> = section
        .lines()
        .filter(|l| l.starts_with("softpower "))
        .map(|l| l.split_whitespace().skip(1).collect())
        .collect();
    assert_eq!(commands.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let outs: Vec<_> = (0..3).map(|i| dir.path().join(format!("o{i}"))).collect();
    for (c, out) in commands.iter().zip(&outs) {
        softpower()
            .args(c)
            .args(["--no-plots", "-q", "--out"])
            .arg(out)
            .assert()
            .success();
    }
    let d = rows(&outs[0].join("decision.csv"));
    let strategy = |name: &str| d.iter().find(|r| r[0] == name).unwrap().clone();
    let best = |name: &str| num(&strategy(name)[2]);
    assert!(
        best("elites_first") > 0.5,
        "elites_first is best in most draws"
    );
    assert!(best("elites_first") < 1.0, "but not in all");
    assert!(
        best("baseline") > 0.5 * (1.0 - best("elites_first")),
        "the baseline is best in most of the other draws"
    );
    assert_eq!(strategy("baseline")[5], "true", "the minimax-regret choice");
    let top = |out: &Path, n: usize| -> std::collections::BTreeSet<String> {
        let mut t = rows(&out.join("sensitivity.csv"));
        t.sort_by(|a, b| num(&b[7]).total_cmp(&num(&a[7])));
        t[..n].iter().map(|r| r[0].clone()).collect()
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        top(&outs[1], 3),
        set(&[
            "model.exchange.cost_per_participant",
            "model.exchange.spillover",
            "model.messaging.durable_share"
        ])
    );
    assert_eq!(top(&outs[2], 1), set(&["model.messaging.cost_digital"]));
}

#[test]
fn compare_under_uncertainty_is_byte_identical_across_threads_shards_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "fj.toml",
        &scenario(
            "[[strategy]]\nname = \"firm_b\"\n[strategy.set]\n\"population.b.stubbornness\" = 0.9\n",
        ),
    );
    let run = |out: &Path, extra: &[&str]| {
        softpower()
            .arg("compare")
            .arg(&file)
            .args([
                "--runs",
                "20",
                "--metric",
                "favourability:issue",
                "--no-plots",
                "-q",
                "--out",
            ])
            .arg(out)
            .args(extra)
            .assert()
    };
    let d = dir.path();
    run(&d.join("t1"), &["--threads", "1"]).success();
    run(&d.join("t2"), &["--threads", "2"]).success();
    run(&d.join("s1"), &["--shard", "1/2"]).success();
    run(&d.join("s2"), &["--shard", "2/2"]).success();
    softpower()
        .arg("merge")
        .arg(d.join("s1"))
        .arg(d.join("s2"))
        .args(["--no-plots", "-q", "--out"])
        .arg(d.join("merged"))
        .assert()
        .success();
    run(&d.join("cut"), &["--stop-after-batches", "1"]).code(130);
    run(&d.join("cut"), &["--resume"]).success();
    for other in ["t2", "merged", "cut"] {
        for n in [
            "runs.csv",
            "compare.csv",
            "paired.csv",
            "decision.csv",
            "summary.json",
        ] {
            assert!(
                std::fs::read(d.join("t1").join(n)).unwrap()
                    == std::fs::read(d.join(other).join(n)).unwrap(),
                "{n} differs between t1 and {other}"
            );
        }
    }
}

#[test]
fn the_example_of_sensitivity_help_runs() {
    let help = softpower()
        .args(["sensitivity", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    let examples: Vec<&str> = help
        .lines()
        .filter(|l| l.trim_start().starts_with("softpower sensitivity "))
        .collect();
    assert_eq!(examples.len(), 2, "{help}");
    let dir = tempfile::tempdir().unwrap();
    for (i, example) in examples.iter().enumerate() {
        let out = dir.path().join(format!("h{i}"));
        softpower()
            .args(example.split_whitespace().skip(1))
            .args(["-q", "--no-plots", "--out"])
            .arg(&out)
            .assert()
            .success();
        assert!(out.join("sensitivity.csv").is_file());
    }
}

/// The page's key findings, as plain text (one per list item).
fn findings(html: &str) -> Vec<String> {
    let at = html.find("<section id=\"changes\">").expect("key findings");
    let sec = &html[at..at + html[at..].find("</section>").unwrap()];
    sec.split("<li>")
        .skip(1)
        .map(|x| x.split("</li>").next().unwrap().to_string())
        .collect()
}

/// The rows of the page's first table, cell texts in page order.
fn page_rows(html: &str) -> Vec<Vec<String>> {
    let t = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
    t.split("<tr>")
        .skip(1)
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()].to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_report_ranks_the_parameter_the_equilibrium_depends_on_first_and_calls_the_inert_one_negligible()
 {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario("").replace(
        "seed = 3",
        "description = \"Two publics & one tie <FJ>\"\nseed = 3",
    );
    let file = write(dir.path(), "fj.toml", &text);
    let out = dir.path().join("s");
    sensitivity(&file, &out, &["--samples", "64", "-q"]).success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(
        html.contains("Two publics &amp; one tie &lt;FJ&gt;"),
        "the scenario's description, escaped"
    );
    // The equilibrium is a function of A's stubbornness alone: it has every index
    // (S = S_T = 1), so it heads the table, and the unused cost has none.
    let rows = page_rows(&html);
    assert_eq!(rows.len(), 2, "one row per uncertain parameter");
    assert_eq!(rows[0][0], "population.a.stubbornness");
    assert_eq!(rows[1][0], "model.messaging.cost_digital");
    assert_eq!(rows[0][1], "uniform");
    assert_eq!(rows[1][1], "log_uniform");
    let f = findings(&html);
    let top = f[0]
        .strip_prefix("population.a.stubbornness has the largest total index, ")
        .unwrap_or_else(|| panic!("{f:?}"));
    let t: f64 = top.split(' ').next().unwrap().parse().unwrap();
    assert!(
        (t - 1.0).abs() < 0.1,
        "S_T = 1 for the only input used: {t}"
    );
    assert!(
        f.iter().any(|x| x.contains("act nearly additively")),
        "first-order indices of a one-input function sum to 1: {f:?}"
    );
    assert!(
        f.iter()
            .any(|x| x.starts_with("model.messaging.cost_digital has a total index below 0.05")),
        "{f:?}"
    );
    // The figure on the page is the file beside it, with a caption on how to read it.
    let png = std::fs::read(out.join("sensitivity.png")).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    assert!(html.contains(&format!("src=\"data:image/png;base64,{b64}\"")));
    let fig = &html[html.find("<figure id=\"sensitivity\"").unwrap()..];
    let fig = &fig[..fig.find("</figure>").unwrap()];
    assert!(fig.contains("first-order index") && fig.contains("total index"));
    for f in ["sensitivity.csv", "design.csv", "sensitivity.json"] {
        assert!(html.contains(&format!("href=\"{f}\"")), "a link to {f}");
    }
    assert!(html.contains("<dt>Seed</dt><dd>3</dd>"));
    assert!(html.contains("<dt>Method</dt><dd>sobol</dd>"));
    assert!(html.contains(env!("CARGO_PKG_VERSION")));

    // --format svg: the figure is inline vector, and the old PNG goes.
    sensitivity(
        &file,
        &out,
        &["--samples", "8", "-q", "--force", "--format", "svg"],
    )
    .success();
    assert!(out.join("sensitivity.svg").is_file());
    assert!(!out.join("sensitivity.png").exists(), "no stale PNG");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<div class=\"svg\"") && !html.contains("data:image/png"));

    // --no-report: no page, and a forced rerun removes the old one.
    sensitivity(
        &file,
        &out,
        &["--samples", "8", "-q", "--force", "--no-report"],
    )
    .success();
    assert!(!out.join("report.html").exists());
}

#[test]
fn the_morris_report_ranks_by_mu_star_and_says_the_unused_parameter_never_moves_the_metric() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("m");
    sensitivity(
        &file,
        &out,
        &["--method", "morris", "--samples", "10", "--no-plots", "-q"],
    )
    .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<figure"), "--no-plots: no figure");
    let rows = page_rows(&html);
    assert_eq!(rows[0][0], "population.a.stubbornness");
    let f = findings(&html);
    assert!(
        f[0].starts_with("population.a.stubbornness has the largest mu*"),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|x| x.starts_with("mu* is 0 for model.messaging.cost_digital")),
        "{f:?}"
    );
}
