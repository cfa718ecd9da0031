//! `[[campaign]]` and the budgets they draw on.

use super::{Ctx, Resolver, check_selectors, unique_ids};
use crate::model::checked::{AdaptSpec, CampaignSpec, ListenSpec};
use crate::model::{Channel, Crossing, Instrument, ListenMetric};
use crate::scenario::diagnostic::{Diagnostic, TomlPath, suggest_help};
use crate::scenario::select::PopIndex;
use crate::scenario::types::{Campaign, Scenario};

pub(super) fn check(c: &mut Ctx, sc: &Scenario, res: &Resolver) -> Vec<CampaignSpec> {
    let dims = sc.scenario.dimensions.len();
    unique_ids(c, "campaign", sc.campaigns.iter().map(|x| x.id.as_str()));
    let mut out = Vec::with_capacity(sc.campaigns.len());
    for (i, k) in sc.campaigns.iter().enumerate() {
        let p = TomlPath::root().key("campaign").idx(i);
        problems(c, sc, res.idx, p.clone(), k);
        let targets = res.resolve(c, &k.targets);
        let audiences: Vec<(String, Vec<u32>)> = k
            .targets
            .iter()
            .map(|t| {
                let mut v = res.resolve(c, std::slice::from_ref(t));
                v.sort_unstable();
                v.dedup();
                (t.clone(), v)
            })
            .collect();
        if let Some(a) = &k.adapt
            && a.rules.iter().any(|r| r == "shift")
        {
            disjoint(c, &p, &audiences);
        }
        out.push(CampaignSpec {
            id: k.id.clone(),
            actor: c.actor_ix.get(&k.actor).copied().unwrap_or(0),
            instrument: k.instrument,
            // Every instrument but exchanges has a channel; digital unless given.
            channel: k.channel.unwrap_or(Channel::Digital),
            start: k.start,
            end: k.end.unwrap_or(u32::MAX),
            spend: k.spend,
            emphasis: match &k.emphasis {
                Some(e) => super::populations::normalised(e)
                    .into_iter()
                    .map(|x| x * dims as f32)
                    .collect(),
                None => vec![1.0; dims],
            },
            against: k
                .against
                .as_ref()
                .and_then(|a| c.actor_ix.get(a).copied())
                .unwrap_or(0),
            story: k
                .story
                .as_ref()
                .and_then(|s| sc.stories.iter().position(|x| &x.id == s))
                .unwrap_or(0) as u32,
            targets,
            audiences,
            listen: listen_spec(c, sc, k),
            adapt: k.adapt.as_ref().map(|a| adapt_spec(sc, a)),
        });
    }
    budgets(c, sc);
    out
}

/// Problems of one campaign placed at `p` (used for exercise decisions too).
pub fn check_campaign(sc: &Scenario, idx: &PopIndex, p: TomlPath, k: &Campaign) -> Vec<Diagnostic> {
    let mut c = Ctx::new(sc);
    problems(&mut c, sc, idx, p, k);
    c.diags
}

