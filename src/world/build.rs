//! Turns a validated scenario into a `World`: numbers every entity, draws generated
//! populations and ties, and compiles campaigns and events for the engine.

use super::generate::{draw, edges};
use super::*;
use crate::rng::{Purpose, key, stream};
use crate::scenario::select::{PopIndex, Selection};
use crate::scenario::types::{default_internet, default_literacy, default_stubbornness};
use crate::scenario::{self, Dist, Event, Scenario, SirTransmission, SocialModel};
use rand_distr::{Binomial, Distribution};
use std::collections::HashMap;

/// Builds the world. The scenario must have passed validation.
pub fn build_world(sc: &Scenario) -> World {
    let dims = sc.scenario.dimensions.len();
    let k = 1 + dims;
    let seed = sc.scenario.seed;
    let rkey = key(seed);
    let actor_ix: HashMap<&str, u32> = sc
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i as u32))
        .collect();
    let aid = |s: &str| actor_ix[s];
    let n_act = sc.actors.len();

    let actors = Actors {
        ids: sc.actors.iter().map(|a| a.id.clone()).collect(),
        names: sc
            .actors
            .iter()
            .map(|a| a.name.clone().unwrap_or_else(|| a.id.clone()))
            .collect(),
        kind: sc.actors.iter().map(|a| a.kind).collect(),
        playable: sc.actors.iter().map(|a| a.playable).collect(),
        budget: sc.actors.iter().map(|a| a.budget).collect(),
        credibility: sc.actors.iter().map(|a| a.credibility as f32).collect(),
        credibility_base: sc.actors.iter().map(|a| a.credibility as f32).collect(),
        values: sc
            .actors
            .iter()
            .flat_map(|a| vec_or_zero(&a.values, dims))
            .collect(),
        home_pops: vec![Vec::new(); n_act],
    };

    let idx = PopIndex::new(sc);
    let n_pop = idx.total() as usize;
    let equal_salience = vec![1.0 / dims as f32; dims];
    let mut pops = Populations {
        ids: Vec::with_capacity(n_pop),
        size: Vec::with_capacity(n_pop),
        home: Vec::with_capacity(n_pop),
        internet: Vec::with_capacity(n_pop),
        literacy: Vec::with_capacity(n_pop),
        stubbornness: Vec::with_capacity(n_pop),
        salience: Vec::with_capacity(n_pop * dims),
        salience_base: Vec::new(),
        values: Vec::with_capacity(n_pop * dims),
        group: Vec::with_capacity(n_pop),
    };
    let m = &sc.model;
    let mut opinions = Opinions {
        actors: n_act,
        k,
        familiarity: vec![m.default_familiarity as f32; n_pop * n_act],
        familiarity_base: Vec::new(),
        x: vec![0.0; n_pop * n_act * k],
        anchor: Vec::new(),
    };
    for pa in 0..n_pop * n_act {
        opinions.x[pa * k] = m.default_trust as f32;
    }

    for p in &sc.populations {
        let i = pops.size.len();
        pops.ids.push(p.id.clone());
        pops.size.push(p.size);
        pops.home.push(p.home.as_deref().map_or(NO_HOME, aid));
        pops.internet.push(p.internet as f32);
        pops.literacy.push(p.media_literacy as f32);
        pops.stubbornness.push(p.stubbornness as f32);
        match &p.salience {
            Some(s) => pops.salience.extend(normalised(s)),
            None => pops.salience.extend(&equal_salience),
        }
        pops.values.extend(vec_or_zero(&p.values, dims));
        pops.group.push(None);
        if let Some(h) = &p.home {
            opinions.familiarity[i * n_act + aid(h) as usize] = 1.0;
        }
        for (a, o) in &p.opinion {
            let pa = i * n_act + aid(a) as usize;
            if let Some(f) = o.familiarity {
                opinions.familiarity[pa] = f as f32;
            }
            if let Some(t) = o.trust {
                opinions.x[pa * k] = t as f32;
            }
            if let Some(att) = &o.attitude {
                for (d, v) in att.iter().enumerate() {
                    opinions.x[pa * k + 1 + d] = *v as f32;
                }
            }
        }
    }

    let mut tie_list: Vec<(u32, u32, f32)> = sc
        .ties
        .iter()
        .map(|t| {
            (
                idx.lookup(&t.between[0]).unwrap(),
                idx.lookup(&t.between[1]).unwrap(),
                t.weight as f32,
            )
        })
        .collect();

    for (gi, g) in sc.generators.iter().enumerate() {
        let first = pops.size.len() as u32;
        let mut grng = stream(&rkey, 0, Purpose::GenerateGraph, gi as u64);
        tie_list.extend(
            edges(&g.graph, g.count as u32, &mut grng)
                .into_iter()
                .map(|(a, b)| (first + a, first + b, g.tie_weight as f32)),
        );
        let block_of: Vec<u32> = match (&g.graph, &g.block_homes) {
            (GraphModel::StochasticBlock { blocks, .. }, Some(_)) => blocks
                .iter()
                .enumerate()
                .flat_map(|(b, &n)| std::iter::repeat_n(b as u32, n as usize))
                .collect(),
            _ => Vec::new(),
        };
        for j in 0..g.count as usize {
            let i = first as usize + j;
            let mut r = stream(&rkey, 0, Purpose::GenerateAttributes, i as u64);
            pops.ids.push(format!("{}_{j}", g.prefix));
            pops.size.push(draw(&g.size, 1.0, 9.0e15, &mut r).round());
            let home = match &g.block_homes {
                Some(bh) => Some(bh[block_of[j] as usize].as_str()),
                None => g.home.as_deref(),
            };
            pops.home.push(home.map_or(NO_HOME, aid));
            pops.internet
                .push(opt_draw(&g.internet, default_internet(), 0.0, 1.0, &mut r));
            pops.literacy.push(opt_draw(
                &g.media_literacy,
                default_literacy(),
                0.0,
                1.0,
                &mut r,
            ));
            pops.stubbornness.push(opt_draw(
                &g.stubbornness,
                default_stubbornness(),
                0.0,
                1.0,
                &mut r,
            ));
            pops.salience.extend(&equal_salience);
            match &g.values {
                Some(v) => (0..dims).for_each(|d| {
                    pops.values
                        .push(draw(&v[d.min(v.len() - 1)], -1.0, 1.0, &mut r) as f32)
                }),
                None => pops.values.extend(std::iter::repeat_n(0.0f32, dims)),
            }
            pops.group.push(Some(gi as u16));
            if let Some(h) = home {
                opinions.familiarity[i * n_act + aid(h) as usize] = 1.0;
            }
            for (a, o) in &g.opinion {
                let pa = i * n_act + aid(a) as usize;
                if let Some(f) = &o.familiarity {
                    opinions.familiarity[pa] = draw(f, 0.0, 1.0, &mut r) as f32;
                }
                if let Some(t) = &o.trust {
                    opinions.x[pa * k] = draw(t, 0.0, 1.0, &mut r) as f32;
                }
                if let Some(att) = &o.attitude {
                    for d in 0..dims {
                        opinions.x[pa * k + 1 + d] =
                            draw(&att[d.min(att.len() - 1)], -1.0, 1.0, &mut r) as f32;
                    }
                }
            }
        }
    }
    pops.salience_base = pops.salience.clone();
    opinions.anchor = opinions.x.clone();
    opinions.familiarity_base = opinions.familiarity.clone();

    let mut actors = actors;
    for (p, &h) in pops.home.iter().enumerate() {
        if h != NO_HOME {
            actors.home_pops[h as usize].push(p as u32);
        }
    }
    let resolve = |sels: &[String]| -> Vec<u32> {
        let mut v = Vec::new();
        for s in sels {
            match idx.resolve(s).expect("validated selector") {
                Selection::One(i) => v.push(i),
                Selection::Range(a, b) => v.extend(a..b),
                Selection::Home(a) => v.extend(&actors.home_pops[aid(&a) as usize]),
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    };

    // Exchanges create ties between their targets and the actor's home; they start at weight 0.
    for c in &sc.campaigns {
        if c.instrument == scenario::Instrument::Exchange {
            let home = &actors.home_pops[aid(&c.actor) as usize];
            tie_list.extend(
                exchange_ties::links(&resolve(&c.targets), home)
                    .into_iter()
                    .map(|(t, h)| (t, h, 0.0)),
            );
        }
    }
    let self_weight = m.self_weight as f32;
    let ties =
        super::graph::csr_from_graph(&super::graph::social_graph(n_pop, tie_list), self_weight);

    let mut reach = vec![0.0f32; n_act * 2 * n_pop];
    for a in 0..n_act {
        for ch in Channel::ALL {
            let v = match ch {
                Channel::Broadcast => m.reach.broadcast,
                Channel::Digital => m.reach.digital,
            } as f32;
            let o = (a * 2 + ch.index()) * n_pop;
            reach[o..o + n_pop].fill(v);
        }
    }
    for r in &sc.reach {
        let a = aid(&r.actor) as usize;
        for p in resolve(&r.populations) {
            reach[(a * 2 + r.channel.index()) * n_pop + p as usize] = r.weight as f32;
        }
    }

    let mut relations = vec![0.0f32; n_act * n_act];
    for r in &sc.relations {
        let (a, b) = (aid(&r.between[0]) as usize, aid(&r.between[1]) as usize);
        let v = match r.kind {
            scenario::RelationKind::Alliance => r.strength,
            scenario::RelationKind::Rivalry => -r.strength,
            scenario::RelationKind::Neutral => 0.0,
        } as f32;
        relations[a * n_act + b] = v;
        relations[b * n_act + a] = v;
    }

    let n_story = sc.stories.len();
    let mut counts = vec![Compartments::default(); n_pop * n_story];
    for p in 0..n_pop {
        let mut r = stream(&rkey, 0, Purpose::StorySeeding, p as u64);
        for (q, s) in sc.stories.iter().enumerate() {
            let n = pops.size[p] as u64;
            let b = if s.initial_share > 0.0 {
                Binomial::new(n, s.initial_share).map_or(0, |d| d.sample(&mut r))
            } else {
                0
            };
            counts[p * n_story + q] = Compartments {
                s: n - b,
                b,
                c: 0,
                v: 0,
            };
        }
    }
    let story_ix: HashMap<&str, u32> = sc
        .stories
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i as u32))
        .collect();
    let stories = Stories {
        ids: sc.stories.iter().map(|s| s.id.clone()).collect(),
        about: sc.stories.iter().map(|s| aid(&s.about)).collect(),
        beta: sc
            .stories
            .iter()
            .map(|s| s.transmissibility as f32)
            .collect(),
        plausibility: sc.stories.iter().map(|s| s.plausibility as f32).collect(),
        verify: sc.stories.iter().map(|s| s.verify as f32).collect(),
        forget: sc.stories.iter().map(|s| s.forget as f32).collect(),
        harm: sc.stories.iter().map(|s| s.harm as f32).collect(),
        recovery: sc
            .stories
            .iter()
            .map(|s| s.recovery.unwrap_or(0.1) as f32)
            .collect(),
        counts,
    };

    let mut campaigns = Vec::with_capacity(sc.campaigns.len());
    for c in &sc.campaigns {
        let targets = resolve(&c.targets);
        let actor = aid(&c.actor);
        let emphasis = match &c.emphasis {
            Some(e) => normalised(e).into_iter().map(|x| x * dims as f32).collect(),
            None => vec![1.0; dims],
        };
        let mut tie_slots = Vec::new();
        if c.instrument == scenario::Instrument::Exchange {
            for (t, h) in exchange_ties::links(&targets, &actors.home_pops[actor as usize]) {
                if let (Some(a), Some(b)) = (ties.slot(t as usize, h), ties.slot(h as usize, t)) {
                    tie_slots.push([t, h, a as u32, b as u32]);
                }
            }
        }
        campaigns.push(Campaign {
            id: c.id.clone(),
            actor,
            instrument: c.instrument,
            channel: c.channel.unwrap_or(Channel::Digital),
            start: c.start,
            end: c.end.unwrap_or(u32::MAX),
            spend: c.spend,
            emphasis,
            against: c.against.as_deref().map_or(0, aid),
            story: c.story.as_deref().map_or(0, |s| story_ix[s]),
            audience: targets.iter().map(|&p| pops.size[p as usize]).sum(),
            targets,
            tie_slots,
        });
    }
    let mut per_pop: Vec<Vec<u32>> = vec![Vec::new(); n_pop];
    for (ci, c) in campaigns.iter().enumerate() {
        for &p in &c.targets {
            per_pop[p as usize].push(ci as u32);
        }
    }
    let mut camp_off = Vec::with_capacity(n_pop + 1);
    let mut camp_idx = Vec::new();
    camp_off.push(0u32);
    for v in per_pop {
        camp_idx.extend(v);
        camp_off.push(camp_idx.len() as u32);
    }

    let dim_ix = |d: &str| sc.scenario.dimensions.iter().position(|x| x == d).unwrap() as u32;
    let shocks = sc
        .events
        .iter()
        .map(|e| match e {
            Event::Scandal {
                tick,
                actor,
                severity,
            } => Shock::Scandal {
                tick: *tick,
                actor: aid(actor),
                severity: *severity as f32,
            },
            Event::Crisis {
                tick,
                dimension,
                boost,
                duration,
                populations,
            } => Shock::Crisis {
                tick: *tick,
                end: duration.map_or(u32::MAX, |d| tick.saturating_add(d)),
                dimension: dim_ix(dimension),
                boost: *boost as f32,
                pops: match populations {
                    Some(ps) => resolve(ps),
                    None => (0..n_pop as u32).collect(),
                },
            },
        })
        .collect();

    let focal_actor = sc.scenario.focal_actor.as_deref().map_or(0, aid);
    World {
        name: sc.scenario.name.clone(),
        seed,
        ticks: sc.scenario.ticks,
        tick_label: sc.scenario.tick_label.clone(),
        dimensions: sc.scenario.dimensions.clone(),
        focal_actor,
        actors,
        pops,
        opinions,
        ties,
        self_weight,
        reach,
        relations,
        stories,
        campaigns,
        camp_off,
        camp_idx,
        shocks,
        params: params(m),
        group_names: sc.generators.iter().map(|g| g.prefix.clone()).collect(),
    }
}

