//! `[[campaign]]` and the budgets they draw on.

use super::{Ctx, Resolver, check_selectors, unique_ids};
use crate::model::checked::CampaignSpec;
use crate::model::{Channel, Instrument};
use crate::scenario::diagnostic::{Diagnostic, TomlPath, suggest_help};
use crate::scenario::select::PopIndex;
use crate::scenario::types::{Campaign, Scenario};

pub(super) fn check(c: &mut Ctx, sc: &Scenario, res: &Resolver) -> Vec<CampaignSpec> {
    let dims = sc.scenario.dimensions.len();
    unique_ids(c, "campaign", sc.campaigns.iter().map(|x| x.id.as_str()));
    let mut out = Vec::with_capacity(sc.campaigns.len());
    for (i, k) in sc.campaigns.iter().enumerate() {
        let p = TomlPath::root().key("campaign").idx(i);
        problems(c, sc, res.idx, p, k);
        let targets = res.resolve(c, &k.targets);
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
    let needs_story = matches!(
        inst,
        Instrument::Misinformation | Instrument::FactCheck | Instrument::Prebunk
    );
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
            "only misinformation, fact_check and prebunk campaigns name a story",
        ),
        (None, false) => {}
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
