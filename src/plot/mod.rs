//! Static charts rendered to PNG bytes.
//!
//! Every function draws into an in-memory RGB buffer with `plotters` and returns
//! the encoded PNG; writing files is the caller's job. Text uses the embedded
//! DejaVu Sans font (registered once as "sans-serif"), so no system fonts are
//! needed. Inputs are plain data; non-finite values are skipped, degenerate
//! ranges are padded, and empty inputs give an "empty" chart rather than an
//! error. Functions never panic (a panic inside the drawing library is caught
//! and returned as [`PlotError::Internal`]).
//!
//! Colours: series use the Okabe–Ito colour-blind-safe palette
//! ([`palette::CATEGORICAL`], with dashed and dotted patterns beyond eight);
//! signed values around a meaningful zero (favourability) use ColorBrewer RdBu
//! with **negative = red, zero = white, positive = blue**; shares and counts use
//! a sequential light-to-dark viridis; lines coloured by value use a red–grey–
//! blue map with no near-white middle, so none vanishes on the white ground.
//!
//! Text is never cut: titles shrink then wrap, legend labels wrap, and a
//! legend that would cover data moves outside the plot, to its right.

mod backend;
mod charts;
mod common;
mod glyphs;
mod heatmap;
mod network;
pub mod palette;

#[cfg(test)]
mod tests;

pub use charts::{
    MAX_BAR_GROUPS, MAX_INTERVAL_ROWS, MAX_TRAJECTORY_LINES, band_chart, bar_chart, interval_chart,
    line_chart, scatter_chart, trajectories,
};
pub use common::{focus_range, human};
pub use heatmap::{MAX_HEATMAP_COLS, MAX_HEATMAP_ROWS, heatmap};
pub use network::{MAX_LABELLED_NODES, MAX_NETWORK_NODES, network};

/// Default chart width in pixels.
pub const WIDTH: u32 = 1200;
/// Default chart height in pixels.
pub const HEIGHT: u32 = 750;

/// File format of the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Png,
    Svg,
}

impl Format {
    /// The file extension, without the dot.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// How figures are written: format and physical size. The layout is always that of
/// a [`WIDTH`]-pixel-wide chart, so text keeps its size relative to the figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Output {
    pub format: Format,
    /// Printed width in inches (default 12.5: 1200 pixels at 96 dpi).
    pub width_in: f64,
    /// Pixels per inch of a PNG (default 96); SVG is resolution-free.
    pub dpi: f64,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            format: Format::Png,
            width_in: WIDTH as f64 / 96.0,
            dpi: 96.0,
        }
    }
}

impl Output {
    /// PNG pixels per logical pixel (1 by default, so the default PNGs keep their bytes).
    pub fn scale(&self) -> f64 {
        let s = self.width_in * self.dpi / WIDTH as f64;
        if (s - 1.0).abs() < 1e-9 || !s.is_finite() || s <= 0.0 {
            1.0
        } else {
            s.clamp(0.25, 8.0)
        }
    }
}

/// Where the plotting area of a chart lies on its canvas and which data ranges its
/// axes show, so that a page can turn a pointer position back into data values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Logical canvas size.
    pub width: u32,
    pub height: u32,
    /// Plotting area (x0, y0, x1, y1) in logical pixels.
    pub plot: (i32, i32, i32, i32),
    pub x: (f64, f64),
    pub y: (f64, f64),
}

thread_local! {
    static OUTPUT: std::cell::Cell<Output> = std::cell::Cell::new(Output::default());
    static CANVAS: std::cell::Cell<(u32, u32)> = const { std::cell::Cell::new((WIDTH, HEIGHT)) };
    static LAYOUT: std::cell::Cell<Option<Layout>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with charts rendered as `out` says (on this thread), then restores the
/// previous setting.
pub fn with_output<T>(out: Output, f: impl FnOnce() -> T) -> T {
    let before = OUTPUT.with(|o| o.replace(out));
    let r = f();
    OUTPUT.with(|o| o.set(before));
    r
}

/// The format charts are rendered in on this thread.
pub fn current_format() -> Format {
    current_output().format
}

pub(crate) fn current_output() -> Output {
    OUTPUT.with(|o| o.get())
}

pub(crate) fn begin_layout(w: u32, h: u32) {
    CANVAS.with(|c| c.set((w, h)));
    LAYOUT.with(|l| l.set(None));
    BOXES.with(|b| b.borrow_mut().clear());
}

/// What a recorded box on a chart holds (for tests of the layout rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoxKind {
    Legend,
    Label,
    Dot,
}

