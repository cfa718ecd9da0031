//! Cartesian charts: lines, scatter, fan (band) charts, intervals and bars.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    Area, Chart, FrameSpec, LINE_PATTERNS, LegendItem, SMALL_SIZE, Swatch, TICK_SIZE, axis_range,
    best_corner, clipped_runs, densify, draw_legend, draw_pattern, extent, extra_decimals,
    fit_text, fmt_value_dec, frame, frame_rect, guard, human, legend_box, legend_size, measure,
    merge, no_data, ok, plot_rect, render, shown_note, text, text_halo, text_size,
    text_vertical_at, valid_range,
};
use super::palette::{
    CATEGORICAL, REFERENCE, TEXT, TEXT_SOFT, categorical, density, line_diverging,
};
use super::{
    BandChart, BarChart, HEIGHT, IntervalChart, LineChart, PlotError, ScatterChart, WIDTH,
};

/// Legend labels inside the plot wrap at this many pixels.
const LEGEND_TEXT_W: i32 = 360;
/// Legend labels of a legend outside the plot wrap at this many pixels.
const LEGEND_OUT_W: i32 = 300;
/// Event markers (dashed lines and their labels).
const MARKER: RGBColor = RGBColor(0x55, 0x55, 0x55);

fn px(chart: &Chart, p: (f64, f64)) -> (i32, i32) {
    chart.backend_coord(&p)
}

// ---------------------------------------------------------------- trajectories

/// Above this many series, [`trajectories`] draws a density with a few
/// highlighted lines instead of every line.
pub const MAX_TRAJECTORY_LINES: usize = 60;
/// Vertical resolution of the density (bins over the y range).
const DENSITY_Y_BINS: usize = 120;
/// Horizontal resolution cap of the density (columns over the x range).
const DENSITY_X_BINS: usize = 400;

/// Per-population trajectories, the classic picture of opinion dynamics.
///
/// Up to [`MAX_TRAJECTORY_LINES`] series: one line each, coloured by its last
/// value on a red–grey–blue map with no pale middle (a line ending at 0 stays
/// dark grey). More series: a density heat strip (the share of series in each
/// cell, light to dark) with five highlighted lines, the series ending at the
/// minimum, the quartiles and the maximum of the final value, named in a legend
/// outside the plot. Drawing cost then grows with ticks, not with series.
/// `y_range` is the scale of the values (line colours follow it); the axis shows
/// the part of it the series move in, with 0 when that keeps them readable.
pub fn trajectories(c: &LineChart) -> Result<Vec<u8>, PlotError> {
    guard(|| {
        let dense = c.series.len() > MAX_TRAJECTORY_LINES;
        render(WIDTH, HEIGHT, |root| {
            if dense {
                draw_density(root, c)
            } else {
                draw_few_trajectories(root, c)
            }
        })
    })
}

fn last_value(s: &super::Series) -> Option<f64> {
    s.points
        .iter()
        .rev()
        .find(|p| ok(p.0) && ok(p.1))
        .map(|p| p.1)
}

fn draw_few_trajectories(root: &Area, c: &LineChart) -> Result<(), PlotError> {
    let (chart, xr, yr) = line_frame_y(root, c, 40, trajectory_axis(c))?;
    // Colours follow the value scale, not the focused axis.
    let scale = c.y_range.and_then(valid_range).unwrap_or(yr);
    let mut any = false;
    for s in &c.series {
        let last = last_value(s).unwrap_or(0.5 * (scale.0 + scale.1));
        let color = line_diverging((last - scale.0) / (scale.1 - scale.0));
        for run in clipped_runs(&s.points, xr, yr) {
            let pts: Vec<(i32, i32)> = run.iter().map(|p| px(&chart, *p)).collect();
            any = true;
            root.draw(&PathElement::new(pts, color.mix(0.85).stroke_width(2)))?;
        }
    }
    if !any {
        no_data(root, plot_rect(&chart))?;
    }
    draw_markers(root, &chart, c, xr)
}

/// Indices of the series ending at the minimum, quartiles and maximum of the
/// final value (distinct, in that order).
pub(crate) fn highlighted(c: &LineChart) -> Vec<usize> {
    let mut ends: Vec<(f64, usize)> = c
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| last_value(s).map(|v| (v, i)))
        .collect();
    ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    if ends.is_empty() {
        return out;
    }
    for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let i = ends[((ends.len() - 1) as f64 * q).round() as usize].1;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Total variation of a series relative to the y span: a line that travels
/// the whole axis more than this many times (a voter flipping back and forth)
/// says nothing as a highlight and is left to the density.
const MAX_HIGHLIGHT_TRAVEL: f64 = 4.0;

fn travel(s: &super::Series, span: f64) -> f64 {
    s.points
        .windows(2)
        .filter(|w| ok(w[0].1) && ok(w[1].1))
        .map(|w| (w[1].1 - w[0].1).abs())
        .sum::<f64>()
        / span.max(1e-300)
}

/// The x values of every series when all series have the same ones, finite and strictly
/// increasing (the recorded ticks of a run). Checking this reads each point once, where
/// collecting and sorting every point of 2,000 series of 400 ticks took most of the voter
/// scenario's drawing time; the columns and counts are the same either way.
pub(crate) fn shared_xs(c: &LineChart) -> Option<Vec<f64>> {
    let xs: Vec<f64> = c.series.first()?.points.iter().map(|p| p.0).collect();
    let increasing = xs.iter().all(|x| ok(*x)) && xs.windows(2).all(|w| w[0] < w[1]);
    let same = c.series.iter().all(|s| {
        s.points.len() == xs.len()
            && s.points
                .iter()
                .zip(&xs)
                .all(|(p, x)| p.0.to_bits() == x.to_bits())
    });
    (increasing && same).then_some(xs)
}

