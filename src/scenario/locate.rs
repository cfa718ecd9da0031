//! Maps a table path to a line and column in the original TOML text.

use super::diagnostic::{Seg, TomlPath};
use toml_edit::{Array, ArrayOfTables, Document, Item, TableLike, Value};

pub struct Locator<'a> {
    text: &'a str,
    doc: Option<Document<String>>,
}

/// `text` with every integer beyond i64 (which toml_edit refuses, e.g. a `seed` of
/// 18446744073709551615 that serde reads as u64) replaced by `0` and spaces of the same
/// length, so every offset stays where it was and the other fields can still be located.
fn without_huge_integers(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        let part_of_float = (start > 0 && b[start - 1] == b'.')
            || (i < b.len() && matches!(b[i], b'.' | b'e' | b'E'));
        let digits: String = text[start..i].chars().filter(|c| *c != '_').collect();
        let huge = digits.len() >= 19 && digits.parse::<i64>().is_err();
        if huge && !part_of_float {
            out[start] = b'0';
            out[start + 1..i].fill(b' ');
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(out).unwrap_or_default()
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        let doc = Document::parse(text.to_string())
            .ok()
            .or_else(|| Document::parse(without_huge_integers(text)).ok());
        Locator { text, doc }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
        (line, col)
    }

    /// Byte offset of the deepest part of `path` found in the document.
    pub fn offset(&self, path: &TomlPath) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut node = Node::Table(doc.as_table(), None);
        let mut best: Option<usize> = None;
        for seg in &path.0 {
            let (next, key_off) = match (seg, &node) {
                (Seg::Key(k), Node::Table(t, _)) => match t.get_key_value(k) {
                    Some((key, it)) => (Node::of_item(it), key.span().map(|s| s.start)),
                    None => break,
                },
                (Seg::Index(i), Node::Tables(a)) => match a.get(*i) {
                    Some(t) => (Node::Table(t, t.span().map(|s| s.start)), None),
                    None => break,
                },
                (Seg::Index(i), Node::Array(a)) => match a.get(*i) {
                    Some(v) => (Node::of_value(v), None),
                    None => break,
                },
                _ => break,
            };
            best = next.span_start().or(key_off).or(best);
            node = next;
        }
        best
    }
}

/// The parts of a TOML document a path can walk through.
enum Node<'a> {
    Table(&'a dyn TableLike, Option<usize>),
    Tables(&'a ArrayOfTables),
    Array(&'a Array),
    Leaf(Option<usize>),
}

impl<'a> Node<'a> {
    fn of_item(it: &'a Item) -> Self {
        match it {
            Item::Table(t) => Node::Table(t, t.span().map(|s| s.start)),
            Item::ArrayOfTables(a) => Node::Tables(a),
            Item::Value(v) => Node::of_value(v),
            Item::None => Node::Leaf(None),
        }
    }
    fn of_value(v: &'a Value) -> Self {
        match v {
            Value::InlineTable(t) => Node::Table(t, t.span().map(|s| s.start)),
            Value::Array(a) => Node::Array(a),
            other => Node::Leaf(other.span().map(|s| s.start)),
        }
    }
    fn span_start(&self) -> Option<usize> {
        match self {
            Node::Table(_, s) => *s,
            Node::Tables(a) => a.span().map(|s| s.start),
            Node::Array(a) => a.span().map(|s| s.start),
            Node::Leaf(s) => *s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_paths() {
        let text = "[scenario]\nname = \"x\"\n\n[[campaign]]\nid = \"a\"\n\n[[campaign]]\nid = \"b\"\ntargets = [\"p\", \"q\"]\n";
        let loc = Locator::new(text);
        let p = TomlPath::root()
            .key("campaign")
            .idx(1)
            .key("targets")
            .idx(1);
        let (l, c) = loc.line_col(loc.offset(&p).unwrap());
        assert_eq!((l, c), (9, 17));
        let p = TomlPath::root().key("campaign").idx(0).key("id");
        assert_eq!(loc.line_col(loc.offset(&p).unwrap()).0, 5);
    }
}
