//! The experiment layer: runs of whole scenarios, counterfactuals, ensembles and
//! comparisons. Builds on the engine; knows nothing of files or terminals either.

pub mod attribution;
pub mod ensemble;
pub mod stats;

use crate::engine::Engine;
use crate::metrics::Recorder;
use crate::world::World;

/// One simulated run and its record.
pub struct Run {
    pub engine: Engine,
    pub recorder: Recorder,
}

/// Simulates `world` for its configured ticks, recording every tick; `on_tick` is told
/// the number of ticks done (for progress display).
pub fn simulate(world: World, mut on_tick: impl FnMut(u32)) -> Run {
    let ticks = world.ticks;
    let mut engine = Engine::new(world);
    let mut recorder = Recorder::new(&engine);
    for _ in 0..ticks {
        engine.step();
        recorder.record(&engine);
        on_tick(engine.tick);
    }
    Run { engine, recorder }
}

/// Simulates without recording the time series; returns the final engine.
pub fn simulate_final(world: World) -> Engine {
    let ticks = world.ticks;
    let mut engine = Engine::new(world);
    for _ in 0..ticks {
        engine.step();
    }
    engine
}