fn problems(c: &mut Ctx, sc: &Scenario, idx: &PopIndex, p: TomlPath, k: &Campaign) {
    let dims = sc.scenario.dimensions.len();
    c.actor(p.key("actor"), &k.actor);
    check_selectors(c, p.key("targets"), &k.targets, idx);
    c.non_negative(p.key("spend"), k.spend);
    if let Some(e) = k.end
        && e <= k.start
    {
        c.err_help(
            p.key("end"),
            format!("end {e} is not after start {}", k.start),
            "end is the first tick at which the campaign is no longer active",
        );
    }
    let inst = k.instrument;
    if inst == Instrument::Exchange && k.channel.is_some() {
        c.err_help(
            p.key("channel"),
            "channel does not apply to exchanges",
            "remove it: exchanges reach people in person",
        );
    }
    if let Some(e) = &k.emphasis {
        if matches!(inst, Instrument::Messaging | Instrument::Propaganda) {
            c.weights(p.key("emphasis"), e, dims);
        } else {
            c.err_help(
                p.key("emphasis"),
                format!("emphasis does not apply to {}", inst.as_str()),
                "only messaging and propaganda carry an emphasis",
            );
        }
    }
    match (inst, &k.against) {
        (Instrument::Propaganda, None) => c.err_help(
            p.clone(),
            "propaganda needs `against`",
            "name the actor the propaganda attacks: against = \"<actor id>\"",
        ),
        (Instrument::Propaganda, Some(t))
            if c.actor(p.key("against"), t).is_some() && *t == k.actor =>
        {
            c.err(
                p.key("against"),
                "an actor cannot run propaganda against itself",
            )
        }
        (Instrument::Propaganda, Some(_)) => {}
        (_, Some(_)) => c.err_help(
            p.key("against"),
            format!("`against` does not apply to {}", inst.as_str()),
            "only propaganda campaigns name an actor to attack",
        ),
        _ => {}
    }
    let listening = inst == Instrument::Listening;
    let believing = listening
        && k.metrics
            .as_ref()
            .is_some_and(|m| m.iter().any(|x| x == "believing"));
    let needs_story = believing
        || matches!(
            inst,
            Instrument::Misinformation | Instrument::FactCheck | Instrument::Prebunk
        );
    listening_problems(c, sc, &p, k);
    match (&k.story, needs_story) {
        (None, true) => c.err_help(
            p.clone(),
            format!("{} needs `story`", inst.as_str()),
            format!(
                "name a declared story: {}",
                sc.stories
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (Some(s), true) => {
            if !sc.stories.iter().any(|x| &x.id == s) {
                c.err_help(
                    p.key("story"),
                    format!("unknown story \"{s}\""),
                    suggest_help(s, sc.stories.iter().map(|x| x.id.as_str())),
                );
            }
        }
        (Some(_), false) => c.err_help(
            p.key("story"),
            format!("`story` does not apply to {}", inst.as_str()),
            "only misinformation, fact_check and prebunk campaigns, and listening campaigns that measure \"believing\", name a story",
        ),
        (None, false) => {}
    }
}

/// The listening fields of a campaign, and its adaptive rules (docs/MODEL.md 3.10).
fn listening_problems(c: &mut Ctx, sc: &Scenario, p: &TomlPath, k: &Campaign) {
    let listening = k.instrument == Instrument::Listening;
    let allowed = ListenMetric::ALL
        .map(|m| format!("\"{}\"", m.as_str()))
        .join(", ");
    if listening {
        match &k.metrics {
            None => c.err_help(
                p.clone(),
                "listening needs `metrics`",
                format!("list what it measures, from {allowed}"),
            ),
            Some(m) if m.is_empty() => c.err_help(
                p.key("metrics"),
                "no metric listed",
                format!("list what it measures, from {allowed}"),
            ),
            Some(m) => {
                for (i, x) in m.iter().enumerate() {
                    if ListenMetric::parse(x).is_none() {
                        c.err_help(
                            p.key("metrics").idx(i),
                            format!("unknown metric \"{x}\""),
                            format!("allowed: {allowed}"),
                        );
                    } else if m[..i].contains(x) {
                        c.err(
                            p.key("metrics").idx(i),
                            format!("metric \"{x}\" listed twice"),
                        );
                    }
                }
            }
        }
        if let Some(a) = &k.about {
            c.actor(p.key("about"), a);
        }
        if let Some(l) = k.lag
            && l > MAX_WINDOW
        {
            c.err_help(
                p.key("lag"),
                format!("found {l}"),
                format!("allowed: 0 to {MAX_WINDOW} ticks"),
            );
        }
        if k.adapt.is_some() {
            c.err_help(
                p.key("adapt"),
                "a listening campaign cannot carry adaptive rules",
                "put `adapt` on the campaign whose spend it steers",
            );
        }
    } else {
        for (key, given) in [
            ("metrics", k.metrics.is_some()),
            ("about", k.about.is_some()),
            ("lag", k.lag.is_some()),
        ] {
            if given {
                c.err_help(
                    p.key(key),
                    format!("`{key}` does not apply to {}", k.instrument.as_str()),
                    "only listening campaigns measure metrics",
                );
            }
        }
    }
    let Some(a) = &k.adapt else { return };
    let q = p.key("adapt");
    let listener = sc
        .campaigns
        .iter()
        .find(|x| x.id == a.listener && x.instrument == Instrument::Listening);
    let Some(l) = listener else {
        let listeners = sc
            .campaigns
            .iter()
            .filter(|x| x.instrument == Instrument::Listening && x.actor == k.actor);
        c.err_help(
            q.key("listener"),
            format!("no listening campaign \"{}\"", a.listener),
            suggest_help(&a.listener, listeners.map(|x| x.id.as_str())),
        );
        return;
    };
    if l.actor != k.actor {
        c.err_help(
            q.key("listener"),
            format!(
                "listening campaign \"{}\" belongs to \"{}\", not \"{}\"",
                l.id, l.actor, k.actor
            ),
            "a campaign reads only its own actor's listening",
        );
    }
    let metrics = l.metrics.clone().unwrap_or_default();
    if !metrics.contains(&a.metric) {
        c.err_help(
            q.key("metric"),
            format!("listener \"{}\" does not measure \"{}\"", l.id, a.metric),
            format!(
                "allowed: {}",
                metrics
                    .iter()
                    .map(|m| format!("\"{m}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    for t in &k.targets {
        if !l.targets.contains(t) {
            c.err_help(
                p.key("targets"),
                format!(
                    "unknown audience \"{t}\": listener \"{}\" does not report on it",
                    l.id
                ),
                format!(
                    "the listener's audiences: {}; list the same targets in both campaigns",
                    l.targets
                        .iter()
                        .map(|m| format!("\"{m}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if a.rules.is_empty() {
        c.err_help(
            q.key("rules"),
            "no rule listed",
            "allowed: \"shift\", \"stop\"",
        );
    }
    for (i, r) in a.rules.iter().enumerate() {
        if r != "shift" && r != "stop" {
            c.err_help(
                q.key("rules").idx(i),
                format!("unknown rule \"{r}\""),
                "allowed: \"shift\", \"stop\"",
            );
        } else if a.rules[..i].contains(r) {
            c.err(q.key("rules").idx(i), format!("rule \"{r}\" listed twice"));
        }
    }
    let shift = a.rules.iter().any(|r| r == "shift");
    let stop = a.rules.iter().any(|r| r == "stop");
    if shift {
        if k.instrument != Instrument::Messaging {
            c.err_help(
                q.key("rules"),
                format!("rule \"shift\" does not apply to {}", k.instrument.as_str()),
                "only messaging campaigns shift spend among their audiences; \"stop\" applies to any",
            );
        }
        if k.targets.len() < 2 {
            c.err_help(
                p.key("targets"),
                "rule \"shift\" needs at least two targets",
                "each entry of `targets` is one audience that spend can shift to",
            );
        }
        if let Some(w) = a.window
            && !(1..=MAX_WINDOW).contains(&w)
        {
            c.err_help(
                q.key("window"),
                format!("found {w}"),
                format!("allowed: 1 to {MAX_WINDOW} ticks"),
            );
        }
        if let Some(s) = a.step
            && !(s > 0.0 && s <= 1.0)
        {
            c.err_help(
                q.key("step"),
                format!("found {s}"),
                "allowed: a share in (0, 1]",
            );
        }
        if let Some(z) = a.margin {
            c.range(q.key("margin"), z, 0.0, 10.0);
        }
    } else {
        for (key, given) in [
            ("window", a.window.is_some()),
            ("step", a.step.is_some()),
            ("margin", a.margin.is_some()),
        ] {
            if given {
                c.err_help(
                    q.key(key),
                    format!("`{key}` applies only to rule \"shift\""),
                    "add \"shift\" to `rules` or remove it",
                );
            }
        }
    }
    match (stop, a.target) {
        (true, None) => c.err_help(
            q.clone(),
            "rule \"stop\" needs `target`",
            "the level of the estimate at which the campaign stops",
        ),
        (true, Some(t)) => {
            c.range(q.key("target"), t, -1.0, 1.0);
        }
        (false, Some(_)) => c.err_help(
            q.key("target"),
            "`target` applies only to rule \"stop\"",
            "add \"stop\" to `rules` or remove it",
        ),
        (false, None) => {}
    }
}

/// Windows and lags are at most this many ticks.
const MAX_WINDOW: u32 = 10_000;

/// Audiences that spend shifts among must not share populations.
fn disjoint(c: &mut Ctx, p: &TomlPath, audiences: &[(String, Vec<u32>)]) {
    for (i, (a, pa)) in audiences.iter().enumerate() {
        for (b, pb) in &audiences[..i] {
            if pa.iter().any(|x| pb.binary_search(x).is_ok()) {
                c.err_help(
                    p.key("targets"),
                    format!("audiences \"{b}\" and \"{a}\" share populations"),
                    "rule \"shift\" needs targets that do not overlap",
                );
                return;
            }
        }
    }
}

/// The checked listening spec (indices; defaults applied).
fn listen_spec(c: &Ctx, sc: &Scenario, k: &Campaign) -> Option<ListenSpec> {
    if k.instrument != Instrument::Listening {
        return None;
    }
    let actor = |id: &str| c.actor_ix.get(id).copied().unwrap_or(0);
    let about = actor(k.about.as_deref().unwrap_or(&k.actor));
    let story = k
        .story
        .as_ref()
        .and_then(|s| sc.stories.iter().position(|x| &x.id == s))
        .unwrap_or(0) as u32;
    let metrics = k
        .metrics
        .iter()
        .flatten()
        .filter_map(|m| ListenMetric::parse(m))
        .map(|m| {
            (
                m,
                if m == ListenMetric::Believing {
                    story
                } else {
                    about
                },
            )
        })
        .collect();
    Some(ListenSpec {
        metrics,
        lag: k.lag.unwrap_or(1),
    })
}

/// The checked adaptive rules (indices; defaults: window 4, step 0.5, direction above).
fn adapt_spec(sc: &Scenario, a: &crate::scenario::types::Adapt) -> AdaptSpec {
    let li = sc
        .campaigns
        .iter()
        .position(|x| x.id == a.listener && x.instrument == Instrument::Listening);
    let metric = li
        .and_then(|i| sc.campaigns[i].metrics.as_ref())
        .and_then(|m| m.iter().position(|x| x == &a.metric))
        .unwrap_or(0);
    AdaptSpec {
        listener: li.unwrap_or(0) as u32,
        metric: metric as u32,
        direction: a.direction.unwrap_or(Crossing::Above),
        shift: a.rules.iter().any(|r| r == "shift").then(|| {
            (
                a.window.unwrap_or(4),
                a.step.unwrap_or(0.5) as f32,
                // z = 3: a starved audience's noise wins 0.13% of windows, against 2.3%
                // at z = 2, enough over a long run to move the money (docs/MODEL.md 3.10).
                a.margin.unwrap_or(3.0) as f32,
            )
        }),
        stop: a
            .rules
            .iter()
            .any(|r| r == "stop")
            .then(|| a.target.unwrap_or(0.0) as f32),
    }
}

/// Per tick, the active campaigns of an actor must not spend more than its budget.
fn budgets(c: &mut Ctx, sc: &Scenario) {
    let ticks = sc.scenario.ticks;
    for (ai, a) in sc.actors.iter().enumerate() {
        let mine: Vec<(usize, &Campaign)> = sc
            .campaigns
            .iter()
            .enumerate()
            .filter(|(_, k)| k.actor == a.id && k.spend.is_finite())
            .collect();
        if mine.is_empty() {
            continue;
        }
        // Spend only changes at campaign starts, so checking those ticks suffices.
        let mut starts: Vec<u32> = mine
            .iter()
            .map(|(_, k)| k.start)
            .filter(|&s| s < ticks)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for t in starts {
            let active: Vec<&(usize, &Campaign)> = mine
                .iter()
                .filter(|(_, k)| k.start <= t && k.end.is_none_or(|e| t < e))
                .collect();
            let total: f64 = active.iter().map(|(_, k)| k.spend).sum();
            if total > a.budget * (1.0 + 1e-9) + 1e-12 {
                let names: Vec<String> = active
                    .iter()
                    .map(|(_, k)| format!("{} ({})", k.id, k.spend))
                    .collect();
                c.err_help(
                    TomlPath::root().key("campaign").idx(active.last().map_or(0, |x| x.0)).key("spend"),
                    format!(
                        "at tick {t}, actor \"{}\" spends {} but its budget is {} per tick",
                        a.id,
                        to_nano(total),
                        a.budget
                    ),
                    format!("active campaigns: {}; lower their spend, stagger them in time, or raise actor[{ai}].budget", names.join(", ")),
                );
                break;
            }
        }
    }
}

/// A sum of spends for people: rounded to 1e-9 (the budget check's own tolerance), so
/// 0.6 + 0.6 + 0.6 reads "1.8", not "1.7999999999999998".
fn to_nano(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}
