//! `report.html`: one self-contained page per run, comparison, sweep or sensitivity
//! analysis.
//!
//! The page needs no network: figures are embedded (PNG as base64, SVG inline), style
//! and script are inline, and a Content-Security-Policy forbids every other source, so
//! the browser itself refuses any request a future edit might add. The script sorts
//! tables by a click on a column head and shows the values under the pointer on
//! figures with axes (from the plotting area's position, [`plot::Layout`], and the
//! series drawn). Everything on the page is derived from the results, so the same
//! inputs give the same bytes.

use crate::plot::{self, Layout};
use base64::Engine as _;
use serde_json::json;

/// Values the page can show under the pointer.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Hover {
    /// Only the axis values under the pointer.
    #[default]
    Axes,
    /// Lines over a shared x: each line's value at the x under the pointer.
    Lines(Vec<(String, Vec<(f64, f64)>)>),
    /// Labelled points: the point nearest the pointer.
    Points(Vec<(String, f64, f64)>),
}

/// One figure of a results folder.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    /// File name, e.g. `soft_power.png`.
    pub name: String,
    pub bytes: Vec<u8>,
    /// How to read it, in a sentence or two.
    pub caption: String,
    pub layout: Option<Layout>,
    pub hover: Hover,
}

impl Figure {
    /// A figure just rendered on this thread: its layout is the last one recorded.
    pub fn new(stem: &str, bytes: Vec<u8>, caption: String, hover: Hover) -> Figure {
        Figure {
            name: format!("{stem}.{}", plot::current_format().ext()),
            bytes,
            caption,
            layout: plot::last_layout(),
            hover,
        }
    }
}

/// A table cell: its text and, for numbers, the value it sorts by.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub value: Option<f64>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            value: None,
        }
    }
    /// A number shown with `sig` significant digits.
    pub fn num(v: f64, sig: usize) -> Cell {
        Cell {
            text: if v.is_finite() {
                plot::human(v, sig)
            } else {
                "–".into()
            },
            value: v.is_finite().then_some(v),
        }
    }
    /// A signed number (+0.12, −0.03).
    pub fn signed(v: f64, sig: usize) -> Cell {
        Cell {
            text: signed(v, sig),
            value: v.is_finite().then_some(v),
        }
    }
}

/// A number with its sign, minus as U+2212.
pub fn signed(v: f64, sig: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = plot::human(v.abs(), sig);
    if s.chars().all(|c| c == '0' || c == '.' || c == ',') {
        return s;
    }
    format!("{}{s}", if v < 0.0 { "−" } else { "+" })
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Everything one page shows.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// "run", "compare", "sweep" or "sensitivity".
    pub kind: String,
    pub title: String,
    pub description: String,
    /// The first is the headline table.
    pub tables: Vec<Table>,
    /// Key changes in words, derived from the numbers.
    pub changes: Vec<String>,
    pub figures: Vec<Figure>,
    /// Label and value.
    pub manifest: Vec<(String, String)>,
    /// Files of the folder to link to (relative).
    pub files: Vec<String>,
}

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Lines keep at most this many points each in the page's hover data.
const HOVER_POINTS: usize = 400;
/// Figures with more lines than this show only the axis values.
pub(crate) const HOVER_LINES: usize = 40;

fn thin(points: &[(f64, f64)]) -> Vec<[f64; 2]> {
    let step = points.len().div_ceil(HOVER_POINTS).max(1);
    let mut v: Vec<[f64; 2]> = points
        .iter()
        .step_by(step)
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|p| [p.0, p.1])
        .collect();
    if let Some(l) = points.last()
        && !(points.len() - 1).is_multiple_of(step)
        && l.0.is_finite()
        && l.1.is_finite()
    {
        v.push([l.0, l.1]);
    }
    v
}

fn hover_json(f: &Figure) -> Option<String> {
    let l = f.layout?;
    let data = match &f.hover {
        Hover::Lines(s) if !s.is_empty() && s.len() <= HOVER_LINES => json!({
            "mode": "lines",
            "series": s.iter().map(|(n, p)| json!({"name": n, "p": thin(p)})).collect::<Vec<_>>(),
        }),
        Hover::Points(p) if !p.is_empty() => json!({
            "mode": "points",
            "points": p.iter().filter(|q| q.1.is_finite() && q.2.is_finite()).map(|(n, x, y)| json!([n, x, y])).collect::<Vec<_>>(),
        }),
        _ => json!({"mode": "axes"}),
    };
    let v = json!({
        "w": l.width, "h": l.height,
        "plot": [l.plot.0, l.plot.1, l.plot.2, l.plot.3],
        "x": [l.x.0, l.x.1], "y": [l.y.0, l.y.1],
        "data": data,
    });
    // Inside a <script> element only "</" could end it early.
    Some(v.to_string().replace("</", "<\\/"))
}

