//! The experiment layer: runs of whole scenarios, counterfactuals, ensembles and
//! comparisons. Builds on the engine; knows nothing of files or terminals either.

pub mod attribution;
pub mod batch;
pub mod calibrate;
pub mod decision;
pub mod design;
pub mod discover;
pub mod discovery;
pub mod ensemble;
pub mod measure;
pub mod metric;
pub mod morris;
pub use crate::model::prior;
pub mod sensitivity;
pub mod split;
pub mod stats;
pub mod uncertainty;

use crate::engine::Engine;
use crate::metrics::{Recorder, SurveySeries};
use crate::world::World;

/// One simulated run and its record.
pub struct Run {
    pub engine: Engine,
    pub recorder: Recorder,
}

/// The one simulate loop: advances `engine` by `ticks` ticks, recording each tick in
/// `recorder` when one is given; `on_tick` is told the number of ticks done (for
/// progress display).
pub fn advance(
    engine: &mut Engine,
    ticks: u32,
    mut recorder: Option<&mut Recorder>,
    mut on_tick: impl FnMut(u32),
) {
    for _ in 0..ticks {
        engine.step();
        if let Some(r) = recorder.as_deref_mut() {
            r.record(engine);
        }
        on_tick(engine.tick);
    }
}

/// Simulates `world` for its configured ticks, recording every tick; `on_tick` is told
/// the number of ticks done (for progress display).
pub fn simulate(world: World, on_tick: impl FnMut(u32)) -> Run {
    simulate_with(world, SurveySeries::Default, on_tick)
}

/// `simulate`, with the survey series `series` asks for in the record.
pub fn simulate_with(world: World, series: SurveySeries, on_tick: impl FnMut(u32)) -> Run {
    let ticks = world.ticks;
    let mut engine = Engine::new(world);
    let mut recorder = Recorder::with_series(&engine, series);
    advance(&mut engine, ticks, Some(&mut recorder), on_tick);
    Run { engine, recorder }
}

/// Simulates without recording the time series; returns the final engine.
pub fn simulate_final(world: World) -> Engine {
    let ticks = world.ticks;
    let mut engine = Engine::new(world);
    advance(&mut engine, ticks, None, |_| {});
    engine
}
