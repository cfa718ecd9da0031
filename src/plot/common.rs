//! Shared plumbing: font registration, PNG rendering, text helpers, axis ranges,
//! tick formatting, legends and the common cartesian frame.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::backend::Canvas;
use super::glyphs::metrics;
use super::palette::{AXIS, GRID, TEXT, TEXT_SOFT};

/// The embedded font (DejaVu Sans); no system fonts are ever needed.
static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));

/// Font family name under which the embedded font is registered.
pub(crate) const FAMILY: &str = "sans-serif";

pub(crate) const TITLE_SIZE: f64 = 31.0;
pub(crate) const AXIS_LABEL_SIZE: f64 = 22.0;
pub(crate) const TICK_SIZE: f64 = 17.0;
pub(crate) const LEGEND_SIZE: f64 = 17.0;
pub(crate) const SMALL_SIZE: f64 = 14.0;

/// Values beyond this magnitude are treated like NaN (not drawable).
const MAX_ABS: f64 = 1e100;

pub(crate) type Area<'a> = DrawingArea<Canvas<'a>, Shift>;
pub(crate) type Chart<'a, 'b> =
    ChartContext<'a, Canvas<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Registers the embedded font once per process.
pub(crate) fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                plotters::style::register_font(FAMILY, style, FONT_BYTES)
                    .map_err(|_| "embedded font could not be parsed".to_string())?;
            }
            Ok(())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Runs a whole chart function, turning any unexpected panic inside the drawing
/// library into an error instead of unwinding into the caller.
pub(crate) fn guard<F>(f: F) -> Result<Vec<u8>, PlotError>
where
    F: FnOnce() -> Result<Vec<u8>, PlotError>,
{
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(PlotError::Internal(msg))
        }
    }
}

/// Renders a chart laid out on a logical `w`×`h` canvas (white background) in the
/// format of the current [`super::Output`]: a PNG of `scale` times the size, or an SVG
/// document whose physical width is the output's.
pub(crate) fn render<F>(w: u32, h: u32, draw: F) -> Result<Vec<u8>, PlotError>
where
    F: FnOnce(&Area) -> Result<(), PlotError>,
{
    ensure_font()?;
    let out = super::current_output();
    super::begin_layout(w, h);
    match out.format {
        super::Format::Png => {
            let scale = out.scale();
            let (pw, ph) = if scale == 1.0 {
                (w, h)
            } else {
                (
                    (w as f64 * scale).round() as u32,
                    (h as f64 * scale).round() as u32,
                )
            };
            let mut buf = vec![255u8; pw as usize * ph as usize * 3];
            {
                let inner = BitMapBackend::with_buffer(&mut buf, (pw, ph));
                let root = Canvas::Bitmap { inner, scale }.into_drawing_area();
                root.fill(&WHITE)?;
                draw(&root)?;
                root.present()?;
            }
            encode_png(pw, ph, &buf)
        }
        super::Format::Svg => {
            let mut doc = String::new();
            {
                let root =
                    Canvas::Svg(SVGBackend::with_string(&mut doc, (w, h))).into_drawing_area();
                root.fill(&WHITE)?;
                draw(&root)?;
                root.present()?;
            }
            Ok(physical_svg(doc, w, h, out.width_in).into_bytes())
        }
    }
}

/// Gives an SVG document a physical size (`width_in` inches wide, height in
/// proportion) while its view box keeps the logical pixels.
fn physical_svg(doc: String, w: u32, h: u32, width_in: f64) -> String {
    let from = format!("width=\"{w}\" height=\"{h}\"");
    let hin = width_in * h as f64 / w as f64;
    let to = format!(
        "width=\"{}in\" height=\"{}in\"",
        human(width_in, 4).replace(',', ""),
        human(hin, 4).replace(',', "")
    );
    doc.replacen(&from, &to, 1)
}

/// Fast deflate with the Sub filter: charts are mostly flat colour, so this is
/// several times quicker than adaptive filtering (which matters in debug
/// builds and tests) at the cost of somewhat larger files (~100–600 KB).
fn encode_png(w: u32, h: u32, buf: &[u8]) -> Result<Vec<u8>, PlotError> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub)
        .write_image(buf, w, h, image::ColorType::Rgb8)
        .map_err(|e| PlotError::Encode(e.to_string()))?;
    Ok(out)
}

// ---------------------------------------------------------------- text

fn area_is_svg(_area: &Area) -> bool {
    super::current_output().format == super::Format::Svg
}

pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&TEXT)
}

/// Vertical correction for plotters' ab_glyph backend, which places glyphs
/// about a quarter of the font size higher than the requested anchor.
fn glyph_shift(size: f64) -> i32 {
    (0.23 * size).round() as i32
}

/// Width and height of `s` in pixels at `size`.
pub(crate) fn text_size(_area: &Area, s: &str, size: f64) -> (i32, i32) {
    measure(s, size)
}