/// A recorded box: what it holds and its pixel rectangle (x0, y0, x1, y1).
pub(crate) type Recorded = (BoxKind, (i32, i32, i32, i32));

thread_local! {
    static BOXES: std::cell::RefCell<Vec<Recorded>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes where a legend or a point label was drawn on the chart being rendered.
pub(crate) fn record_box(kind: BoxKind, b: (i32, i32, i32, i32)) {
    BOXES.with(|x| x.borrow_mut().push((kind, b)));
}

/// The legend and label boxes of the last chart rendered on this thread.
#[cfg(test)]
pub(crate) fn last_boxes() -> Vec<Recorded> {
    BOXES.with(|x| x.borrow().clone())
}

/// Keeps the first cartesian frame of the chart being drawn.
pub(crate) fn record_frame(plot: (i32, i32, i32, i32), x: (f64, f64), y: (f64, f64)) {
    let (width, height) = CANVAS.with(|c| c.get());
    LAYOUT.with(|l| {
        if l.get().is_none() {
            l.set(Some(Layout {
                width,
                height,
                plot,
                x,
                y,
            }))
        }
    });
}

/// The layout of the last chart rendered on this thread, if it had cartesian axes.
pub fn last_layout() -> Option<Layout> {
    LAYOUT.with(|l| l.get())
}

/// Why a chart could not be produced.
#[derive(Debug, Clone, PartialEq)]
pub enum PlotError {
    /// The network has more nodes than can be drawn legibly.
    TooManyNodes { nodes: usize, max: usize },
    /// The embedded font could not be registered.
    Font(String),
    /// The drawing library reported an error.
    Draw(String),
    /// PNG encoding failed.
    Encode(String),
    /// A panic inside the drawing library was caught.
    Internal(String),
}

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlotError::TooManyNodes { nodes, max } => {
                write!(
                    f,
                    "network has {nodes} nodes, more than the {max} that can be drawn"
                )
            }
            PlotError::Font(m) => write!(f, "font error: {m}"),
            PlotError::Draw(m) => write!(f, "drawing error: {m}"),
            PlotError::Encode(m) => write!(f, "PNG encoding error: {m}"),
            PlotError::Internal(m) => write!(f, "internal plotting error: {m}"),
        }
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for PlotError
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub name: String,
    /// (x, y) in drawing order; a non-finite point breaks the line.
    pub points: Vec<(f64, f64)>,
    /// Palette slot of the colour ([`palette::categorical`]); `None` = the
    /// series' position. Callers pass e.g. the actor index so that an actor
    /// has one colour in every figure of a run.
    pub color: Option<usize>,
    /// Line pattern: 0 solid, 1 dashed, 2 dotted, 3 long dash, 4 dash-dot (`None` =
    /// from the position: series 9–16 dashed, 17+ dotted). A series whose colour and
    /// pattern another series of the chart already has takes the next free pattern,
    /// so no two series look alike.
    pub dash: Option<u8>,
}

/// A labelled vertical line on a time chart (an event, an inject, a phase end).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

/// Lines over a shared x axis (e.g. metrics per tick).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Fixed y range; `None` = fit the data. Lines are clipped to it.
    pub y_range: Option<(f64, f64)>,
    /// Event markers drawn as dashed vertical lines with labels above the plot.
    pub markers: Vec<Marker>,
}

