//! `[model]`: ranges of the model parameters, and the parameters as the engine uses them.

use super::{Ctx, Defaults};
use crate::model::checked::{Params, SocialRule};
use crate::model::{ContagionModel, SirTransmission, SocialModel, VoterUpdate};
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::types::ModelParams;

pub(super) fn check(c: &mut Ctx, m: &ModelParams) -> (Params, Defaults) {
    let p = TomlPath::root().key("model");
    // Attitudes span [-1, 1]: distances run from 0 to 2.
    c.range(p.key("confidence"), m.confidence, 0.0, 2.0);
    if c.finite(&p.key("convergence"), m.convergence)
        && !(m.convergence > 0.0 && m.convergence <= 0.5)
    {
        c.err_help(
            p.key("convergence"),
            format!("found {}", m.convergence),
            "allowed: above 0 and at most 0.5 (0.5 meets in the middle)",
        );
    }
    if !(1..=64).contains(&m.pair_rounds) {
        c.err_help(
            p.key("pair_rounds"),
            format!("found {}", m.pair_rounds),
            "allowed: 1 to 64 random matchings per tick",
        );
    }
    if m.sir_transmission == SirTransmission::PerContact && m.contagion_model != ContagionModel::Sir
    {
        c.err_help(
            p.key("sir_transmission"),
            format!(
                "sir_transmission = \"per_contact\" does not apply to contagion_model = \"{}\"",
                m.contagion_model.as_str()
            ),
            "only the SIR model counts infected contacts; remove it or set contagion_model = \"sir\"",
        );
    }
    if m.voter_update == VoterUpdate::Asynchronous && m.social_model != SocialModel::Voter {
        c.err_help(
            p.key("voter_update"),
            "voter_update = \"asynchronous\" applies to the voter model only",
            "remove it or set social_model = \"voter\"",
        );
    }
    c.range(p.key("self_weight"), m.self_weight, 0.0, 1.0e6);
    c.prob(p.key("word_of_mouth"), m.word_of_mouth);
    c.range(p.key("negativity_bias"), m.negativity_bias, 0.0, 10.0);
    if m.negativity_bias > 0.0 && m.social_model != SocialModel::FriedkinJohnsen {
        c.err_help(
            p.key("negativity_bias"),
            format!(
                "negativity_bias = {} does not apply to social_model = \"{}\"",
                m.negativity_bias,
                m.social_model.as_str()
            ),
            "bad buzz reweights Friedkin–Johnsen averaging only; remove it or set social_model = \"friedkin_johnsen\"",
        );
    }
    c.prob(p.key("familiarity_decay"), m.familiarity_decay);
    c.prob(p.key("attitude_decay"), m.attitude_decay);
    c.prob(p.key("credibility_recovery"), m.credibility_recovery);
    c.prob(p.key("public_pressure"), m.public_pressure);
    c.prob(p.key("default_trust"), m.default_trust);
    c.prob(p.key("default_familiarity"), m.default_familiarity);
    let q = p.key("messaging");
    c.positive(q.key("cost_broadcast"), m.messaging.cost_broadcast);
    c.positive(q.key("cost_digital"), m.messaging.cost_digital);
    c.prob(q.key("familiarity_gain"), m.messaging.familiarity_gain);
    c.prob(q.key("attitude_gain"), m.messaging.attitude_gain);
    c.prob(q.key("trust_gain"), m.messaging.trust_gain);
    c.prob(q.key("backfire_threshold"), m.messaging.backfire_threshold);
    c.prob(q.key("reactance_harm"), m.messaging.reactance_harm);
    c.prob(q.key("reactance_cost"), m.messaging.reactance_cost);
    c.prob(q.key("durable_share"), m.messaging.durable_share);
    let q = p.key("monitoring");
    c.positive(q.key("cost_broadcast"), m.monitoring.cost_broadcast);
    c.positive(q.key("cost_digital"), m.monitoring.cost_digital);
    c.range(q.key("spread"), m.monitoring.spread, 0.0, 10.0);
    c.range(
        q.key("outrage_weight"),
        m.monitoring.outrage_weight,
        0.0,
        1.0e3,
    );
    let q = p.key("exchange");
    c.positive(
        q.key("cost_per_participant"),
        m.exchange.cost_per_participant,
    );
    c.prob(q.key("trust_gain"), m.exchange.trust_gain);
    c.prob(q.key("attitude_gain"), m.exchange.attitude_gain);
    c.prob(q.key("durable_share"), m.exchange.durable_share);
    c.prob(q.key("durable_decay"), m.exchange.durable_decay);
    c.range(q.key("tie_gain"), m.exchange.tie_gain, 0.0, 1.0e6);
    c.range(q.key("spillover"), m.exchange.spillover, 0.0, 1.0e6);
    let q = p.key("propaganda");
    c.prob(q.key("attitude_harm"), m.propaganda.attitude_harm);
    c.prob(q.key("trust_harm"), m.propaganda.trust_harm);
    c.prob(q.key("exposure_cost"), m.propaganda.exposure_cost);
    let q = p.key("misinformation");
    let mi = &m.misinformation;
    c.prob(q.key("offline_share"), mi.offline_share);
    c.prob(q.key("literacy_protection"), mi.literacy_protection);
    c.range(q.key("seed_rate"), mi.seed_rate, 0.0, 1.0e3);
    c.range(q.key("correction_rate"), mi.correction_rate, 0.0, 1.0e3);
    c.range(q.key("prebunk_rate"), mi.prebunk_rate, 0.0, 1.0e3);
    c.prob(q.key("prebunk_efficacy"), mi.prebunk_efficacy);
    c.prob(q.key("prebunk_waning"), mi.prebunk_waning);
    c.prob(q.key("source_weight"), mi.source_weight);
    c.range(
        q.key("motivated_reasoning"),
        mi.motivated_reasoning,
        0.0,
        10.0,
    );
    c.prob(q.key("attribution_rate"), mi.attribution_rate);
    c.prob(q.key("attribution_cost"), mi.attribution_cost);
    c.prob(q.key("attribution_trust_harm"), mi.attribution_trust_harm);
    let q = p.key("government");
    let g = &m.government;
    c.prob(q.key("public_weight"), g.public_weight);
    c.prob(q.key("elite_weight"), g.elite_weight);
    c.prob(q.key("interest_weight"), g.interest_weight);
    if g.public_weight + g.elite_weight + g.interest_weight <= 0.0 {
        c.err_help(
            q.clone(),
            "public_weight, elite_weight and interest_weight are all 0",
            "give at least one of them a weight above 0 (set public_pressure = 0 to freeze stances)",
        );
    }
    for (table, cw) in [("voice", &m.voice), ("listening", &m.listening)] {
        let q = p.key(table);
        c.range(q.key("public"), cw.public, 0.0, 1.0e6);
        c.range(q.key("elite"), cw.elite, 0.0, 1.0e6);
        c.range(q.key("media"), cw.media, 0.0, 1.0e6);
    }
    let q = p.key("reach");
    c.prob(q.key("broadcast"), m.reach.broadcast);
    c.prob(q.key("digital"), m.reach.digital);

    let defaults = Defaults {
        trust: m.default_trust as f32,
        familiarity: m.default_familiarity as f32,
        reach: [m.reach.broadcast as f32, m.reach.digital as f32],
        self_weight: m.self_weight as f32,
        voice: m.voice.by_class(),
        listening: m.listening.by_class(),
    };
    (params(m), defaults)
}

