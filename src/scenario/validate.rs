//! Semantic validation: ranges, references, budgets and memory. Collects every problem
//! instead of stopping at the first, so `softpower check` can explain them all at once.

use super::diagnostic::{Diagnostic, TomlPath, suggest_help};
use super::select::{PopIndex, Selection};
use super::types::*;
use std::collections::HashSet;

/// Largest population count the engine indexes (u32 node ids).
pub const MAX_POPULATIONS: u64 = 50_000_000;
pub const MAX_DIMENSIONS: usize = 16;

struct Ctx {
    diags: Vec<Diagnostic>,
}

impl Ctx {
    fn err(&mut self, path: TomlPath, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(path, msg));
    }
    fn err_help(&mut self, path: TomlPath, msg: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(path, msg).help(help));
    }
    fn finite(&mut self, path: &TomlPath, v: f64) -> bool {
        if v.is_finite() {
            true
        } else {
            self.err_help(
                path.clone(),
                format!("found {v}, which is not a finite number"),
                "use a finite number (nan and inf are not allowed)",
            );
            false
        }
    }
    fn range(&mut self, path: TomlPath, v: f64, lo: f64, hi: f64) {
        if self.finite(&path, v) && !(lo..=hi).contains(&v) {
            self.err_help(
                path,
                format!("found {v}, outside the allowed range"),
                format!("allowed: {lo} to {hi}"),
            );
        }
    }
    fn prob(&mut self, path: TomlPath, v: f64) {
        self.range(path, v, 0.0, 1.0);
    }
    fn positive(&mut self, path: TomlPath, v: f64) {
        if self.finite(&path, v) && v <= 0.0 {
            self.err_help(
                path,
                format!("found {v}"),
                "allowed: a number greater than 0",
            );
        }
    }
    fn non_negative(&mut self, path: TomlPath, v: f64) {
        if self.finite(&path, v) && v < 0.0 {
            self.err_help(path, format!("found {v}"), "allowed: 0 or more");
        }
    }
    fn vector(&mut self, path: TomlPath, v: &[f64], dims: usize, lo: f64, hi: f64) {
        if v.len() != dims {
            self.err_help(
                path,
                format!(
                    "has {} entries, but the scenario declares {dims} dimensions",
                    v.len()
                ),
                format!("give one value per dimension, each from {lo} to {hi}"),
            );
            return;
        }
        for (i, x) in v.iter().enumerate() {
            self.range(path.idx(i), *x, lo, hi);
        }
    }
    fn weights(&mut self, path: TomlPath, v: &[f64], dims: usize) {
        self.vector(path.clone(), v, dims, 0.0, f64::MAX);
        if v.len() == dims && v.iter().all(|x| x.is_finite()) && v.iter().sum::<f64>() <= 0.0 {
            self.err_help(
                path,
                "all weights are zero",
                "at least one weight must be positive",
            );
        }
    }
    fn dist(&mut self, path: TomlPath, d: &Dist, lo: f64, hi: f64) {
        match d {
            Dist::Const(x) => self.range(path, *x, lo, hi),
            Dist::Spec(s) => match s {
                DistSpec::Uniform { min, max } => {
                    self.range(path.key("min"), *min, lo, hi);
                    self.range(path.key("max"), *max, lo, hi);
                    if min > max {
                        self.err(path, format!("uniform min {min} is above max {max}"));
                    }
                }
                DistSpec::Normal { mean, sd } => {
                    self.finite(&path.key("mean"), *mean);
                    self.non_negative(path.key("sd"), *sd);
                }
                DistSpec::LogNormal { median, sigma } => {
                    self.positive(path.key("median"), *median);
                    self.non_negative(path.key("sigma"), *sigma);
                }
                DistSpec::Beta { alpha, beta } => {
                    self.positive(path.key("alpha"), *alpha);
                    self.positive(path.key("beta"), *beta);
                }
            },
        }
    }
    fn actor_ref(&mut self, path: TomlPath, id: &str, sc: &Scenario) -> bool {
        if sc.actors.iter().any(|a| a.id == id) {
            true
        } else {
            self.err_help(
                path,
                format!("unknown actor \"{id}\""),
                suggest_help(id, sc.actors.iter().map(|a| a.id.as_str())),
            );
            false
        }
    }
    fn selectors(&mut self, path: TomlPath, sels: &[String], idx: &PopIndex) {
        if sels.is_empty() {
            self.err_help(
                path.clone(),
                "is empty",
                "name at least one population or selector",
            );
        }
        for (i, s) in sels.iter().enumerate() {
            if let Ok(Selection::Home(a)) = idx.resolve(s)
                && !idx.has_home(&a)
            {
                self.err_help(
                    path.idx(i),
                    format!("\"{s}\" selects no population: no population has home = \"{a}\""),
                    "set `home` on that actor's populations, or name populations directly",
                );
            }
            if let Err(msg) = idx.resolve(s) {
                let cands = idx.candidates();
                self.err_help(
                    path.idx(i),
                    msg,
                    suggest_help(s, cands.iter().map(|c| c.as_str()))
                        + " (selectors: a population id, \"all\", \"home:<actor>\", \"group:<prefix>\")",
                );
            }
        }
    }
}

