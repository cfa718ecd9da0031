//! Horizontal metrics of the embedded TrueType font (advance widths, left side
//! bearings, legacy kerning), read straight from its `hhea`, `hmtx`, `maxp`,
//! `cmap` and `kern` tables.
//!
//! plotters' ab_glyph text path places each glyph at its pen position but
//! ignores the glyph's left side bearing, so narrow glyphs ("1", "i", "l")
//! drift left and words look unevenly spaced. We therefore lay text out
//! ourselves and hand plotters one glyph at a time, shifted by its bearing.

use std::sync::OnceLock;

fn u16_at(d: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(o)?, *d.get(o + 1)?]))
}
fn i16_at(d: &[u8], o: usize) -> Option<i16> {
    u16_at(d, o).map(|v| v as i16)
}
fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(o)?,
        *d.get(o + 1)?,
        *d.get(o + 2)?,
        *d.get(o + 3)?,
    ]))
}

enum Cmap {
    /// Format 12 groups: (first char, last char, first glyph).
    Groups(Vec<(u32, u32, u32)>),
    /// Format 4: subtable offset and segment count.
    Segments { off: usize, seg_count: usize },
}

pub(crate) struct Metrics {
    data: &'static [u8],
    /// Font units per pixel of plotters' font size (ascent − descent).
    height_units: f64,
    /// (advance, left side bearing) per glyph id.
    hmtx: Vec<(u16, i16)>,
    cmap: Cmap,
    /// Sorted (left, right, value) pairs from a format-0 `kern` subtable.
    kern: Vec<(u16, u16, i16)>,
}

impl Metrics {
    pub(crate) fn parse(data: &'static [u8]) -> Option<Metrics> {
        let num_tables = u16_at(data, 4)? as usize;
        let table = |tag: &[u8; 4]| -> Option<usize> {
            (0..num_tables).find_map(|i| {
                let rec = 12 + 16 * i;
                (data.get(rec..rec + 4)? == tag)
                    .then(|| u32_at(data, rec + 8).map(|o| o as usize))?
            })
        };
        let hhea = table(b"hhea")?;
        let hmtx_off = table(b"hmtx")?;
        let maxp = table(b"maxp")?;
        let cmap_off = table(b"cmap")?;
        let kern_off = table(b"kern");

        let ascent = i16_at(data, hhea + 4)? as f64;
        let descent = i16_at(data, hhea + 6)? as f64;
        let n_hm = u16_at(data, hhea + 34)? as usize;
        let n_glyphs = u16_at(data, maxp + 4)? as usize;
        let height_units = ascent - descent;
        if height_units <= 0.0 || n_hm == 0 {
            return None;
        }
        let mut hmtx = Vec::with_capacity(n_glyphs.max(n_hm));
        for g in 0..n_hm {
            hmtx.push((
                u16_at(data, hmtx_off + 4 * g)?,
                i16_at(data, hmtx_off + 4 * g + 2)?,
            ));
        }
        let last_adv = hmtx[n_hm - 1].0;
        for g in n_hm..n_glyphs {
            let lsb = i16_at(data, hmtx_off + 4 * n_hm + 2 * (g - n_hm)).unwrap_or(0);
            hmtx.push((last_adv, lsb));
        }

        // cmap: prefer Windows full Unicode (format 12), then Unicode BMP (format 4).
        let n_sub = u16_at(data, cmap_off + 2)? as usize;
        let mut f12 = None;
        let mut f4 = None;
        for i in 0..n_sub {
            let rec = cmap_off + 4 + 8 * i;
            let (plat, enc) = (u16_at(data, rec)?, u16_at(data, rec + 2)?);
            let off = cmap_off + u32_at(data, rec + 4)? as usize;
            let fmt = u16_at(data, off)?;
            let unicode = plat == 0 || (plat == 3 && (enc == 1 || enc == 10));
            if unicode && fmt == 12 && f12.is_none() {
                f12 = Some(off);
            }
            if unicode && fmt == 4 && f4.is_none() {
                f4 = Some(off);
            }
        }
        let cmap = if let Some(off) = f12 {
            let n = u32_at(data, off + 12)? as usize;
            let mut groups = Vec::with_capacity(n);
            for i in 0..n {
                let g = off + 16 + 12 * i;
                groups.push((u32_at(data, g)?, u32_at(data, g + 4)?, u32_at(data, g + 8)?));
            }
            Cmap::Groups(groups)
        } else {
            let off = f4?;
            Cmap::Segments {
                off,
                seg_count: u16_at(data, off + 6)? as usize / 2,
            }
        };

        let mut kern = Vec::new();
        if let Some(k) = kern_off
            && u16_at(data, k) == Some(0)
        {
            let n_tab = u16_at(data, k + 2).unwrap_or(0) as usize;
            let mut sub = k + 4;
            for _ in 0..n_tab {
                let (Some(len), Some(cov)) = (u16_at(data, sub + 2), u16_at(data, sub + 4)) else {
                    break;
                };
                // Horizontal, not minimum/cross-stream, format 0.
                if cov & 0x7 == 1 && cov >> 8 == 0 {
                    let n_pairs = u16_at(data, sub + 6).unwrap_or(0) as usize;
                    for p in 0..n_pairs {
                        let o = sub + 14 + 6 * p;
                        if let (Some(l), Some(r), Some(v)) =
                            (u16_at(data, o), u16_at(data, o + 2), i16_at(data, o + 4))
                        {
                            kern.push((l, r, v));
                        }
                    }
                }
                sub += len as usize;
            }
            kern.sort_unstable();
        }
        Some(Metrics {
            data,
            height_units,
            hmtx,
            cmap,
            kern,
        })
    }