/// A matrix of values coloured on a diverging scale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Row labels (top to bottom).
    pub rows: Vec<String>,
    /// Column labels (left to right).
    pub cols: Vec<String>,
    /// `values[row][col]`; missing or non-finite cells are drawn grey.
    pub values: Vec<Vec<f64>>,
    /// Colour range; values outside are clamped. Negative = red, 0 = white,
    /// positive = blue. An invalid range is replaced by ±max|value|.
    pub range: (f64, f64),
    pub colorbar_label: String,
    /// Colour non-negative quantities (shares, counts) light-to-dark on a
    /// sequential scale over `range` instead of the diverging one.
    pub sequential: bool,
}

/// One labelled point of a [`ScatterChart`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScatterPoint {
    pub label: String,
    /// Points of the same group share a colour and a legend entry.
    pub group: String,
    pub x: f64,
    pub y: f64,
}

/// Labelled points coloured by group, with a line at y = 0 (always in range).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScatterChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<ScatterPoint>,
    /// Group order fixing the colours (slot = position here); groups not
    /// listed follow in order of appearance.
    pub groups: Vec<String>,
}

/// One series of a [`BandChart`]: vectors are indexed alike (shortest wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Band {
    pub name: String,
    pub x: Vec<f64>,
    pub median: Vec<f64>,
    /// Inner band (e.g. 25–75 %), drawn darker.
    pub inner: Vec<(f64, f64)>,
    /// Outer band (e.g. 5–95 %), drawn lighter.
    pub outer: Vec<(f64, f64)>,
}

/// Fan chart: median lines with inner and outer quantile bands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Band>,
    /// Legend text for the inner band, e.g. "25–75 %".
    pub inner_label: String,
    /// Legend text for the outer band, e.g. "5–95 %".
    pub outer_label: String,
}

/// One row of an [`IntervalChart`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interval {
    pub label: String,
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
    /// Index into [`IntervalChart::kinds`] (e.g. first-order or total index).
    pub kind: usize,
}

/// Horizontal dot-and-whisker chart, one row per label (top to bottom).
/// With `kinds`, each row takes its kind's colour; otherwise, with a reference,
/// intervals wholly above it are blue, wholly below it vermillion, and those
/// crossing it grey. A legend outside the plot, on its right, says which is which.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntervalChart {
    pub title: String,
    pub x_label: String,
    pub rows: Vec<Interval>,
    /// Dashed vertical reference line (e.g. 0 or a baseline).
    pub reference: Option<f64>,
    /// Legend names of the kinds of rows ([`Interval::kind`]); empty = one kind.
    pub kinds: Vec<String>,
}

/// Grouped vertical bars: `series[s].1[g]` is the bar of series `s` in group `g`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub groups: Vec<String>,
    pub series: Vec<(String, Vec<f64>)>,
    /// Palette slot of each series' colour (missing = the series' position),
    /// so that an instrument keeps its colour across charts.
    pub colors: Vec<usize>,
}

/// Kind of network node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NodeKind {
    /// A population (circle, coloured by its value).
    #[default]
    Population,
    /// An actor, e.g. a state or outlet (dark diamond).
    Actor,
}

/// Kind of network edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EdgeKind {
    /// Population–population tie: grey, width by weight.
    #[default]
    Social,
    /// Actor–population reach: dashed orange.
    Media,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetNode {
    pub label: String,
    pub kind: NodeKind,
    /// E.g. people; drawn as area ∝ size (radius ∝ √size).
    pub size: f64,
    /// Favourability in [-1, 1] for populations; `None` (grey) otherwise.
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetEdge {
    /// Node indices; edges with out-of-range indices or loops are skipped.
    pub a: usize,
    pub b: usize,
    pub weight: f64,
    pub kind: EdgeKind,
}

/// A network drawn with a deterministic force-directed layout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkPlot {
    pub title: String,
    pub nodes: Vec<NetNode>,
    pub edges: Vec<NetEdge>,
    /// Colour-bar label for population values.
    pub colour_label: String,
    /// Layout seed: the same input and seed give byte-identical PNGs.
    pub seed: u64,
}
