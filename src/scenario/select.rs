//! Population numbering and target selectors.
//!
//! Populations are numbered in file order: explicit `[[population]]` blocks first, then each
//! `[[generate]]` block's populations (`<prefix>_<i>`, i from 0) in block order.
//! A selector is a population id, `all`, `home:<actor>` or `group:<prefix>`.

use super::types::Scenario;
use std::collections::HashMap;

pub struct PopIndex<'a> {
    explicit: HashMap<&'a str, u32>,
    /// (prefix, first index, count)
    groups: Vec<(&'a str, u32, u32)>,
    total: u64,
    sc: &'a Scenario,
}

pub enum Selection {
    One(u32),
    Range(u32, u32),
    /// Populations whose home is the given actor (explicit and generated).
    Home(String),
}

impl<'a> PopIndex<'a> {
    /// Numbers populations; generator counts are summed in u64 so huge counts can be reported.
    pub fn new(sc: &'a Scenario) -> Self {
        let mut explicit = HashMap::new();
        for (i, p) in sc.populations.iter().enumerate() {
            explicit.entry(p.id.as_str()).or_insert(i as u32);
        }
        let mut next = sc.populations.len() as u64;
        let mut groups = Vec::new();
        for g in &sc.generators {
            let first = next.min(u32::MAX as u64) as u32;
            let count = g.count.min(u32::MAX as u64) as u32;
            groups.push((g.prefix.as_str(), first, count));
            next = next.saturating_add(g.count);
        }
        PopIndex {
            explicit,
            groups,
            total: next,
            sc,
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn lookup(&self, id: &str) -> Option<u32> {
        if let Some(&i) = self.explicit.get(id) {
            return Some(i);
        }
        let (prefix, num) = id.rsplit_once('_')?;
        let k: u32 = num.parse().ok()?;
        if num.len() > 1 && num.starts_with('0') {
            return None;
        }
        self.groups
            .iter()
            .find(|(p, _, c)| *p == prefix && k < *c)
            .map(|(_, first, _)| first + k)
    }

    /// Names that a selector could have meant (for suggestions).
    pub fn candidates(&self) -> Vec<String> {
        let mut v: Vec<String> = self.sc.populations.iter().map(|p| p.id.clone()).collect();
        v.push("all".into());
        for (p, _, _) in &self.groups {
            v.push(format!("group:{p}"));
        }
        for a in &self.sc.actors {
            v.push(format!("home:{}", a.id));
        }
        v
    }

    /// Whether any population (explicit, or generated with a home) belongs to actor `a`.
    pub fn has_home(&self, a: &str) -> bool {
        self.sc
            .populations
            .iter()
            .any(|p| p.home.as_deref() == Some(a))
            || self.sc.generators.iter().any(|g| {
                g.home.as_deref() == Some(a)
                    || g.block_homes
                        .as_ref()
                        .is_some_and(|b| b.iter().any(|h| h == a))
            })
    }

    pub fn resolve(&self, sel: &str) -> Result<Selection, String> {
        if sel == "all" {
            return Ok(Selection::Range(0, self.total.min(u32::MAX as u64) as u32));
        }
        if let Some(a) = sel.strip_prefix("home:") {
            return if self.sc.actors.iter().any(|x| x.id == a) {
                Ok(Selection::Home(a.to_string()))
            } else {
                Err(format!("unknown actor \"{a}\" in selector \"{sel}\""))
            };
        }
        if let Some(g) = sel.strip_prefix("group:") {
            return match self.groups.iter().find(|(p, _, _)| *p == g) {
                Some((_, first, count)) => Ok(Selection::Range(*first, first + count)),
                None => Err(format!(
                    "unknown generator group \"{g}\" in selector \"{sel}\""
                )),
            };
        }
        self.lookup(sel)
            .map(Selection::One)
            .ok_or_else(|| format!("unknown population \"{sel}\""))
    }
}
