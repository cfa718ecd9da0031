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