fn unique_ids<'a>(ctx: &mut Ctx, table: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        let path = TomlPath::root().key(table).idx(i).key("id");
        if id.is_empty() {
            ctx.err(path, "id is empty");
        } else if !seen.insert(id) {
            ctx.err_help(path, format!("duplicate id \"{id}\""), "ids must be unique");
        }
    }
}

/// Validates a parsed scenario. Returns every problem found (empty when valid).
pub fn validate(sc: &Scenario) -> Vec<Diagnostic> {
    let mut c = Ctx { diags: Vec::new() };
    let root = TomlPath::root();
    let meta = root.key("scenario");
    let dims = sc.scenario.dimensions.len();

    if sc.scenario.name.is_empty()
        || !sc
            .scenario
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || ch == '.')
        || sc.scenario.name.starts_with('.')
    {
        c.err_help(
            meta.key("name"),
            format!("name \"{}\" cannot name an output folder", sc.scenario.name),
            "use letters, digits, '_', '-' or '.' (it becomes output/<name>/)",
        );
    }
    if sc.scenario.ticks == 0 {
        c.err_help(
            meta.key("ticks"),
            "ticks is 0: nothing would be simulated",
            "allowed: 1 or more",
        );
    }
    if dims == 0 || dims > MAX_DIMENSIONS {
        c.err_help(
            meta.key("dimensions"),
            format!("{dims} dimensions declared"),
            format!("allowed: 1 to {MAX_DIMENSIONS} distinct names"),
        );
    }
    let mut seen = HashSet::new();
    for (i, d) in sc.scenario.dimensions.iter().enumerate() {
        if !seen.insert(d) {
            c.err(
                meta.key("dimensions").idx(i),
                format!("duplicate dimension \"{d}\""),
            );
        }
    }
    if let Some(f) = &sc.scenario.focal_actor {
        c.actor_ref(meta.key("focal_actor"), f, sc);
    }

    validate_model(&mut c, &sc.model);

    if sc.actors.is_empty() {
        c.err_help(
            root.key("actor"),
            "the scenario declares no actor",
            "add at least one [[actor]] block",
        );
    }
    unique_ids(&mut c, "actor", sc.actors.iter().map(|a| a.id.as_str()));
    for (i, a) in sc.actors.iter().enumerate() {
        let p = root.key("actor").idx(i);
        c.non_negative(p.key("budget"), a.budget);
        c.prob(p.key("credibility"), a.credibility);
        if let Some(v) = &a.values {
            c.vector(p.key("values"), v, dims, -1.0, 1.0);
        }
    }

    let idx = PopIndex::new(sc);
    if idx.total() == 0 {
        c.err_help(
            root.key("population"),
            "the scenario declares no population",
            "add a [[population]] block or a [[generate]] block",
        );
    }
    if idx.total() > MAX_POPULATIONS {
        c.err_help(
            root.key("generate"),
            format!("{} populations in all", idx.total()),
            format!("at most {MAX_POPULATIONS} populations are supported"),
        );
    }
    unique_ids(
        &mut c,
        "population",
        sc.populations.iter().map(|p| p.id.as_str()),
    );
    for (i, pop) in sc.populations.iter().enumerate() {
        let p = root.key("population").idx(i);
        if c.finite(&p.key("size"), pop.size)
            && (pop.size < 1.0 || pop.size.fract() != 0.0 || pop.size > 9.0e15)
        {
            c.err_help(
                p.key("size"),
                format!("found {}", pop.size),
                "allowed: a whole number of people, from 1 to 9e15",
            );
        }
        if let Some(h) = &pop.home {
            c.actor_ref(p.key("home"), h, sc);
        }
        c.prob(p.key("internet"), pop.internet);
        c.prob(p.key("media_literacy"), pop.media_literacy);
        c.prob(p.key("stubbornness"), pop.stubbornness);
        if let Some(s) = &pop.salience {
            c.weights(p.key("salience"), s, dims);
        }
        if let Some(v) = &pop.values {
            c.vector(p.key("values"), v, dims, -1.0, 1.0);
        }
        for (aid, o) in &pop.opinion {
            let op = p.key("opinion").key(aid);
            c.actor_ref(op.clone(), aid, sc);
            if let Some(f) = o.familiarity {
                c.prob(op.key("familiarity"), f);
            }
            if let Some(t) = o.trust {
                c.prob(op.key("trust"), t);
            }
            if let Some(a) = &o.attitude {
                c.vector(op.key("attitude"), a, dims, -1.0, 1.0);
            }
        }
    }

    let mut prefixes = HashSet::new();
    for (i, g) in sc.generators.iter().enumerate() {
        let p = root.key("generate").idx(i);
        if g.prefix.is_empty() || !prefixes.insert(g.prefix.as_str()) {
            c.err(
                p.key("prefix"),
                format!("prefix \"{}\" is empty or used twice", g.prefix),
            );
        }
        if let Some(clash) = sc.populations.iter().find(|x| {
            x.id.rsplit_once('_').is_some_and(|(pre, n)| {
                pre == g.prefix && n.parse::<u64>().is_ok_and(|k| k < g.count)
            })
        }) {
            c.err(
                p.key("prefix"),
                format!(
                    "generated ids \"{}_<i>\" clash with population \"{}\"",
                    g.prefix, clash.id
                ),
            );
        }
        if g.count == 0 {
            c.err_help(p.key("count"), "count is 0", "allowed: 1 or more");
        }
        let gp = p.key("graph");
        match &g.graph {
            GraphModel::BarabasiAlbert { m } => {
                if *m == 0 || (*m as u64) >= g.count {
                    c.err_help(
                        gp.key("m"),
                        format!("found m = {m} for {} populations", g.count),
                        "allowed: 1 <= m < count",
                    );
                }
            }
            GraphModel::WattsStrogatz { k, p: pr } => {
                if *k < 2 || k % 2 == 1 || (*k as u64) >= g.count {
                    c.err_help(
                        gp.key("k"),
                        format!("found k = {k}"),
                        "allowed: an even number, 2 <= k < count",
                    );
                }
                c.prob(gp.key("p"), *pr);
            }
            GraphModel::StochasticBlock {
                blocks,
                p_in,
                p_out,
            } => {
                let sum: u64 = blocks.iter().map(|&b| b as u64).sum();
                if blocks.is_empty() || sum != g.count || blocks.contains(&0) {
                    c.err_help(
                        gp.key("blocks"),
                        format!("block sizes sum to {sum}, count is {}", g.count),
                        "give positive block sizes that add up to count",
                    );
                }
                c.prob(gp.key("p_in"), *p_in);
                c.prob(gp.key("p_out"), *p_out);
                if let Some(bh) = &g.block_homes {
                    if bh.len() != blocks.len() {
                        c.err(
                            p.key("block_homes"),
                            format!("{} homes for {} blocks", bh.len(), blocks.len()),
                        );
                    }
                    for (j, h) in bh.iter().enumerate() {
                        c.actor_ref(p.key("block_homes").idx(j), h, sc);
                    }
                }
            }
            GraphModel::ErdosRenyi { p: pr } => c.prob(gp.key("p"), *pr),
            // Lines were checked when the file was read; count may have changed since
            // (a strategy's `set`), so the range is checked again here.
            GraphModel::EdgeList { file, edges } => {
                if let Some(top) = edges.iter().map(|&(a, b)| a.max(b)).max()
                    && top as u64 >= g.count
                {
                    c.err_help(
                        gp.key("file"),
                        format!("{file} names node {top} but count is {}", g.count),
                        "allowed: node indices 0 to count - 1",
                    );
                }
            }
            GraphModel::Complete => {
                if g.count > 20_000 {
                    c.err_help(
                        gp.key("model"),
                        format!(
                            "a complete graph on {} populations has too many ties",
                            g.count
                        ),
                        "allowed: at most 20000 populations for model = \"complete\"",
                    );
                }
            }
        }
        if g.block_homes.is_some() && !matches!(g.graph, GraphModel::StochasticBlock { .. }) {
            c.err(
                p.key("block_homes"),
                "block_homes only applies to model = \"stochastic_block\"",
            );
        }
        if let Some(h) = &g.home {
            c.actor_ref(p.key("home"), h, sc);
        }
        c.dist(p.key("size"), &g.size, 1.0, 9.0e15);
        for (name, d) in [
            ("internet", &g.internet),
            ("media_literacy", &g.media_literacy),
            ("stubbornness", &g.stubbornness),
        ] {
            if let Some(d) = d {
                c.dist(p.key(name), d, 0.0, 1.0);
            }
        }
        if let Some(v) = &g.values {
            dist_vector(&mut c, p.key("values"), v, dims);
        }
        c.positive(p.key("tie_weight"), g.tie_weight);
        for (aid, o) in &g.opinion {
            let op = p.key("opinion").key(aid);
            c.actor_ref(op.clone(), aid, sc);
            if let Some(d) = &o.familiarity {
                c.dist(op.key("familiarity"), d, 0.0, 1.0);
            }
            if let Some(d) = &o.trust {
                c.dist(op.key("trust"), d, 0.0, 1.0);
            }
            if let Some(v) = &o.attitude {
                dist_vector(&mut c, op.key("attitude"), v, dims);
            }
        }
    }

    for (i, t) in sc.ties.iter().enumerate() {
        let p = root.key("tie").idx(i);
        let mut ends = [None, None];
        for (j, id) in t.between.iter().enumerate() {
            ends[j] = idx.lookup(id);
            if ends[j].is_none() {
                let cands = idx.candidates();
                c.err_help(
                    p.key("between").idx(j),
                    format!("unknown population \"{id}\""),
                    suggest_help(id, cands.iter().map(|s| s.as_str())),
                );
            }
        }
        if ends[0].is_some() && ends[0] == ends[1] {
            c.err(
                p.key("between"),
                "a tie must join two different populations",
            );
        }
        c.positive(p.key("weight"), t.weight);
    }

    for (i, r) in sc.reach.iter().enumerate() {
        let p = root.key("reach").idx(i);
        c.actor_ref(p.key("actor"), &r.actor, sc);
        c.selectors(p.key("populations"), &r.populations, &idx);
        c.prob(p.key("weight"), r.weight);
    }

    for (i, r) in sc.relations.iter().enumerate() {
        let p = root.key("relation").idx(i);
        let ok0 = c.actor_ref(p.key("between").idx(0), &r.between[0], sc);
        let ok1 = c.actor_ref(p.key("between").idx(1), &r.between[1], sc);
        if ok0 && ok1 && r.between[0] == r.between[1] {
            c.err(
                p.key("between"),
                "a relation must join two different actors",
            );
        }
        c.prob(p.key("strength"), r.strength);
    }

    unique_ids(&mut c, "story", sc.stories.iter().map(|s| s.id.as_str()));
    for (i, s) in sc.stories.iter().enumerate() {
        let p = root.key("story").idx(i);
        c.actor_ref(p.key("about"), &s.about, sc);
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
    }

    unique_ids(
        &mut c,
        "campaign",
        sc.campaigns.iter().map(|x| x.id.as_str()),
    );
    for (i, k) in sc.campaigns.iter().enumerate() {
        validate_campaign(&mut c, sc, &idx, root.key("campaign").idx(i), k, dims);
    }
    validate_budgets(&mut c, sc);

    for (i, e) in sc.events.iter().enumerate() {
        validate_event(&mut c, sc, &idx, root.key("event").idx(i), e);
    }
    if let Some(x) = &sc.exercise {
        validate_exercise(&mut c, sc, &idx, x);
    }

    if c.diags.is_empty() {
        check_memory(&mut c, sc, idx.total());
    }
    if c.diags.is_empty() {
        c.diags.extend(super::strategy::check_names(sc));
        for (i, st) in sc.strategies.iter().enumerate() {
            if let Err(d) = super::strategy::apply(sc, i, st) {
                c.diags.extend(d);
            }
        }
    }
    c.diags
}