fn draw_density(root: &Area, c: &LineChart) -> Result<(), PlotError> {
    let axis = trajectory_axis(c);
    let (_, yr0) = line_ranges_y(c, axis);
    // (which quantile, which series), jumpy series left out.
    let hi: Vec<(usize, usize)> = highlighted(c)
        .into_iter()
        .enumerate()
        .filter(|&(_, i)| travel(&c.series[i], yr0.1 - yr0.0) <= MAX_HIGHLIGHT_TRAVEL)
        .collect();
    let names = [
        "lowest",
        "lower quartile",
        "median",
        "upper quartile",
        "highest",
    ];
    let items: Vec<LegendItem> = hi
        .iter()
        .map(|&(k, i)| {
            let v = last_value(&c.series[i]).unwrap_or(f64::NAN);
            let who = if c.series[i].name.is_empty() {
                format!("series {}", i + 1)
            } else {
                c.series[i].name.clone()
            };
            LegendItem {
                label: format!("{who} ({} final, {})", names[k.min(4)], human(v, 3)),
                swatch: Swatch::Line(categorical(k), 2),
            }
        })
        .chain(std::iter::once(LegendItem {
            label: format!("share of all {} (darker = more)", c.series.len()),
            swatch: Swatch::Shade(density(0.6), 1.0),
        }))
        .collect();
    let (lw, _) = legend_box(&items, LEGEND_OUT_W);
    let (chart, xr, yr) = line_frame_y(root, c, lw + 30, axis)?;
    let rect = plot_rect(&chart);

    // Columns: distinct x values (ticks), merged when there are more than fit.
    let (xs, shared) = match shared_xs(c) {
        Some(xs) => (xs, true),
        None => {
            let mut xs: Vec<f64> = c
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .filter(|x| ok(*x))
                .collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            (xs, false)
        }
    };
    if xs.is_empty() {
        no_data(root, rect)?;
        return Ok(());
    }
    let nx = xs.len().min(DENSITY_X_BINS);
    let col_of = |x: f64| -> usize {
        let i = xs.partition_point(|v| *v < x).min(xs.len() - 1);
        i * nx / xs.len()
    };
    let ny = DENSITY_Y_BINS;
    let mut counts = vec![0u32; nx * ny];
    let mut col_n = vec![0u32; nx];
    for s in &c.series {
        for (i, p) in s.points.iter().enumerate() {
            if !(ok(p.0) && ok(p.1)) || p.1 < yr.0 || p.1 > yr.1 {
                continue;
            }
            // With a shared x vector the i-th point sits in column i (what `col_of`'s
            // search would find).
            let cx = if shared {
                i * nx / xs.len()
            } else {
                col_of(p.0)
            };
            let cy = (((p.1 - yr.0) / (yr.1 - yr.0)) * ny as f64).floor() as usize;
            counts[cx * ny + cy.min(ny - 1)] += 1;
            col_n[cx] += 1;
        }
    }
    // Column edges halfway between neighbouring x values.
    let edge = |k: usize| -> f64 {
        let i = k * xs.len() / nx;
        if k == 0 {
            xs[0]
        } else if k >= nx {
            xs[xs.len() - 1]
        } else {
            0.5 * (xs[i - 1] + xs[i])
        }
    };
    // Colour by the share of the column's series in the cell, on a square-root
    // scale so that thin tails stay visible next to a dense consensus.
    for k in 0..nx {
        if col_n[k] == 0 {
            continue;
        }
        let (xa, _) = px(&chart, (edge(k), yr.0));
        let (xb, _) = px(&chart, (edge(k + 1), yr.0));
        let xb = xb.max(xa + 1);
        for j in 0..ny {
            let n = counts[k * ny + j];
            if n == 0 {
                continue;
            }
            let share = n as f64 / col_n[k] as f64;
            let t = 0.15 + 0.85 * share.sqrt();
            let y0 = yr.0 + (yr.1 - yr.0) * j as f64 / ny as f64;
            let y1 = yr.0 + (yr.1 - yr.0) * (j + 1) as f64 / ny as f64;
            let (_, ya) = px(&chart, (xr.0, y1));
            let (_, yb) = px(&chart, (xr.0, y0));
            root.draw(&Rectangle::new(
                [(xa, ya), (xb, yb.max(ya + 1))],
                density(t).filled(),
            ))?;
        }
    }
    for &(k, i) in &hi {
        for run in clipped_runs(&c.series[i].points, xr, yr) {
            let pts: Vec<(i32, i32)> = run.iter().map(|p| px(&chart, *p)).collect();
            root.draw(&PathElement::new(pts, categorical(k).stroke_width(2)))?;
        }
    }
    draw_markers(root, &chart, c, xr)?;
    draw_legend(root, &items, (rect.2 + 15, rect.1), LEGEND_OUT_W)
}

// ---------------------------------------------------------------- line chart

/// Line chart, one Okabe–Ito colour per series (series 9–16 dashed, 17+
/// dotted, unless the series names its colour and pattern), markers when a
/// series has at most 40 points. The legend goes into a corner of the plot
/// that holds no data, or outside the plot on the right when none is free.
pub fn line_chart(c: &LineChart) -> Result<Vec<u8>, PlotError> {
    let (_, lh) = legend_box(&line_items(c), LEGEND_OUT_W);
    let h = HEIGHT.max((lh + 200).max(0) as u32);
    guard(|| render(WIDTH, h, |root| draw_line_chart(root, c)))
}

/// A framed line chart with its x and y ranges.
type LineFrame<'a, 'b> = (Chart<'a, 'b>, (f64, f64), (f64, f64));

/// Trajectories' y axis: within the value scale the caller gives (`y_range`, e.g.
/// favourability's −1..1, which still sets the line colours), the part the series
/// move in ([`super::common::focus_range`]), so a small drift is not drawn flat.
fn trajectory_axis(c: &LineChart) -> Option<(f64, f64)> {
    let b = c.y_range.and_then(valid_range)?;
    let zero = if b.0 <= 0.0 && 0.0 <= b.1 {
        0.0
    } else {
        f64::NAN
    };
    super::common::focus_range(
        c.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
        b,
        zero,
    )
}

fn line_ranges_y(c: &LineChart, y: Option<(f64, f64)>) -> ((f64, f64), (f64, f64)) {
    let good = || {
        c.series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| ok(p.0) && ok(p.1))
    };
    let xr = axis_range(extent(good().map(|p| p.0)), 0.0);
    let yr = y
        .or(c.y_range)
        .and_then(valid_range)
        .unwrap_or_else(|| axis_range(extent(good().map(|p| p.1)), 0.06));
    (xr, yr)
}

fn line_spec<'s>(c: &'s LineChart, right: i32) -> FrameSpec<'s> {
    line_spec_y(c, right, None)
}

fn line_spec_y<'s>(c: &'s LineChart, right: i32, y: Option<(f64, f64)>) -> FrameSpec<'s> {
    let (xr, yr) = line_ranges_y(c, y);
    let mut spec = FrameSpec::new(&c.x_label, &c.y_label, xr, yr);
    spec.right_margin = right;
    spec.top_extra = marker_rows(c, xr, right) * MARKER_ROW;
    spec
}

/// The frame of a line chart (right margin `right`) and its x and y ranges.
fn line_frame<'a, 'b>(
    root: &'a Area<'b>,
    c: &LineChart,
    right: i32,
) -> Result<LineFrame<'a, 'b>, PlotError> {
    line_frame_y(root, c, right, None)
}