/// The figure itself: an `<img>` with the PNG inline, or the SVG document inline.
fn figure_body(f: &Figure) -> String {
    if f.name.ends_with(".svg") {
        let s = String::from_utf8_lossy(&f.bytes);
        let start = s.find("<svg").unwrap_or(0);
        format!(
            "<div class=\"svg\" role=\"img\" aria-label=\"{}\">{}</div>",
            esc(&f.caption),
            &s[start..]
        )
    } else {
        format!(
            "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
            esc(&f.caption),
            base64::engine::general_purpose::STANDARD.encode(&f.bytes)
        )
    }
}

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, sans-serif; max-width: 1250px; margin: 1em auto; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.kind { color: #666; font-size: 0.95em; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; }
th { background: #eef; cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: " ▲"; }
th[aria-sort=descending]::after { content: " ▼"; }
figure { margin: 1.5em 0; position: relative; }
figure .plot { position: relative; display: inline-block; max-width: 100%; }
figure img, figure .svg svg { max-width: 100%; height: auto; border: 1px solid #ddd; display: block; }
figcaption { color: #333; margin-top: 0.4em; max-width: 60em; }
.tip { position: absolute; pointer-events: none; background: rgba(255,255,255,0.95); border: 1px solid #888; padding: 0.2em 0.5em; font-size: 0.85em; white-space: pre; display: none; z-index: 2; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
dd { margin: 0; word-break: break-all; }
"#;

const SCRIPT: &str = r#"
(function () {
  var body = document.body;
  function bump(key) { body.dataset[key] = String(Number(body.dataset[key] || 0) + 1); }
  window.addEventListener('error', function () { bump('errors'); }, true);
  document.addEventListener('securitypolicyviolation', function () { bump('blocked'); });
  function value(td) { var v = td.getAttribute('data-v'); return v === null ? NaN : parseFloat(v); }
  function sortBy(th) {
    var table = th.closest('table'), tb = table.tBodies[0];
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    var rows = Array.prototype.slice.call(tb.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col], y = b.cells[col], p = value(x), q = value(y), c;
      if (!isNaN(p) && !isNaN(q)) c = p - q;
      else if (!isNaN(p)) c = -1;
      else if (!isNaN(q)) c = 1;
      else c = x.textContent.localeCompare(y.textContent);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { tb.appendChild(r); });
    th.parentNode.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(th); });
  });
  function fmt(v) {
    if (!isFinite(v)) return '–';
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }
  function nearest(p, x) {
    var lo = 0, hi = p.length - 1;
    if (hi < 0) return null;
    while (hi - lo > 1) { var m = (lo + hi) >> 1; if (p[m][0] < x) lo = m; else hi = m; }
    return Math.abs(p[lo][0] - x) <= Math.abs(p[hi][0] - x) ? p[lo] : p[hi];
  }
  function hoverText(L, px, py) {
    var r = L.plot;
    if (px < r[0] || px > r[2] || py < r[1] || py > r[3]) return null;
    var x = L.x[0] + (px - r[0]) / (r[2] - r[0]) * (L.x[1] - L.x[0]);
    var y = L.y[1] - (py - r[1]) / (r[3] - r[1]) * (L.y[1] - L.y[0]);
    var d = L.data;
    if (d.mode === 'lines') {
      var rows = [], at = null;
      d.series.forEach(function (s) {
        var q = nearest(s.p, x);
        if (q) { at = q[0]; rows.push([Math.abs(q[1] - y), s.name + ': ' + fmt(q[1])]); }
      });
      rows.sort(function (a, b) { return a[0] - b[0]; });
      return 'x = ' + fmt(at === null ? x : at) + '\n' + rows.slice(0, 8).map(function (t) { return t[1]; }).join('\n');
    }
    if (d.mode === 'points') {
      var best = null, bd = Infinity;
      d.points.forEach(function (q) {
        var qx = r[0] + (q[1] - L.x[0]) / (L.x[1] - L.x[0]) * (r[2] - r[0]);
        var qy = r[1] + (L.y[1] - q[2]) / (L.y[1] - L.y[0]) * (r[3] - r[1]);
        var dd = (qx - px) * (qx - px) + (qy - py) * (qy - py);
        if (dd < bd) { bd = dd; best = q; }
      });
      if (best) return best[0] + '\nx = ' + fmt(best[1]) + ', y = ' + fmt(best[2]);
    }
    return 'x = ' + fmt(x) + ', y = ' + fmt(y);
  }
  var hovers = 0;
  document.querySelectorAll('figure[data-hover]').forEach(function (fig) {
    var src = document.getElementById(fig.getAttribute('data-hover'));
    var L = JSON.parse(src.textContent);
    var box = fig.querySelector('.plot'), tip = fig.querySelector('.tip');
    function show(e) {
      var el = box.firstElementChild, b = el.getBoundingClientRect();
      if (!b.width || !b.height) return;
      var px = (e.clientX - b.left) * L.w / b.width, py = (e.clientY - b.top) * L.h / b.height;
      var t = hoverText(L, px, py);
      if (t === null) { tip.style.display = 'none'; return; }
      tip.textContent = t;
      tip.style.display = 'block';
      tip.style.left = (e.clientX - b.left + 14) + 'px';
      tip.style.top = (e.clientY - b.top + 14) + 'px';
    }
    box.addEventListener('mousemove', show);
    box.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    hovers++;
  });
  function count() {
    var n = 0;
    document.querySelectorAll('figure img').forEach(function (i) { if (i.complete && i.naturalWidth > 0) n++; });
    document.querySelectorAll('figure .svg svg').forEach(function (s) { if (s.getBoundingClientRect().width > 0) n++; });
    return n;
  }
  // A check the page runs on itself when opened as report.html#selftest (used by the
  // browser test): sort the first table by its last column of numbers both ways, point
  // at a figure, and write what happened into data attributes.
  function selftest() {
    var out = [];
    var t = document.querySelector('table.sortable');
    if (t) {
      var ths = t.tHead.rows[0].cells, col = ths.length - 1;
      while (col > 0 && !Array.prototype.some.call(t.tBodies[0].rows, function (r) { return r.cells[col] && r.cells[col].hasAttribute('data-v'); })) col--;
      var th = ths[col];
      th.click();
      var vals = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return value(r.cells[col]); }).filter(function (v) { return !isNaN(v); });
      var up = vals.every(function (v, i) { return i === 0 || vals[i - 1] <= v; });
      th.click();
      var vals2 = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return value(r.cells[col]); }).filter(function (v) { return !isNaN(v); });
      var down = vals2.every(function (v, i) { return i === 0 || vals2[i - 1] >= v; });
      if (up && down && vals.length > 0) out.push('sorted');
    }
    var fig = document.querySelector('figure[data-hover]');
    if (fig) {
      var L = JSON.parse(document.getElementById(fig.getAttribute('data-hover')).textContent);
      var el = fig.querySelector('.plot').firstElementChild, b = el.getBoundingClientRect();
      var cx = b.left + (L.plot[0] + L.plot[2]) / 2 * b.width / L.w, cy = b.top + (L.plot[1] + L.plot[3]) / 2 * b.height / L.h;
      fig.querySelector('.plot').dispatchEvent(new MouseEvent('mousemove', { clientX: cx, clientY: cy, bubbles: true }));
      var tip = fig.querySelector('.tip');
      if (tip.style.display === 'block' && tip.textContent.length > 0) out.push('hover');
    }
    body.dataset.selftest = out.join(' ');
  }
  window.addEventListener('load', function () {
    body.dataset.figures = String(count());
    body.dataset.hovers = String(hovers);
    if (location.hash === '#selftest') selftest();
    body.dataset.ready = '1';
  });
})();
"#;

fn table_html(t: &Table, out: &mut String) {
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "<table class=\"sortable\">\n<caption>{}</caption>\n<thead><tr>{}</tr></thead>\n<tbody>",
        esc(&t.caption),
        t.header
            .iter()
            .map(|h| format!("<th scope=\"col\">{}</th>", esc(h)))
            .collect::<String>()
    );
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            match c.value {
                Some(v) => {
                    let _ = write!(
                        out,
                        "<td class=\"n\" data-v=\"{}\">{}</td>",
                        crate::output::tables::fmt(v),
                        esc(&c.text)
                    );
                }
                None => {
                    let _ = write!(out, "<td>{}</td>", esc(&c.text));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The whole page.
pub fn html(p: &Page) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&p.title)
    );
    let _ = writeln!(
        o,
        "<h1>{}</h1>\n<p class=\"kind\">softpower {} report</p>",
        esc(&p.title),
        esc(&p.kind)
    );
    if !p.description.trim().is_empty() {
        let _ = writeln!(
            o,
            "<section id=\"description\">\n<h2>Scenario</h2>\n<p>{}</p>\n</section>",
            esc(p.description.trim())
        );
    }
    if !p.changes.is_empty() {
        let _ = writeln!(
            o,
            "<section id=\"changes\">\n<h2>{}</h2>\n<ul>\n{}</ul>\n</section>",
            // An analysis of sensitivity finds; a run or comparison changes something.
            if matches!(p.kind.as_str(), "sensitivity" | "discover" | "calibrate") {
                "Key findings"
            } else {
                "Key changes"
            },
            p.changes
                .iter()
                .map(|c| format!("<li>{}</li>\n", esc(c)))
                .collect::<String>()
        );
    }
    if !p.tables.is_empty() {
        o.push_str(
            "<section id=\"tables\">\n<h2>Results</h2>\n<p>Click a column head to sort.</p>\n",
        );
        for t in &p.tables {
            table_html(t, &mut o);
        }
        o.push_str("</section>\n");
    }
    if !p.figures.is_empty() {
        o.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
        for (i, f) in p.figures.iter().enumerate() {
            let hover = hover_json(f);
            let attr = if hover.is_some() {
                format!(" data-hover=\"hover-{i}\"")
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "<figure id=\"{}\"{attr}>\n<div class=\"plot\">{}<div class=\"tip\"></div></div>\n<figcaption><a href=\"{}\">{}</a>: {}</figcaption>",
                esc(f.name.rsplit_once('.').map_or(&f.name, |x| x.0)),
                figure_body(f),
                esc(&f.name),
                esc(&f.name),
                esc(&f.caption)
            );
            if let Some(h) = hover {
                let _ = writeln!(
                    o,
                    "<script type=\"application/json\" id=\"hover-{i}\">{h}</script>"
                );
            }
            o.push_str("</figure>\n");
        }
        o.push_str("</section>\n");
    }
    o.push_str("<section id=\"manifest\">\n<h2>Manifest</h2>\n<dl>\n");
    for (k, v) in &p.manifest {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    o.push_str("</dl>\n</section>\n");
    if !p.files.is_empty() {
        let _ = writeln!(
            o,
            "<section id=\"files\">\n<h2>Data files</h2>\n<ul>\n{}</ul>\n</section>",
            p.files
                .iter()
                .map(|f| format!("<li><a href=\"{}\">{}</a></li>\n", esc(f), esc(f)))
                .collect::<String>()
        );
    }
    let _ = write!(o, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    o
}

// ---------------------------------------------------------------- run

/// What a run's page says about where it came from.
pub struct RunInfo<'a> {
    pub description: &'a str,
    /// The scenario file as the user named it.
    pub file: &'a str,
    /// The scenario text, hashed for the manifest.
    pub text: &'a str,
}