fn validate_event(c: &mut Ctx, sc: &Scenario, idx: &PopIndex, p: TomlPath, e: &Event) {
    match e {
        Event::Scandal {
            actor, severity, ..
        } => {
            c.actor_ref(p.key("actor"), actor, sc);
            c.prob(p.key("severity"), *severity);
        }
        Event::Crisis {
            dimension,
            boost,
            duration,
            populations,
            ..
        } => {
            if !sc.scenario.dimensions.contains(dimension) {
                c.err_help(
                    p.key("dimension"),
                    format!("unknown dimension \"{dimension}\""),
                    suggest_help(dimension, sc.scenario.dimensions.iter().map(|s| s.as_str())),
                );
            }
            c.range(p.key("boost"), *boost, 0.0, 100.0);
            if *duration == Some(0) {
                c.err_help(
                    p.key("duration"),
                    "duration is 0",
                    "allowed: 1 or more ticks, or leave it out for a lasting crisis",
                );
            }
            if let Some(ps) = populations {
                c.selectors(p.key("populations"), ps, idx);
            }
        }
    }
}

fn validate_exercise(c: &mut Ctx, sc: &Scenario, idx: &PopIndex, x: &ExerciseMeta) {
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
            p,
            "no actor is playable",
            "mark the actors teams play with `playable = true` in their [[actor]] block",
        );
    }
    let tpr = x.ticks_per_round(sc.scenario.ticks);
    for (i, inj) in x.injects.iter().enumerate() {
        for d in check_inject(
            sc,
            idx,
            TomlPath::root().key("exercise").key("inject").idx(i),
            inj,
            x.rounds,
            tpr,
        ) {
            c.diags.push(d);
        }
    }
}