/// [`line_frame`] with the y axis `y` instead of the chart's own.
fn line_frame_y<'a, 'b>(
    root: &'a Area<'b>,
    c: &LineChart,
    right: i32,
    y: Option<(f64, f64)>,
) -> Result<LineFrame<'a, 'b>, PlotError> {
    let spec = line_spec_y(c, right, y);
    let (xr, yr) = (spec.x, spec.y);
    let chart = frame(root, &c.title, &spec)?;
    Ok((chart, xr, yr))
}

/// Colour and pattern of every series of a line chart: slots from
/// [`super::palette::series_slots`] (an instrument keeps its colour), pattern as
/// the series says, else solid for a named colour and by position otherwise.
pub(crate) fn series_styles(c: &LineChart) -> Vec<(RGBColor, u8)> {
    let slots = super::palette::series_slots(c.series.iter().map(|s| (s.name.as_str(), s.color)));
    let mut seen: Vec<(usize, u8)> = Vec::new();
    c.series
        .iter()
        .zip(slots)
        .enumerate()
        .map(|(i, (s, slot))| {
            let want = s.dash.unwrap_or(if s.color.is_some() {
                0
            } else {
                (i / CATEGORICAL.len()).min(2) as u8
            });
            let want = want.min(LINE_PATTERNS - 1);
            // No two series alike: a colour and pattern already taken moves to the
            // next free pattern of that colour.
            let key = slot % CATEGORICAL.len();
            let dash = (0..LINE_PATTERNS)
                .map(|k| (want + k) % LINE_PATTERNS)
                .find(|d| !seen.contains(&(key, *d)))
                .unwrap_or(want);
            seen.push((key, dash));
            (categorical(slot), dash)
        })
        .collect()
}

fn line_items(c: &LineChart) -> Vec<LegendItem> {
    let styles = series_styles(c);
    c.series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.name.is_empty())
        .map(|(i, s)| {
            let (color, dash) = styles[i];
            LegendItem {
                label: s.name.clone(),
                swatch: match dash {
                    0 => Swatch::Line(color, 3),
                    1 => Swatch::Dashed(color, 3),
                    2 => Swatch::Dotted(color, 3),
                    k => Swatch::Pattern(color, 3, k),
                },
            }
        })
        .collect()
}

/// Height of one row of marker labels above the plot.
const MARKER_ROW: i32 = 22;
/// Most rows of marker labels.
const MAX_MARKER_ROWS: usize = 4;

/// Marker labels with their x pixel, left edge and row, for a frame of right
/// margin `right` (computed before drawing so the frame can make room).
fn marker_layout(c: &LineChart, xr: (f64, f64), right: i32) -> Vec<(i32, i32, usize, String)> {
    let (x0, x1) = (70, WIDTH as i32 - right);
    let mut ms: Vec<&super::Marker> = c
        .markers
        .iter()
        .filter(|m| ok(m.x) && m.x >= xr.0 && m.x <= xr.1)
        .collect();
    ms.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut row_end = [i32::MIN; MAX_MARKER_ROWS];
    let mut out = Vec::new();
    for m in ms {
        let x = x0 + ((m.x - xr.0) / (xr.1 - xr.0) * (x1 - x0) as f64).round() as i32;
        let tw = measure(&m.label, SMALL_SIZE).0;
        // Left-aligned after the line, or ending at it near the right edge.
        let left = if x + 4 + tw > WIDTH as i32 - 8 {
            x - 4 - tw
        } else {
            x + 4
        };
        let row = (0..MAX_MARKER_ROWS)
            .find(|&r| row_end[r] < left - 6)
            .unwrap_or_else(|| {
                (0..MAX_MARKER_ROWS)
                    .min_by_key(|&r| row_end[r])
                    .unwrap_or(0)
            });
        row_end[row] = row_end[row].max(left + tw);
        out.push((x, left, row, m.label.clone()));
    }
    out
}

fn marker_rows(c: &LineChart, xr: (f64, f64), right: i32) -> i32 {
    marker_layout(c, xr, right)
        .iter()
        .map(|m| m.2 as i32 + 1)
        .max()
        .unwrap_or(0)
}

/// Dashed vertical lines at the markers, labelled in rows above the plot.
fn draw_markers(
    root: &Area,
    chart: &Chart,
    c: &LineChart,
    xr: (f64, f64),
) -> Result<(), PlotError> {
    if c.markers.is_empty() {
        return Ok(());
    }
    let rect = plot_rect(chart);
    let right = WIDTH as i32 - rect.2;
    let lay = marker_layout(c, xr, right);
    let rows = lay.iter().map(|m| m.2 + 1).max().unwrap_or(0) as i32;
    for m in c
        .markers
        .iter()
        .filter(|m| ok(m.x) && m.x >= xr.0 && m.x <= xr.1)
    {
        let (x, _) = px(chart, (m.x, 0.0));
        root.draw(&DashedPathElement::new(
            vec![(x, rect.1), (x, rect.3)],
            6,
            5,
            MARKER.stroke_width(1),
        ))?;
    }
    for (_, left, row, label) in lay {
        let y = rect.1 - (rows - row as i32) * MARKER_ROW + MARKER_ROW / 2;
        text(
            root,
            &label,
            (left, y),
            SMALL_SIZE,
            (HPos::Left, VPos::Center),
            MARKER,
        )?;
    }
    Ok(())
}

/// Data points in pixels for a plot occupying `rect` (layout before drawing).
fn predict_points(c: &LineChart, spec: &FrameSpec, rect: (i32, i32, i32, i32)) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    for s in &c.series {
        for run in clipped_runs(&s.points, spec.x, spec.y) {
            let pts: Vec<(i32, i32)> = run
                .iter()
                .map(|p| {
                    let fx = (p.0 - spec.x.0) / (spec.x.1 - spec.x.0);
                    let fy = (p.1 - spec.y.0) / (spec.y.1 - spec.y.0);
                    (
                        rect.0 + (fx * (rect.2 - rect.0) as f64) as i32,
                        rect.3 - (fy * (rect.3 - rect.1) as f64) as i32,
                    )
                })
                .collect();
            densify(&pts, &mut out);
        }
    }
    out
}

/// Inside the plot?, right margin, top-left corner, size.
pub(crate) type LegendPlan = (bool, i32, (i32, i32), (i32, i32));

/// Where the legend of a line chart goes on a `w`×`h` image: whether inside
/// the plot, the right margin that leaves, and the legend's top-left corner
/// and size as predicted before drawing. With no legend, `None`.
pub(crate) fn line_legend_plan(c: &LineChart, w: u32, h: u32) -> Option<LegendPlan> {
    let items = line_items(c);
    if items.is_empty() {
        return None;
    }
    let size = legend_box(&items, LEGEND_OUT_W);
    // Where would the data fall with the legend inside? If no corner is free
    // of data, give the legend its own column to the right of the plot.
    let spec = line_spec(c, 40);
    let guess = frame_rect(w, h, &c.title, &spec);
    let pts = predict_points(c, &spec, guess);
    match free_corner(guess, size, &pts) {
        Some(at) => Some((true, 40, at, size)),
        None => {
            let right = size.0 + 30;
            let rect = frame_rect(w, h, &c.title, &line_spec(c, right));
            Some((false, right, (rect.2 + 15, rect.1), size))
        }
    }
}