/// Width and height of `s` in pixels at `size` (the font must be registered).
pub(crate) fn measure(s: &str, size: f64) -> (i32, i32) {
    let h = (size / 1.24) as i32;
    match metrics(FONT_BYTES) {
        Some(m) => (m.width(s, size).ceil() as i32, h),
        None => (FAMILY, size)
            .into_font()
            .box_size(s)
            .map(|(w, h)| (w as i32, h as i32))
            .unwrap_or((0, h)),
    }
}

/// Shortens `s` with an ellipsis so that it fits into `max_w` pixels.
pub(crate) fn fit_text(area: &Area, s: &str, size: f64, max_w: i32) -> String {
    if text_size(area, s, size).0 <= max_w {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    // Largest prefix length whose "prefix…" fits.
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid].iter().collect::<String>() + "…";
        if text_size(area, &cand, size).0 <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return "…".to_string();
    }
    chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…"
}

/// Breaks `s` into lines no wider than `max_w` pixels at `size`, at spaces
/// where possible and inside a word only when the word alone is too wide.
/// Nothing is ever dropped: the lines joined give back the text.
pub(crate) fn wrap_text(s: &str, size: f64, max_w: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let cand = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if measure(&cand, size).0 <= max_w {
            cur = cand;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // The word alone: split it by characters if it still does not fit.
        for c in word.chars() {
            cur.push(c);
            if measure(&cur, size).0 > max_w && cur.chars().count() > 1 {
                cur.pop();
                lines.push(std::mem::take(&mut cur));
                cur.push(c);
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Draws `s` glyph by glyph (see [`super::glyphs`] for why), horizontally or
/// rotated by 270° (reading bottom to top).
#[allow(clippy::too_many_arguments)]
fn draw_glyphs(
    area: &Area,
    s: &str,
    pos: (i32, i32),
    size: f64,
    anchor: (HPos, VPos),
    color: RGBColor,
    vertical: bool,
) -> Result<(), PlotError> {
    if s.is_empty() {
        return Ok(());
    }
    let mut style = font(size).color(&color);
    if vertical {
        style = style.transform(FontTransform::Rotate270);
    }
    if area_is_svg(area) {
        // SVG text is placed and anchored by the viewer: one element per string.
        let style = style.pos(Pos::new(anchor.0, anchor.1));
        area.draw_text(s, &style, pos)?;
        return Ok(());
    }
    let shift = glyph_shift(size);
    let Some(m) = metrics(FONT_BYTES) else {
        let style = style.pos(Pos::new(anchor.0, anchor.1));
        let p = if vertical {
            (pos.0 + shift, pos.1)
        } else {
            (pos.0, pos.1 + shift)
        };
        area.draw_text(s, &style, p)?;
        return Ok(());
    };
    let style = style.pos(Pos::new(HPos::Left, anchor.1));
    let (glyphs, w) = m.layout(s, size);
    let start = match anchor.0 {
        HPos::Left => 0.0,
        HPos::Center => -w / 2.0,
        HPos::Right => -w,
    };
    let mut buf = [0u8; 4];
    for (c, pen, lsb) in glyphs {
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        let off = (start + pen).round() as i32 + lsb.floor() as i32;
        let p = if vertical {
            (pos.0 + shift, pos.1 - off)
        } else {
            (pos.0 + off, pos.1 + shift)
        };
        area.draw_text(c.encode_utf8(&mut buf), &style, p)?;
    }
    Ok(())
}

/// Text anchored at pixel `pos` with the given alignment, drawn horizontally.
pub(crate) fn text(
    area: &Area,
    s: &str,
    pos: (i32, i32),
    size: f64,
    anchor: (HPos, VPos),
    color: RGBColor,
) -> Result<(), PlotError> {
    draw_glyphs(area, s, pos, size, anchor, color, false)
}

/// Text rotated by 270° (reading bottom to top), centred on `pos`.
pub(crate) fn text_vertical(
    area: &Area,
    s: &str,
    pos: (i32, i32),
    size: f64,
    color: RGBColor,
) -> Result<(), PlotError> {
    draw_glyphs(
        area,
        s,
        pos,
        size,
        (HPos::Center, VPos::Center),
        color,
        true,
    )
}

/// Vertical text (reading bottom to top) whose end sits at `top`, so the
/// text hangs down from there (for labels under an axis).
pub(crate) fn text_vertical_at(
    area: &Area,
    s: &str,
    top: (i32, i32),
    size: f64,
    color: RGBColor,
) -> Result<(), PlotError> {
    let (w, _) = text_size(area, s, size);
    text_vertical(area, s, (top.0, top.1 + w / 2), size, color)
}

/// Text with a thin white halo, for labels drawn over busy content.
pub(crate) fn text_halo(
    area: &Area,
    s: &str,
    pos: (i32, i32),
    size: f64,
    anchor: (HPos, VPos),
    color: RGBColor,
) -> Result<(), PlotError> {
    for (dx, dy) in [
        (-1, -1),
        (0, -1),
        (1, -1),
        (-1, 0),
        (1, 0),
        (-1, 1),
        (0, 1),
        (1, 1),
    ] {
        text(area, s, (pos.0 + dx, pos.1 + dy), size, anchor, WHITE)?;
    }
    text(area, s, pos, size, anchor, color)
}

/// The largest font size in `min..=size` at which `s` fits `max_w` pixels
/// (`min` if none does).
pub(crate) fn fit_size(s: &str, size: f64, min: f64, max_w: i32) -> f64 {
    let mut f = size;
    while f > min && measure(s, f).0 > max_w {
        f -= 1.0;
    }
    f.max(min)
}

/// Draws the chart title centred at the top (shrunk, then wrapped onto two
/// lines if it is long; never cut); returns the height used.
pub(crate) fn draw_title(area: &Area, title: &str) -> Result<i32, PlotError> {
    let (w, _) = area.dim_in_pixel();
    let max_w = w as i32 - 40;
    let size = fit_size(title, TITLE_SIZE, 22.0, max_w);
    let lines = if measure(title, size).0 <= max_w {
        vec![title.to_string()]
    } else {
        wrap_text(title, size, max_w)
    };
    let line_h = (size * 1.2) as i32;
    for (k, l) in lines.iter().enumerate() {
        text(
            area,
            l,
            (w as i32 / 2, 12 + line_h * k as i32),
            size,
            (HPos::Center, VPos::Top),
            TEXT,
        )?;
    }
    Ok((62).max(12 + line_h * lines.len() as i32 + 14))
}

/// A centred "no data" note inside the given pixel rectangle.
pub(crate) fn no_data(area: &Area, rect: (i32, i32, i32, i32)) -> Result<(), PlotError> {
    text(
        area,
        "no data to show",
        ((rect.0 + rect.2) / 2, (rect.1 + rect.3) / 2),
        AXIS_LABEL_SIZE,
        (HPos::Center, VPos::Center),
        TEXT_SOFT,
    )
}

// ---------------------------------------------------------------- numbers

/// A finite value of sane magnitude.
pub(crate) fn ok(v: f64) -> bool {
    v.is_finite() && v.abs() < MAX_ABS
}

/// Min and max of the drawable values, if any.
pub(crate) fn extent<I: IntoIterator<Item = f64>>(vals: I) -> Option<(f64, f64)> {
    vals.into_iter().filter(|v| ok(*v)).fold(None, |acc, v| {
        Some(match acc {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        })
    })
}

/// Merges two optional extents.
pub(crate) fn merge(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match (a, b) {
        (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Turns an optional extent into a drawable axis range: pads by `frac` of the
/// span on each side, widens a degenerate (all-equal) range, and falls back
/// to 0..1 when there is no data at all.
pub(crate) fn axis_range(r: Option<(f64, f64)>, frac: f64) -> (f64, f64) {
    let Some((lo, hi)) = r else {
        return (0.0, 1.0);
    };
    if !(ok(lo) && ok(hi)) || lo > hi {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    // A span below a billionth of the values is rounding noise (e.g. a mean that is
    // the same at every sweep point): pad it like a constant, or the axis shows noise.
    if span <= 1e-9 * lo.abs().max(hi.abs()).max(1e-300) || span == 0.0 {
        let pad = if lo.abs() > 0.0 { lo.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    (lo - span * frac, hi + span * frac)
}

/// A y range for values bounded by `bounds` (e.g. stances in −1..1) that shows how
/// they move: the data's own extent, at least a twentieth of the bounds tall (so rounding
/// noise does not fill the plot), holding `zero` when that at most doubles the height
/// (so which side of neutral a line is on stays readable without flattening it),
/// padded by 8% and kept within `bounds`. `None` without finite values.
pub fn focus_range(
    vals: impl IntoIterator<Item = f64>,
    bounds: (f64, f64),
    zero: f64,
) -> Option<(f64, f64)> {
    let (blo, bhi) = valid_range(bounds)?;
    let (mut lo, mut hi) = extent(vals.into_iter().filter(|v| ok(*v)))?;
    let min_span = 0.05 * (bhi - blo);
    if hi - lo < min_span {
        let mid = 0.5 * (lo + hi);
        (lo, hi) = (mid - 0.5 * min_span, mid + 0.5 * min_span);
    }
    let span = hi - lo;
    if ok(zero) && hi.max(zero) - lo.min(zero) <= 2.0 * span {
        (lo, hi) = (lo.min(zero), hi.max(zero));
    }
    let pad = 0.08 * (hi - lo);
    let (mut lo, mut hi) = (lo - pad, hi + pad);
    // Shift a window that pokes out of the bounds back inside before cutting it.
    if lo < blo {
        hi = (hi + blo - lo).min(bhi);
        lo = blo;
    }
    if hi > bhi {
        lo = (lo - (hi - bhi)).max(blo);
        hi = bhi;
    }
    Some((lo, hi))
}

/// Validates a caller-given range; `None` if unusable.
pub(crate) fn valid_range(r: (f64, f64)) -> Option<(f64, f64)> {
    (ok(r.0) && ok(r.1) && r.1 > r.0).then_some(r)
}

/// Tick formatting that is consistent along one axis: same number of decimals,
/// thousands/millions shown with k/M/B suffixes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TickFmt {
    scale: f64,
    suffix: &'static str,
    decimals: usize,
    sci: bool,
}

impl TickFmt {
    /// Builds a formatter for the ticks plotters will choose on `range`.
    pub(crate) fn for_range(range: (f64, f64), max_ticks: usize) -> TickFmt {
        let ticks = ticks(range, max_ticks);
        Self::for_ticks(&ticks)
    }

    pub(crate) fn for_ticks(ticks: &[f64]) -> TickFmt {
        let max_abs = ticks.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let step = ticks
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(f64::INFINITY, f64::min);
        let step = if step.is_finite() && step > 0.0 {
            step
        } else {
            max_abs.max(1.0)
        };
        if max_abs > 0.0 && (max_abs >= 1e13 || (max_abs < 1e-3 && step < 1e-4)) {
            // Enough mantissa decimals (at most 3, i.e. 4 significant digits)
            // that neighbouring ticks never print alike.
            let decimals = (1..=3)
                .find(|d| {
                    let l: Vec<String> = ticks.iter().map(|v| format!("{v:.d$e}")).collect();
                    l.windows(2).all(|w| w[0] != w[1])
                })
                .unwrap_or(3);
            return TickFmt {
                scale: 1.0,
                suffix: "",
                decimals,
                sci: true,
            };
        }
        let (scale, suffix) = if max_abs >= 1e9 {
            (1e9, "B")
        } else if max_abs >= 1e6 {
            (1e6, "M")
        } else if max_abs >= 1e4 {
            (1e3, "k")
        } else {
            (1.0, "")
        };
        let s = step / scale;
        let mut decimals = 0;
        while decimals < 8 {
            let p = 10f64.powi(decimals as i32);
            if ((s * p).round() - s * p).abs() < 1e-6 * (s * p).max(1.0) {
                break;
            }
            decimals += 1;
        }
        TickFmt {
            scale,
            suffix,
            decimals,
            sci: false,
        }
    }

    pub(crate) fn fmt(&self, v: f64) -> String {
        if !v.is_finite() {
            return String::new();
        }
        if self.sci {
            if v == 0.0 {
                return "0".to_string();
            }
            return format!("{v:.*e}", self.decimals);
        }
        if v == 0.0 && !self.suffix.is_empty() {
            return "0".to_string();
        }
        let x = v / self.scale;
        let mut s = format!("{:.*}", self.decimals, x);
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s.remove(0); // no "-0.0"
        }
        s + self.suffix
    }
}

/// The tick values plotters picks for `range` (at most `max` of them).
pub(crate) fn ticks(range: (f64, f64), max: usize) -> Vec<f64> {
    use plotters::coord::ranged1d::Ranged;
    RangedCoordf64::from(range.0..range.1).key_points(max)
}

/// Decimals an annotation of a value of data span `span` starts from.
fn span_decimals(span: f64) -> usize {
    if span >= 100.0 {
        0
    } else if span >= 10.0 {
        1
    } else if span >= 0.1 || span == 0.0 {
        2
    } else {
        3
    }
}

/// Formats a value for annotations (cell text, bar labels) given the data
/// span, with `extra` decimals beyond those the span asks for; a non-zero
/// value always keeps two significant digits (never "0.000" for 0.0004), and an
/// exact zero prints as "0".
pub(crate) fn fmt_value_dec(v: f64, span: f64, extra: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        // Nothing at all reads as "0", not as a value rounded to "0.000".
        return "0".into();
    }
    let a = span.abs().max(v.abs());
    let s = if a >= 1e6 {
        TickFmt::for_ticks(&[0.0, v.abs().max(1e6)]).fmt_compact(v)
    } else {
        let mut d = if span == 0.0 && a >= 100.0 {
            0
        } else {
            span_decimals(span)
        } + extra;
        if v != 0.0 {
            // Two significant digits at least.
            let need = (1.0 - v.abs().log10().floor()).max(0.0) as usize;
            d = d.max(need).min(12);
        }
        group_thousands(&format!("{v:.d$}"))
    };
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// The fewest extra decimals (0..=3) for which the distinct values among `vals`
/// print as distinct labels under [`fmt_value_dec`].
pub(crate) fn extra_decimals(vals: &[f64], span: f64) -> usize {
    let mut uniq: Vec<f64> = vals.iter().copied().filter(|v| ok(*v)).collect();
    uniq.sort_by(f64::total_cmp);
    uniq.dedup();
    (0..=3)
        .find(|&e| {
            let l: Vec<String> = uniq.iter().map(|v| fmt_value_dec(*v, span, e)).collect();
            l.windows(2).all(|w| w[0] != w[1])
        })
        .unwrap_or(3)
}

/// "12345.6" → "12,345.6" (integer part only; at 10,000 and above, where the
/// digits become hard to count).
pub(crate) fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    if int.len() < 5 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{frac}")
}

/// A number for people: at most `sig` significant digits, no trailing zeros,
/// thousands separators from 10,000 (e.g. 0.4666666666666667 → "0.4667",
/// 0.30000000000000004 → "0.3", 25000 → "25,000").
pub fn human(v: f64, sig: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-4..15).contains(&mag) {
        let s = format!("{:.*e}", sig.saturating_sub(1), v);
        // Trim mantissa zeros: "1.500e-5" → "1.5e-5".
        return match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        };
    }
    let d = (sig as i32 - 1 - mag).max(0) as usize;
    let mut s = format!("{v:.d$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".into();
    }
    group_thousands(&s)
}

impl TickFmt {
    fn fmt_compact(&self, v: f64) -> String {
        if self.sci {
            return format!("{v:.1e}");
        }
        format!("{:.1}{}", v / self.scale, self.suffix)
    }
}

// ---------------------------------------------------------------- geometry

/// Clips the segment p–q to the rectangle (Liang–Barsky); `None` if outside.
pub(crate) fn clip_segment(
    p: (f64, f64),
    q: (f64, f64),
    x: (f64, f64),
    y: (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (pp, qq) in [
        (-dx, p.0 - x.0),
        (dx, x.1 - p.0),
        (-dy, p.1 - y.0),
        (dy, y.1 - p.1),
    ] {
        if pp == 0.0 {
            if qq < 0.0 {
                return None;
            }
        } else {
            let r = qq / pp;
            if pp < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    Some((
        (p.0 + t0 * dx, p.1 + t0 * dy),
        (p.0 + t1 * dx, p.1 + t1 * dy),
    ))
}

/// Splits a polyline at undrawable points and clips it to the box, returning
/// runs of connected points.
pub(crate) fn clipped_runs(
    pts: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    let inside = |p: (f64, f64)| p.0 >= x.0 && p.0 <= x.1 && p.1 >= y.0 && p.1 <= y.1;
    for &p in pts {
        if !(ok(p.0) && ok(p.1)) {
            if !cur.is_empty() {
                runs.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        match prev {
            None => {
                if inside(p) {
                    cur.push(p);
                }
            }
            Some(a) => match clip_segment(a, p, x, y) {
                Some((s, e)) => {
                    if cur.last() != Some(&s) {
                        if !cur.is_empty() {
                            runs.push(std::mem::take(&mut cur));
                        }
                        cur.push(s);
                    }
                    cur.push(e);
                    if e != p {
                        runs.push(std::mem::take(&mut cur));
                    }
                }
                None => {
                    if !cur.is_empty() {
                        runs.push(std::mem::take(&mut cur));
                    }
                }
            },
        }
        prev = Some(p);
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

// ---------------------------------------------------------------- frame

/// Options for a cartesian frame.
pub(crate) struct FrameSpec<'s> {
    pub x_label: &'s str,
    pub y_label: &'s str,
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// Draw x tick labels (false for categorical x axes drawn by the caller).
    pub x_ticks: bool,
    /// Draw y tick labels.
    pub y_ticks: bool,
    /// Vertical gridlines.
    pub x_grid: bool,
    /// Horizontal gridlines.
    pub y_grid: bool,
    /// Extra pixels below the plot for caller-drawn x labels.
    pub bottom_extra: i32,
    /// Extra pixels above the plot (e.g. for event-marker labels).
    pub top_extra: i32,
    /// Fixed width of the left label area (overrides the computed width).
    pub left_fixed: Option<i32>,
    pub right_margin: i32,
}

impl<'s> FrameSpec<'s> {
    pub(crate) fn new(x_label: &'s str, y_label: &'s str, x: (f64, f64), y: (f64, f64)) -> Self {
        FrameSpec {
            x_label,
            y_label,
            x,
            y,
            x_ticks: true,
            y_ticks: true,
            x_grid: true,
            y_grid: true,
            bottom_extra: 0,
            top_extra: 0,
            left_fixed: None,
            right_margin: 40,
        }
    }
}

pub(crate) const X_TICKS: usize = 10;
pub(crate) const Y_TICKS: usize = 8;

/// Left label width, bottom label height and x tick height of a frame.
fn frame_margins(w: u32, h: u32, spec: &FrameSpec) -> (i32, i32, i32) {
    let yf = TickFmt::for_range(spec.y, Y_TICKS);
    let y_tick_w = if spec.y_ticks {
        ticks(spec.y, Y_TICKS)
            .iter()
            .map(|v| measure(&yf.fmt(*v), TICK_SIZE).0)
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    let y_desc_w = if spec.y_label.is_empty() { 0 } else { 34 };
    let left = spec
        .left_fixed
        .unwrap_or(y_tick_w + 16 + y_desc_w + 14)
        .clamp(20, w as i32 / 2);
    let x_tick_h = if spec.x_ticks { 30 } else { 6 };
    let x_desc_h = if spec.x_label.is_empty() { 6 } else { 38 };
    let bottom = (x_tick_h + x_desc_h + spec.bottom_extra).clamp(10, h as i32 / 2);
    (left, bottom, x_tick_h)
}

/// The title's height as [`draw_title`] will use it on an image `w` wide.
pub(crate) fn title_height(w: u32, title: &str) -> i32 {
    let max_w = w as i32 - 40;
    let size = fit_size(title, TITLE_SIZE, 22.0, max_w);
    let n = if measure(title, size).0 <= max_w {
        1
    } else {
        wrap_text(title, size, max_w).len() as i32
    };
    (62).max(12 + (size * 1.2) as i32 * n + 14)
}

/// The pixel rectangle (x0, y0, x1, y1) that [`frame`] will give the plot on a
/// `w`×`h` image (for layout decisions before drawing, e.g. legend placement).
pub(crate) fn frame_rect(w: u32, h: u32, title: &str, spec: &FrameSpec) -> (i32, i32, i32, i32) {
    let (left, bottom, _) = frame_margins(w, h, spec);
    let top = title_height(w, title) + spec.top_extra;
    (
        left,
        top,
        w as i32 - spec.right_margin,
        h as i32 - 4 - bottom,
    )
}

/// Draws title, axes, gridlines, tick labels and axis labels; returns the
/// chart context for drawing the data.
pub(crate) fn frame<'a, 'b>(
    root: &'a Area<'b>,
    title: &str,
    spec: &FrameSpec,
) -> Result<Chart<'a, 'b>, PlotError> {
    let (w, h) = root.dim_in_pixel();
    let top = draw_title(root, title)? + spec.top_extra;
    let xf = TickFmt::for_range(spec.x, X_TICKS);
    let yf = TickFmt::for_range(spec.y, Y_TICKS);
    let (left, bottom, x_tick_h) = frame_margins(w, h, spec);
    let mut chart = ChartBuilder::on(root)
        .margin_top(top)
        .margin_right(spec.right_margin)
        .margin_left(8)
        .margin_bottom(4)
        .x_label_area_size(bottom)
        .y_label_area_size(left - 8)
        .build_cartesian_2d(spec.x.0..spec.x.1, spec.y.0..spec.y.1)?;

    // Tick labels are drawn below with our own text layout; the mesh draws
    // gridlines, axes and tick marks at the same key points.
    let blank = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(if spec.x_ticks { X_TICKS } else { 0 })
        .y_labels(if spec.y_ticks { Y_TICKS } else { 0 })
        .x_label_formatter(&blank)
        .y_label_formatter(&blank)
        .label_style(font(TICK_SIZE))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(5);
    if !spec.x_grid {
        mesh.disable_x_mesh();
    }
    if !spec.y_grid {
        mesh.disable_y_mesh();
    }
    mesh.draw()?;

    let (px, py) = chart.plotting_area().get_pixel_range();
    super::record_frame((px.start, py.start, px.end, py.end), spec.x, spec.y);
    if spec.x_ticks {
        for v in ticks(spec.x, X_TICKS) {
            let (x, _) = chart.backend_coord(&(v, spec.y.0));
            text(
                root,
                &xf.fmt(v),
                (x, py.end + 9),
                TICK_SIZE,
                (HPos::Center, VPos::Top),
                TEXT_SOFT,
            )?;
        }
    }
    if spec.y_ticks {
        for v in ticks(spec.y, Y_TICKS) {
            let (_, y) = chart.backend_coord(&(spec.x.0, v));
            text(
                root,
                &yf.fmt(v),
                (px.start - 10, y),
                TICK_SIZE,
                (HPos::Right, VPos::Center),
                TEXT_SOFT,
            )?;
        }
    }

    // Axis labels, placed by hand for consistent spacing.
    if !spec.x_label.is_empty() {
        let size = fit_size(spec.x_label, AXIS_LABEL_SIZE, 14.0, px.end - px.start);
        text(
            root,
            spec.x_label,
            (
                (px.start + px.end) / 2,
                py.end + x_tick_h + 8 + spec.bottom_extra,
            ),
            size,
            (HPos::Center, VPos::Top),
            TEXT,
        )?;
    }
    if !spec.y_label.is_empty() {
        let size = fit_size(spec.y_label, AXIS_LABEL_SIZE, 13.0, py.end - py.start);
        text_vertical(
            root,
            spec.y_label,
            (14 + 12, (py.start + py.end) / 2),
            size,
            TEXT,
        )?;
    }
    Ok(chart)
}

/// Pixel rectangle (x0, y0, x1, y1) of the chart's plotting area.
pub(crate) fn plot_rect(chart: &Chart) -> (i32, i32, i32, i32) {
    let (x, y) = chart.plotting_area().get_pixel_range();
    (x.start, y.start, x.end, y.end)
}

// ---------------------------------------------------------------- legend

/// What a legend entry shows next to its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    Line(RGBColor, u32),
    Dashed(RGBColor, u32),
    Dotted(RGBColor, u32),
    Circle(RGBColor),
    Diamond(RGBColor),
    Square(RGBColor),
    /// A filled band with a line through it.
    Band(RGBColor),
    /// A plain shaded box with the given opacity (for band explanations).
    Shade(RGBColor, f64),
    /// A dot on a capped whisker (interval charts).
    Whisker(RGBColor),
    /// A line in one of the patterns of [`draw_pattern`].
    Pattern(RGBColor, u32, u8),
}

pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

const LEGEND_ROW: i32 = 26;
/// Height of each extra line of a wrapped legend label.
const LEGEND_LINE: i32 = 20;
const LEGEND_SWATCH: i32 = 34;
const LEGEND_PAD: i32 = 10;

/// Legend box size in pixels for the given items (labels wrapped, never cut,
/// at `max_label_w`).
pub(crate) fn legend_size(_area: &Area, items: &[LegendItem], max_label_w: i32) -> (i32, i32) {
    legend_box(items, max_label_w)
}

/// [`legend_size`] without a drawing area (for layout before rendering).
pub(crate) fn legend_box(items: &[LegendItem], max_label_w: i32) -> (i32, i32) {
    let mut tw = 0;
    let mut h = LEGEND_PAD * 2 - 6;
    for it in items {
        let lines = wrap_text(&it.label, LEGEND_SIZE, max_label_w);
        for l in &lines {
            tw = tw.max(measure(l, LEGEND_SIZE).0);
        }
        h += LEGEND_ROW + LEGEND_LINE * (lines.len() as i32 - 1);
    }
    (LEGEND_PAD * 2 + LEGEND_SWATCH + 8 + tw, h)
}

/// Draws a legend box with its top-left corner at `at`.
pub(crate) fn draw_legend(
    area: &Area,
    items: &[LegendItem],
    at: (i32, i32),
    max_label_w: i32,
) -> Result<(), PlotError> {
    if items.is_empty() {
        return Ok(());
    }
    let (w, h) = legend_size(area, items, max_label_w);
    super::record_box(super::BoxKind::Legend, (at.0, at.1, at.0 + w, at.1 + h));
    area.draw(&Rectangle::new(
        [at, (at.0 + w, at.1 + h)],
        WHITE.mix(0.85).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [at, (at.0 + w, at.1 + h)],
        RGBColor(200, 200, 200).stroke_width(1),
    ))?;
    let mut row_y = at.1 + LEGEND_PAD + 10;
    for it in items.iter() {
        let cy = row_y;
        let x0 = at.0 + LEGEND_PAD;
        let x1 = x0 + LEGEND_SWATCH;
        let cx = (x0 + x1) / 2;
        match it.swatch {
            Swatch::Line(c, wd) => {
                area.draw(&PathElement::new(
                    vec![(x0, cy), (x1, cy)],
                    c.stroke_width(wd),
                ))?;
            }
            Swatch::Dashed(c, wd) => {
                area.draw(&DashedPathElement::new(
                    vec![(x0, cy), (x1, cy)],
                    7,
                    4,
                    c.stroke_width(wd),
                ))?;
            }
            Swatch::Dotted(c, wd) => {
                area.draw(&DashedPathElement::new(
                    vec![(x0, cy), (x1, cy)],
                    2,
                    4,
                    c.stroke_width(wd),
                ))?;
            }
            Swatch::Circle(c) => {
                area.draw(&Circle::new((cx, cy), 7, c.filled()))?;
                area.draw(&Circle::new((cx, cy), 7, WHITE.stroke_width(1)))?;
            }
            Swatch::Diamond(c) => {
                let r = 8;
                area.draw(&Polygon::new(
                    vec![(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)],
                    c.filled(),
                ))?;
            }
            Swatch::Square(c) => {
                area.draw(&Rectangle::new(
                    [(cx - 9, cy - 8), (cx + 9, cy + 8)],
                    c.filled(),
                ))?;
            }
            Swatch::Band(c) => {
                area.draw(&Rectangle::new(
                    [(x0, cy - 8), (x1, cy + 8)],
                    c.mix(0.25).filled(),
                ))?;
                area.draw(&PathElement::new(
                    vec![(x0, cy), (x1, cy)],
                    c.stroke_width(3),
                ))?;
            }
            Swatch::Shade(c, a) => {
                area.draw(&Rectangle::new(
                    [(x0, cy - 8), (x1, cy + 8)],
                    c.mix(a).filled(),
                ))?;
            }
            Swatch::Pattern(c, wd, k) => {
                draw_pattern(area, &[(x0, cy), (x1, cy)], c, wd, k)?;
            }
            Swatch::Whisker(c) => {
                area.draw(&PathElement::new(
                    vec![(x0, cy), (x1, cy)],
                    c.stroke_width(3),
                ))?;
                for x in [x0, x1] {
                    area.draw(&PathElement::new(
                        vec![(x, cy - 6), (x, cy + 6)],
                        c.stroke_width(2),
                    ))?;
                }
                area.draw(&Circle::new((cx, cy), 6, c.filled()))?;
                area.draw(&Circle::new((cx, cy), 6, WHITE.stroke_width(2)))?;
            }
        }
        let lines = wrap_text(&it.label, LEGEND_SIZE, max_label_w);
        for (k, l) in lines.iter().enumerate() {
            text(
                area,
                l,
                (x1 + 8, cy + LEGEND_LINE * k as i32),
                LEGEND_SIZE,
                (HPos::Left, VPos::Center),
                TEXT,
            )?;
        }
        row_y += LEGEND_ROW + LEGEND_LINE * (lines.len() as i32 - 1);
    }
    Ok(())
}

/// On and off lengths (pixels) of line patterns beyond solid, dashed and dotted:
/// 3 long dashes, 4 dash-dot.
const PATTERNS: [&[f64]; 2] = [&[20.0, 6.0], &[12.0, 4.0, 3.0, 4.0]];

/// Number of distinct line patterns (0 solid, 1 dashed, 2 dotted, 3 long dash,
/// 4 dash-dot).
pub(crate) const LINE_PATTERNS: u8 = 5;

/// Draws a polyline in pattern `k` (see [`LINE_PATTERNS`]; patterns 0–2 are drawn by
/// the callers with plotters' own elements).
pub(crate) fn draw_pattern(
    area: &Area,
    pts: &[(i32, i32)],
    color: RGBColor,
    width: u32,
    k: u8,
) -> Result<(), PlotError> {
    let style = color.stroke_width(width);
    let pattern = match k {
        0 => return Ok(area.draw(&PathElement::new(pts.to_vec(), style))?),
        1 => return Ok(area.draw(&DashedPathElement::new(pts.to_vec(), 10, 6, style))?),
        2 => return Ok(area.draw(&DashedPathElement::new(pts.to_vec(), 3, 5, style))?),
        _ => PATTERNS[((k - 3) as usize).min(PATTERNS.len() - 1)],
    };
    // Walk the line, switching on and off after each length of the pattern.
    let (mut idx, mut left, mut on) = (0usize, pattern[0], true);
    let mut current: Vec<(f64, f64)> = Vec::new();
    let flush = |seg: &mut Vec<(f64, f64)>| -> Result<(), PlotError> {
        if seg.len() >= 2 {
            let v: Vec<(i32, i32)> = seg
                .iter()
                .map(|p| (p.0.round() as i32, p.1.round() as i32))
                .collect();
            area.draw(&PathElement::new(v, style))?;
        }
        seg.clear();
        Ok(())
    };
    for w in pts.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut t = 0.0;
        while t < len {
            let step = left.min(len - t);
            let p0 = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            t += step;
            let p1 = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if on {
                if current.last() != Some(&p0) {
                    current.push(p0);
                }
                current.push(p1);
            }
            left -= step;
            if left <= 1e-9 {
                if on {
                    flush(&mut current)?;
                }
                idx = (idx + 1) % pattern.len();
                left = pattern[idx];
                on = idx % 2 == 0;
            }
        }
    }
    flush(&mut current)
}

/// Places a legend in the corner of the plotting rectangle that covers the
/// fewest data points (pixel coordinates); ties prefer upper-left, upper-right,
/// lower-left, lower-right. Returns the top-left corner.
pub(crate) fn best_corner(
    rect: (i32, i32, i32, i32),
    size: (i32, i32),
    pts: &[(i32, i32)],
) -> (i32, i32) {
    let m = 10;
    let cands = [
        (rect.0 + m, rect.1 + m),
        (rect.2 - m - size.0, rect.1 + m),
        (rect.0 + m, rect.3 - m - size.1),
        (rect.2 - m - size.0, rect.3 - m - size.1),
    ];
    let mut best = cands[0];
    let mut best_n = usize::MAX;
    for c in cands {
        let n = pts
            .iter()
            .filter(|p| {
                p.0 >= c.0 - 6
                    && p.0 <= c.0 + size.0 + 6
                    && p.1 >= c.1 - 6
                    && p.1 <= c.1 + size.1 + 6
            })
            .count();
        if n < best_n {
            best_n = n;
            best = c;
        }
    }
    best
}

/// Densifies a pixel polyline so that legend placement sees the segments,
/// not just the vertices.
pub(crate) fn densify(pts: &[(i32, i32)], out: &mut Vec<(i32, i32)>) {
    if pts.len() == 1 {
        out.push(pts[0]);
    }
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = ((b.0 - a.0).abs()).max((b.1 - a.1).abs()).max(1);
        let steps = (d / 8).clamp(1, 400);
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            out.push((
                a.0 + ((b.0 - a.0) as f64 * t) as i32,
                a.1 + ((b.1 - a.1) as f64 * t) as i32,
            ));
        }
    }
}

/// Truncates a label list for display.
pub(crate) fn shown_note(title: &str, shown: usize, total: usize, what: &str) -> String {
    if shown < total {
        format!("{title} (first {shown} of {total} {what})")
    } else {
        title.to_string()
    }
}
