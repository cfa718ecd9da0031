//! `[exercise]`: rounds, playable actors and injects of a classroom game.

use super::{Ctx, check_inject};
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::select::PopIndex;
use crate::scenario::types::{ExerciseMeta, Scenario};

pub(super) fn check(c: &mut Ctx, sc: &Scenario, idx: &PopIndex, x: &ExerciseMeta) {
    let p = TomlPath::root().key("exercise");
    if x.rounds == 0 || x.rounds > 99 {
        c.err_help(
            p.key("rounds"),
            format!("found {}", x.rounds),
            "allowed: 1 to 99 rounds",
        );
        return;
    }
    if x.ticks_per_round == Some(0) || (x.ticks_per_round.is_none() && sc.scenario.ticks < x.rounds)
    {
        c.err_help(
            p.key("ticks_per_round"),
            "a round would last 0 ticks",
            "allowed: 1 or more (default: scenario.ticks / rounds)",
        );
        return;
    }
    if !sc.actors.iter().any(|a| a.playable) {
        c.err_help(
            p.clone(),
            "no actor is playable",
            "mark the actors teams play with `playable = true` in their [[actor]] block",
        );
    }
    let tpr = x.ticks_per_round(sc.scenario.ticks);
    // The game runs rounds × ticks_per_round ticks, counted in u32.
    if x.rounds as u64 * tpr as u64 > u32::MAX as u64 {
        c.err_help(
            p.key("ticks_per_round"),
            format!(
                "{} rounds of {tpr} ticks make more than {} ticks",
                x.rounds,
                u32::MAX
            ),
            format!("allowed: at most {} ticks per round", u32::MAX / x.rounds),
        );
        return;
    }
    for (i, inj) in x.injects.iter().enumerate() {
        c.diags.extend(check_inject(
            sc,
            idx,
            TomlPath::root().key("exercise").key("inject").idx(i),
            inj,
            x.rounds,
            tpr,
        ));
    }
}
