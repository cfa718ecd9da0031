//! Heatmap with a diverging RdBu scale (negative = red, 0 = white, positive = blue).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    AXIS_LABEL_SIZE, Area, SMALL_SIZE, TICK_SIZE, TickFmt, draw_title, ensure_font, extra_decimals,
    fit_size, fmt_value_dec, guard, measure, no_data, ok, render, shown_note, text, text_size,
    text_vertical, text_vertical_at, ticks, valid_range, wrap_text,
};
use super::palette::{Diverging, MISSING, Scale, TEXT, TEXT_SOFT, text_on};
use super::{HEIGHT, Heatmap, PlotError, WIDTH};

/// At most this many rows are drawn; the title then says "first 60 of N rows".
pub const MAX_HEATMAP_ROWS: usize = 60;
/// At most this many columns are drawn.
pub const MAX_HEATMAP_COLS: usize = 120;
/// Cell values are printed when the shown grid has at most this many cells.
const MAX_ANNOTATED_CELLS: usize = 200;

const TOP: i32 = 72;
const MIN_CELL_H: i32 = 22;
const COLORBAR_W: i32 = 24;
const RIGHT: i32 = 170;
/// Longest vertical column label before its font shrinks.
const COL_LABEL_MAX: i32 = 200;

struct Layout {
    nr: usize,
    nc: usize,
    total_rows: usize,
    total_cols: usize,
    width: u32,
    height: u32,
    cell_h: i32,
    col_label_h: i32,
    vertical_cols: bool,
}

fn dims(c: &Heatmap) -> (usize, usize) {
    let rows = c.rows.len().max(c.values.len());
    let cols = c
        .values
        .iter()
        .map(|r| r.len())
        .max()
        .unwrap_or(0)
        .max(c.cols.len());
    (rows, cols)
}

fn layout(c: &Heatmap, measure: &dyn Fn(&str) -> i32) -> Layout {
    let (total_rows, total_cols) = dims(c);
    let nr = total_rows.min(MAX_HEATMAP_ROWS);
    let nc = total_cols.min(MAX_HEATMAP_COLS);
    let width = WIDTH;
    let left = left_width(c, nr, measure);
    let plot_w = width as i32 - left - RIGHT;
    let cell_w = plot_w / nc.max(1) as i32;
    let max_col_w = (0..nc)
        .map(|j| measure(c.cols.get(j).map(String::as_str).unwrap_or("")))
        .max()
        .unwrap_or(0);
    let vertical_cols = max_col_w > cell_w - 8;
    let col_label_h = if vertical_cols {
        max_col_w.min(COL_LABEL_MAX) + 14
    } else {
        32
    };
    let x_label_h = if c.x_label.is_empty() { 10 } else { 44 };
    let bottom = col_label_h + x_label_h;
    let fill = (HEIGHT as i32 - TOP - bottom) / nr.max(1) as i32;
    let cell_h = fill.max(MIN_CELL_H);
    let height = (TOP + cell_h * nr as i32 + bottom).max(HEIGHT as i32) as u32;
    Layout {
        nr,
        nc,
        total_rows,
        total_cols,
        width,
        height,
        cell_h,
        col_label_h,
        vertical_cols,
    }
}

fn left_width(c: &Heatmap, nr: usize, measure: &dyn Fn(&str) -> i32) -> i32 {
    let lw = (0..nr)
        .map(|i| measure(c.rows.get(i).map(String::as_str).unwrap_or("")))
        .max()
        .unwrap_or(0)
        .min(320);
    let y_desc = if c.y_label.is_empty() { 0 } else { 40 };
    16 + y_desc + lw + 12
}

/// Heatmap of `values` (rows × cols) on a diverging ColorBrewer RdBu scale:
/// **negative = red, 0 = white, positive = blue** (each side of 0 scaled to its
/// end of `range`), with a colour bar. Cells show their values when there
/// are at most 200 cells. The image grows taller for many rows; at most 60
/// rows (and 120 columns) are drawn, the title saying so.
pub fn heatmap(c: &Heatmap) -> Result<Vec<u8>, PlotError> {
    guard(|| {
        ensure_font()?;
        let lay = layout(c, &|s: &str| measure(s, TICK_SIZE).0);
        render(lay.width, lay.height, |root| draw(root, c, &lay))
    })
}