/// Predicted data pixels of a line chart with the given right margin.
#[cfg(test)]
pub(crate) fn line_points(c: &LineChart, w: u32, h: u32, right: i32) -> Vec<(i32, i32)> {
    let spec = line_spec(c, right);
    let rect = frame_rect(w, h, &c.title, &spec);
    predict_points(c, &spec, rect)
}

fn draw_line_chart(root: &Area, c: &LineChart) -> Result<(), PlotError> {
    let (w, h) = root.dim_in_pixel();
    let items = line_items(c);
    let plan = line_legend_plan(c, w, h);
    let inside = plan.is_some_and(|p| p.0);
    let right = plan.map_or(40, |p| p.1);
    let size = plan.map_or((0, 0), |p| p.3);
    let (chart, xr, yr) = line_frame(root, c, right)?;
    let rect = plot_rect(&chart);
    let mut occupied = Vec::new();
    let mut any = false;
    let styles = series_styles(c);
    for (i, s) in c.series.iter().enumerate() {
        let (color, dash) = styles[i];
        let n_ok = s.points.iter().filter(|p| ok(p.0) && ok(p.1)).count();
        for run in clipped_runs(&s.points, xr, yr) {
            let pts: Vec<(i32, i32)> = run.iter().map(|p| px(&chart, *p)).collect();
            any = true;
            densify(&pts, &mut occupied);
            if pts.len() == 1 {
                root.draw(&Circle::new(pts[0], 4, color.filled()))?;
            } else {
                draw_pattern(root, &pts, color, 3, dash)?;
            }
            if n_ok <= 40 {
                for p in &pts {
                    root.draw(&Circle::new(*p, 4, color.filled()))?;
                }
            }
        }
    }
    if !any {
        no_data(root, rect)?;
    }
    draw_markers(root, &chart, c, xr)?;
    if items.is_empty() {
        return Ok(());
    }
    let at = if inside {
        free_corner(rect, size, &occupied).unwrap_or_else(|| best_corner(rect, size, &occupied))
    } else {
        (rect.2 + 15, rect.1)
    };
    draw_legend(root, &items, at, LEGEND_OUT_W)
}

/// A corner of `rect` where a legend of `size` covers none of `pts`.
fn free_corner(
    rect: (i32, i32, i32, i32),
    size: (i32, i32),
    pts: &[(i32, i32)],
) -> Option<(i32, i32)> {
    let at = best_corner(rect, size, pts);
    let covered = pts.iter().any(|p| {
        p.0 >= at.0 - 6 && p.0 <= at.0 + size.0 + 6 && p.1 >= at.1 - 6 && p.1 <= at.1 + size.1 + 6
    });
    let fits =
        at.0 >= rect.0 && at.1 >= rect.1 && at.0 + size.0 <= rect.2 && at.1 + size.1 <= rect.3;
    (!covered && fits).then_some(at)
}

