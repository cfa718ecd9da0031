//! Join codes: one per team and one for the instructor, kept in `GAME/codes.toml` so a
//! restarted server hands out the same codes.
//!
//! Codes come from the operating system's random source (not the simulation's seeded
//! streams in `rng`: a code must be unguessable, not reproducible): 10 symbols from 32
//! letters and digits that cannot be misread (no 0/O, 1/I), 50 bits, e.g. `K7QMX-3RDWP`.

use super::super::Game;
use crate::error::{Error, Result};
use crate::output::write_atomic;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE: &str = "codes.toml";
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const SYMBOLS: usize = 10;

/// Who a code lets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Instructor,
    /// Team index, in game order.
    Team(usize),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    pub instructor: String,
    /// Team id → code.
    pub teams: BTreeMap<String, String>,
}

fn fresh() -> String {
    let mut rng = rand::rng();
    let s: String = (0..SYMBOLS)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &s[..SYMBOLS / 2], &s[SYMBOLS / 2..])
}

/// A code as written by [`fresh`]: refuses hand-edited codes that would be easy to guess.
fn well_formed(c: &str) -> bool {
    c.len() == SYMBOLS + 1
        && c.bytes().enumerate().all(|(i, b)| {
            if i == SYMBOLS / 2 {
                b == b'-'
            } else {
                ALPHABET.contains(&b)
            }
        })
}

/// Equality that takes the same time wherever the first difference is, so response
/// times do not reveal how much of a guessed code was right.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Codes {
    /// The codes of the game: read from `codes.toml`, completed for any team that has
    /// none, or created. Returns whether the file was written.
    pub fn load_or_create(g: &Game) -> Result<(Codes, bool)> {
        let path = g.dir.join(FILE);
        let mut codes = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let c: Codes = toml::from_str(&text).map_err(|e| {
                    Error::in_file(&path, format!("is not a file of join codes: {e}")).help(
                        "delete it to make new codes (the codes handed out before stop working)",
                    )
                })?;
                let all = std::iter::once(&c.instructor).chain(c.teams.values());
                if let Some(bad) = all.clone().find(|x| !well_formed(x)) {
                    return Err(Error::in_file(
                        &path,
                        format!("\"{bad}\" is not a join code written by softpower"),
                    )
                    .help("delete the file to make new codes"));
                }
                c
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Codes {
                instructor: String::new(),
                teams: BTreeMap::new(),
            },
            Err(e) => {
                return Err(Error::in_file(&path, format!("cannot be read: {e}")));
            }
        };
        let mut changed = false;
        let mut taken: Vec<String> = std::iter::once(codes.instructor.clone())
            .chain(codes.teams.values().cloned())
            .filter(|c| !c.is_empty())
            .collect();
        let mut new_code = || loop {
            let c = fresh();
            if !taken.contains(&c) {
                taken.push(c.clone());
                return c;
            }
        };
        if codes.instructor.is_empty() {
            codes.instructor = new_code();
            changed = true;
        }
        for t in &g.settings.teams {
            if !codes.teams.contains_key(t) {
                codes.teams.insert(t.clone(), new_code());
                changed = true;
            }
        }
        if changed {
            let text = format!(
                "# Join codes of `softpower exercise serve` (INSTRUCTOR ONLY: each team gets its own).\n# Delete this file to make new codes.\n{}",
                toml::to_string(&codes)?
            );
            write_atomic(&path, text.as_bytes())?;
        }
        Ok((codes, changed))
    }

    /// The role a code gives, or None. Every code is compared, whichever matches.
    pub fn role(&self, code: &str, teams: &[String]) -> Option<Role> {
        let mut found = None;
        if same(code, &self.instructor) {
            found = Some(Role::Instructor);
        }
        for (i, t) in teams.iter().enumerate() {
            if let Some(c) = self.teams.get(t)
                && same(code, c)
            {
                found = Some(Role::Team(i));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_codes_are_well_formed_and_differ() {
        let a: Vec<String> = (0..50).map(|_| fresh()).collect();
        assert!(a.iter().all(|c| well_formed(c)), "{a:?}");
        let mut b = a.clone();
        b.sort();
        b.dedup();
        assert_eq!(b.len(), a.len());
    }

    #[test]
    fn comparison_needs_every_byte() {
        assert!(same("AB-CD", "AB-CD"));
        assert!(!same("AB-CD", "AB-CE"));
        assert!(!same("AB-CD", "AB-C"));
        assert!(!same("", "A"));
    }
}
