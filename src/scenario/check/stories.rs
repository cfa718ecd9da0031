//! `[[story]]`: false stories and their contagion parameters.

use super::{Ctx, unique_ids};
use crate::model::ContagionModel;
use crate::model::checked::StorySpec;
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::types::Scenario;

/// SIR recovery probability per tick when a story gives none (docs/SCENARIO.md).
pub const DEFAULT_RECOVERY: f64 = 0.1;

pub(super) fn check(c: &mut Ctx, sc: &Scenario) -> Vec<StorySpec> {
    unique_ids(c, "story", sc.stories.iter().map(|s| s.id.as_str()));
    let mut out = Vec::with_capacity(sc.stories.len());
    for (i, s) in sc.stories.iter().enumerate() {
        let p = TomlPath::root().key("story").idx(i);
        let about = c.actor(p.key("about"), &s.about);
        c.range(p.key("transmissibility"), s.transmissibility, 0.0, 50.0);
        c.range(p.key("plausibility"), s.plausibility, 0.0, 0.999);
        c.prob(p.key("verify"), s.verify);
        c.prob(p.key("forget"), s.forget);
        c.prob(p.key("harm"), s.harm);
        c.prob(p.key("initial_share"), s.initial_share);
        let cm = sc.model.contagion_model;
        match s.recovery {
            Some(r) if cm == ContagionModel::Sir => c.prob(p.key("recovery"), r),
            Some(_) => c.err_help(
                p.key("recovery"),
                format!(
                    "`recovery` does not apply to contagion_model = \"{}\"",
                    cm.as_str()
                ),
                "only the SIR model has a recovery probability; remove it or set [model] contagion_model = \"sir\"",
            ),
            None => {}
        }
        if cm == ContagionModel::Hoax && s.transmissibility > 1.0 {
            c.err_help(
                p.key("transmissibility"),
                format!(
                    "found {}: the hoax model uses it as a probability per tick",
                    s.transmissibility
                ),
                "allowed with contagion_model = \"hoax\": 0 to 1",
            );
        }
        out.push(StorySpec {
            id: s.id.clone(),
            about: about.unwrap_or(0),
            beta: s.transmissibility as f32,
            plausibility: s.plausibility as f32,
            verify: s.verify as f32,
            forget: s.forget as f32,
            harm: s.harm as f32,
            initial_share: s.initial_share,
            recovery: s.recovery.unwrap_or(DEFAULT_RECOVERY) as f32,
        });
    }
    out
}