/// Draws a legend in a corner of the plot free of data (`Ok(true)`), or, when no
/// corner is free, returns `Ok(false)` without drawing so that the caller lays the
/// chart out again with the legend `outside`, in a column right of the plot.
fn place_legend(
    root: &Area,
    items: &[LegendItem],
    rect: (i32, i32, i32, i32),
    occupied: &[(i32, i32)],
    outside: bool,
) -> Result<bool, PlotError> {
    if items.is_empty() {
        return Ok(true);
    }
    if outside {
        draw_legend(root, items, (rect.2 + 15, rect.1), LEGEND_OUT_W)?;
        return Ok(true);
    }
    let size = legend_size(root, items, LEGEND_TEXT_W);
    match free_corner(rect, size, occupied) {
        Some(at) => {
            draw_legend(root, items, at, LEGEND_TEXT_W)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Right margin that leaves room for a legend outside the plot.
fn outside_margin(items: &[LegendItem], outside: bool) -> i32 {
    if outside && !items.is_empty() {
        legend_box(items, LEGEND_OUT_W).0 + 30
    } else {
        40
    }
}

/// Renders a chart whose legend goes inside the plot where it covers no data, and
/// otherwise outside it: `draw(root, outside)` says whether its legend found room.
fn render_legend_aware<F>(w: u32, h: u32, draw: F) -> Result<Vec<u8>, PlotError>
where
    F: Fn(&Area, bool) -> Result<bool, PlotError>,
{
    let placed = std::cell::Cell::new(true);
    let first = render(w, h, |root| {
        placed.set(draw(root, false)?);
        Ok(())
    })?;
    if placed.get() {
        return Ok(first);
    }
    render(w, h, |root| draw(root, true).map(|_| ()))
}

// ---------------------------------------------------------------- scatter

/// Scatter chart: points coloured by group (legend), each labelled, with a
/// horizontal line at y = 0 (the y range always includes 0).
pub fn scatter_chart(c: &ScatterChart) -> Result<Vec<u8>, PlotError> {
    guard(|| render_legend_aware(WIDTH, HEIGHT, |root, out| draw_scatter(root, c, out)))
}

/// Dots that would hide each other (centres closer than a radius, e.g. two
/// instruments of the same spend and gain) are set around their common centre, just
/// touching, so that each stays visible; the rest keep their exact position.
fn spread_coincident(mut c: Vec<(i32, i32)>, r: i32) -> Vec<(i32, i32)> {
    let n = c.len();
    let mut done = vec![false; n];
    for i in 0..n {
        if done[i] {
            continue;
        }
        let near: Vec<usize> = (i..n)
            .filter(|&j| !done[j] && (c[j].0 - c[i].0).abs() < r && (c[j].1 - c[i].1).abs() < r)
            .collect();
        if near.len() > 1 {
            let k = near.len() as f64;
            // Neighbours on a circle through the centre, a diameter apart.
            let rad = (r as f64 + 1.0) / (std::f64::consts::PI / k).sin().max(0.5);
            let (cx, cy) = c[i];
            for (m, &j) in near.iter().enumerate() {
                let a = std::f64::consts::TAU * m as f64 / k;
                c[j] = (
                    cx + (rad * a.cos()).round() as i32,
                    cy - (rad * a.sin()).round() as i32,
                );
            }
        }
        for j in near {
            done[j] = true;
        }
    }
    c
}

/// The groups of a scatter chart in legend order, and the palette slots of the listed
/// ones.
fn scatter_groups(c: &ScatterChart) -> (Vec<&str>, Vec<usize>) {
    let mut groups: Vec<&str> = c
        .groups
        .iter()
        .map(String::as_str)
        .filter(|g| c.points.iter().any(|p| p.group == *g))
        .collect();
    let slots: Vec<usize> = groups
        .iter()
        .map(|g| c.groups.iter().position(|x| x == g).unwrap_or(0))
        .collect();
    for p in &c.points {
        if !groups.contains(&p.group.as_str()) {
            groups.push(&p.group);
        }
    }
    (groups, slots)
}

fn draw_scatter(root: &Area, c: &ScatterChart, outside: bool) -> Result<bool, PlotError> {
    let pts: Vec<_> = c.points.iter().filter(|p| ok(p.x) && ok(p.y)).collect();
    let xr = axis_range(extent(pts.iter().map(|p| p.x)), 0.08);
    let yr = axis_range(
        merge(extent(pts.iter().map(|p| p.y)), Some((0.0, 0.0))),
        0.10,
    );
    let yr = if pts.is_empty() { (-1.0, 1.0) } else { yr };
    let (groups, slots) = scatter_groups(c);
    // Listed groups keep their slot in `c.groups`; others follow after them.
    let slot_of = |k: usize| {
        slots
            .get(k)
            .copied()
            .unwrap_or(c.groups.len() + k - slots.len())
    };
    let show_legend = groups.len() > 1 || groups.first().is_some_and(|g| !g.is_empty());
    let items: Vec<LegendItem> = if show_legend {
        groups
            .iter()
            .enumerate()
            .map(|(i, g)| LegendItem {
                label: if g.is_empty() {
                    "(no group)".to_string()
                } else {
                    g.to_string()
                },
                swatch: Swatch::Circle(categorical(slot_of(i))),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut spec = FrameSpec::new(&c.x_label, &c.y_label, xr, yr);
    spec.right_margin = outside_margin(&items, outside);
    let chart = frame(root, &c.title, &spec)?;
    let rect = plot_rect(&chart);

    // Zero line.
    let (x0, y0) = px(&chart, (xr.0, 0.0));
    let (x1, _) = px(&chart, (xr.1, 0.0));
    if !pts.is_empty() {
        root.draw(&PathElement::new(
            vec![(x0, y0), (x1, y0)],
            REFERENCE.mix(0.8).stroke_width(2),
        ))?;
    }

    let colour = |g: &str| categorical(slot_of(groups.iter().position(|x| *x == g).unwrap_or(0)));
    if pts.is_empty() {
        no_data(root, rect)?;
    }
    let r = if pts.len() > 150 { 5 } else { 7 };
    let centres = spread_coincident(pts.iter().map(|p| px(&chart, (p.x, p.y))).collect(), r);
    for (p, &c0) in pts.iter().zip(&centres) {
        super::record_box(
            super::BoxKind::Dot,
            (c0.0 - r, c0.1 - r, c0.0 + r, c0.1 + r),
        );
        root.draw(&Circle::new(c0, r, colour(&p.group).mix(0.9).filled()))?;
        root.draw(&Circle::new(c0, r, WHITE.stroke_width(1)))?;
    }

    // Labels: greedy placement avoiding points, earlier labels and the frame.
    let mut boxes: Vec<(i32, i32, i32, i32)> = centres
        .iter()
        .map(|c| (c.0 - r, c.1 - r, c.0 + r, c.1 + r))
        .collect();
    // The zero line is an obstacle too (labels on it are hard to read).
    boxes.push((rect.0, y0 - 2, rect.2, y0 + 2));
    let mut occupied = Vec::new();
    for c0 in &centres {
        densify(
            &[
                (c0.0 - r, c0.1 - r),
                (c0.0 + r, c0.1 - r),
                (c0.0 + r, c0.1 + r),
                (c0.0 - r, c0.1 + r),
                (c0.0 - r, c0.1 - r),
            ],
            &mut occupied,
        );
        occupied.push(*c0);
    }
    for (p, &c0) in pts.iter().zip(&centres) {
        if p.label.is_empty() {
            continue;
        }
        let lbl = fit_text(root, &p.label, SMALL_SIZE, 240);
        let (tw, th) = text_size(root, &lbl, SMALL_SIZE);
        let th = th.max(12);
        let fits = |b: (i32, i32, i32, i32)| {
            b.0 >= rect.0 + 2 && b.2 <= rect.2 - 2 && b.1 >= rect.1 + 2 && b.3 <= rect.3 - 2
        };
        let overlaps = |b: (i32, i32, i32, i32), boxes: &[(i32, i32, i32, i32)]| {
            boxes
                .iter()
                .any(|o| b.0 < o.2 && o.0 < b.2 && b.1 < o.3 && o.1 < b.3)
        };
        // Next to the dot first; then further out, joined to it by a thin line. A
        // label that finds no free place is left out rather than drawn over another
        // (the page's hover and the CSV still name every point).
        let mut chosen = None;
        let mut leader = false;
        'rings: for ring in 0..5 {
            let g = r + 4 + ring * (th + 6);
            let cands = [
                (c0.0 + g, c0.1 - th / 2),
                (c0.0 - g - tw, c0.1 - th / 2),
                (c0.0 - tw / 2, c0.1 - g - th),
                (c0.0 - tw / 2, c0.1 + g),
                (c0.0 + g - 2, c0.1 - g - th + 2),
                (c0.0 + g - 2, c0.1 + g - 2),
                (c0.0 - g - tw + 2, c0.1 - g - th + 2),
                (c0.0 - g - tw + 2, c0.1 + g - 2),
            ];
            for (cx, cy) in cands {
                let b = (cx, cy, cx + tw, cy + th);
                if fits(b) && !overlaps(b, &boxes) {
                    chosen = Some(b);
                    leader = ring > 0;
                    break 'rings;
                }
            }
        }
        if let Some(b) = chosen {
            if leader {
                let tx = b.0.max(c0.0.min(b.2));
                let ty = b.1.max(c0.1.min(b.3));
                root.draw(&PathElement::new(
                    vec![c0, (tx, ty)],
                    TEXT_SOFT.mix(0.6).stroke_width(1),
                ))?;
            }
            super::record_box(super::BoxKind::Label, b);
            text_halo(
                root,
                &lbl,
                (b.0, (b.1 + b.3) / 2),
                SMALL_SIZE,
                (HPos::Left, VPos::Center),
                TEXT,
            )?;
            densify(
                &[(b.0, b.1), (b.2, b.1), (b.2, b.3), (b.0, b.3)],
                &mut occupied,
            );
            boxes.push(b);
        }
    }

    place_legend(root, &items, rect, &occupied, outside)
}

// ---------------------------------------------------------------- band chart

/// Opacity of the outer band fill.
const OUTER_ALPHA: f64 = 0.16;
/// Opacity of the inner band fill (drawn over the outer one).
const INNER_ALPHA: f64 = 0.30;

/// Fan chart: per series (Okabe–Ito colour) a light outer band, a darker
/// inner band and the median line; legend lists series and the two bands.
pub fn band_chart(c: &BandChart) -> Result<Vec<u8>, PlotError> {
    guard(|| render_legend_aware(WIDTH, HEIGHT, |root, out| draw_band_chart(root, c, out)))
}

fn band_runs(x: &[f64], b: &[(f64, f64)]) -> Vec<Vec<(f64, f64, f64)>> {
    let mut runs = Vec::new();
    let mut cur = Vec::new();
    for (xv, (lo, hi)) in x.iter().zip(b) {
        if ok(*xv) && ok(*lo) && ok(*hi) {
            cur.push((*xv, lo.min(*hi), lo.max(*hi)));
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

fn band_items(c: &BandChart) -> Vec<LegendItem> {
    let mut items: Vec<LegendItem> = c
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.name.is_empty())
        .map(|(i, s)| LegendItem {
            label: s.name.clone(),
            swatch: Swatch::Band(categorical(i)),
        })
        .collect();
    let has = |f: fn(&super::Band) -> &Vec<(f64, f64)>| {
        c.series.iter().any(|s| !band_runs(&s.x, f(s)).is_empty())
    };
    let (has_inner, has_outer) = (has(|s| &s.inner), has(|s| &s.outer));
    let grey = RGBColor(0x40, 0x40, 0x40);
    if has_inner && !c.inner_label.is_empty() {
        let a = 1.0 - (1.0 - OUTER_ALPHA) * (1.0 - INNER_ALPHA);
        items.push(LegendItem {
            label: c.inner_label.clone(),
            swatch: Swatch::Shade(grey, if has_outer { a } else { INNER_ALPHA }),
        });
    }
    if has_outer && !c.outer_label.is_empty() {
        items.push(LegendItem {
            label: c.outer_label.clone(),
            swatch: Swatch::Shade(grey, OUTER_ALPHA),
        });
    }
    items
}

fn draw_band_chart(root: &Area, c: &BandChart, outside: bool) -> Result<bool, PlotError> {
    let mut xe = None;
    let mut ye = None;
    for s in &c.series {
        let med: Vec<(f64, f64)> = s.x.iter().copied().zip(s.median.iter().copied()).collect();
        for p in med.iter().filter(|p| ok(p.0) && ok(p.1)) {
            xe = merge(xe, Some((p.0, p.0)));
            ye = merge(ye, Some((p.1, p.1)));
        }
        for b in [&s.inner, &s.outer] {
            for run in band_runs(&s.x, b) {
                for (x, lo, hi) in run {
                    xe = merge(xe, Some((x, x)));
                    ye = merge(ye, Some((lo, hi)));
                }
            }
        }
    }
    let xr = axis_range(xe, 0.0);
    let yr = axis_range(ye, 0.05);
    let items = band_items(c);
    let mut spec = FrameSpec::new(&c.x_label, &c.y_label, xr, yr);
    spec.right_margin = outside_margin(&items, outside);
    let chart = frame(root, &c.title, &spec)?;
    let rect = plot_rect(&chart);
    if xe.is_none() {
        no_data(root, rect)?;
    }
    let mut occupied = Vec::new();
    // Outer bands of all series, then inner bands, then medians on top.
    for outer in [true, false] {
        for (i, s) in c.series.iter().enumerate() {
            let color = categorical(i);
            let (b, alpha) = if outer {
                (&s.outer, OUTER_ALPHA)
            } else {
                (&s.inner, INNER_ALPHA)
            };
            for run in band_runs(&s.x, b) {
                // A band is data all over, not just along its edges.
                for &(x, lo, hi) in &run {
                    let (a, b) = (px(&chart, (x, lo)), px(&chart, (x, hi)));
                    densify(&[a, b], &mut occupied);
                }
                for pair in run.windows(2) {
                    let ((x0, lo0, hi0), (x1, lo1, hi1)) = (pair[0], pair[1]);
                    let (xa, xb) = (px(&chart, (x0, 0.0)).0, px(&chart, (x1, 0.0)).0);
                    let steps = ((xb - xa).abs() / 8).max(1);
                    for k in 1..steps {
                        let f = k as f64 / steps as f64;
                        let x = x0 + f * (x1 - x0);
                        let lo = lo0 + f * (lo1 - lo0);
                        let hi = hi0 + f * (hi1 - hi0);
                        densify(&[px(&chart, (x, lo)), px(&chart, (x, hi))], &mut occupied);
                    }
                }
                let mut poly: Vec<(i32, i32)> =
                    run.iter().map(|&(x, _, hi)| px(&chart, (x, hi))).collect();
                poly.extend(run.iter().rev().map(|&(x, lo, _)| px(&chart, (x, lo))));
                densify(&poly, &mut occupied);
                if run.len() == 1 {
                    let (x, lo, hi) = run[0];
                    let (a, b) = (px(&chart, (x, lo)), px(&chart, (x, hi)));
                    root.draw(&Rectangle::new(
                        [(a.0 - 3, b.1), (a.0 + 3, a.1)],
                        color.mix(alpha + 0.2).filled(),
                    ))?;
                } else {
                    root.draw(&Polygon::new(poly, color.mix(alpha).filled()))?;
                }
            }
        }
    }
    for (i, s) in c.series.iter().enumerate() {
        let color = categorical(i);
        let med: Vec<(f64, f64)> = s.x.iter().copied().zip(s.median.iter().copied()).collect();
        for run in clipped_runs(&med, xr, yr) {
            let pts: Vec<(i32, i32)> = run.iter().map(|p| px(&chart, *p)).collect();
            densify(&pts, &mut occupied);
            if pts.len() == 1 {
                root.draw(&Circle::new(pts[0], 4, color.filled()))?;
            } else {
                root.draw(&PathElement::new(pts, color.stroke_width(3)))?;
            }
        }
    }
    place_legend(root, &items, rect, &occupied, outside)
}

// ---------------------------------------------------------------- intervals

/// At most this many rows are drawn by [`interval_chart`].
pub const MAX_INTERVAL_ROWS: usize = 150;

const ABOVE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const BELOW: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const CROSSING: RGBColor = RGBColor(0x80, 0x80, 0x80);

/// Horizontal dot-and-whisker chart, one row per label (first row on top).
/// The image grows taller with more than 20 rows; at most 150 rows are shown.
pub fn interval_chart(c: &IntervalChart) -> Result<Vec<u8>, PlotError> {
    let n = c.rows.len().min(MAX_INTERVAL_ROWS);
    let row_h = if n > 20 { 28 } else { 0 };
    let h = if row_h > 0 {
        (62 + 20 + n as u32 * row_h + 90).max(HEIGHT)
    } else {
        HEIGHT
    };
    guard(|| render(WIDTH, h, |root| draw_intervals(root, c)))
}

fn draw_intervals(root: &Area, c: &IntervalChart) -> Result<(), PlotError> {
    let rows = &c.rows[..c.rows.len().min(MAX_INTERVAL_ROWS)];
    let n = rows.len();
    let title = shown_note(&c.title, n, c.rows.len(), "rows");
    let reference = c.reference.filter(|r| ok(*r));
    let xe = extent(
        rows.iter()
            .flat_map(|r| [r.estimate, r.lo, r.hi])
            .chain(reference),
    );
    let xr = axis_range(xe, 0.06);
    let label_w = rows
        .iter()
        .map(|r| text_size(root, &r.label, TICK_SIZE).0)
        .max()
        .unwrap_or(0)
        .min(380);
    let yr = (-0.6, n.max(1) as f64 - 0.4);
    let items = interval_items(c, rows, reference);
    let mut spec = FrameSpec::new(&c.x_label, "", xr, yr);
    spec.y_ticks = false;
    spec.y_grid = false;
    spec.left_fixed = Some(label_w + 30);
    spec.right_margin = outside_margin(&items, true);
    let chart = frame(root, &title, &spec)?;
    let rect = plot_rect(&chart);
    if n == 0 {
        return no_data(root, rect);
    }
    // Row i is drawn at y = n-1-i so the first row is on top.
    let ypos = |i: usize| (n - 1 - i) as f64;
    for i in (1..n).step_by(2) {
        let (_, ya) = px(&chart, (xr.0, ypos(i) + 0.5));
        let (_, yb) = px(&chart, (xr.0, ypos(i) - 0.5));
        root.draw(&Rectangle::new(
            [(rect.0 + 1, ya), (rect.2 - 1, yb)],
            BLACK.mix(0.035).filled(),
        ))?;
    }
    if let Some(r) = reference {
        let (x, _) = px(&chart, (r, 0.0));
        root.draw(&DashedPathElement::new(
            vec![(x, rect.1), (x, rect.3)],
            8,
            6,
            REFERENCE.stroke_width(2),
        ))?;
    }
    let dense = n > 40;
    for (i, r) in rows.iter().enumerate() {
        let y = ypos(i);
        let (_, py) = px(&chart, (xr.0, y));
        let lbl = fit_text(root, &r.label, TICK_SIZE, label_w);
        text(
            root,
            &lbl,
            (rect.0 - 10, py),
            TICK_SIZE,
            (HPos::Right, VPos::Center),
            TEXT,
        )?;
        let has_ci = ok(r.lo) && ok(r.hi);
        let (lo, hi) = (r.lo.min(r.hi), r.lo.max(r.hi));
        let color = interval_color(c, r, reference);
        if has_ci {
            let a = px(&chart, (lo, y));
            let b = px(&chart, (hi, y));
            let cap = if dense { 5 } else { 7 };
            root.draw(&PathElement::new(vec![a, b], color.stroke_width(3)))?;
            for p in [a, b] {
                root.draw(&PathElement::new(
                    vec![(p.0, p.1 - cap), (p.0, p.1 + cap)],
                    color.stroke_width(2),
                ))?;
            }
        }
        if ok(r.estimate) {
            let p = px(&chart, (r.estimate, y));
            let rad = if dense { 5 } else { 7 };
            root.draw(&Circle::new(p, rad, color.filled()))?;
            root.draw(&Circle::new(p, rad, WHITE.stroke_width(2)))?;
        }
    }
    // Outside the plot, so it never covers an interval.
    draw_legend(root, &items, (rect.2 + 15, rect.1), LEGEND_OUT_W)
}

/// A row's colour: its kind's, else where it lies against the reference.
fn interval_color(c: &IntervalChart, r: &super::Interval, reference: Option<f64>) -> RGBColor {
    if !c.kinds.is_empty() {
        return categorical(r.kind);
    }
    let Some(rf) = reference else {
        return ABOVE;
    };
    let (a, b) = if ok(r.lo) && ok(r.hi) {
        (r.lo.min(r.hi), r.lo.max(r.hi))
    } else {
        (r.estimate, r.estimate)
    };
    if !ok(a) {
        CROSSING
    } else if a > rf {
        ABOVE
    } else if b < rf {
        BELOW
    } else {
        CROSSING
    }
}

/// Legend of an interval chart: its kinds, or the reference colours its rows use.
fn interval_items(
    c: &IntervalChart,
    rows: &[super::Interval],
    reference: Option<f64>,
) -> Vec<LegendItem> {
    if !c.kinds.is_empty() {
        return c
            .kinds
            .iter()
            .enumerate()
            .map(|(k, name)| LegendItem {
                label: name.clone(),
                swatch: Swatch::Whisker(categorical(k)),
            })
            .collect();
    }
    if reference.is_none() {
        return Vec::new();
    }
    let used: Vec<RGBColor> = rows
        .iter()
        .map(|r| interval_color(c, r, reference))
        .collect();
    [
        (ABOVE, "wholly above the dashed line"),
        (BELOW, "wholly below the dashed line"),
        (CROSSING, "crossing the dashed line"),
    ]
    .into_iter()
    .filter(|(col, _)| used.contains(col))
    .map(|(col, label)| LegendItem {
        label: label.into(),
        swatch: Swatch::Whisker(col),
    })
    .collect()
}

// ---------------------------------------------------------------- bars

/// Grouped vertical bars (one Okabe–Ito colour per series), values printed on
/// bars when there are few, group labels turned vertical when they are long.
pub fn bar_chart(c: &BarChart) -> Result<Vec<u8>, PlotError> {
    guard(|| render_legend_aware(WIDTH, HEIGHT, |root, out| draw_bars(root, c, out)))
}

/// Most groups drawn by [`bar_chart`]; more are cut with a note in the title.
pub const MAX_BAR_GROUPS: usize = 100;

fn draw_bars(root: &Area, c: &BarChart, outside: bool) -> Result<bool, PlotError> {
    let total_groups = c
        .series
        .iter()
        .map(|s| s.1.len())
        .max()
        .unwrap_or(0)
        .max(c.groups.len());
    let ng = total_groups.min(MAX_BAR_GROUPS);
    let ns = c.series.len();
    let title = shown_note(&c.title, ng, total_groups, "groups");
    let vals = || {
        c.series
            .iter()
            .flat_map(|s| s.1.iter().take(ng).copied())
            .filter(|v| ok(*v))
    };
    let (lo, hi) = extent(vals()).unwrap_or((0.0, 0.0));
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let span = hi - lo;
    let yr = if span <= 0.0 {
        (0.0, 1.0)
    } else {
        (
            if lo < 0.0 { lo - 0.06 * span } else { 0.0 },
            if hi > 0.0 { hi + 0.08 * span } else { 0.0 },
        )
    };
    let xr = (0.0, ng.max(1) as f64);

    // Group labels: horizontal if they fit their slot, else vertical.
    let approx_plot_w = WIDTH as i32 - 200;
    let slot = approx_plot_w / ng.max(1) as i32;
    let labels: Vec<&str> = (0..ng)
        .map(|g| c.groups.get(g).map(|s| s.as_str()).unwrap_or(""))
        .collect();
    let max_lw = labels
        .iter()
        .map(|l| text_size(root, l, TICK_SIZE).0)
        .max()
        .unwrap_or(0);
    let vertical = max_lw > slot - 8;
    let vert_len = max_lw.min(170);
    let bottom_extra = if vertical { vert_len - 18 } else { 0 };
    let slots = super::palette::series_slots(
        c.series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.0.as_str(), c.colors.get(i).copied())),
    );
    let slot = |s: usize| slots[s];
    // A single series needs no legend (the y label names it).
    let items: Vec<LegendItem> = c
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| ns > 1 && !s.0.is_empty())
        .map(|(i, s)| LegendItem {
            label: s.0.clone(),
            swatch: Swatch::Square(categorical(slot(i))),
        })
        .collect();
    let mut spec = FrameSpec::new(&c.x_label, &c.y_label, xr, yr);
    spec.x_ticks = true;
    spec.x_grid = false;
    spec.bottom_extra = bottom_extra.max(0);
    spec.right_margin = outside_margin(&items, outside);
    let chart = frame_no_xticks(root, &title, &spec)?;
    let rect = plot_rect(&chart);
    if ng == 0 || ns == 0 {
        no_data(root, rect)?;
        return Ok(true);
    }
    let slot_px = (rect.2 - rect.0) as f64 / ng as f64;
    let step = if vertical {
        // Skip labels when even vertical text (about 20 px) cannot fit.
        ((22.0 / slot_px).ceil() as usize).max(1)
    } else {
        1
    };
    for (g, l) in labels.iter().enumerate() {
        if g % step != 0 {
            continue;
        }
        let (x, y) = px(&chart, (g as f64 + 0.5, yr.0));
        if vertical {
            let lbl = fit_text(root, l, TICK_SIZE, vert_len);
            text_vertical_at(root, &lbl, (x, y + 8), TICK_SIZE, TEXT_SOFT)?;
        } else {
            text(
                root,
                l,
                (x, y + 10),
                TICK_SIZE,
                (HPos::Center, VPos::Top),
                TEXT_SOFT,
            )?;
        }
    }
    let bw = 0.8 / ns as f64;
    let mut occupied = Vec::new();
    let mut tops = Vec::new();
    for (s, (_, vals)) in c.series.iter().enumerate() {
        let color = categorical(slot(s));
        for (g, v) in vals.iter().take(ng).enumerate() {
            if !ok(*v) {
                continue;
            }
            let x0 = g as f64 + 0.1 + s as f64 * bw;
            let a = px(&chart, (x0, 0.0));
            let b = px(&chart, (x0 + bw, *v));
            let gap = if b.0 - a.0 > 6 { 1 } else { 0 };
            let (l, r) = (a.0 + gap, (b.0 - gap).max(a.0 + gap + 1));
            let (t, btm) = (a.1.min(b.1), a.1.max(b.1));
            root.draw(&Rectangle::new([(l, t), (r, btm)], color.filled()))?;
            let mut yy = t;
            while yy <= btm {
                let mut xx = l;
                while xx <= r {
                    occupied.push((xx, yy));
                    xx += 8;
                }
                yy += 8;
            }
            tops.push(((l + r) / 2, if *v >= 0.0 { t } else { btm }, *v, r - l));
        }
    }
    // Zero line.
    if yr.0 < 0.0 {
        let (x0, y0) = px(&chart, (xr.0, 0.0));
        let (x1, _) = px(&chart, (xr.1, 0.0));
        root.draw(&PathElement::new(
            vec![(x0, y0), (x1, y0)],
            REFERENCE.stroke_width(1),
        ))?;
    }
    // Value labels on bars when there are few bars.
    if tops.len() <= 30 {
        let span = yr.1 - yr.0;
        let vals: Vec<f64> = tops.iter().map(|t| t.2).collect();
        let extra = extra_decimals(&vals, span);
        let mut drawn: Vec<(i32, i32, i32, i32)> = Vec::new();
        for (x, y, v, w) in tops {
            let s = fmt_value_dec(v, span, extra);
            let (tw, th) = text_size(root, &s, SMALL_SIZE);
            if tw > w + 10 {
                continue;
            }
            let (yy, vp) = if v >= 0.0 {
                (y - 4, VPos::Bottom)
            } else {
                (y + 4, VPos::Top)
            };
            let top = if v >= 0.0 { yy - th } else { yy };
            let b = (x - tw / 2, top, x + tw - tw / 2, top + th);
            // A label that would touch a neighbour's is left out (never two run together).
            if drawn
                .iter()
                .any(|d| b.0 < d.2 + 4 && d.0 < b.2 + 4 && b.1 < d.3 && d.1 < b.3)
            {
                continue;
            }
            drawn.push(b);
            super::record_box(super::BoxKind::Label, b);
            text(root, &s, (x, yy), SMALL_SIZE, (HPos::Center, vp), TEXT_SOFT)?;
            occupied.push((x, yy));
        }
    }
    place_legend(root, &items, rect, &occupied, outside)
}

/// A frame whose x axis has no numeric tick labels (categorical x drawn by the
/// caller) but keeps room for them.
fn frame_no_xticks<'a, 'b>(
    root: &'a Area<'b>,
    title: &str,
    spec: &FrameSpec,
) -> Result<Chart<'a, 'b>, PlotError> {
    let s = FrameSpec {
        x_ticks: false,
        bottom_extra: spec.bottom_extra + 24,
        ..FrameSpec::new(spec.x_label, spec.y_label, spec.x, spec.y)
    };
    let s = FrameSpec {
        x_grid: spec.x_grid,
        y_grid: spec.y_grid,
        left_fixed: spec.left_fixed,
        right_margin: spec.right_margin,
        ..s
    };
    frame(root, title, &s)
}