fn draw(root: &Area, c: &Heatmap, lay: &Layout) -> Result<(), PlotError> {
    let mut title = shown_note(&c.title, lay.nr, lay.total_rows, "rows");
    if lay.nc < lay.total_cols {
        title = format!("{title} (first {} of {} columns)", lay.nc, lay.total_cols);
    }
    draw_title(root, &title)?;
    let left = left_width(c, lay.nr, &|s: &str| measure(s, TICK_SIZE).0);
    let x0 = left;
    let x1 = lay.width as i32 - RIGHT;
    let y0 = TOP;
    let y1 = TOP + lay.cell_h * lay.nr as i32;
    if lay.nr == 0 || lay.nc == 0 {
        return no_data(root, (x0, y0, x1, lay.height as i32 - 60));
    }

    // Colour range.
    let range = valid_range(c.range).unwrap_or_else(|| {
        let m = c
            .values
            .iter()
            .flatten()
            .filter(|v| ok(**v))
            .fold(0.0f64, |m, v| m.max(v.abs()));
        if c.sequential {
            if m > 0.0 { (0.0, m) } else { (0.0, 1.0) }
        } else if m > 0.0 {
            (-m, m)
        } else {
            (-1.0, 1.0)
        }
    });
    let scale = if c.sequential {
        Scale::Sequential(range.0, range.1)
    } else {
        Scale::Diverging(Diverging::new(range))
    };
    let span = range.1 - range.0;
    // Enough decimals that cells with different values never read alike.
    let shown: Vec<f64> = c
        .values
        .iter()
        .take(lay.nr)
        .flat_map(|r| r.iter().take(lay.nc).copied())
        .collect();
    let extra = extra_decimals(&shown, span);

    let cx = |j: usize| x0 + ((x1 - x0) as f64 * j as f64 / lay.nc as f64).round() as i32;
    let cy = |i: usize| y0 + lay.cell_h * i as i32;
    let annotate = lay.nr * lay.nc <= MAX_ANNOTATED_CELLS;
    let cell_w = (x1 - x0) / lay.nc as i32;
    let cell_font = (lay.cell_h as f64 * 0.42).clamp(11.0, 17.0);
    let mut any_missing = false;
    for i in 0..lay.nr {
        for j in 0..lay.nc {
            let v = c
                .values
                .get(i)
                .and_then(|r| r.get(j))
                .copied()
                .unwrap_or(f64::NAN);
            let good = ok(v);
            any_missing |= !good;
            let bg = if good { scale.color(v) } else { MISSING };
            let (a, b) = ((cx(j), cy(i)), (cx(j + 1), cy(i + 1)));
            root.draw(&Rectangle::new([a, b], bg.filled()))?;
            if cell_w >= 6 && lay.cell_h >= 6 {
                root.draw(&Rectangle::new([a, b], WHITE.stroke_width(1)))?;
            }
            if annotate && good {
                let s = fmt_value_dec(v, span, extra);
                let (tw, _) = text_size(root, &s, cell_font);
                if tw <= (b.0 - a.0) - 4 && lay.cell_h >= 16 {
                    text(
                        root,
                        &s,
                        ((a.0 + b.0) / 2, (a.1 + b.1) / 2),
                        cell_font,
                        (HPos::Center, VPos::Center),
                        text_on(bg),
                    )?;
                }
            }
        }
    }

    // Row labels.
    let row_step = ((18.0 / lay.cell_h as f64).ceil() as usize).max(1);
    let row_font = if lay.cell_h < 26 { 15.0 } else { TICK_SIZE };
    for i in (0..lay.nr).step_by(row_step) {
        let l = c.rows.get(i).map(String::as_str).unwrap_or("");
        // Shrink, then wrap onto two lines; never cut.
        let size = fit_size(l, row_font, 11.0, 320);
        let lines = if measure(l, size).0 <= 320 {
            vec![l.to_string()]
        } else {
            wrap_text(l, size, 320)
        };
        let lh = (size * 1.15) as i32;
        let y_first = cy(i) + lay.cell_h / 2 - lh * (lines.len() as i32 - 1) / 2;
        for (k, line) in lines.iter().enumerate() {
            text(
                root,
                line,
                (x0 - 10, y_first + lh * k as i32),
                size,
                (HPos::Right, VPos::Center),
                TEXT_SOFT,
            )?;
        }
    }
    // Column labels.
    let col_px = (x1 - x0) as f64 / lay.nc as f64;
    let col_step = if lay.vertical_cols {
        ((20.0 / col_px).ceil() as usize).max(1)
    } else {
        1
    };
    for j in (0..lay.nc).step_by(col_step) {
        let l = c.cols.get(j).map(String::as_str).unwrap_or("");
        let mid = (cx(j) + cx(j + 1)) / 2;
        if lay.vertical_cols {
            let size = fit_size(l, TICK_SIZE, 11.0, COL_LABEL_MAX);
            text_vertical_at(root, l, (mid, y1 + 8), size, TEXT_SOFT)?;
        } else {
            text(
                root,
                l,
                (mid, y1 + 8),
                TICK_SIZE,
                (HPos::Center, VPos::Top),
                TEXT_SOFT,
            )?;
        }
    }
    // Axis labels.
    if !c.x_label.is_empty() {
        let size = fit_size(&c.x_label, AXIS_LABEL_SIZE, 13.0, x1 - x0);
        text(
            root,
            &c.x_label,
            ((x0 + x1) / 2, y1 + lay.col_label_h + 6),
            size,
            (HPos::Center, VPos::Top),
            TEXT,
        )?;
    }
    if !c.y_label.is_empty() {
        let size = fit_size(&c.y_label, AXIS_LABEL_SIZE, 13.0, y1 - y0);
        text_vertical(root, &c.y_label, (26, (y0 + y1) / 2), size, TEXT)?;
    }

    // Colour bar.
    let bx0 = x1 + 30;
    let bx1 = bx0 + COLORBAR_W;
    let bh = (y1 - y0).clamp(160, 420);
    let (by0, by1) = (y0, y0 + bh);
    colour_bar(root, (bx0, by0, bx1, by1), range, &scale, &c.colorbar_label)?;
    if any_missing {
        let y = by1 + 24;
        root.draw(&Rectangle::new([(bx0, y), (bx1, y + 16)], MISSING.filled()))?;
        text(
            root,
            "no data",
            (bx1 + 8, y + 8),
            SMALL_SIZE,
            (HPos::Left, VPos::Center),
            TEXT_SOFT,
        )?;
    }
    Ok(())
}

