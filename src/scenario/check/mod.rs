//! From the raw file to a `CheckedScenario`: one module per table checks its fields and
//! resolves them (ids to indices, selectors to population lists, defaults applied, edge
//! lists read). Every problem is collected, not only the first, so `softpower check` can
//! explain them all at once; nothing here depends on the machine (see `preflight`).

mod actors;
mod campaigns;
mod events;
mod exercise;
mod generators;
pub mod meta;
mod model;
mod populations;
mod stories;
pub mod strategies;
pub mod survey;
mod ties;
pub mod uncertain;

pub use campaigns::check_campaign;
pub use events::check_inject;

use super::diagnostic::{Diagnostic, TomlPath, suggest_help};
use super::select::{PopIndex, Selection};
use super::types::{Dist, DistSpec, Scenario};
use crate::model::checked::CheckedScenario;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Largest population count the engine indexes (u32 node ids).
pub const MAX_POPULATIONS: u64 = 50_000_000;
pub const MAX_DIMENSIONS: usize = 16;
/// Largest raw tie weight, as for `[model] self_weight`.
pub const MAX_TIE_WEIGHT: f64 = 1e6;

/// Checks a raw scenario and resolves it; files it names are read relative to `base_dir`.
/// Returns every problem found when it is not valid. Strategies are checked too: each
/// must give a valid scenario once applied.
pub fn check(sc: &Scenario, base_dir: &Path) -> Result<CheckedScenario, Vec<Diagnostic>> {
    let checked = check_tables(sc, base_dir)?;
    let mut diags = strategies::check_names(sc);
    for (i, st) in sc.strategies.iter().enumerate() {
        if let Err(d) = strategies::apply(sc, base_dir, i, st) {
            diags.extend(d);
        }
    }
    diags.extend(uncertain::check(sc, base_dir));
    diags.extend(survey::check(sc, base_dir));
    if diags.is_empty() {
        Ok(checked)
    } else {
        Err(diags)
    }
}

/// Every table but `[[strategy]]`.
fn check_tables(sc: &Scenario, base_dir: &Path) -> Result<CheckedScenario, Vec<Diagnostic>> {
    let mut c = Ctx::new(sc);
    let (meta, focal) = meta::check(&mut c, sc);
    let (mut params, defaults) = model::check(&mut c, &sc.model);
    // The observation model's σ also shapes net favourable, recorded every tick.
    params.survey_spread = sc
        .survey
        .as_ref()
        .map_or(super::types::DEFAULT_SPREAD, |s| s.spread);
    if let Some(d) = survey::spread_problem(sc) {
        c.diags.push(d);
    }
    let actors = actors::check(&mut c, sc);
    let idx = PopIndex::new(sc);
    let populations = populations::check(&mut c, sc, &idx);
    let generators = generators::check(&mut c, sc, base_dir);
    // Selectors resolve only once every population and its home is known.
    let res = Resolver::new(&idx, sc, &populations, &generators, actors.len());
    let (ties, one_way_ties) = ties::check_ties(&mut c, sc, &idx);
    let reach = ties::check_reach(&mut c, sc, &res);
    let relations = ties::check_relations(&mut c, sc);
    let decisions = ties::check_decisions(&mut c, sc);
    let stories = stories::check(&mut c, sc);
    let campaigns = campaigns::check(&mut c, sc, &res);
    let shocks = events::check(&mut c, sc, &res);
    if let Some(x) = &sc.exercise {
        exercise::check(&mut c, sc, &idx, x);
    }
    if !c.diags.is_empty() {
        return Err(c.diags);
    }
    Ok(CheckedScenario {
        name: meta.name,
        seed: meta.seed,
        ticks: meta.ticks,
        tick_label: meta.tick_label,
        dimensions: meta.dimensions,
        focal_actor: focal,
        actors,
        populations,
        generators,
        ties,
        one_way_ties,
        reach,
        relations,
        decisions,
        stories,
        campaigns,
        shocks,
        default_trust: defaults.trust,
        default_familiarity: defaults.familiarity,
        default_reach: defaults.reach,
        self_weight: defaults.self_weight,
        voice: defaults.voice,
        listening: defaults.listening,
        params,
        total_populations: idx.total() as u32,
    })
}