/// Problems of one inject of an exercise with `rounds` rounds of `tpr` ticks.
pub fn check_inject(
    sc: &Scenario,
    idx: &PopIndex,
    p: TomlPath,
    inj: &Inject,
    rounds: u32,
    tpr: u32,
) -> Vec<Diagnostic> {
    let mut c = Ctx { diags: Vec::new() };
    if inj.round == 0 || inj.round > rounds {
        c.err_help(
            p.key("round"),
            format!("found round {}", inj.round),
            format!("allowed: 1 to {rounds}"),
        );
    }
    if inj.at >= tpr {
        c.err_help(
            p.key("at"),
            format!("found at = {}, but a round lasts {tpr} ticks", inj.at),
            format!("allowed: 0 to {} (the tick within the round)", tpr - 1),
        );
    }
    let wrong: &[(&str, bool)] = match inj.kind {
        InjectKind::Scandal => &[
            ("dimension", inj.dimension.is_some()),
            ("boost", inj.boost.is_some()),
            ("duration", inj.duration.is_some()),
            ("populations", inj.populations.is_some()),
        ],
        InjectKind::Crisis => &[
            ("actor", inj.actor.is_some()),
            ("severity", inj.severity.is_some()),
        ],
    };
    for (field, present) in wrong {
        if *present {
            c.err_help(
                p.key(field),
                format!("`{field}` does not apply to kind = \"{}\"", kind_name(inj.kind)),
                "scandal takes actor and severity; crisis takes dimension, boost, duration and populations",
            );
        }
    }
    match inj.to_event(tpr) {
        Ok(e) => validate_event(&mut c, sc, idx, p, &e),
        Err(field) => c.err_help(
            p,
            format!("a {} inject needs `{field}`", kind_name(inj.kind)),
            "scandal: actor, severity; crisis: dimension, boost (duration and populations optional)",
        ),
    }
    c.diags
}