/// A vertical colour bar in `rect` (x0, y0, x1, y1) with ticks on its right and
/// a vertical label centred at `label_x`.
pub(crate) fn colour_bar(
    root: &Area,
    rect: (i32, i32, i32, i32),
    range: (f64, f64),
    scale: &Scale,
    label: &str,
) -> Result<(), PlotError> {
    let (x0, y0, x1, y1) = rect;
    let h = (y1 - y0).max(1);
    for k in 0..h {
        let t = 1.0 - (k as f64 + 0.5) / h as f64;
        let v = range.0 + t * (range.1 - range.0);
        root.draw(&Rectangle::new(
            [(x0, y0 + k), (x1, y0 + k + 1)],
            scale.color(v).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        RGBColor(0x99, 0x99, 0x99).stroke_width(1),
    ))?;
    let tk = ticks(range, 7);
    let f = TickFmt::for_ticks(&tk);
    let tick_font = SMALL_SIZE + 1.0;
    let max_tw = tk
        .iter()
        .map(|v| measure(&f.fmt(*v), tick_font).0)
        .max()
        .unwrap_or(0);
    for v in tk {
        let y = y1 - ((v - range.0) / (range.1 - range.0) * h as f64).round() as i32;
        root.draw(&PathElement::new(
            vec![(x1, y), (x1 + 5, y)],
            RGBColor(0x66, 0x66, 0x66).stroke_width(1),
        ))?;
        text(
            root,
            &f.fmt(v),
            (x1 + 8, y),
            tick_font,
            (HPos::Left, VPos::Center),
            TEXT_SOFT,
        )?;
    }
    if !label.is_empty() {
        let size = fit_size(label, 18.0, 11.0, h + 120);
        let lx = x1 + 8 + max_tw + 22;
        text_vertical(root, label, (lx, (y0 + y1) / 2), size, TEXT)?;
    }
    Ok(())
}