/// Defaults of the `[model]` table that other tables use.
pub(crate) struct Defaults {
    pub trust: f32,
    pub familiarity: f32,
    pub reach: [f32; 2],
    pub self_weight: f32,
    /// `[model.voice]` and `[model.listening]` by `PopClass::index`.
    pub voice: [f32; 3],
    pub listening: [f32; 3],
}

/// Collects diagnostics; knows the actors for references.
pub(crate) struct Ctx {
    pub diags: Vec<Diagnostic>,
    actor_ix: HashMap<String, u32>,
    actor_ids: Vec<String>,
    dims: usize,
}

impl Ctx {
    pub fn new(sc: &Scenario) -> Self {
        let mut actor_ix = HashMap::new();
        for (i, a) in sc.actors.iter().enumerate() {
            actor_ix.entry(a.id.clone()).or_insert(i as u32);
        }
        Ctx {
            diags: Vec::new(),
            actor_ix,
            actor_ids: sc.actors.iter().map(|a| a.id.clone()).collect(),
            dims: sc.scenario.dimensions.len(),
        }
    }
    pub fn err(&mut self, path: TomlPath, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(path, msg));
    }
    pub fn err_help(&mut self, path: TomlPath, msg: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(path, msg).help(help));
    }
    pub fn finite(&mut self, path: &TomlPath, v: f64) -> bool {
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
    pub fn range(&mut self, path: TomlPath, v: f64, lo: f64, hi: f64) {
        if self.finite(&path, v) && !(lo..=hi).contains(&v) {
            self.err_help(
                path,
                format!("found {v}, outside the allowed range"),
                format!("allowed: {lo} to {hi}"),
            );
        }
    }
    pub fn prob(&mut self, path: TomlPath, v: f64) {
        self.range(path, v, 0.0, 1.0);
    }
    pub fn positive(&mut self, path: TomlPath, v: f64) {
        if self.finite(&path, v) && v <= 0.0 {
            self.err_help(
                path,
                format!("found {v}"),
                "allowed: a number greater than 0",
            );
        }
    }
    /// A raw tie weight: above 0 and at most `MAX_TIE_WEIGHT` (the self weight's range),
    /// so a row's sum of weights stays finite in f32 (a weight of 3.5e38 became inf, then NaN).
    pub fn tie_weight(&mut self, path: TomlPath, v: f64) {
        if self.finite(&path, v) && !(v > 0.0 && v <= MAX_TIE_WEIGHT) {
            self.err_help(
                path,
                format!("found {v}"),
                "allowed: a number greater than 0 and at most 1e6",
            );
        }
    }
    pub fn non_negative(&mut self, path: TomlPath, v: f64) {
        if self.finite(&path, v) && v < 0.0 {
            self.err_help(path, format!("found {v}"), "allowed: 0 or more");
        }
    }
    pub fn vector(&mut self, path: TomlPath, v: &[f64], dims: usize, lo: f64, hi: f64) {
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
    pub fn weights(&mut self, path: TomlPath, v: &[f64], dims: usize) {
        self.vector(path.clone(), v, dims, 0.0, f64::MAX);
        if v.len() == dims && v.iter().all(|x| x.is_finite()) && v.iter().sum::<f64>() <= 0.0 {
            self.err_help(
                path,
                "all weights are zero",
                "at least one weight must be positive",
            );
        }
    }
    pub fn dist(&mut self, path: TomlPath, d: &Dist, lo: f64, hi: f64) {
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
    /// One distribution for every dimension, or one per dimension.
    pub fn dist_vector(&mut self, path: TomlPath, v: &[Dist]) {
        let dims = self.dims;
        if v.len() != 1 && v.len() != dims {
            self.err_help(
                path.clone(),
                format!("has {} entries", v.len()),
                format!("give one distribution for every dimension, or {dims} (one per dimension)"),
            );
        }
        for (i, d) in v.iter().enumerate() {
            self.dist(path.idx(i), d, -1.0, 1.0);
        }
    }
    /// The index of actor `id`, or a diagnostic with the nearest declared id.
    pub fn actor(&mut self, path: TomlPath, id: &str) -> Option<u32> {
        match self.actor_ix.get(id) {
            Some(&i) => Some(i),
            None => {
                let help = suggest_help(id, self.actor_ids.iter().map(|s| s.as_str()));
                self.err_help(path, format!("unknown actor \"{id}\""), help);
                None
            }
        }
    }
}

/// Ids must be present and unique within their table.
pub(crate) fn unique_ids<'a>(ctx: &mut Ctx, table: &str, ids: impl Iterator<Item = &'a str>) {
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

/// Resolves selectors to sorted population lists.
pub(crate) struct Resolver<'a> {
    idx: &'a PopIndex<'a>,
    /// Populations whose home is each actor, ascending.
    home_pops: Vec<Vec<u32>>,
}

impl<'a> Resolver<'a> {
    fn new(
        idx: &'a PopIndex<'a>,
        sc: &Scenario,
        pops: &[crate::model::checked::PopulationSpec],
        gens: &[crate::model::checked::GeneratorSpec],
        n_actors: usize,
    ) -> Self {
        let mut home_pops = vec![Vec::new(); n_actors];
        let mut push = |a: Option<u32>, p: u32| {
            if let Some(v) = a.and_then(|a| home_pops.get_mut(a as usize)) {
                v.push(p);
            }
        };
        for (i, p) in pops.iter().enumerate() {
            push(p.home, i as u32);
        }
        // Only a valid scenario is resolved in full; huge counts were reported already.
        if idx.total() <= MAX_POPULATIONS && gens.len() == sc.generators.len() {
            let mut next = pops.len() as u32;
            for g in gens {
                let homes: Vec<Option<u32>> = match &g.home {
                    crate::model::checked::Homes::All(h) => vec![*h; g.count as usize],
                    crate::model::checked::Homes::PerBlock(bh) => match &g.graph {
                        crate::model::checked::Graph::StochasticBlock { blocks, .. } => blocks
                            .iter()
                            .zip(bh)
                            .flat_map(|(&n, &h)| std::iter::repeat_n(Some(h), n as usize))
                            .collect(),
                        _ => Vec::new(),
                    },
                };
                for (j, h) in homes.into_iter().enumerate() {
                    push(h, next + j as u32);
                }
                next += g.count;
            }
        }
        Resolver { idx, home_pops }
    }

    /// The populations `sels` select, sorted and without repeats; problems go to `c`.
    pub fn selectors(&self, c: &mut Ctx, path: TomlPath, sels: &[String]) -> Vec<u32> {
        check_selectors(c, path, sels, self.idx);
        self.resolve(c, sels)
    }

    /// The populations `sels` select (unknown selectors select none). Past
    /// `MAX_POPULATIONS` the scenario is refused already: select none rather than list
    /// billions of indices.
    pub fn resolve(&self, c: &Ctx, sels: &[String]) -> Vec<u32> {
        let mut v = Vec::new();
        if self.idx.total() > MAX_POPULATIONS {
            return v;
        }
        for s in sels {
            match self.idx.resolve(s) {
                Ok(Selection::One(i)) => v.push(i),
                Ok(Selection::Range(a, b)) => v.extend(a..b),
                Ok(Selection::Home(a)) => {
                    if let Some(&i) = c.actor_ix.get(&a)
                        && let Some(h) = self.home_pops.get(i as usize)
                    {
                        v.extend(h);
                    }
                }
                Err(_) => {}
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Problems of a list of selectors (a population id, "all", "home:<actor>", "group:<prefix>").
pub(crate) fn check_selectors(c: &mut Ctx, path: TomlPath, sels: &[String], idx: &PopIndex) {
    if sels.is_empty() {
        c.err_help(
            path.clone(),
            "is empty",
            "name at least one population or selector",
        );
    }
    for (i, s) in sels.iter().enumerate() {
        if let Ok(Selection::Home(a)) = idx.resolve(s)
            && !idx.has_home(&a)
        {
            c.err_help(
                path.idx(i),
                format!("\"{s}\" selects no population: no population has home = \"{a}\""),
                "set `home` on that actor's populations, or name populations directly",
            );
        }
        if let Err(msg) = idx.resolve(s) {
            let cands = idx.candidates();
            c.err_help(
                path.idx(i),
                msg,
                suggest_help(s, cands.iter().map(|c| c.as_str()))
                    + " (selectors: a population id, \"all\", \"home:<actor>\", \"group:<prefix>\")",
            );
        }
    }
}