fn tick_word(label: &str, n: u32) -> String {
    if n == 1 {
        label.to_string()
    } else {
        format!("{label}s")
    }
}

/// The page of `softpower run`.
pub fn run_page(
    run: &crate::experiment::Run,
    gains: Option<&[crate::experiment::attribution::InstrumentGain]>,
    info: &RunInfo,
    figures: Vec<Figure>,
    files: &[String],
) -> Page {
    use crate::output::figures::short_name;
    let w = &run.engine.world;
    let rec = &run.recorder;
    let (first, last) = (rec.first(), rec.last());
    let ticks = run.engine.tick;
    let over = format!("over {ticks} {}", tick_word(&w.tick_label, ticks));
    let mut tables = Vec::new();
    let mut changes = Vec::new();
    let actors_act = !w.campaigns.is_empty();

    if actors_act {
        let spent = |a: usize| -> f64 {
            crate::scenario::Instrument::ALL
                .iter()
                .map(|&i| run.engine.spent(a, i))
                .sum()
        };
        tables.push(Table {
            caption: format!("Actors at the end ({over})"),
            header: [
                "Actor",
                "Soft power at start",
                "Soft power at end",
                "Change",
                "Net favourable at end (points, −100..100)",
                "Familiarity",
                "Trust",
                "Favourability",
                "Budget spent",
            ]
            .map(String::from)
            .to_vec(),
            rows: (0..w.actors.len())
                .map(|a| {
                    let f = &last.actors[a];
                    vec![
                        Cell::text(short_name(&w.actors.names[a])),
                        Cell::num(first.actors[a][0], 4),
                        Cell::num(f[0], 4),
                        Cell::signed(f[0] - first.actors[a][0], 3),
                        Cell::signed(f[crate::metrics::NET_FAVOURABLE], 3),
                        Cell::num(f[1], 3),
                        Cell::num(f[2], 3),
                        Cell::num(f[3], 3),
                        Cell::num(spent(a), 4),
                    ]
                })
                .collect(),
        });
        let net = crate::metrics::NET_FAVOURABLE;
        if let Some(a) = (0..w.actors.len())
            .filter(|&a| last.actors[a][net].is_finite())
            .max_by(|&x, &y| last.actors[x][net].total_cmp(&last.actors[y][net]))
        {
            changes.push(format!(
                "On the survey scale {} ends highest: net favourable {} points (% favourable − % unfavourable among those who know it, in {}).",
                short_name(&w.actors.names[a]),
                signed(last.actors[a][net], 3),
                crate::metrics::survey::Audience::of(w).rule()
            ));
        }
        let deltas: Vec<(usize, f64)> = (0..w.actors.len())
            .map(|a| (a, last.actors[a][0] - first.actors[a][0]))
            .filter(|x| x.1.is_finite())
            .collect();
        if let Some(&(a, d)) = deltas.iter().max_by(|x, y| x.1.total_cmp(&y.1))
            && d > 0.0
        {
            changes.push(format!(
                "{}'s soft-power index rose most, {} (from {} to {}) {over}.",
                short_name(&w.actors.names[a]),
                signed(d, 2),
                plot::human(first.actors[a][0], 3),
                plot::human(last.actors[a][0], 3)
            ));
        }
        if let Some(&(a, d)) = deltas.iter().min_by(|x, y| x.1.total_cmp(&y.1))
            && d < 0.0
        {
            changes.push(format!(
                "{}'s soft-power index fell most, {} (from {} to {}).",
                short_name(&w.actors.names[a]),
                signed(d, 2),
                plot::human(first.actors[a][0], 3),
                plot::human(last.actors[a][0], 3)
            ));
        }
    }

    // Favourability toward the focal actor, per population, from the recorded trace.
    let n_pop = w.pops.len();
    if !rec.trace.is_empty() && rec.ticks.len() > 1 && n_pop > 0 {
        let at = |i: usize, p: usize| rec.trace[i * n_pop + p] as f64;
        let li = rec.ticks.len() - 1;
        let focal = short_name(&w.actors.names[w.focal_actor as usize]);
        let d: Vec<(usize, f64)> = (0..n_pop)
            .map(|p| (p, at(li, p) - at(0, p)))
            .filter(|x| x.1.is_finite())
            .collect();
        if let Some(&(p, x)) = d.iter().max_by(|a, b| a.1.total_cmp(&b.1))
            && x > 0.0
        {
            changes.push(format!(
                "Favourability toward {focal} rose most in {}: {} (from {} to {}).",
                w.pops.ids[p],
                signed(x, 2),
                plot::human(at(0, p), 3),
                plot::human(at(li, p), 3)
            ));
        }
        if let Some(&(p, x)) = d.iter().min_by(|a, b| a.1.total_cmp(&b.1))
            && x < 0.0
        {
            changes.push(format!(
                "Favourability toward {focal} fell most in {}: {} (from {} to {}).",
                w.pops.ids[p],
                signed(x, 2),
                plot::human(at(0, p), 3),
                plot::human(at(li, p), 3)
            ));
        }
        let people: f64 = w.pops.size.iter().sum();
        if people > 0.0 {
            let mean =
                |i: usize| (0..n_pop).map(|p| w.pops.size[p] * at(i, p)).sum::<f64>() / people;
            changes.push(format!(
                "Across all people, mean favourability toward {focal} went from {} to {} {over}.",
                plot::human(mean(0), 3),
                plot::human(mean(li), 3)
            ));
        }
    }

    if !w.stories.is_empty() {
        let mut rows = Vec::new();
        for j in 0..w.stories.len() {
            let (pt, peak) = rec.story_peak(j);
            let end = last.stories[j][0];
            rows.push(vec![
                Cell::text(w.stories.ids[j].clone()),
                Cell::text(short_name(&w.actors.names[w.stories.about[j] as usize])),
                Cell::num(100.0 * peak, 3),
                Cell::num(pt as f64, 6),
                Cell::num(100.0 * end, 3),
                Cell::num(100.0 * last.stories[j][1], 3),
            ]);
            changes.push(format!(
                "Story {} peaked with {}% of people in its active class in {} {pt} and ends at {}%.",
                w.stories.ids[j],
                plot::human(100.0 * peak, 3),
                w.tick_label,
                plot::human(100.0 * end, 3)
            ));
        }
        tables.push(Table {
            caption: "Stories (percent of all people; see misinformation figure for the classes)"
                .into(),
            header: [
                "Story",
                "About",
                "Peak %",
                &format!("Peak {}", w.tick_label),
                "Final %",
                "Final % second class",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }

    if !rec.pairs.is_empty() && rec.ticks.len() > 1 {
        let moves: Vec<(usize, f64)> = (0..rec.pairs.len())
            .map(|i| (i, last.relations[i] - first.relations[i]))
            .filter(|x| x.1.is_finite() && x.1 != 0.0)
            .collect();
        if let Some(&(i, d)) = moves.iter().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())) {
            let (b, a) = rec.pairs[i];
            changes.push(format!(
                "The largest change of a government's stance: {} toward {}, {} (from {} to {}).",
                short_name(&w.actors.names[b]),
                short_name(&w.actors.names[a]),
                signed(d, 2),
                plot::human(first.relations[i], 3),
                plot::human(last.relations[i], 3)
            ));
        }
    }

    if let Some(g) = gains
        && !g.is_empty()
    {
        tables.push(Table {
            caption: "What each instrument bought (final soft power with it minus without it)"
                .into(),
            header: ["Actor", "Instrument", "Spent", "Gain", "Gain per 100 units"]
                .map(String::from)
                .to_vec(),
            rows: g
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(short_name(&w.actors.names[x.actor])),
                        Cell::text(x.instrument.as_str().replace('_', " ")),
                        Cell::num(x.spend, 4),
                        Cell::signed(x.gain, 3),
                        if x.spend > 0.0 {
                            Cell::signed(100.0 * x.gain / x.spend, 3)
                        } else {
                            Cell::text("–")
                        },
                    ]
                })
                .collect(),
        });
        if let Some(b) = g.iter().max_by(|a, b| a.gain.total_cmp(&b.gain))
            && b.gain > 0.0
        {
            changes.push(format!(
                "The instrument that bought most: {}'s {}, {} soft power for {} budget units.",
                short_name(&w.actors.names[b.actor]),
                b.instrument.as_str().replace('_', " "),
                signed(b.gain, 2),
                plot::human(b.spend, 3)
            ));
        }
    }

    Page {
        kind: "run".into(),
        title: format!("{}: one run", w.name),
        description: info.description.to_string(),
        tables,
        changes,
        figures,
        manifest: manifest_common(
            info.file,
            &crate::error::sha256_hex(info.text.as_bytes()),
            w.seed,
            ticks,
            &w.tick_label,
        ),
        files: files.iter().filter(|f| is_data(f)).cloned().collect(),
    }
}