    pub(crate) fn glyph(&self, c: char) -> u16 {
        let c = c as u32;
        match &self.cmap {
            Cmap::Groups(groups) => {
                let i = groups.partition_point(|g| g.1 < c);
                match groups.get(i) {
                    Some(&(s, _, g)) if s <= c => (g + (c - s)) as u16,
                    _ => 0,
                }
            }
            Cmap::Segments { off, seg_count } => {
                if c > 0xFFFF {
                    return 0;
                }
                let d = self.data;
                let (off, n) = (*off, *seg_count);
                let ends = off + 14;
                let starts = ends + 2 * n + 2;
                let deltas = starts + 2 * n;
                let ranges = deltas + 2 * n;
                for s in 0..n {
                    let Some(end) = u16_at(d, ends + 2 * s) else {
                        return 0;
                    };
                    if (end as u32) < c {
                        continue;
                    }
                    let start = u16_at(d, starts + 2 * s).unwrap_or(0xFFFF) as u32;
                    if start > c {
                        return 0;
                    }
                    let delta = u16_at(d, deltas + 2 * s).unwrap_or(0) as u32;
                    let ro = u16_at(d, ranges + 2 * s).unwrap_or(0) as usize;
                    if ro == 0 {
                        return ((c + delta) & 0xFFFF) as u16;
                    }
                    let addr = ranges + 2 * s + ro + 2 * (c - start) as usize;
                    return match u16_at(d, addr) {
                        Some(0) | None => 0,
                        Some(g) => ((g as u32 + delta) & 0xFFFF) as u16,
                    };
                }
                0
            }
        }
    }

    fn units(&self, g: u16) -> (f64, f64) {
        self.hmtx
            .get(g as usize)
            .map(|&(a, l)| (a as f64, l as f64))
            .unwrap_or((0.0, 0.0))
    }

    fn kern_units(&self, l: u16, r: u16) -> f64 {
        if self.kern.is_empty() {
            return 0.0;
        }
        match self.kern.binary_search_by(|p| (p.0, p.1).cmp(&(l, r))) {
            Ok(i) => self.kern[i].2 as f64,
            Err(_) => 0.0,
        }
    }

    /// Pen offsets (relative to the text start) and left side bearings, in
    /// pixels at plotters font size `size`, plus the total advance width.
    pub(crate) fn layout(&self, s: &str, size: f64) -> (Vec<(char, f64, f64)>, f64) {
        let k = size / self.height_units;
        let mut pen = 0.0;
        let mut prev: Option<u16> = None;
        let mut out = Vec::with_capacity(s.len());
        for c in s.chars() {
            let g = self.glyph(c);
            if let Some(p) = prev {
                pen += self.kern_units(p, g) * k;
            }
            let (adv, lsb) = self.units(g);
            out.push((c, pen, lsb * k));
            pen += adv * k;
            prev = Some(g);
        }
        (out, pen)
    }

    pub(crate) fn width(&self, s: &str, size: f64) -> f64 {
        self.layout(s, size).1
    }
}

/// Metrics of the embedded font (parsed once).
pub(crate) fn metrics(data: &'static [u8]) -> Option<&'static Metrics> {
    static M: OnceLock<Option<Metrics>> = OnceLock::new();
    M.get_or_init(|| Metrics::parse(data)).as_ref()
}