fn kind_name(k: InjectKind) -> &'static str {
    match k {
        InjectKind::Scandal => "scandal",
        InjectKind::Crisis => "crisis",
    }
}

/// Problems of one campaign placed at `p` (used for exercise decisions too).
pub fn check_campaign(sc: &Scenario, idx: &PopIndex, p: TomlPath, k: &Campaign) -> Vec<Diagnostic> {
    let mut c = Ctx { diags: Vec::new() };
    validate_campaign(&mut c, sc, idx, p, k, sc.scenario.dimensions.len());
    c.diags
}

fn dist_vector(c: &mut Ctx, path: TomlPath, v: &[Dist], dims: usize) {
    if v.len() != 1 && v.len() != dims {
        c.err_help(
            path.clone(),
            format!("has {} entries", v.len()),
            format!("give one distribution for every dimension, or {dims} (one per dimension)"),
        );
    }
    for (i, d) in v.iter().enumerate() {
        c.dist(path.idx(i), d, -1.0, 1.0);
    }
}

fn validate_model(c: &mut Ctx, m: &ModelParams) {
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
    c.range(p.key("self_weight"), m.self_weight, 0.0, 1.0e6);
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
    let q = p.key("exchange");
    c.positive(
        q.key("cost_per_participant"),
        m.exchange.cost_per_participant,
    );
    c.prob(q.key("trust_gain"), m.exchange.trust_gain);
    c.prob(q.key("attitude_gain"), m.exchange.attitude_gain);
    c.prob(q.key("durable_share"), m.exchange.durable_share);
    c.range(q.key("tie_gain"), m.exchange.tie_gain, 0.0, 1.0e6);
    c.range(q.key("spillover"), m.exchange.spillover, 0.0, 1.0e6);
    let q = p.key("propaganda");
    c.prob(q.key("attitude_harm"), m.propaganda.attitude_harm);
    c.prob(q.key("trust_harm"), m.propaganda.trust_harm);
    c.prob(q.key("exposure_cost"), m.propaganda.exposure_cost);
    let q = p.key("misinformation");
    c.prob(q.key("offline_share"), m.misinformation.offline_share);
    c.prob(
        q.key("literacy_protection"),
        m.misinformation.literacy_protection,
    );
    c.range(q.key("seed_rate"), m.misinformation.seed_rate, 0.0, 1.0e3);
    c.range(
        q.key("correction_rate"),
        m.misinformation.correction_rate,
        0.0,
        1.0e3,
    );
    c.range(
        q.key("prebunk_rate"),
        m.misinformation.prebunk_rate,
        0.0,
        1.0e3,
    );
    c.prob(q.key("prebunk_efficacy"), m.misinformation.prebunk_efficacy);
    c.prob(q.key("prebunk_waning"), m.misinformation.prebunk_waning);
    let q = p.key("reach");
    c.prob(q.key("broadcast"), m.reach.broadcast);
    c.prob(q.key("digital"), m.reach.digital);
}

