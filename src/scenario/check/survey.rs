//! `[survey]`: the observation model's spread, the ticks `survey.csv` reports, its units,
//! and the observations file `softpower calibrate` fits, read and checked here like every
//! file a scenario names (problems name the file, line and column).
//!
//! Observations file: CSV with a header naming at least `unit`, `actor`, `measure`,
//! `value` (percent, 0–100), `n` (respondents) and `tick` or `date` (a row gives one of
//! them); other columns (a `source`, a note) are kept out of the way. A date is
//! `YYYY-MM-DD`, `YYYY-MM` (the 15th) or `YYYY` (1 July) and maps to the tick
//! round((date − start_date) / tick_days).

use crate::model::survey::{Measure, Members, Observation, SurveySpec, Unit};
use crate::scenario::diagnostic::{Diagnostic, TomlPath, suggest_help};
use crate::scenario::select::{PopIndex, Selection};
use crate::scenario::types::{Scenario, Survey, TickOrDate};
use std::path::Path;

/// Largest accepted spread σ (beyond it every share is F/2 to three decimals).
const MAX_SPREAD: f64 = 100.0;

/// The problem with `[survey] spread`, if any.
pub fn spread_problem(sc: &Scenario) -> Option<Diagnostic> {
    let s = sc.survey.as_ref()?;
    let ok = s.spread.is_finite() && s.spread > 0.0 && s.spread <= MAX_SPREAD;
    (!ok).then(|| {
        Diagnostic::new(
            TomlPath::root().key("survey").key("spread"),
            format!("spread = {} is not allowed", s.spread),
        )
        .help(format!("the spread σ of opinions around a population's value: a number above 0 and at most {MAX_SPREAD}"))
    })
}

/// Every problem of the `[survey]` table and its observations file, but the spread.
pub fn check(sc: &Scenario, base_dir: &Path) -> Vec<Diagnostic> {
    resolve(sc, base_dir).err().unwrap_or_default()
}

