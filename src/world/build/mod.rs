//! Turns a checked scenario into a `World`: draws generated populations and ties, and
//! compiles campaigns for the engine. Every id is an index and every default applied by
//! now, so building cannot fail. One module per part of the world: `populations.rs`
//! (explicit and generated, with their opinions), `links.rs` (ties, reach, relations),
//! `plans.rs` (stories, campaigns).

mod links;
mod plans;
mod populations;

use super::*;
use crate::model::checked::CheckedScenario;
use crate::rng::key;

/// Builds the world of a checked scenario.
pub fn build(sc: &CheckedScenario) -> World {
    let rkey = key(sc.seed);
    let (actors, pops, opinions, mut tie_list) = populations::build(sc, &rkey);
    // Exchanges create ties between their targets and the actor's home; they start at weight 0.
    links::exchange_ties(sc, &actors, &mut tie_list);
    let n_pop = pops.len();
    let (tie_list, one_way) = links::class_weighted(sc, &pops.class, tie_list);
    let ties = super::graph::csr_from_graph(
        &super::graph::social_graph(n_pop, tie_list),
        &one_way,
        self_weights(sc),
    );
    let reach = links::reach(sc, n_pop);
    let interest = links::interests(sc);
    let stories = plans::stories(sc, &pops, &rkey);
    let campaigns = plans::campaigns(sc, &pops);
    let exchange_ties = exchange_ties::ExchangeTies::new(&sc.campaigns, &actors.home_pops, &ties);
    let (camp_off, camp_idx) = plans::campaigns_per_population(&campaigns, n_pop);
    let listen = listen::Listen::new(&campaigns, &pops.size, sc.ticks);
    let mut w = World {
        name: sc.name.clone(),
        seed: sc.seed,
        ticks: sc.ticks,
        tick_label: sc.tick_label.clone(),
        dimensions: sc.dimensions.clone(),
        focal_actor: sc.focal_actor,
        actors,
        pops,
        opinions,
        ties,
        exchange_ties,
        reach,
        relations: vec![0.0; interest.len()],
        interest,
        decisions: sc.decisions.iter().cloned().map(Decision::new).collect(),
        stories,
        campaigns,
        camp_off,
        camp_idx,
        shocks: sc.shocks.clone(),
        params: sc.params.clone(),
        group_names: sc.generators.iter().map(|g| g.prefix.clone()).collect(),
        listen,
    };
    links::initial_stances(sc, &mut w);
    w
}

/// Raw self weight of every population, in population order (explicit, then generated).
fn self_weights(sc: &CheckedScenario) -> Vec<f32> {
    let mut out: Vec<f32> = sc.populations.iter().map(|p| p.self_weight).collect();
    for g in &sc.generators {
        out.extend(std::iter::repeat_n(g.self_weight, g.count as usize));
    }
    out
}
