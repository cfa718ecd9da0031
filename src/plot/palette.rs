//! Colours: the Okabe–Ito categorical palette and a ColorBrewer RdBu diverging map.

use plotters::style::RGBColor;

/// Okabe–Ito colour-blind-safe palette, reordered so that the first colours
/// have good contrast on white (yellow comes last).
pub const CATEGORICAL: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x33, 0x33, 0x33), // near-black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The `i`-th categorical colour (cycles after 8).
pub fn categorical(i: usize) -> RGBColor {
    CATEGORICAL[i % CATEGORICAL.len()]
}

/// The palette slot of an instrument named as in scenarios (`fact_check`) or as in
/// figures (`fact-check`): one colour per instrument in every figure of a run and every
/// round of a game (budget bars, attribution bars, lines), whatever else a chart shows.
/// Slots follow [`crate::model::Instrument::ALL`], so they stay distinct.
pub fn instrument_slot(name: &str) -> Option<usize> {
    let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    crate::model::Instrument::ALL
        .iter()
        .find(|i| i.as_str() == n)
        .map(|i| i.index())
}

/// Palette slots of a chart's series: an instrument's name gets its own slot
/// ([`instrument_slot`]), then an explicit slot, then the series' position, unless
/// another series of the chart already holds that colour: such a series takes the
/// lowest slot still free, so no two series of a chart look alike.
pub(crate) fn series_slots<'a>(
    series: impl IntoIterator<Item = (&'a str, Option<usize>)>,
) -> Vec<usize> {
    let wanted: Vec<(Option<usize>, Option<usize>)> = series
        .into_iter()
        .map(|(name, explicit)| (instrument_slot(name), explicit))
        .collect();
    let mut taken: Vec<usize> = wanted
        .iter()
        .filter_map(|w| w.0.or(w.1))
        .map(|s| s % CATEGORICAL.len())
        .collect();
    wanted
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if let Some(s) = w.0.or(w.1) {
                return s;
            }
            let s = if taken.contains(&(i % CATEGORICAL.len())) {
                (0..)
                    .find(|k| {
                        !taken.contains(&(k % CATEGORICAL.len())) || *k >= i.max(CATEGORICAL.len())
                    })
                    .unwrap_or(i)
            } else {
                i
            };
            taken.push(s % CATEGORICAL.len());
            s
        })
        .collect()
}

pub(crate) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const TEXT_SOFT: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(crate) const GRID: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);
pub(crate) const MISSING: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
/// Actors in network plots.
pub(crate) const ACTOR: RGBColor = RGBColor(0x3A, 0x3F, 0x4B);
/// Social ties in network plots.
pub(crate) const SOCIAL_EDGE: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
/// Media reach edges in network plots (Okabe–Ito orange).
pub(crate) const MEDIA_EDGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Reference lines.
pub(crate) const REFERENCE: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// ColorBrewer RdBu (11 classes), from strong red (low) to strong blue (high).
const RDBU: [(u8, u8, u8); 11] = [
    (0x67, 0x00, 0x1F),
    (0xB2, 0x18, 0x2B),
    (0xD6, 0x60, 0x4D),
    (0xF4, 0xA5, 0x82),
    (0xFD, 0xDB, 0xC7),
    (0xF7, 0xF7, 0xF7),
    (0xD1, 0xE5, 0xF0),
    (0x92, 0xC5, 0xDE),
    (0x43, 0x93, 0xC3),
    (0x21, 0x66, 0xAC),
    (0x05, 0x30, 0x61),
];