/// The checked survey of a scenario (`None` without a `[survey]` table).
pub fn resolve(sc: &Scenario, base_dir: &Path) -> Result<Option<SurveySpec>, Vec<Diagnostic>> {
    let Some(s) = &sc.survey else { return Ok(None) };
    let at = TomlPath::root().key("survey");
    let mut diags = Vec::new();
    // The spread is checked with the tables (`spread_problem`): a drawn or strategy-set
    // `survey.spread` goes through that check alone.
    if !(s.tick_days.is_finite() && s.tick_days > 0.0) {
        diags.push(
            Diagnostic::new(
                at.key("tick_days"),
                format!("tick_days = {} is not allowed", s.tick_days),
            )
            .help("days per tick: a number above 0 (7 for weekly ticks)"),
        );
    }
    let start = match &s.start_date {
        Some(d) => match day_number(d) {
            Some(n) => Some(n),
            None => {
                diags.push(
                    Diagnostic::new(at.key("start_date"), format!("\"{d}\" is not a date"))
                        .help("write the date of tick 0 as YYYY-MM-DD, e.g. \"2002-01-01\""),
                );
                None
            }
        },
        None => None,
    };
    let holdout_from = match &s.holdout_from {
        None => None,
        Some(TickOrDate::Tick(t)) => Some(*t),
        Some(TickOrDate::Date(d)) => {
            match (day_number(d), start) {
                (Some(day), Some(start)) => {
                    Some(((day - start) as f64 / s.tick_days).round().max(0.0) as u32)
                }
                (None, _) => {
                    diags.push(
                    Diagnostic::new(at.key("holdout_from"), format!("\"{d}\" is not a date"))
                        .help("write a date as YYYY-MM-DD (YYYY-MM or YYYY also work), or give a tick as a whole number"),
                );
                    None
                }
                (Some(_), None) => {
                    diags.push(
                    Diagnostic::new(
                        at.key("holdout_from"),
                        format!("\"{d}\" is a date but [survey] has no start_date to count ticks from"),
                    )
                    .help("add start_date = \"YYYY-MM-DD\" (the date of tick 0), or give a tick"),
                );
                    None
                }
            }
        }
    };
    let mut ticks = s.ticks.clone();
    for (i, &t) in s.ticks.iter().enumerate() {
        if t > sc.scenario.ticks {
            diags.push(
                Diagnostic::new(
                    at.key("ticks").idx(i),
                    format!("tick {t} is after the run's last tick"),
                )
                .help(format!(
                    "survey ticks run from 0 to the scenario's ticks ({})",
                    sc.scenario.ticks
                )),
            );
        }
    }
    ticks.sort_unstable();
    ticks.dedup();
    let idx = PopIndex::new(sc);
    let mut units = Vec::new();
    match &s.units {
        Some(names) => {
            for (i, name) in names.iter().enumerate() {
                match unit(sc, &idx, name) {
                    Ok(u) if units.iter().any(|x: &Unit| x.name == u.name) => {
                        diags.push(Diagnostic::new(
                            at.key("units").idx(i),
                            format!("\"{name}\" is listed twice"),
                        ))
                    }
                    Ok(u) => units.push(u),
                    Err(e) => diags.push(Diagnostic::new(at.key("units").idx(i), e).help(
                        suggest_help(name, idx.candidates().iter().map(|s| s.as_str())),
                    )),
                }
            }
        }
        None => {
            for p in &sc.populations {
                units.push(unit(sc, &idx, &p.id).expect("an explicit population resolves"));
            }
            for g in &sc.generators {
                if let Ok(u) = unit(sc, &idx, &format!("group:{}", g.prefix)) {
                    units.push(u);
                }
            }
        }
    }
    let reported = units.len();
    let mut observations = Vec::new();
    if let Some(file) = &s.observations {
        match read_observations(sc, s, &idx, &base_dir.join(file), start, &mut units) {
            Ok(o) => observations = o,
            Err(msg) => diags.push(
                Diagnostic::new(at.key("observations"), format!("{file}: {msg}"))
                    .help("columns: unit, actor, measure (heard_of, favourable, confidence), tick or date, value (percent), n (respondents); docs/CALIBRATION.md"),
            ),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Some(SurveySpec {
        ticks,
        spread: s.spread,
        units,
        reported,
        observations,
        holdout_from,
    }))
}

/// A unit from a selector: a population id, `group:<prefix>`, `home:<actor>` or `all`.
fn unit(sc: &Scenario, idx: &PopIndex, name: &str) -> Result<Unit, String> {
    let members = match idx.resolve(name)? {
        Selection::One(p) => Members::One(p),
        Selection::Range(a, b) => Members::Range(a, b),
        Selection::Home(a) => Members::Home(
            sc.actors
                .iter()
                .position(|x| x.id == a)
                .expect("resolved actor") as u32,
        ),
    };
    Ok(Unit {
        name: name.to_string(),
        members,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil), from
/// `YYYY-MM-DD`, `YYYY-MM` (the 15th) or `YYYY` (1 July).
pub fn day_number(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |x: &str, len: usize| -> Option<i64> {
        (x.len() == len && x.bytes().all(|b| b.is_ascii_digit())).then(|| x.parse().ok())?
    };
    let (y, m, d) = match parts.as_slice() {
        [y] => (num(y, 4)?, 7, 1),
        [y, m] => (num(y, 4)?, num(m, 2)?, 15),
        [y, m, d] => (num(y, 4)?, num(m, 2)?, num(d, 2)?),
        _ => return None,
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn read_observations(
    sc: &Scenario,
    s: &Survey,
    idx: &PopIndex,
    path: &Path,
    start: Option<i64>,
    units: &mut Vec<Unit>,
) -> Result<Vec<Observation>, String> {
    let text = crate::scenario::load::read_regular_text(path)
        .map_err(|e| format!("cannot read it: {e}"))?;
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = rd.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            format!(
                "line 1: the header has no \"{name}\" column (found: {})",
                header.iter().collect::<Vec<_>>().join(", ")
            )
        })
    };
    let (cu, ca, cm, cv, cn) = (
        need("unit")?,
        need("actor")?,
        need("measure")?,
        need("value")?,
        need("n")?,
    );
    let (ct, cd) = (col("tick"), col("date"));
    if ct.is_none() && cd.is_none() {
        return Err("line 1: the header needs a \"tick\" or a \"date\" column".into());
    }
    if cd.is_some() && start.is_none() {
        return Err(
            "the file gives dates but [survey] has no start_date to count ticks from".into(),
        );
    }
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let field = |c: usize| rec.get(c).unwrap_or("");
        let bad = |c: &str, msg: String| format!("line {line}, column \"{c}\": {msg}");
        let name = field(cu);
        let u = match units.iter().position(|x| x.name == name) {
            Some(i) => i,
            None => {
                let new = unit(sc, idx, name).map_err(|e| {
                    bad(
                        "unit",
                        format!(
                            "{e}; {}",
                            suggest_help(name, idx.candidates().iter().map(|s| s.as_str()))
                        ),
                    )
                })?;
                units.push(new);
                units.len() - 1
            }
        };
        let a = field(ca);
        let actor = sc.actors.iter().position(|x| x.id == a).ok_or_else(|| {
            bad(
                "actor",
                format!(
                    "unknown actor \"{a}\"; {}",
                    suggest_help(a, sc.actors.iter().map(|x| x.id.as_str()))
                ),
            )
        })? as u32;
        let m = field(cm);
        let measure = Measure::parse(m).ok_or_else(|| {
            bad(
                "measure",
                format!("unknown measure \"{m}\"; allowed: heard_of, favourable, confidence"),
            )
        })?;
        let tick_text = ct.map(field).unwrap_or("");
        let date_text = cd.map(field).unwrap_or("");
        let (tick, date) = match (tick_text.is_empty(), date_text.is_empty()) {
            (false, true) => (
                tick_text.parse::<u32>().map_err(|_| {
                    bad(
                        "tick",
                        format!(
                            "\"{tick_text}\" is not a tick; allowed: whole numbers 0 to {}",
                            sc.scenario.ticks
                        ),
                    )
                })?,
                None,
            ),
            (true, false) => {
                let day = day_number(date_text).ok_or_else(|| {
                    bad(
                        "date",
                        format!("\"{date_text}\" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"),
                    )
                })?;
                let start = start.expect("checked above");
                let t = ((day - start) as f64 / s.tick_days).round();
                if t < 0.0 {
                    return Err(bad("date", format!("{date_text} is before start_date")));
                }
                (t.min(u32::MAX as f64) as u32, Some(date_text.to_string()))
            }
            (false, false) => return Err(bad("tick", "give a tick or a date, not both".into())),
            (true, true) => return Err(bad("tick", "give a tick or a date".into())),
        };
        if tick > sc.scenario.ticks {
            return Err(bad(
                if date.is_some() { "date" } else { "tick" },
                format!(
                    "tick {tick} is after the run's last tick ({})",
                    sc.scenario.ticks
                ),
            ));
        }
        let v = field(cv);
        let value: f64 = v
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && (0.0..=100.0).contains(x))
            .ok_or_else(|| {
                bad(
                    "value",
                    format!("\"{v}\" is not a percentage; allowed: numbers 0 to 100"),
                )
            })?;
        let nt = field(cn);
        let n: f64 = nt
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 1.0 && *x <= 1e9)
            .ok_or_else(|| {
                bad(
                    "n",
                    format!(
                        "\"{nt}\" is not a sample size; allowed: numbers 1 to 1e9 (respondents)"
                    ),
                )
            })?;
        out.push(Observation {
            unit: u,
            actor,
            measure,
            tick,
            date,
            share: value / 100.0,
            n,
        });
    }
    if out.is_empty() {
        return Err("the file holds no observations".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_as_the_calendar_does() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(
            day_number("2001-01-01").unwrap() - day_number("2000-01-01").unwrap(),
            366
        );
        assert_eq!(
            day_number("2002-01-01").unwrap() - day_number("2001-01-01").unwrap(),
            365
        );
        assert_eq!(day_number("2004"), day_number("2004-07-01"));
        assert_eq!(day_number("2004-05"), day_number("2004-05-15"));
        for bad in ["2003-02-29", "2004-13-01", "04-01-01", "2004-1-1", "x", ""] {
            assert_eq!(day_number(bad), None, "{bad}");
        }
    }

    fn survey_of(table: &str) -> Result<Option<SurveySpec>, Vec<Diagnostic>> {
        let text = format!(
            "[scenario]\nname = \"t\"\nticks = 600\n[[actor]]\nid = \"usa\"\n[[population]]\nid = \"fr\"\nsize = 10\n[survey]\n{table}"
        );
        // parse_str checks the whole scenario, [survey] included: its errors are ours.
        match crate::scenario::parse_str(
            &text,
            Path::new("t.toml"),
            &crate::scenario::Overrides::default(),
        ) {
            Ok(sc) => resolve(&sc, Path::new("")),
            Err(e) => Err(e.diagnostics),
        }
    }

    #[test]
    fn holdout_from_is_a_tick_or_a_date_counted_like_the_observations() {
        let spec = survey_of("holdout_from = 470\n").unwrap().unwrap();
        assert_eq!(spec.holdout_from, Some(470));
        // 2011-01-01 is 3287 days after 2002-01-01: 469.57 weeks, rounded.
        let spec = survey_of("start_date = \"2002-01-01\"\nholdout_from = \"2011-01-01\"\n")
            .unwrap()
            .unwrap();
        assert_eq!(spec.holdout_from, Some(470));
        let e = survey_of("holdout_from = \"2011-01-01\"\n").unwrap_err();
        assert!(e[0].message.contains("no start_date"), "{:?}", e[0]);
        let e = survey_of("start_date = \"2002-01-01\"\nholdout_from = \"soon\"\n").unwrap_err();
        assert!(e[0].path.to_string().contains("holdout_from"), "{:?}", e[0]);
    }
}
