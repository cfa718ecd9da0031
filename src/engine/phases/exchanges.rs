//! Exchanges phase: cultural, educational and citizen exchanges.
//!
//! A campaign spending S on audience N with cost c per participant enrols a share
//! f = S / (c·N) of each target population per tick. Participants tell their networks,
//! so the share touched is r = min(1, f·(1 + spillover)). Familiarity moves by r, trust by
//! r·g_T and attitudes by r·g_A·(½ + ½·fit) (personal experience matters more than value
//! distance). A share η = `durable_share` of each change also moves the anchor and the
//! background familiarity (F⁰ ⊕= η·r, u_T ⊕= η·r·g_T, u_d ⊕= η·r·g_A·(½ + ½·fit)), so
//! exchange gains outlast messaging gains (η_M, 0 by default). The durable part fades only
//! through δ_u = `durable_decay` (forgetting phase: u ← u + δ_u·(u⁽⁰⁾ − u)), a gain
//! shrinking by (1 − δ_u) per tick; with δ_u = 0 (the default) it never fades.
//! Each tick the ties between targets and the actor's home populations gain
//! f·tie_gain·H/min(H, k) of raw weight: participants keep friends abroad. Each target is
//! tied to at most k = `HOME_LINKS` of the H home populations (`world::exchange_ties`), and
//! the factor H/min(H, k) keeps what a target's ties to the home public gain in total.

use super::{for_each_campaign, push01, push11, task_size, value_fit};
use crate::engine::Scratch;
use crate::model::Instrument;
use crate::world::World;

pub fn run(w: &mut World, s: &mut Scratch) {
    let k = w.opinions.k;
    for_each_campaign(w, s, Instrument::Exchange, |w, p, row, c, f| {
        let a = c.actor as usize;
        let pr = &w.params;
        let r = (f * (1.0 + pr.ex_spillover)).min(1.0);
        let durable = pr.ex_durable_share;
        row.fam[a] = push01(row.fam[a], r);
        row.fam_base[a] = push01(row.fam_base[a], r * durable);
        let fit = 0.5 + 0.5 * value_fit(w, a, p);
        let blk = &mut row.x[a * k..(a + 1) * k];
        let ablk = &mut row.anchor[a * k..(a + 1) * k];
        let dt = r * pr.ex_trust_gain;
        blk[0] = push01(blk[0], dt);
        ablk[0] = push01(ablk[0], dt * durable);
        let da = r * pr.ex_attitude_gain * fit;
        for j in 1..k {
            blk[j] = push11(blk[j], da);
            ablk[j] = push11(ablk[j], da * durable);
        }
    });
    strengthen_ties(w, s);
}

/// Row by row in parallel: each row adds its entries' gains in campaign order (so every
/// tie sums the same terms in the same order on any thread count), then is renormalised
/// once if anything was added.
fn strengthen_ties(w: &mut World, s: &mut Scratch) {
    let gain = w.params.ex_tie_gain;
    if gain <= 0.0 || w.exchange_ties.entries.is_empty() {
        return;
    }
    let (ex, intensity) = (&w.exchange_ties, &s.intensity);
    w.ties.par_rows_mut(task_size(), |p, mut row| {
        let mut dirty = false;
        for &(ci, e) in ex.of(p) {
            let f = intensity[ci as usize];
            if f > 0.0 {
                row.raw[e as usize] += f * gain * ex.scale[ci as usize];
                dirty = true;
            }
        }
        if dirty {
            row.normalise();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::phases::MIN_POPS_PER_TASK;
    use crate::engine::{Engine, on_threads};
    use crate::world::exchange_ties::{gain_scale, links};
    use crate::world::testkit::world;

    /// Two exchanges that share rows: b's targets include its own home and a's home, so
    /// home rows are strengthened by both campaigns, and a population can be target and
    /// home of the same campaign. 3,000 populations: hundreds of rayon tasks of 7 rows.
    const SHARED: &str = r#"
[scenario]
name = "shared_rows"
seed = 5
ticks = 10
[[actor]]
id = "a"
budget = 10
[[actor]]
id = "b"
budget = 10
[[actor]]
id = "c"
budget = 0
[[generate]]
prefix = "g"
count = 3000
graph = { model = "stochastic_block", blocks = [1000, 1000, 1000], p_in = 0.01, p_out = 0.001 }
block_homes = ["a", "b", "c"]
[[campaign]]
id = "a_exchange"
actor = "a"
instrument = "exchange"
targets = ["home:b", "home:c"]
spend = 2
[[campaign]]
id = "b_exchange"
actor = "b"
instrument = "exchange"
targets = ["group:g"]
start = 3
spend = 1
"#;

    /// The phase before it was parallel: campaign by campaign, link by link, then every
    /// touched row normalised once.
    fn campaign_by_campaign(w: &mut World, intensity: &[f32]) {
        let gain = w.params.ex_tie_gain;
        let mut dirty = vec![false; w.pops.len()];
        for (ci, c) in w.campaigns.iter().enumerate() {
            let f = intensity[ci];
            if c.instrument != Instrument::Exchange || f <= 0.0 {
                continue;
            }
            let home = &w.actors.home_pops[c.actor as usize];
            let g = f * gain * gain_scale(home.len());
            for (t, h) in links(&c.targets, home) {
                let (t, h) = (t as usize, h as usize);
                if let (Some(a), Some(b)) = (w.ties.slot(t, h as u32), w.ties.slot(h, t as u32)) {
                    w.ties.raw[a] += g;
                    w.ties.raw[b] += g;
                    dirty[t] = true;
                    dirty[h] = true;
                }
            }
        }
        for (p, d) in dirty.into_iter().enumerate() {
            if d {
                w.ties.normalise_row(p);
            }
        }
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn assert_same_ties(a: &World, b: &World) {
        assert_eq!(bits(&a.ties.raw), bits(&b.ties.raw));
        assert_eq!(bits(&a.ties.w), bits(&b.ties.w));
        assert_eq!(bits(&a.ties.self_w), bits(&b.ties.self_w));
        assert_eq!(bits(&a.ties.row_w), bits(&b.ties.row_w));
    }

    #[test]
    fn strengthening_row_by_row_on_three_threads_gives_the_bytes_of_the_campaign_loop() {
        let w = world(SHARED);
        assert!(
            w.exchange_ties.entries.len() > 2 * 2000,
            "few links were built"
        );
        let mut reference = w.clone();
        let mut e = Engine::new(w);
        // Uneven participant shares, repeated so sums of several gains are compared.
        e.scratch.intensity = vec![0.013, 0.0071];
        for _ in 0..3 {
            campaign_by_campaign(&mut reference, &e.scratch.intensity);
        }
        on_threads(3, Some(7), || {
            for _ in 0..3 {
                strengthen_ties(&mut e.world, &mut e.scratch);
            }
        });
        assert_ne!(bits(&e.world.ties.raw), bits(&world(SHARED).ties.raw));
        assert_same_ties(&e.world, &reference);
    }

    #[test]
    fn ten_ticks_with_shared_home_rows_are_identical_on_one_and_three_threads() {
        let w = world(SHARED);
        let run = |threads: usize, task: usize| {
            on_threads(threads, Some(task), || {
                let mut e = Engine::new(w.clone());
                for _ in 0..10 {
                    e.step();
                }
                e
            })
        };
        let (one, split) = (run(1, MIN_POPS_PER_TASK), run(3, 7));
        assert_ne!(bits(&one.world.ties.raw), bits(&w.ties.raw));
        assert_same_ties(&one.world, &split.world);
        assert_eq!(bits(&one.world.opinions.x), bits(&split.world.opinions.x));
    }
}