/// Colour at position `t` in [0, 1] along RdBu (0 = red, 0.5 = white, 1 = blue).
pub fn rdbu(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
    let x = t * (RDBU.len() - 1) as f64;
    let i = (x.floor() as usize).min(RDBU.len() - 2);
    let f = x - i as f64;
    let (a, b) = (RDBU[i], RDBU[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A diverging colour scale over `range`: negative values red, positive blue,
/// zero white. When the range straddles 0 each side is scaled separately
/// (0 is always white); a range entirely ≥ 0 uses the white→blue half, a range
/// entirely ≤ 0 the red→white half.
#[derive(Debug, Clone, Copy)]
pub struct Diverging {
    lo: f64,
    hi: f64,
    center: f64,
}

impl Diverging {
    /// `range` must be finite with lo < hi (callers validate).
    pub fn new(range: (f64, f64)) -> Self {
        let (lo, hi) = range;
        let center = 0.0f64.clamp(lo, hi);
        Diverging { lo, hi, center }
    }

    /// Position in [0, 1] along RdBu for value `v`.
    pub fn position(&self, v: f64) -> f64 {
        if v.is_nan() {
            return 0.5;
        }
        let v = v.clamp(self.lo, self.hi);
        if v >= self.center {
            let d = self.hi - self.center;
            if d > 0.0 {
                0.5 + 0.5 * (v - self.center) / d
            } else {
                0.5
            }
        } else {
            let d = self.center - self.lo;
            if d > 0.0 {
                0.5 - 0.5 * (self.center - v) / d
            } else {
                0.5
            }
        }
    }

    pub fn color(&self, v: f64) -> RGBColor {
        rdbu(self.position(v))
    }
}

/// Black or white, whichever reads better on `bg`.
pub(crate) fn text_on(bg: RGBColor) -> RGBColor {
    let lum = 0.2126 * bg.0 as f64 + 0.7152 * bg.1 as f64 + 0.0722 * bg.2 as f64;
    if lum > 140.0 {
        TEXT
    } else {
        RGBColor(255, 255, 255)
    }
}

/// A diverging scale for *lines* on white: red (low) through dark grey (the
/// middle) to blue (high). Unlike RdBu it has no near-white middle, so a line
/// ending near 0 stays visible (contrast against white above 4.5:1 everywhere).
pub fn line_diverging(t: f64) -> RGBColor {
    const LO: (f64, f64, f64) = (0xB2 as f64, 0x18 as f64, 0x2B as f64);
    const MID: (f64, f64, f64) = (0x4D as f64, 0x4D as f64, 0x4D as f64);
    const HI: (f64, f64, f64) = (0x21 as f64, 0x66 as f64, 0xAC as f64);
    let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
    let (a, b, f) = if t < 0.5 {
        (LO, MID, t * 2.0)
    } else {
        (MID, HI, (t - 0.5) * 2.0)
    };
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Viridis (matplotlib's perceptually uniform, colour-blind-safe sequential
/// map) sampled at nine points, from dark purple (0) to yellow (1).
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C),
    (0x28, 0xAE, 0x80),
    (0x5E, 0xC9, 0x62),
    (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
];

/// Sequential colour at `t` in [0, 1] for shares and counts: light (low) to dark
/// (high), i.e. reversed viridis, so "more" always reads as "darker".
pub fn sequential(t: f64) -> RGBColor {
    let t = 1.0 - if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Density shading under coloured lines (many trajectories): light to dark grey, more =
/// darker. Achromatic, so every highlighted line in a [`CATEGORICAL`] colour stands out
/// from the cells it crosses (a viridis density hid the green and yellow lines).
pub fn density(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let v = (238.0 - 148.0 * t).round() as u8;
    RGBColor(v, v, v)
}

/// A colour scale for heatmaps and colour bars.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// Signed values around a meaningful zero.
    Diverging(Diverging),
    /// Non-negative quantities (shares, counts) over `(lo, hi)`.
    Sequential(f64, f64),
}

impl Scale {
    pub fn color(&self, v: f64) -> RGBColor {
        match self {
            Scale::Diverging(d) => d.color(v),
            Scale::Sequential(lo, hi) => sequential((v - lo) / (hi - lo)),
        }
    }
}

/// WCAG relative luminance of a colour.
pub fn luminance(c: RGBColor) -> f64 {
    let lin = |u: u8| {
        let s = u as f64 / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG contrast ratio between two colours (1 = none, 21 = black on white).
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}
