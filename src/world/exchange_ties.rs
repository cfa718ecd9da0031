//! Which home populations each exchange target is tied to.
//!
//! Participants in an exchange make friends in the actor's home public, so the exchanges
//! phase strengthens ties between each target population and home populations. Linking
//! every target to every home population made ties grow as targets × home populations;
//! instead each target links to at most `HOME_LINKS` of them, so ties grow as
//! targets × `HOME_LINKS`. The links are spread evenly and deterministically: the i-th
//! target (in index order) links to the home populations at positions
//! i·k, i·k + 1, …, i·k + k − 1 (mod H) of the actor's home list, so every home population
//! receives about targets·k/H links. With H ≤ k every target links to every home
//! population, exactly as before. The exchanges phase multiplies each link's gain by
//! H / min(H, k) (`gain_scale`), so what a target's ties to the home public gain in total
//! does not depend on k.
//!
//! `ExchangeTies` lists, for every population, the entries of its own row of the tie
//! matrix that exchanges strengthen, with the campaign that strengthens each, so the
//! exchanges phase can work row by row in parallel (rows of home populations are shared
//! by many targets and campaigns).

use super::Csr;
use crate::model::Instrument;
use crate::model::checked::CampaignSpec;

/// Home populations each exchange target is linked to at most (k).
pub const HOME_LINKS: usize = crate::model::EXCHANGE_HOME_LINKS;

/// The (target, home population) pairs of one exchange campaign, targets in the given
/// order and, per target, home populations in home-list order; a population is never
/// linked to itself.
pub fn links(targets: &[u32], home: &[u32]) -> Vec<(u32, u32)> {
    let h = home.len();
    let k = HOME_LINKS.min(h);
    let mut out = Vec::with_capacity(targets.len() * k);
    for (i, &t) in targets.iter().enumerate() {
        if k == h {
            out.extend(home.iter().filter(|&&x| x != t).map(|&x| (t, x)));
            continue;
        }
        // k consecutive positions starting at i·k, wrapping; listed in home-list order.
        let start = (i * k) % h;
        let (wrapped, tail) = (start + k)
            .checked_sub(h)
            .map_or((0, start..start + k), |w| (w, start..h));
        let picked = (0..wrapped).chain(tail);
        out.extend(picked.map(|j| home[j]).filter(|&x| x != t).map(|x| (t, x)));
    }
    out
}

/// The tie entries exchanges strengthen, grouped by the row (population) that holds them:
/// row p's are `entries[offsets[p]..offsets[p + 1]]`, each `(campaign, position within
/// row p of the tie matrix)`, in campaign order, then in `links` order. Both directions of
/// a link are listed: target→home in the target's row, home→target in the home
/// population's row. Ties grow as targets × k, so this does too.
#[derive(Debug, Clone, Default)]
pub struct ExchangeTies {
    pub offsets: Vec<usize>,
    pub entries: Vec<(u32, u32)>,
    /// Per campaign, `gain_scale` of its actor's home (1 for other instruments).
    pub scale: Vec<f32>,
}

impl ExchangeTies {
    /// The entries of every exchange campaign's links that exist in `ties`; `home[a]` is
    /// actor a's home populations.
    pub fn new(campaigns: &[CampaignSpec], home: &[Vec<u32>], ties: &Csr) -> ExchangeTies {
        let n = ties.len();
        let mut found: Vec<(u32, u32, u32)> = Vec::new(); // (row, campaign, position)
        let mut scale = vec![1.0; campaigns.len()];
        for (ci, c) in campaigns.iter().enumerate() {
            if c.instrument != Instrument::Exchange {
                continue;
            }
            let home = &home[c.actor as usize];
            scale[ci] = gain_scale(home.len());
            for (t, h) in links(&c.targets, home) {
                let (t, h) = (t as usize, h as usize);
                if let (Some(a), Some(b)) = (ties.slot(t, h as u32), ties.slot(h, t as u32)) {
                    let pos = |row: usize, e: usize| (e - ties.offsets[row]) as u32;
                    found.push((t as u32, ci as u32, pos(t, a)));
                    found.push((h as u32, ci as u32, pos(h, b)));
                }
            }
        }
        // Stable counting sort by row keeps campaign order within each row.
        let mut offsets = vec![0usize; n + 1];
        for &(r, _, _) in &found {
            offsets[r as usize + 1] += 1;
        }
        for p in 0..n {
            offsets[p + 1] += offsets[p];
        }
        let mut fill = offsets.clone();
        let mut entries = vec![(0, 0); found.len()];
        for (r, ci, e) in found {
            entries[fill[r as usize]] = (ci, e);
            fill[r as usize] += 1;
        }
        ExchangeTies {
            offsets,
            entries,
            scale,
        }
    }

    /// Row p's entries.
    #[inline]
    pub fn of(&self, p: usize) -> &[(u32, u32)] {
        &self.entries[self.offsets[p]..self.offsets[p + 1]]
    }
}

/// Factor on each link's gain, H / min(H, k) for H home populations: 1 when every home
/// population is linked.
pub fn gain_scale(home_count: usize) -> f32 {
    if home_count <= HOME_LINKS {
        1.0
    } else {
        home_count as f32 / HOME_LINKS as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_home_populations_are_all_linked_in_order() {
        let home = [10, 11, 12];
        assert_eq!(
            links(&[1, 11], &home),
            vec![(1, 10), (1, 11), (1, 12), (11, 10), (11, 12)]
        );
        assert_eq!(gain_scale(3), 1.0);
    }

    #[test]
    fn many_home_populations_get_k_links_per_target_spread_evenly() {
        let home: Vec<u32> = (1000..1100).collect();
        let targets: Vec<u32> = (0..500).collect();
        let l = links(&targets, &home);
        assert_eq!(l.len(), 500 * HOME_LINKS);
        let mut per_home = vec![0usize; home.len()];
        for &(t, h) in &l {
            assert!(targets.contains(&t));
            per_home[(h - 1000) as usize] += 1;
        }
        // 500 · 8 / 100 = 40 links each.
        assert!(per_home.iter().all(|&c| c == 40), "{per_home:?}");
        // A target's links are distinct and in home-list order.
        for t in l.chunks(HOME_LINKS) {
            assert!(t.windows(2).all(|w| w[0].1 < w[1].1), "{t:?}");
        }
        assert_eq!(gain_scale(100), 100.0 / HOME_LINKS as f32);
    }

    #[test]
    fn a_target_at_home_is_not_linked_to_itself() {
        let home: Vec<u32> = (0..20).collect();
        let l = links(&home, &home);
        assert!(l.iter().all(|&(t, h)| t != h));
        assert!(l.len() >= 20 * (HOME_LINKS - 1));
    }
}
