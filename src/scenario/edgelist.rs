//! Edge-list files for `graph = { model = "edge_list", file = "..." }`.
//!
//! One undirected tie per line, `u v`: 0-based node indices (networkx's
//! `write_edgelist(G, path, data=False)` writes exactly this). Blank lines and `#`
//! comments are skipped. Self-loops and repeated ties are errors rather than silently
//! merged: a file that has them was not written for this purpose.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::SystemTime;

pub type Edges = Arc<Vec<(u32, u32)>>;

/// Lists already read and checked by this process, by canonical path and count. Every
/// strategy, sweep point and uncertain draw checks the scenario again; with this a large
/// file is read once per command. Entries are weak (a list lives as long as a checked
/// scenario holds it, so a long-lived process does not accumulate lists), and the file's
/// length and modification time must match, so an edited file is read again.
type Stamp = (u64, Option<SystemTime>);
type Known = HashMap<(PathBuf, u64), (Stamp, Weak<Vec<(u32, u32)>>)>;
static READ: Mutex<Option<Known>> = Mutex::new(None);

/// Parses an edge list over nodes `0..count`; the message names the line at fault.
pub fn read(path: &Path, count: u64) -> Result<Edges, String> {
    let key = std::fs::canonicalize(path)
        .ok()
        .zip(std::fs::metadata(path).ok());
    let key = key
        .filter(|(_, m)| m.is_file())
        .map(|(p, m)| ((p, count), (m.len(), m.modified().ok())));
    if let Some((k, stamp)) = &key {
        let read = READ.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, w)) = read.as_ref().and_then(|m| m.get(k))
            && s == stamp
            && let Some(edges) = w.upgrade()
        {
            return Ok(edges);
        }
    }
    let text = super::load::read_regular_text(path).map_err(|e| format!("cannot read it: {e}"))?;
    let edges = Arc::new(parse(&text, count)?);
    if let Some((k, stamp)) = key {
        let mut read = READ.lock().unwrap_or_else(|e| e.into_inner());
        let map = read.get_or_insert_with(HashMap::new);
        map.retain(|_, (_, w)| w.strong_count() > 0);
        map.insert(k, (stamp, Arc::downgrade(&edges)));
    }
    Ok(edges)
}

pub fn parse(text: &str, count: u64) -> Result<Vec<(u32, u32)>, String> {
    let mut edges: Vec<(u32, u32, u32)> = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        let ln = ln as u32 + 1;
        let body = line.split('#').next().unwrap_or("").trim();
        if body.is_empty() {
            continue;
        }
        let mut it = body.split_whitespace();
        let (Some(a), Some(b), None) = (it.next(), it.next(), it.next()) else {
            return Err(format!(
                "line {ln}: expected two node indices \"u v\", found \"{body}\""
            ));
        };
        let node = |s: &str| -> Result<u32, String> {
            match s.parse::<u64>() {
                // Node ids are u32: a count beyond 2^32 must not wrap an index around.
                Ok(v) if v < count && v <= u32::MAX as u64 => Ok(v as u32),
                Ok(v) => Err(format!(
                    "line {ln}: node {v} is out of range; allowed: 0 to {} (the generator's count is {count})",
                    count - 1
                )),
                Err(_) => Err(format!(
                    "line {ln}: \"{s}\" is not a node index; allowed: whole numbers 0 to {}",
                    count.saturating_sub(1)
                )),
            }
        };
        let (a, b) = (node(a)?, node(b)?);
        if a == b {
            return Err(format!(
                "line {ln}: self-loop {a} {b}; ties join two populations"
            ));
        }
        edges.push((a.min(b), a.max(b), ln));
    }
    edges.sort_unstable();
    if let Some(w) = edges
        .windows(2)
        .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    {
        let (first, again) = (w[0].2.min(w[1].2), w[0].2.max(w[1].2));
        return Err(format!(
            "line {again}: tie {} {} is listed again (first at line {first}); give each tie once",
            w[0].0, w[0].1
        ));
    }
    // Keep the file's order so the CSR (and thus every result) follows the file.
    edges.sort_unstable_by_key(|e| e.2);
    Ok(edges.into_iter().map(|(a, b, _)| (a, b)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_networkx_style_lines() {
        let e = parse(
            "# made by networkx\n0 1\n1 2\n\n2 0 # closing the ring\n",
            3,
        )
        .unwrap();
        assert_eq!(e, vec![(0, 1), (1, 2), (0, 2)]);
    }

    #[test]
    fn a_file_is_read_once_while_a_scenario_holds_it_and_again_once_edited() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("ring.edges");
        std::fs::write(&f, "0 1\n1 2\n").unwrap();
        let first = read(&f, 3).unwrap();
        // Through another spelling of the same path: the same list, not a second copy.
        let again = read(&d.path().join(".").join("ring.edges"), 3).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        // Checked against another count, it is checked again.
        assert!(read(&f, 2).is_err());
        std::fs::write(&f, "0 1\n1 2\n2 0\n").unwrap();
        let edited = read(&f, 3).unwrap();
        assert_eq!(*edited, vec![(0, 1), (1, 2), (0, 2)]);
        assert_eq!(*first, vec![(0, 1), (1, 2)]);
    }

    #[test]
    fn an_index_beyond_u32_is_refused_not_wrapped_around() {
        let e = parse("4294967296 1\n", (1 << 32) + 5).unwrap_err();
        assert!(e.contains("node 4294967296 is out of range"), "{e}");
    }

    #[test]
    fn errors_name_the_line_and_the_rule() {
        let cases = [
            (
                "0 1\n1 3\n",
                "line 2: node 3 is out of range; allowed: 0 to 2",
            ),
            ("0 x\n", "line 1: \"x\" is not a node index"),
            ("0 1 2\n", "line 1: expected two node indices"),
            ("1 1\n", "line 1: self-loop"),
            (
                "0 1\n2 0\n1 0\n",
                "line 3: tie 0 1 is listed again (first at line 1)",
            ),
            ("0 -1\n", "\"-1\" is not a node index"),
        ];
        for (text, want) in cases {
            let e = parse(text, 3).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
