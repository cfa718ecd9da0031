//! The one-screen text summary printed at the end of `run`.

use crate::experiment::Run;
use crate::experiment::attribution::InstrumentGain;
use crate::scenario::Instrument;
use std::fmt::Write;
use std::path::Path;

/// `files`: what the run wrote into `out`, listed at the end.
pub fn summary_text(
    run: &Run,
    gains: Option<&[InstrumentGain]>,
    out: &Path,
    files: &[String],
) -> String {
    let e = &run.engine;
    let w = &e.world;
    let rec = &run.recorder;
    let (first, last) = (rec.first(), rec.last());
    let people: f64 = w.pops.size.iter().sum();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} {}s, {} populations ({}), {} actors, seed {}",
        w.name,
        e.tick,
        w.tick_label,
        w.pops.len(),
        people_text(people),
        w.actors.len(),
        w.seed
    );
    let _ = writeln!(
        s,
        "\nSoft-power index (-1..1), start -> end; net fav = % favourable - % unfavourable at the end, in points (-100..100), among those who know the actor in {}:",
        crate::metrics::survey::Audience::of(w).rule()
    );
    let mut order: Vec<usize> = (0..w.actors.len()).collect();
    order.sort_by(|&a, &b| last.actors[b][0].total_cmp(&last.actors[a][0]));
    for (rank, &a) in order.iter().enumerate().take(10) {
        let spend: Vec<String> = Instrument::ALL
            .iter()
            .filter(|&&i| e.spent(a, i) > 0.0)
            .map(|&i| format!("{} {}", i.as_str(), num(e.spent(a, i))))
            .collect();
        let _ = writeln!(
            s,
            "  {:>2}. {:<30} {:>7.3} -> {:>7.3} ({:+.3})  net fav {:+5.1} pp  trust {:.2}  fam {:.2}{}",
            rank + 1,
            clip(&w.actors.names[a], 30),
            first.actors[a][0],
            last.actors[a][0],
            last.actors[a][0] - first.actors[a][0],
            last.actors[a][crate::metrics::NET_FAVOURABLE],
            last.actors[a][2],
            last.actors[a][1],
            if spend.is_empty() {
                String::new()
            } else {
                format!("  spent: {}", spend.join(", "))
            }
        );
    }
    if order.len() > 10 {
        let _ = writeln!(s, "  ... and {} more actors", order.len() - 10);
    }
    let mut notes = Vec::new();
    for (j, id) in w.stories.ids.iter().enumerate() {
        let (t, peak) = rec.story_peak(j);
        notes.push(format!("story \"{id}\": peak {:.1}% believing at {} {t}, {:.1}% at the end ({:.1}% fact-checked, {:.1}% prebunked)", 100.0 * peak, w.tick_label, 100.0 * last.stories[j][0], 100.0 * last.stories[j][1], 100.0 * last.stories[j][2]));
    }
    for d in &w.decisions {
        let who = &w.actors.ids[d.spec.actor as usize];
        let what = if d.spec.label.is_empty() {
            format!(
                "{} ({} {})",
                d.spec.id,
                d.spec.direction.as_str(),
                d.spec.threshold
            )
        } else {
            d.spec.label.clone()
        };
        notes.push(match d.taken {
            Some(t) => format!("decision: {who} {what} at {} {t}", w.tick_label),
            None => format!("decision: {who} {what}: not taken"),
        });
    }
    for (a, c) in w.actors.credibility.iter().enumerate() {
        let c0 = w.actors.credibility_base[a];
        if (*c - c0).abs() > 0.02 {
            notes.push(format!(
                "{} credibility {:.2} -> {:.2}",
                w.actors.names[a], c0, c
            ));
        }
    }
    if let Some(g) = gains {
        let mut g: Vec<&InstrumentGain> = g.iter().collect();
        g.sort_by(|x, y| (y.gain / y.spend).total_cmp(&(x.gain / x.spend)));
        for x in g.iter().take(5) {
            notes.push(format!(
                "{} {}: {:+.4} soft power for {} spent ({:+.2e} per unit)",
                w.actors.names[x.actor],
                x.instrument.as_str(),
                x.gain,
                num(x.spend),
                x.gain / x.spend
            ));
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(s, "\nKey changes:");
        for n in notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    let pngs = files.iter().filter(|f| f.ends_with(".png")).count();
    let tables: Vec<&str> = files
        .iter()
        .filter(|f| !f.ends_with(".png"))
        .map(String::as_str)
        .collect();
    let plots = match pngs {
        0 => String::new(),
        1 => ", 1 PNG plot".to_string(),
        k => format!(", {k} PNG plots"),
    };
    let _ = writeln!(
        s,
        "\nResults in {}/ ({}{plots})",
        out.display(),
        tables.join(", ")
    );
    s
}

fn clip(x: &str, n: usize) -> String {
    if x.chars().count() <= n {
        x.to_string()
    } else {
        x.chars().take(n - 1).collect::<String>() + "~"
    }
}

fn num(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn people_text(p: f64) -> String {
    if p >= 1e9 {
        format!("{:.2} bn people", p / 1e9)
    } else if p >= 1e6 {
        format!("{:.1} M people", p / 1e6)
    } else {
        format!("{p:.0} people")
    }
}