fn params(m: &crate::scenario::ModelParams) -> Params {
    Params {
        social: match m.social_model {
            SocialModel::FriedkinJohnsen => SocialRule::FriedkinJohnsen,
            SocialModel::BoundedConfidence => SocialRule::BoundedConfidence(m.confidence as f32),
            SocialModel::HegselmannKrause => SocialRule::HegselmannKrause(m.confidence as f32),
            SocialModel::Deffuant => SocialRule::Deffuant {
                eps: m.confidence as f32,
                mu: m.convergence as f32,
                rounds: m.pair_rounds,
            },
            SocialModel::Voter => SocialRule::Voter,
        },
        contagion: m.contagion_model,
        sir_per_contact: m.sir_transmission == SirTransmission::PerContact,
        familiarity_decay: m.familiarity_decay as f32,
        attitude_decay: m.attitude_decay as f32,
        credibility_recovery: m.credibility_recovery as f32,
        public_pressure: m.public_pressure as f32,
        msg_cost: [m.messaging.cost_broadcast, m.messaging.cost_digital],
        msg_familiarity_gain: m.messaging.familiarity_gain as f32,
        msg_attitude_gain: m.messaging.attitude_gain as f32,
        msg_trust_gain: m.messaging.trust_gain as f32,
        msg_backfire: m
            .messaging
            .backfire
            .then_some(m.messaging.backfire_threshold as f32),
        ex_cost_per_participant: m.exchange.cost_per_participant,
        ex_trust_gain: m.exchange.trust_gain as f32,
        ex_attitude_gain: m.exchange.attitude_gain as f32,
        ex_durable_share: m.exchange.durable_share as f32,
        ex_tie_gain: m.exchange.tie_gain as f32,
        ex_spillover: m.exchange.spillover as f32,
        prop_attitude_harm: m.propaganda.attitude_harm as f32,
        prop_trust_harm: m.propaganda.trust_harm as f32,
        prop_exposure_cost: m.propaganda.exposure_cost as f32,
        mis_offline_share: m.misinformation.offline_share as f32,
        mis_literacy_protection: m.misinformation.literacy_protection as f32,
        mis_seed_rate: m.misinformation.seed_rate as f32,
        mis_correction_rate: m.misinformation.correction_rate as f32,
        mis_prebunk_rate: m.misinformation.prebunk_rate as f32,
        mis_prebunk_efficacy: m.misinformation.prebunk_efficacy as f32,
        mis_prebunk_waning: m.misinformation.prebunk_waning as f32,
    }
}

fn vec_or_zero(v: &Option<Vec<f64>>, dims: usize) -> Vec<f32> {
    match v {
        Some(v) => v.iter().map(|&x| x as f32).collect(),
        None => vec![0.0; dims],
    }
}

fn normalised(v: &[f64]) -> Vec<f32> {
    let s: f64 = v.iter().sum();
    v.iter().map(|&x| (x / s) as f32).collect()
}

fn opt_draw<R: rand::Rng>(d: &Option<Dist>, default: f64, lo: f64, hi: f64, r: &mut R) -> f32 {
    match d {
        Some(d) => draw(d, lo, hi, r) as f32,
        None => default as f32,
    }
}

use crate::scenario::GraphModel;
