//! Errors about a scenario file: each names the file, line, column and table path,
//! what was found and what is allowed.

use std::fmt;
use std::path::PathBuf;

/// One step of a table path such as `campaign[2].targets[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A table path inside the scenario document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TomlPath(pub Vec<Seg>);

impl TomlPath {
    pub fn root() -> Self {
        TomlPath(Vec::new())
    }
    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_string()));
        TomlPath(v)
    }
    pub fn idx(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        TomlPath(v)
    }
}

impl fmt::Display for TomlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            match s {
                Seg::Key(k) => {
                    if !first {
                        write!(f, ".")?;
                    }
                    write!(f, "{k}")?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub path: TomlPath,
    pub message: String,
    pub help: Option<String>,
    /// 1-based line and column, filled in by the locator when the path is found in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Diagnostic {
    pub fn new(path: TomlPath, message: impl Into<String>) -> Self {
        Diagnostic {
            path,
            message: message.into(),
            help: None,
            line: None,
            column: None,
        }
    }
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
}

/// All problems found in one scenario file.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    pub file: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        for (i, d) in self.diagnostics.iter().enumerate() {
            write!(f, "error: {}", self.file.display())?;
            if let (Some(l), Some(c)) = (d.line, d.column) {
                write!(f, ":{l}:{c}")?;
            }
            write!(f, ": ")?;
            if !d.path.0.is_empty() {
                write!(f, "{}: ", d.path)?;
            }
            write!(f, "{}", d.message)?;
            if let Some(h) = &d.help {
                write!(f, "\n  help: {h}")?;
            }
            if i + 1 < n {
                writeln!(f)?;
            }
        }
        if n > 1 {
            write!(f, "\n{n} problems found in {}", self.file.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// "did you mean" for an unknown name: the candidate with the fewest edits
/// (optimal string alignment, so a swapped pair of letters is one edit), if close enough.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// A help line suggesting the nearest valid name, or listing what is allowed.
pub fn suggest_help<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match nearest(name, candidates.clone()) {
        Some(c) => format!("did you mean \"{c}\"?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().take(12).collect();
            if all.is_empty() {
                "none are declared".to_string()
            } else {
                format!("declared: {}", all.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display() {
        let p = TomlPath::root()
            .key("campaign")
            .idx(2)
            .key("targets")
            .idx(0);
        assert_eq!(p.to_string(), "campaign[2].targets[0]");
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            nearest("fr_yuoth", ["fr_youth", "de_elites"]),
            Some("fr_youth")
        );
        assert_eq!(nearest("zzz", ["fr_youth"]), None);
        assert_eq!(nearest("uas", ["usa", "uk"]), Some("usa"));
        assert_eq!(nearest("budgte", ["budget", "kind"]), Some("budget"));
    }
}