fn validate_campaign(
    c: &mut Ctx,
    sc: &Scenario,
    idx: &PopIndex,
    p: TomlPath,
    k: &Campaign,
    dims: usize,
) {
    c.actor_ref(p.key("actor"), &k.actor, sc);
    c.selectors(p.key("targets"), &k.targets, idx);
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
            if c.actor_ref(p.key("against"), t, sc) && *t == k.actor =>
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
fn validate_budgets(c: &mut Ctx, sc: &Scenario) {
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
                    format!("at tick {t}, actor \"{}\" spends {total} but its budget is {} per tick", a.id, a.budget),
                    format!("active campaigns: {}; lower their spend, stagger them in time, or raise actor[{ai}].budget", names.join(", ")),
                );
                break;
            }
        }
    }
}

/// Rough peak memory of the engine state for this scenario, in bytes.
pub fn estimate_memory(sc: &Scenario, populations: u64) -> u64 {
    let a = sc.actors.len() as u64;
    let d = sc.scenario.dimensions.len() as u64;
    let k = 1 + d;
    let per_pop =
        a * (k * 3 + 2) * 4 + (d * 3 + 12) * 4 + sc.stories.len() as u64 * (4 * 8 + 8) + 16;
    let mut edges: u64 = sc.ties.len() as u64 * 2;
    for g in &sc.generators {
        edges = edges.saturating_add(match &g.graph {
            GraphModel::BarabasiAlbert { m } => 2 * *m as u64 * g.count,
            GraphModel::WattsStrogatz { k, .. } => *k as u64 * g.count,
            GraphModel::StochasticBlock {
                blocks,
                p_in,
                p_out,
            } => {
                let n = g.count as f64;
                let within: f64 = blocks.iter().map(|&b| (b as f64).powi(2)).sum();
                (p_in * within + p_out * (n * n - within)) as u64
            }
            GraphModel::ErdosRenyi { p } => (p * (g.count as f64).powi(2)) as u64,
            GraphModel::Complete => g.count.saturating_mul(g.count),
            GraphModel::EdgeList { edges, .. } => 2 * edges.len() as u64,
        });
    }
    // CSR (neighbour, raw and normalised weight) plus the petgraph build copy.
    populations
        .saturating_mul(per_pop)
        .saturating_add(edges.saturating_mul(12 + 24))
}

fn available_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(8 << 30, |kb| kb * 1024)
}

fn check_memory(c: &mut Ctx, sc: &Scenario, populations: u64) {
    let need = estimate_memory(sc, populations);
    let have = available_memory();
    if need > have / 10 * 8 {
        c.err_help(
            TomlPath::root().key("generate"),
            format!(
                "this scenario needs about {:.1} GiB of memory, but only {:.1} GiB is available",
                need as f64 / (1u64 << 30) as f64,
                have as f64 / (1u64 << 30) as f64
            ),
            "use fewer populations, actors, stories or ties",
        );
    }
}