fn is_data(f: &str) -> bool {
    f.ends_with(".csv") || f.ends_with(".json")
}

fn manifest_common(
    file: &str,
    sha: &str,
    seed: u64,
    ticks: u32,
    label: &str,
) -> Vec<(String, String)> {
    vec![
        (
            "softpower version".into(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("Scenario".into(), file.to_string()),
        ("Scenario SHA-256".into(), sha.to_string()),
        ("Seed".into(), seed.to_string()),
        (
            "Length".into(),
            format!("{ticks} {}", tick_word(label, ticks)),
        ),
        (
            "Threads".into(),
            "results do not depend on the number of threads".into(),
        ),
    ]
}

/// The manifest of an analysis over a design of runs (sensitivity, discover, calibrate):
/// version, scenario file, hash, seed, length and threads, then `extra`.
fn design_manifest(
    info: &crate::output::sensitivity::PageInfo,
    sha: &str,
    seed: u64,
    extra: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    let mut m = manifest_common(info.file, sha, seed, info.ticks, info.tick_label);
    m.extend(extra);
    m
}

// ---------------------------------------------------------------- ensembles

fn variant_label(m: &crate::output::ensemble::Manifest, name: &str) -> String {
    match m.variants.iter().find(|v| v.name == name) {
        Some(v) if !v.values.is_empty() => m
            .sweep
            .iter()
            .zip(&v.values)
            .map(|(p, x)| format!("{}={}", p.path, plot::human(*x, 4)))
            .collect::<Vec<_>>()
            .join(", "),
        _ => name.to_string(),
    }
}

/// The page of `softpower compare` or `sweep` (and of `merge`, which takes `description`
/// from the shards' headers).
pub fn ensemble_page(
    agg: &crate::output::ensemble::Aggregate,
    description: &str,
    figures: Vec<Figure>,
    files: &[String],
) -> Page {
    use crate::experiment::ensemble::lower_is_better;
    let m = &agg.manifest;
    let rank = crate::output::ensemble::ranking(agg);
    let focal = &m.metrics.focal;
    let lower = lower_is_better(focal);
    // "final soft_power:x", "believing:s@peak": what the numbers are.
    let headline = crate::experiment::metric::Metric::parse(focal)
        .map_or_else(|_| focal.clone(), |x| x.headline());
    let base = &m.variants[0].name;
    let sweep = m.kind == "sweep";
    let what = if sweep { "Point" } else { "Strategy" };
    let mut changes = Vec::new();
    if !agg.complete {
        changes.push(format!(
            "Incomplete: {} of {} runs per {} are done; numbers are provisional.",
            agg.runs_done(),
            m.runs,
            what.to_lowercase()
        ));
    }
    if let Some(best) = rank.first() {
        changes.push(format!(
            "Best {} by mean {headline} ({} is better): {}, {}{}.",
            what.to_lowercase(),
            if lower { "lower" } else { "higher" },
            variant_label(m, &best.variant),
            plot::human(best.mean, 4),
            if best.ci_low.is_finite() && best.ci_high.is_finite() {
                format!(
                    " (95% CI {} to {})",
                    plot::human(best.ci_low, 4),
                    plot::human(best.ci_high, 4)
                )
            } else {
                " (one run: no interval)".into()
            }
        ));
    }
    if sweep {
        if let Some(worst) = rank.last()
            && rank.len() > 1
        {
            changes.push(format!(
                "Worst: {}, {}; the swept range moves the mean by {}.",
                variant_label(m, &worst.variant),
                plot::human(worst.mean, 4),
                plot::human((rank[0].mean - worst.mean).abs(), 3)
            ));
        }
    } else if m.kind == "split" {
        // The frontier says what a split sweep is for: what each extra unit buys.
        let pts = crate::output::split::frontier(agg);
        changes.extend(crate::output::split::frontier_words(agg, &pts));
        if agg.runs_done() < 2 {
            changes.push(
                "One run per point: no interval, so the effects are not evidence of a difference unless the scenario has no random element.".into(),
            );
        }
    } else {
        for r in rank.iter().filter(|r| &r.variant != base) {
            if agg.runs_done() < 2 {
                changes.push(format!(
                    "{} against {base}: {} in one run; one run gives no interval, so this is not evidence of an effect.",
                    r.variant,
                    signed(r.diff, 3)
                ));
                continue;
            }
            let sure = if r.diff_ci_low > 0.0 || r.diff_ci_high < 0.0 {
                "its 95% interval excludes zero"
            } else {
                "its 95% interval includes zero, so it is not told apart from the baseline"
            };
            changes.push(format!(
                "{} against {base}: {} ({} to {}), better in {}% of paired runs; {sure}.",
                r.variant,
                signed(r.diff, 3),
                signed(r.diff_ci_low, 3),
                signed(r.diff_ci_high, 3),
                plot::human(100.0 * r.share_better, 3)
            ));
        }
    }
    let mut header = vec![
        what.to_string(),
        format!("Mean {headline}"),
        "95% CI low".into(),
        "95% CI high".into(),
    ];
    if !sweep {
        header.extend(
            [
                "Difference to baseline",
                "Difference CI low",
                "Difference CI high",
                "Better in % of runs",
                "Budget spent",
                "Gain over baseline per 100 extra units",
            ]
            .map(String::from),
        );
        if let Some(d) = &m.do_nothing {
            header.push(format!("Gain over {d} (doing nothing) per 100 extra units"));
        }
    }
    let rows = rank
        .iter()
        .map(|r| {
            let mut row = vec![
                Cell::text(variant_label(m, &r.variant)),
                Cell::num(r.mean, 4),
                Cell::num(r.ci_low, 4),
                Cell::num(r.ci_high, 4),
            ];
            if !sweep {
                row.extend([
                    Cell::signed(r.diff, 3),
                    Cell::signed(r.diff_ci_low, 3),
                    Cell::signed(r.diff_ci_high, 3),
                    Cell::num(100.0 * r.share_better, 3),
                    Cell::num(r.spend, 4),
                    Cell::signed(r.gain_per_100, 3),
                ]);
                if let Some(g) = r.vs_do_nothing {
                    row.push(Cell::signed(g[0], 3));
                }
            }
            row
        })
        .collect();
    let mut tables = vec![Table {
        caption: format!(
            "{} ranked by mean {headline}, {} runs each (common random numbers)",
            if sweep { "Sweep points" } else { "Strategies" },
            agg.runs_done()
        ),
        header,
        rows,
    }];
    if !sweep && m.variants.iter().any(|v| !v.description.is_empty()) {
        tables.push(Table {
            caption: "Strategies".into(),
            header: vec!["Strategy".into(), "What it changes".into()],
            rows: m
                .variants
                .iter()
                .map(|v| {
                    vec![
                        Cell::text(v.name.clone()),
                        Cell::text(v.description.clone()),
                    ]
                })
                .collect(),
        });
    }
    let mut files: Vec<String> = files.iter().filter(|f| is_data(f)).cloned().collect();
    if !sweep
        && m.variants.len() > 1
        && let Some(d) = crate::output::sensitivity::decision(agg)
    {
        let choice = &m.variants[d.minimax_regret].name;
        changes.push(format!(
            "Minimax-regret choice: {} (its worst loss against the best {} of the same run is {}, the smallest of all); decision.csv has every {}'s probability of being best and its regret.",
            variant_label(m, choice),
            what.to_lowercase(),
            words(d.strategies[d.minimax_regret].max_regret, 3),
            what.to_lowercase()
        ));
        tables.push(decision_table(agg, &d, what));
        files.push("decision.csv".into());
    }
    let mut manifest = manifest_common(
        &m.scenario,
        &m.scenario_sha256,
        m.seed,
        m.ticks,
        &m.tick_label,
    );
    manifest[0].1.clone_from(&m.softpower_version);
    manifest.insert(
        4,
        (
            "Runs".into(),
            format!(
                "{} per {} ({} done); run r uses the same seed in every {}",
                m.runs,
                what.to_lowercase(),
                agg.runs_done(),
                what.to_lowercase()
            ),
        ),
    );
    manifest.push(("Headline metric".into(), focal.clone()));
    if m.kind == "split" {
        manifest.push((
            "Cost".into(),
            format!(
                "{}'s cumulative spend per run; effects are paired differences from {base}",
                m.metrics.cost_actor
            ),
        ));
    }
    Page {
        kind: m.kind.clone(),
        title: format!("{}: {}", m.scenario, m.kind),
        description: description.to_string(),
        tables,
        changes,
        figures,
        manifest,
        files,
    }
}

/// Decision statistics per strategy or split: how often it is best in a run, its mean and
/// worst regret against the best of the same run, and the minimax-regret choice.
fn decision_table(
    agg: &crate::output::ensemble::Aggregate,
    d: &crate::experiment::decision::Decision,
    what: &str,
) -> Table {
    let m = &agg.manifest;
    Table {
        caption: format!(
            "Regret on {} over {} runs (loss against the best {} of the same run; decision.csv)",
            m.metrics.focal,
            agg.runs_done(),
            what.to_lowercase()
        ),
        header: [
            what,
            "Best in % of runs",
            "Mean regret",
            "Worst regret",
            "Minimax-regret choice",
        ]
        .map(String::from)
        .to_vec(),
        rows: m
            .variants
            .iter()
            .zip(&d.strategies)
            .enumerate()
            .map(|(i, (v, x))| {
                vec![
                    Cell::text(variant_label(m, &v.name)),
                    Cell::num(100.0 * x.p_best, 3),
                    Cell::num(x.expected_regret, 3),
                    Cell::num(x.max_regret, 3),
                    Cell::text(if i == d.minimax_regret { "yes" } else { "" }),
                ]
            })
            .collect(),
    }
}

// ---------------------------------------------------------------- sensitivity

/// A number for a sentence, or "–" when it is not finite.
fn words(v: f64, sig: usize) -> String {
    if v.is_finite() {
        plot::human(v, sig)
    } else {
        "–".into()
    }
}

/// Parameter names joined for a sentence: "a", "a and b", "a, b and c".
fn listed(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// Total indices below this (at the upper end of their interval) count as negligible.
const NEGLIGIBLE_TOTAL: f64 = 0.05;

/// The page of `softpower sensitivity`: the indices ranked, the figure, and the main
/// finding in words (the most influential parameter, how much interaction there is,
/// which parameters do not matter).
pub fn sensitivity_page(
    r: &crate::output::sensitivity::Report,
    info: &crate::output::sensitivity::PageInfo,
    figures: Vec<Figure>,
    files: &[String],
) -> Page {
    use crate::experiment::uncertainty::Indices;
    let paths = &r.space.paths;
    let d = paths.len();
    let range = |i: usize| {
        let (lo, hi) = r.space.priors[i].support();
        [
            Cell::text(r.space.priors[i].kind()),
            Cell::num(lo, 4),
            Cell::num(hi, 4),
        ]
    };
    let mut changes = Vec::new();
    let mut order: Vec<usize> = (0..d).collect();
    let mut manifest_extra = Vec::new();
    let table = match r.indices {
        Indices::Sobol(s) => {
            let key = |i: usize| {
                if s.total[i].value.is_finite() {
                    s.total[i].value
                } else {
                    f64::NEG_INFINITY
                }
            };
            order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
            let conf = plot::human(100.0 * s.confidence, 3);
            if let Some(&top) = order.first() {
                let t = s.total[top];
                changes.push(format!(
                    "{} has the largest total index, {} ({conf}% interval {} to {}): alone and through its interactions it causes about {}% of the variance of {}.",
                    paths[top],
                    words(t.value, 2),
                    words(t.low, 2),
                    words(t.high, 2),
                    words(100.0 * t.value, 2),
                    r.output
                ));
            }
            if let Some(&next) = order.get(1) {
                changes.push(format!(
                    "Next comes {}, total index {} (first-order {}).",
                    paths[next],
                    words(s.total[next].value, 2),
                    words(s.first[next].value, 2)
                ));
            }
            let sum: f64 = s.first.iter().map(|e| e.value).sum();
            if sum.is_finite() {
                changes.push(if sum >= 0.9 {
                    format!(
                        "The first-order indices sum to {}: the parameters act nearly additively, with little interaction between them.",
                        words(sum, 2)
                    )
                } else {
                    format!(
                        "The first-order indices sum to {}: by these estimates about {}% of the variance comes from interactions between parameters.",
                        words(sum, 2),
                        words(100.0 * (1.0 - sum).min(1.0), 2)
                    )
                });
            }
            let weak: Vec<&str> = order
                .iter()
                .filter(|&&i| s.total[i].high < NEGLIGIBLE_TOTAL)
                .map(|&i| paths[i].as_str())
                .collect();
            if !weak.is_empty() {
                changes.push(format!(
                    "{} {} a total index below {} even at the top of {} interval: within {} {}, {} barely {} {}.",
                    listed(&weak),
                    if weak.len() == 1 { "has" } else { "have" },
                    plot::human(NEGLIGIBLE_TOTAL, 2),
                    if weak.len() == 1 { "its" } else { "their" },
                    if weak.len() == 1 { "its" } else { "their" },
                    if weak.len() == 1 { "prior" } else { "priors" },
                    if weak.len() == 1 { "it" } else { "they" },
                    if weak.len() == 1 { "moves" } else { "move" },
                    r.output
                ));
            }
            manifest_extra.push(("Output variance".to_string(), words(s.variance, 4)));
            manifest_extra.push((
                "Intervals".to_string(),
                format!("{conf}% percentile bootstrap"),
            ));
            Table {
                caption: format!(
                    "Sobol indices of {}, {conf}% bootstrap intervals, N = {} ({} runs); largest total index first",
                    r.output,
                    r.samples,
                    r.outputs.len()
                ),
                header: [
                    "Parameter",
                    "Prior",
                    "Low",
                    "High",
                    "First-order",
                    "First-order low",
                    "First-order high",
                    "Total",
                    "Total low",
                    "Total high",
                ]
                .map(String::from)
                .to_vec(),
                rows: order
                    .iter()
                    .map(|&i| {
                        let mut row = vec![Cell::text(paths[i].clone())];
                        row.extend(range(i));
                        for e in [s.first[i], s.total[i]] {
                            row.extend([
                                Cell::num(e.value, 3),
                                Cell::num(e.low, 3),
                                Cell::num(e.high, 3),
                            ]);
                        }
                        row
                    })
                    .collect(),
            }
        }
        Indices::Morris(m) => {
            let key = |i: usize| {
                if m[i].mu_star.is_finite() {
                    m[i].mu_star
                } else {
                    f64::NEG_INFINITY
                }
            };
            order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
            if let Some(&top) = order.first() {
                changes.push(format!(
                    "{} has the largest mu*, {}: one step through its prior moves {} by {} on average (in absolute value).",
                    paths[top],
                    words(m[top].mu_star, 3),
                    r.output,
                    words(m[top].mu_star, 3)
                ));
            }
            if let Some(&next) = order.get(1) {
                changes.push(format!(
                    "Next comes {}, mu* = {}.",
                    paths[next],
                    words(m[next].mu_star, 3)
                ));
            }
            let bent: Vec<&str> = order
                .iter()
                .filter(|&&i| m[i].mu_star > 0.0 && m[i].sigma >= m[i].mu_star)
                .map(|&i| paths[i].as_str())
                .collect();
            if !bent.is_empty() {
                changes.push(format!(
                    "sigma is at least mu* for {}: the effect changes with the other parameters (non-linearity or interactions).",
                    listed(&bent)
                ));
            }
            let none: Vec<&str> = order
                .iter()
                .filter(|&&i| m[i].mu_star == 0.0)
                .map(|&i| paths[i].as_str())
                .collect();
            if !none.is_empty() {
                changes.push(format!(
                    "mu* is 0 for {}: no step of the design moved {}.",
                    listed(&none),
                    r.output
                ));
            }
            Table {
                caption: format!(
                    "Morris elementary effects of {} (per unit of prior quantile), {} trajectories ({} runs); largest mu* first",
                    r.output,
                    r.samples,
                    r.outputs.len()
                ),
                header: ["Parameter", "Prior", "Low", "High", "mu*", "mu", "sigma"]
                    .map(String::from)
                    .to_vec(),
                rows: order
                    .iter()
                    .map(|&i| {
                        let mut row = vec![Cell::text(paths[i].clone())];
                        row.extend(range(i));
                        row.extend([
                            Cell::num(m[i].mu_star, 3),
                            Cell::signed(m[i].mu, 3),
                            Cell::num(m[i].sigma, 3),
                        ]);
                        row
                    })
                    .collect(),
            }
        }
    };
    let manifest = design_manifest(
        info,
        r.scenario_sha256,
        r.seed,
        [
            ("Method".to_string(), r.method.to_string()),
            ("Output".to_string(), r.output.to_string()),
            (
                "Design".to_string(),
                format!(
                    "{} samples, {} runs over {d} uncertain parameters",
                    r.samples,
                    r.outputs.len()
                ),
            ),
        ]
        .into_iter()
        .chain(manifest_extra),
    );
    Page {
        kind: "sensitivity".into(),
        title: format!("{}: sensitivity of {}", r.scenario, r.output),
        description: info.description.to_string(),
        tables: vec![table],
        changes,
        figures,
        manifest,
        files: files.iter().filter(|f| is_data(f)).cloned().collect(),
    }
}

// ---------------------------------------------------------------- discovery

/// A share as a percentage for a sentence: "12.5%".
fn pct(v: f64) -> String {
    format!("{}%", words(100.0 * v, 3))
}

/// The page of `softpower discover`: the question, how often it holds, the chosen box in
/// words with its coverage, density and mass, the parameters it leaves free, the peeling
/// trajectory (table and figure) and the manifest.
pub fn discover_page(
    r: &crate::output::discover::Report,
    info: &crate::output::sensitivity::PageInfo,
    figures: Vec<Figure>,
    files: &[String],
) -> Page {
    let d = r.discovery;
    let t = &d.trajectory;
    let b = &t.boxes[d.chosen];
    let paths = &r.space.paths;
    let base_rate = d.cases as f64 / d.runs.max(1) as f64;
    let mut changes = vec![
        format!(
            "The question: is \"{}\"? Over {} samples of the priors it holds in {} ({}).",
            r.question,
            d.runs,
            d.cases,
            pct(base_rate)
        ),
        format!(
            "Where it holds: {}. Inside this box (box {} of the {} PRIM peeled) the answer is yes in {} of samples (density, against {} over the whole prior); the box holds {} of all yes-samples (coverage) in {} of all samples (mass).",
            t.describe(d.chosen),
            d.chosen,
            t.boxes.len() - 1,
            pct(b.density),
            pct(base_rate),
            pct(b.coverage),
            pct(b.mass)
        ),
    ];
    if !d.reached {
        changes.push(format!(
            "No box reaches the density asked for ({}): the chosen box is the densest. The answer is not confined to one box of these parameters; lower --density or take more --samples.",
            pct(r.min_density)
        ));
    }
    let free: Vec<&str> = paths
        .iter()
        .enumerate()
        .filter(|(j, _)| !b.low[*j].is_finite() && !b.high[*j].is_finite())
        .map(|(_, p)| p.as_str())
        .collect();
    changes.push(if free.is_empty() {
        "The box restricts every uncertain parameter.".to_string()
    } else {
        format!(
            "Left free (any value of {} prior will do): {}. Within the priors {} not decide the answer once the box's other bounds hold.",
            if free.len() == 1 { "its" } else { "their" },
            listed(&free),
            if free.len() == 1 { "it does" } else { "they do" }
        )
    });
    let box_table = Table {
        caption: format!(
            "The chosen box (box {}), one row per uncertain parameter; an empty bound is the prior's",
            d.chosen
        ),
        header: [
            "Parameter",
            "Prior",
            "Prior low",
            "Prior high",
            "Box low",
            "Box high",
            "Restricted",
        ]
        .map(String::from)
        .to_vec(),
        rows: paths
            .iter()
            .zip(&r.space.priors)
            .enumerate()
            .map(|(j, (p, prior))| {
                let (lo, hi) = prior.support();
                let bound = |v: f64| {
                    if v.is_finite() {
                        Cell::num(v, 4)
                    } else {
                        Cell::text("")
                    }
                };
                vec![
                    Cell::text(p.clone()),
                    Cell::text(prior.kind()),
                    Cell::num(lo, 4),
                    Cell::num(hi, 4),
                    bound(b.low[j]),
                    bound(b.high[j]),
                    Cell::text(if b.low[j].is_finite() || b.high[j].is_finite() {
                        "yes"
                    } else {
                        "no (free)"
                    }),
                ]
            })
            .collect(),
    };
    let trajectory = Table {
        caption: "The peeling trajectory: every box PRIM peeled, from the whole prior (box 0) on (discover.csv)".into(),
        header: ["Box", "Coverage %", "Density %", "Mass %", "Chosen", "Box in words"]
            .map(String::from)
            .to_vec(),
        rows: t
            .boxes
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    Cell::num(i as f64, 6),
                    Cell::num(100.0 * x.coverage, 3),
                    Cell::num(100.0 * x.density, 3),
                    Cell::num(100.0 * x.mass, 3),
                    Cell::text(if i == d.chosen { "chosen" } else { "" }),
                    Cell::text(t.describe(i)),
                ]
            })
            .collect(),
    };
    let manifest = design_manifest(
        info,
        r.scenario_sha256,
        r.seed,
        [
            ("Question".to_string(), r.question.to_string()),
            ("Metric".to_string(), r.metric.to_string()),
            ("Strategies".to_string(), r.question.strategies().join(", ")),
            (
                "Design".to_string(),
                format!(
                    "{} samples of {} uncertain parameters (scrambled Sobol sequence); every strategy of a sample shares its parameters and seed",
                    d.runs,
                    paths.len()
                ),
            ),
            (
                "PRIM".to_string(),
                format!(
                    "peel {} per step, stop at mass {}, target density {}",
                    pct(r.alpha),
                    pct(r.min_mass),
                    pct(r.min_density)
                ),
            ),
        ],
    );
    Page {
        kind: "discover".into(),
        title: format!("{}: where does \"{}\" hold?", r.scenario, r.question),
        description: info.description.to_string(),
        tables: vec![box_table, trajectory],
        changes,
        figures,
        manifest,
        files: files.iter().filter(|f| is_data(f)).cloned().collect(),
    }
}

