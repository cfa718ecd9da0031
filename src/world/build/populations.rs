//! Actors, explicit and generated populations, their initial opinions, and the ties of
//! generated graphs.

use crate::model::checked::{CheckedScenario, Graph, Homes};
use crate::rng::{Purpose, stream};
use crate::world::generate::{draw, edges};
use crate::world::{Actors, NO_HOME, Opinions, Populations};

pub(super) type Ties = Vec<(u32, u32, f32)>;

pub(super) fn build(
    sc: &CheckedScenario,
    rkey: &[u8; 32],
) -> (Actors, Populations, Opinions, Ties) {
    let dims = sc.dimensions.len();
    let k = 1 + dims;
    let n_act = sc.actors.len();
    let mut actors = Actors {
        ids: sc.actors.iter().map(|a| a.id.clone()).collect(),
        names: sc.actors.iter().map(|a| a.name.clone()).collect(),
        kind: sc.actors.iter().map(|a| a.kind).collect(),
        playable: sc.actors.iter().map(|a| a.playable).collect(),
        budget: sc.actors.iter().map(|a| a.budget).collect(),
        credibility: sc.actors.iter().map(|a| a.credibility).collect(),
        credibility_base: sc.actors.iter().map(|a| a.credibility).collect(),
        values: sc.actors.iter().flat_map(|a| a.values.clone()).collect(),
        home_pops: vec![Vec::new(); n_act],
    };

    let n_pop = sc.total_populations as usize;
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
        class: Vec::with_capacity(n_pop),
    };
    let mut opinions = Opinions {
        actors: n_act,
        k,
        familiarity: vec![sc.default_familiarity; n_pop * n_act],
        familiarity_base: Vec::new(),
        x: vec![0.0; n_pop * n_act * k],
        anchor: Vec::new(),
        familiarity_base_start: Vec::new(),
        anchor_start: Vec::new(),
    };
    for pa in 0..n_pop * n_act {
        opinions.x[pa * k] = sc.default_trust;
    }

    for p in &sc.populations {
        let i = pops.size.len();
        pops.ids.push(p.id.clone());
        pops.size.push(p.size);
        pops.home.push(p.home.unwrap_or(NO_HOME));
        pops.internet.push(p.internet);
        pops.literacy.push(p.literacy);
        pops.stubbornness.push(p.stubbornness);
        pops.salience.extend(&p.salience);
        pops.values.extend(&p.values);
        pops.group.push(None);
        pops.class.push(p.class);
        // People know their own state.
        if let Some(h) = p.home {
            opinions.familiarity[i * n_act + h as usize] = 1.0;
        }
        for o in &p.opinion {
            let pa = i * n_act + o.actor as usize;
            if let Some(f) = o.familiarity {
                opinions.familiarity[pa] = f;
            }
            if let Some(t) = o.trust {
                opinions.x[pa * k] = t;
            }
            if let Some(att) = &o.attitude {
                opinions.x[pa * k + 1..pa * k + 1 + att.len()].copy_from_slice(att);
            }
        }
    }

    let mut tie_list = sc.ties.clone();
    for (gi, g) in sc.generators.iter().enumerate() {
        let first = pops.size.len() as u32;
        let mut grng = stream(rkey, 0, Purpose::GenerateGraph, gi as u64);
        tie_list.extend(
            edges(&g.graph, g.count, &mut grng)
                .into_iter()
                .map(|(a, b)| (first + a, first + b, g.tie_weight)),
        );
        let home_of: Vec<u32> = match (&g.graph, &g.home) {
            (Graph::StochasticBlock { blocks, .. }, Homes::PerBlock(bh)) => blocks
                .iter()
                .zip(bh)
                .flat_map(|(&n, &h)| std::iter::repeat_n(h, n as usize))
                .collect(),
            (_, Homes::All(h)) => vec![h.unwrap_or(NO_HOME); g.count as usize],
            // The check allows block homes only for block models.
            (_, Homes::PerBlock(_)) => vec![NO_HOME; g.count as usize],
        };
        for (j, &home) in home_of.iter().enumerate() {
            let i = first as usize + j;
            let mut r = stream(rkey, 0, Purpose::GenerateAttributes, i as u64);
            pops.ids.push(format!("{}_{j}", g.prefix));
            pops.size.push(draw(&g.size, 1.0, 9.0e15, &mut r).round());
            pops.home.push(home);
            pops.internet
                .push(draw(&g.internet, 0.0, 1.0, &mut r) as f32);
            pops.literacy
                .push(draw(&g.media_literacy, 0.0, 1.0, &mut r) as f32);
            pops.stubbornness
                .push(draw(&g.stubbornness, 0.0, 1.0, &mut r) as f32);
            pops.salience.extend(&equal_salience);
            match &g.values {
                Some(v) => (0..dims).for_each(|d| {
                    pops.values
                        .push(draw(&v[d.min(v.len() - 1)], -1.0, 1.0, &mut r) as f32)
                }),
                None => pops.values.extend(std::iter::repeat_n(0.0f32, dims)),
            }
            pops.group.push(Some(gi as u16));
            pops.class.push(g.class);
            if home != NO_HOME {
                opinions.familiarity[i * n_act + home as usize] = 1.0;
            }
            for o in &g.opinion {
                let pa = i * n_act + o.actor as usize;
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
                // Set values draw nothing, so other fields' draws stay as they were.
                if let Some(v) = &o.attitude_values {
                    opinions.x[pa * k + 1..pa * k + k].fill(v[j]);
                }
            }
        }
    }
    pops.salience_base = pops.salience.clone();
    opinions.anchor = opinions.x.clone();
    opinions.familiarity_base = opinions.familiarity.clone();
    if sc.params.durable_decay > 0.0 {
        opinions.anchor_start = opinions.anchor.clone();
        opinions.familiarity_base_start = opinions.familiarity_base.clone();
    }
    for (p, &h) in pops.home.iter().enumerate() {
        if h != NO_HOME {
            actors.home_pops[h as usize].push(p as u32);
        }
    }
    (actors, pops, opinions, tie_list)
}