/// The parameters in the engine's units and types.
fn params(m: &ModelParams) -> Params {
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
            SocialModel::Voter => match m.voter_update {
                VoterUpdate::Synchronous => SocialRule::Voter,
                VoterUpdate::Asynchronous => SocialRule::AsyncVoter,
            },
        },
        contagion: m.contagion_model,
        sir_per_contact: m.sir_transmission == SirTransmission::PerContact,
        word_of_mouth: m.word_of_mouth as f32,
        negativity_bias: m.negativity_bias as f32,
        // Set from `[survey]` by the caller.
        survey_spread: crate::scenario::types::DEFAULT_SPREAD,
        familiarity_decay: m.familiarity_decay as f32,
        attitude_decay: m.attitude_decay as f32,
        credibility_recovery: m.credibility_recovery as f32,
        public_pressure: m.public_pressure as f32,
        gov_weights: [
            m.government.public_weight as f32,
            m.government.elite_weight as f32,
            m.government.interest_weight as f32,
        ],
        msg_cost: [m.messaging.cost_broadcast, m.messaging.cost_digital],
        msg_familiarity_gain: m.messaging.familiarity_gain as f32,
        msg_attitude_gain: m.messaging.attitude_gain as f32,
        msg_trust_gain: m.messaging.trust_gain as f32,
        msg_backfire: m
            .messaging
            .backfire
            .then_some(m.messaging.backfire_threshold as f32),
        msg_reactance: m.messaging.reactance.then_some((
            m.messaging.reactance_harm as f32,
            m.messaging.reactance_cost as f32,
        )),
        msg_durable_share: m.messaging.durable_share as f32,
        ex_cost_per_participant: m.exchange.cost_per_participant,
        ex_trust_gain: m.exchange.trust_gain as f32,
        ex_attitude_gain: m.exchange.attitude_gain as f32,
        ex_durable_share: m.exchange.durable_share as f32,
        durable_decay: m.exchange.durable_decay as f32,
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
        mis_source_weight: m.misinformation.source_weight as f32,
        mis_motivated: m.misinformation.motivated_reasoning as f32,
        mis_attribution: [
            m.misinformation.attribution_rate as f32,
            m.misinformation.attribution_cost as f32,
            m.misinformation.attribution_trust_harm as f32,
        ],
        listen_cost: [m.monitoring.cost_broadcast, m.monitoring.cost_digital],
        listen_spread: m.monitoring.spread as f32,
        listen_outrage: m.monitoring.outrage_weight as f32,
    }
}