// ---------------------------------------------------------------- calibration

/// The page of `softpower calibrate`: the fit per surveyed unit (figures with the data's
/// sampling intervals and the model's band), the posterior against the prior, the
/// identification warnings, the posterior predictive check, the out-of-sample forecast
/// when surveys are held out, and the manifest.
pub fn calibrate_page(
    r: &crate::output::calibrate::CalibrationReport,
    info: &crate::output::sensitivity::PageInfo,
    figures: Vec<Figure>,
    files: &[String],
) -> Page {
    let pb = r.problem;
    let post = &r.posterior.params;
    let units = crate::output::calibrate::fit_by_unit(r);
    let nobs = pb.spec.observations.len();
    let mut changes = vec![format!(
        "Fitted {} uncertain {} to {nobs} survey figures in {} {} (binomial likelihood): {} walkers x {} steps of an affine-invariant ensemble sampler, the first {} discarded as burn-in; {} of its moves accepted.",
        post.len(),
        if post.len() == 1 {
            "parameter"
        } else {
            "parameters"
        },
        units.len(),
        if units.len() == 1 { "unit" } else { "units" },
        r.chain.walkers,
        r.chain.steps(),
        r.burn_in,
        pct(r.chain.acceptance())
    )];
    let inside: f64 = units.iter().map(|u| u.3 * u.1 as f64).sum::<f64>() / nobs.max(1) as f64;
    let mae: f64 = units.iter().map(|u| u.2 * u.1 as f64).sum::<f64>() / nobs.max(1) as f64;
    changes.push(format!(
        "The model's median misses the fitted survey figures by {} percentage points on average; {} of them lie inside the model's 90% band (the band holds parameter uncertainty only, not the survey's sampling error).",
        words(mae, 3),
        pct(inside)
    ));
    let p = r.predictive.p_value;
    changes.push(format!(
        "Posterior predictive check: p = {} for the chi-square discrepancy over {} simulated surveys; {}",
        words(p, 3),
        r.predictive.series.len(),
        if (0.025..=0.975).contains(&p) {
            "the data sit as far from the fit as the model and binomial sampling explain."
        } else if p < 0.5 {
            "the data are further from the fit than the model and binomial sampling explain: the model misses something the surveys show."
        } else {
            "the data are closer to the fit than binomial sampling explains (over-fitting or dependent surveys)."
        }
    ));
    let ident: Vec<&str> = post
        .iter()
        .filter(|x| x.identified())
        .map(|x| x.path.as_str())
        .collect();
    for x in post.iter().filter(|x| x.identified()) {
        changes.push(format!(
            "{}: posterior median {} (90% interval {} to {}), against a prior median of {} ({} to {}).",
            x.path,
            words(x.posterior[1], 3),
            words(x.posterior[0], 3),
            words(x.posterior[2], 3),
            words(x.prior[1], 3),
            words(x.prior[0], 3),
            words(x.prior[2], 3)
        ));
    }
    if ident.len() < post.len() {
        changes.push(format!(
            "{} of {} parameters are identified by these data; the others' intervals are mostly their priors (see the warnings).",
            ident.len(),
            post.len()
        ));
    }
    if let Some(o) = r.out_of_sample {
        if o.rows.is_empty() {
            changes.push(format!(
                "No survey figure lies at or after the holdout (tick {}): nothing to forecast.",
                o.holdout_from
            ));
        } else {
            changes.push(format!(
                "Out of sample: {} held-out survey figures (tick {} on); over the {} with an earlier figure the model's median misses by {} points on average, the last figure carried forward by {}; {} lie inside the model's 90% band.",
                o.rows.len(),
                o.holdout_from,
                o.compared,
                words(100.0 * o.model_mae, 3),
                words(100.0 * o.naive_mae, 3),
                pct(o.coverage90)
            ));
        }
    }
    for w in r.warnings() {
        changes.push(format!("Warning: {w}."));
    }
    let mut tables = vec![Table {
        caption: "Posterior against prior: 5%, 50% and 95% quantiles of each uncertain parameter (posterior.csv has the draws)".into(),
        header: [
            "Parameter",
            "Posterior 5%",
            "Posterior median",
            "Posterior 95%",
            "Prior 5%",
            "Prior median",
            "Prior 95%",
            "Best fit",
            "Posterior sd / prior sd",
            "Identified",
        ]
        .map(String::from)
        .to_vec(),
        rows: post
            .iter()
            .map(|x| {
                let mut row = vec![Cell::text(x.path.clone())];
                row.extend(x.posterior.iter().map(|&v| Cell::num(v, 4)));
                row.extend(x.prior.iter().map(|&v| Cell::num(v, 4)));
                row.extend([
                    Cell::num(x.best, 4),
                    Cell::num(x.sd_ratio, 3),
                    Cell::text(if x.identified() { "yes" } else { "no" }),
                ]);
                row
            })
            .collect(),
    }];
    tables.extend(crate::output::calibrate::convergence_table(r));
    tables.push(Table {
        caption: "Fit per surveyed unit: fitted survey figures, the model median's mean absolute error, and how many figures the model's 90% band holds (fit.csv has every figure)".into(),
        header: [
            "Unit",
            "Survey figures",
            "Mean absolute error (points)",
            "Inside the 90% band %",
            "Sampling interval meets the band %",
        ]
        .map(String::from)
        .to_vec(),
        rows: units
            .iter()
            .map(|(u, n, m, i, meet)| {
                vec![
                    Cell::text(u.clone()),
                    Cell::num(*n as f64, 6),
                    Cell::num(*m, 3),
                    Cell::num(100.0 * i, 3),
                    Cell::num(100.0 * meet, 3),
                ]
            })
            .collect(),
    });
    if let Some(o) = r.out_of_sample.filter(|o| !o.rows.is_empty()) {
        tables.push(Table {
            caption: "Out of sample per unit: mean absolute error of the held-out figures, the model's median against the last fitted figure carried forward (out_of_sample.csv)".into(),
            header: [
                "Unit",
                "Held-out figures",
                "Model error (points)",
                "Naive error (points)",
                "Model worse",
            ]
            .map(String::from)
            .to_vec(),
            rows: crate::output::calibrate::out_of_sample_by_unit(pb, o)
                .into_iter()
                .map(|(u, n, m, nv)| {
                    vec![
                        Cell::text(u),
                        Cell::num(n as f64, 6),
                        Cell::num(m, 3),
                        Cell::num(nv, 3),
                        Cell::text(if m > nv { "yes" } else { "no" }),
                    ]
                })
                .collect(),
        });
    }
    let mut manifest = design_manifest(
        info,
        r.scenario_sha256,
        r.seed,
        [
            (
                "Sampler".to_string(),
                format!(
                    "affine-invariant ensemble, stretch move (Goodman & Weare 2010): {} walkers, {} steps, burn-in {}, {} posterior draws",
                    r.chain.walkers,
                    r.chain.steps(),
                    r.burn_in,
                    r.posterior.draws.len()
                ),
            ),
            (
                "Likelihood".to_string(),
                format!(
                    "binomial on {nobs} survey figures; within-population spread {}",
                    words(pb.spec.spread, 3)
                ),
            ),
            (
                "Posterior predictive".to_string(),
                format!("{} draws simulated", r.predictive.series.len()),
            ),
            (
                "Best fit".to_string(),
                format!("deviance {}", words(-2.0 * r.posterior.best.1, 4)),
            ),
        ],
    );
    manifest[3].1 = format!("{} (the same seed in every run of the sampler)", r.seed);
    Page {
        kind: "calibrate".into(),
        title: format!("{}: calibration to surveys", r.scenario),
        description: info.description.to_string(),
        tables,
        changes,
        figures,
        manifest,
        files: files.iter().filter(|f| is_data(f)).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        Page {
            kind: "run".into(),
            title: "A <b>bold</b> & \"quoted\" title".into(),
            description: "Who wins </script><script>alert(1)</script>?".into(),
            tables: vec![Table {
                caption: "t".into(),
                header: vec!["name".into(), "value".into()],
                rows: vec![
                    vec![Cell::text("a"), Cell::num(0.30000000000000004, 3)],
                    vec![Cell::text("b"), Cell::signed(-0.125, 2)],
                ],
            }],
            changes: vec!["x rose".into()],
            figures: vec![Figure {
                name: "f.png".into(),
                bytes: vec![1, 2, 3],
                caption: "read it".into(),
                layout: Some(Layout {
                    width: 10,
                    height: 10,
                    plot: (1, 1, 9, 9),
                    x: (0.0, 1.0),
                    y: (0.0, 1.0),
                }),
                hover: Hover::Lines(vec![("</script>".into(), vec![(0.0, 1.0)])]),
            }],
            manifest: vec![("Seed".into(), "42".into())],
            files: vec!["a.csv".into()],
        }
    }

    #[test]
    fn text_from_the_scenario_cannot_break_out_of_the_page() {
        let h = html(&page());
        assert!(h.contains("A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title"));
        assert!(!h.contains("<script>alert(1)"));
        // Series names inside the hover data cannot end its script element.
        assert_eq!(
            h.matches("</script>").count(),
            2,
            "the hover data and the page script"
        );
    }

    #[test]
    fn numeric_cells_sort_by_their_value_and_read_for_people() {
        let h = html(&page());
        assert!(h.contains("<td class=\"n\" data-v=\"0.3\">0.3</td>"));
        assert!(h.contains("data-v=\"-0.125\">−0.13</td>") || h.contains(">−0.12</td>"));
        assert!(h.contains("<table class=\"sortable\">"));
    }

    #[test]
    fn signs_are_shown_and_zero_has_none() {
        assert_eq!(signed(0.12, 2), "+0.12");
        assert_eq!(signed(-0.03, 2), "−0.03");
        assert_eq!(signed(0.0, 2), "0");
    }
}
