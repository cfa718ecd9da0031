//! The served pages: self-contained HTML (inline CSS and script, nothing loaded from
//! the network). Team pages show only what the team may know: its briefing (the
//! comments of its decisions template), its budget, its form and its own results of the
//! rounds played; injects appear only through the events of rounds already played.

use super::super::decisions::{self, TemplateInfo, num};
use super::super::{Game, TeamStatus};
use super::codes::Codes;
use super::form::{self, Form};
use crate::scenario::{Channel, Instrument};
use serde_json::json;
use std::fmt::Write;

const STYLE: &str = r#"<style>
body{font-family:system-ui,sans-serif;max-width:62rem;margin:1rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;margin-top:2rem}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
fieldset{margin:.6rem 0;border:1px solid #bbb}label{display:inline-block;margin:.2rem .8rem .2rem 0}
input[type=text]{width:9rem}.wide{width:24rem!important}
.bad{outline:2px solid #c00}.errs,#problems{color:#a00}.ok{color:#060}
button{font-size:1rem;padding:.3rem .9rem;margin:.2rem}.note{color:#555}
.submitted{color:#060;font-weight:bold}.invalid{color:#a00;font-weight:bold}
</style>"#;

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// JSON for a `<script type="application/json">` block: no `<` can end the block.
fn embed(v: &serde_json::Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title>{STYLE}</head><body>\n{body}\n</body></html>\n",
        esc(title)
    )
}

pub fn message(status: u16, what: &str) -> String {
    page(
        &format!("{status}"),
        &format!(
            "<h1>{}</h1><pre>{}</pre><p><a href=\"/\">Enter a join code</a></p>",
            match status {
                403 => "Not allowed",
                404 => "Not found",
                _ => "Problem",
            },
            esc(what)
        ),
    )
}

pub fn join() -> String {
    page(
        "Join the game",
        r#"<h1>Join the game</h1>
<p>Type the join code your instructor gave you (like <code>K7QMX-3RDWP</code>).</p>
<form id="join"><input id="code" type="text" class="wide" autocomplete="off" autofocus> <button>Join</button></form>
<script>
document.getElementById('join').addEventListener('submit', e => {
  e.preventDefault();
  const c = document.getElementById('code').value.toUpperCase().replace(/[^A-Z0-9-]/g, '');
  if (c) location.href = '/' + c + '/';
});
</script>"#,
    )
}

/// A team's state for the next round, in words: (short state, detail).
pub fn describe(g: &Game, t: usize, st: &TeamStatus) -> (&'static str, String) {
    let left = g.budget_left(t, g.current());
    match st {
        TeamStatus::Missing => ("missing", "no decisions file yet".into()),
        TeamStatus::Draft(d) => (
            "draft",
            format!(
                "not submitted: {} actions, spends {} of {}",
                d.actions.len(),
                num(d.total_spend()),
                num(left)
            ),
        ),
        TeamStatus::Submitted(d) => (
            "submitted",
            format!(
                "{} actions, spends {} of {}{}",
                d.actions.len(),
                num(d.total_spend()),
                num(left),
                if d.prediction.is_some() {
                    ", with a prediction"
                } else {
                    ""
                }
            ),
        ),
        TeamStatus::Invalid(e) => ("invalid", e.to_string()),
        TeamStatus::InvalidDraft(e) => ("draft with problems", e.to_string()),
    }
}

fn team_name(g: &Game, t: usize) -> String {
    let a = &g.scenario.actors[g.teams[t]];
    a.name.clone().unwrap_or_else(|| a.id.clone())
}

fn signed(x: f64) -> String {
    format!("{x:+.4}")
}

/// The options of the form's fields, from the scenario.
fn options(g: &Game, t: usize) -> serde_json::Value {
    let sc = &g.scenario;
    let me = &sc.actors[g.teams[t]].id;
    let mut targets = vec!["all".to_string()];
    targets.extend(sc.populations.iter().map(|p| p.id.clone()));
    let mut homes: Vec<String> = sc
        .populations
        .iter()
        .filter_map(|p| p.home.clone())
        .chain(sc.generators.iter().filter_map(|x| x.home.clone()))
        .collect();
    homes.sort();
    homes.dedup();
    targets.extend(homes.into_iter().map(|h| format!("home:{h}")));
    targets.extend(sc.generators.iter().map(|x| format!("group:{}", x.prefix)));
    json!({
        "instruments": Instrument::ALL.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        "channels": Channel::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "targets": targets,
        "actors": sc.actors.iter().filter(|a| &a.id != me).map(|a| a.id.clone()).collect::<Vec<_>>(),
        "stories": sc.stories.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        "dimensions": sc.scenario.dimensions,
    })
}

pub fn team(g: &Game, t: usize) -> String {
    let sc = &g.scenario;
    let name = team_name(g, t);
    let r = g.current();
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Team {}</h1><p class=\"note\">{}: {}</p>",
        esc(&name),
        esc(&sc.scenario.name),
        esc(&sc.scenario.description)
    );
    if g.finished() {
        let _ = write!(
            b,
            "<p id=\"round\">The game is over: all {} rounds are played. Your results are below.</p>",
            g.settings.rounds
        );
    } else {
        let left = g.budget_left(t, r);
        let _ = write!(
            b,
            "<p id=\"round\">Round {r} of {} is next.</p>\
<h2>Budget</h2><p id=\"budget\">{} units per round; <b>{} left this round</b> (spent so far: {}; unspent budget carries over).</p>",
            g.settings.rounds,
            num(g.allowance(t)),
            num(left),
            num(g.spent_before(t, r))
        );
        let st = g.status().into_iter().nth(t).unwrap_or(TeamStatus::Missing);
        let (state, detail) = describe(g, t, &st);
        let _ = write!(
            b,
            "<h2>Your decisions for round {r}</h2><p>Now: <span id=\"state\" class=\"{}\">{}</span> ({}). <a href=\"decisions.toml\">The file as the instructor's computer has it</a>.</p>",
            if state == "invalid" {
                "invalid"
            } else if state == "submitted" {
                "submitted"
            } else {
                ""
            },
            esc(state),
            esc(detail.lines().next().unwrap_or(""))
        );
        // The form starts from the file: a draft, a submission, or last round's choices.
        let path = g.decisions_path(t, r);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut prefill = match &st {
            TeamStatus::Draft(d) | TeamStatus::Submitted(d) => form::from_decisions(d),
            _ => toml::from_str::<decisions::Decisions>(&text)
                .map(|d| form::from_decisions(&d))
                .unwrap_or_default(),
        };
        prefill.round = r;
        if let TeamStatus::Invalid(e) | TeamStatus::InvalidDraft(e) = &st {
            let _ = write!(
                b,
                "<p>The file has problems (it was edited outside this page):</p><pre class=\"errs\">{}</pre>",
                esc(&e.to_string())
            );
        }
        b.push_str(&form_html(g, t, &prefill));
        let info = TemplateInfo {
            sc,
            settings: &g.settings,
            team: g.teams[t],
            round: r,
            budget_left: left,
            spent_so_far: g.spent_before(t, r),
            previous: g.played.last().map(|p| &p.decisions[t]),
        };
        let brief: String = decisions::template(&info)
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
            .collect();
        let _ = write!(
            b,
            "<h2>Briefing</h2><pre id=\"briefing\">{}</pre>",
            esc(&brief)
        );
    }
    b.push_str(&results_html(g, t));
    page(&format!("Team {name}"), &b)
}

fn form_html(g: &Game, t: usize, prefill: &Form) -> String {
    let data = json!({
        "round": prefill.round,
        "options": options(g, t),
        "form": prefill,
    });
    format!(
        r#"<form id="decide" autocomplete="off" onsubmit="return false">
<fieldset><legend>Prediction (optional)</legend>
<label>Expected change of your index this round <input type="text" inputmode="decimal" id="prediction" data-f="prediction.soft_power_change" placeholder="e.g. 0.002"></label><br>
<label>Why <input type="text" id="why" class="wide" data-f="prediction.why"></label></fieldset>
<div id="actions"></div>
<button type="button" id="add">Add an action</button>
<p>Spend: <b id="spend">0</b> of <span id="left">?</span>. <span id="count"></span></p>
<ul id="problems"></ul>
<button type="button" id="submit">Submit for round {round}</button>
<p id="result" aria-live="polite"></p>
</form>
<script id="data" type="application/json">{data}</script>
<script>{script}</script>"#,
        round = prefill.round,
        data = embed(&data),
        script = TEAM_JS
    )
}

const TEAM_JS: &str = r#"
const D = JSON.parse(document.getElementById('data').textContent);
const O = D.options;
const rows = document.getElementById('actions');
const pred = document.getElementById('prediction'), why = document.getElementById('why');
const el = (tag, attrs, kids) => { const e = document.createElement(tag); Object.assign(e, attrs || {}); (kids || []).forEach(k => e.append(k)); return e; };
function select(k, values, cur, blank) {
  const s = el('select', {});
  s.dataset.k = k;
  if (blank !== undefined) s.append(el('option', {value: '', textContent: blank}));
  values.forEach(v => s.append(el('option', {value: v, textContent: v})));
  s.value = cur || '';
  return s;
}
function text(k, cur, hint) { const i = el('input', {type: 'text', value: cur || '', placeholder: hint || ''}); i.dataset.k = k; return i; }
function field(label, input) { return el('label', {}, [label + ' ', input]); }
function addRow(a) {
  a = a || {};
  const fs = el('fieldset', {className: 'action'});
  fs.append(el('legend', {textContent: 'Action'}));
  fs.append(field('id', text('id', a.id, 'e.g. youth_online')));
  fs.append(field('instrument', select('instrument', O.instruments, a.instrument, '(choose)')));
  fs.append(field('channel', select('channel', O.channels, a.channel, '(none)')));
  fs.append(field('spend', Object.assign(text('spend', a.spend, 'units'), {inputMode: 'decimal'})));
  fs.append(field('against', select('against', O.actors, a.against, '(none)')));
  fs.append(field('story', select('story', O.stories, a.story, '(none)')));
  fs.append(field('emphasis', text('emphasis', a.emphasis, O.dimensions.join(', '))));
  const tg = el('div', {}, ['targets: ']);
  O.targets.forEach(v => { const c = el('input', {type: 'checkbox', value: v, checked: (a.targets || []).includes(v)}); c.dataset.k = 'targets'; tg.append(el('label', {}, [c, ' ' + v])); });
  fs.append(tg);
  const rm = el('button', {type: 'button', textContent: 'Remove this action'});
  rm.addEventListener('click', () => { fs.remove(); number(); changed(); });
  fs.append(rm, el('ul', {className: 'errs'}));
  rows.append(fs);
  number();
}
function number() { [...rows.children].forEach((fs, i) => { fs.firstChild.textContent = 'Action ' + (i + 1); fs.dataset.i = i; }); }
function collect() {
  return {round: D.round, prediction: pred.value, why: why.value,
    actions: [...rows.children].map(fs => {
      const v = k => fs.querySelector('[data-k=' + k + ']').value;
      return {id: v('id'), instrument: v('instrument'), channel: v('channel'), spend: v('spend'),
        against: v('against'), story: v('story'), emphasis: v('emphasis'),
        targets: [...fs.querySelectorAll('input[data-k=targets]:checked')].map(c => c.value)};
    })};
}
function where(f) {
  const m = /^action\[(\d+)\]\.?([a-z_]*)/.exec(f);
  if (m) return 'Action ' + (+m[1] + 1) + (m[2] ? ', ' + m[2] : '');
  if (f.startsWith('prediction')) return 'Prediction';
  return f ? f : 'Decisions';
}
function show(j) {
  document.querySelectorAll('.bad').forEach(e => e.classList.remove('bad'));
  document.querySelectorAll('.errs').forEach(e => e.textContent = '');
  const list = document.getElementById('problems');
  list.textContent = '';
  const ps = j.problems || [];
  ps.forEach(p => {
    const line = where(p.field) + ': ' + p.message + (p.help ? ' (' + p.help + ')' : '');
    list.append(el('li', {textContent: line}));
    const m = /^action\[(\d+)\]\.?([a-z_]*)/.exec(p.field);
    if (m && rows.children[+m[1]]) {
      const fs = rows.children[+m[1]];
      fs.querySelector('.errs').append(el('li', {textContent: p.message}));
      const input = m[2] && fs.querySelector('[data-k=' + m[2] + ']');
      if (input) input.classList.add('bad');
    } else if (p.field.startsWith('prediction')) pred.classList.add('bad');
  });
  document.getElementById('count').textContent = ps.length ? ps.length + ' problem' + (ps.length > 1 ? 's' : '') + ' (below)' : 'No problems.';
  document.getElementById('count').className = ps.length ? 'errs' : 'ok';
  if (j.spend !== undefined) document.getElementById('spend').textContent = Math.round(j.spend * 1000) / 1000;
  if (j.budget_left !== undefined) document.getElementById('left').textContent = Math.round(j.budget_left * 1000) / 1000;
}
async function post(url, body) {
  const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  let j = {};
  try { j = await r.json(); } catch (e) {}
  return [r.status, j];
}
async function check() { const [s, j] = await post('check', collect()); if (s === 200) show(j); return j; }
let timer;
function changed() { clearTimeout(timer); timer = setTimeout(check, 300); }
async function submit() {
  const [s, j] = await post('submit', collect());
  const out = document.getElementById('result');
  if (j.problems) show(j);
  if (s === 200) {
    out.textContent = 'Submitted for round ' + D.round + '. You can change it and submit again until the round is played.';
    out.className = 'ok'; out.dataset.state = 'submitted';
    const st = document.getElementById('state'); if (st) { st.textContent = 'submitted'; st.className = 'submitted'; }
  } else {
    out.textContent = 'Not submitted: ' + (j.problems ? 'fix the problems listed above.' : (j.error || ('error ' + s)));
    out.className = 'errs'; out.dataset.state = 'refused';
  }
  return s;
}
document.getElementById('decide').addEventListener('input', changed);
document.getElementById('decide').addEventListener('change', changed);
document.getElementById('add').addEventListener('click', () => { addRow({}); changed(); });
document.getElementById('submit').addEventListener('click', submit);
pred.value = D.form.prediction || ''; why.value = D.form.why || '';
(D.form.actions || []).forEach(addRow);
check();
// Browser tests: '#selftest=' + a JSON form fills the page as a team would, then records
// what the page showed in data- attributes of <body> (tests/serve.rs).
async function selftest(spec) {
  rows.textContent = '';
  pred.value = spec.prediction || ''; why.value = spec.why || '';
  for (const a of spec.actions || []) {
    document.getElementById('add').click();
    const fs = rows.lastElementChild;
    for (const [k, v] of Object.entries(a)) {
      if (k === 'targets') fs.querySelectorAll('input[data-k=targets]').forEach(c => { c.checked = v.includes(c.value); });
      else fs.querySelector('[data-k=' + k + ']').value = v;
    }
    fs.querySelector('[data-k=id]').dispatchEvent(new Event('input', {bubbles: true}));
  }
  await check();
  const b = document.body.dataset;
  b.selftestShown = String(document.querySelectorAll('#problems li').length);
  b.selftestMarked = String(document.querySelectorAll('.bad').length);
  if (spec.submit) b.selftestSubmit = String(await submit());
  b.selftest = 'done';
}
if (location.hash.startsWith('#selftest=')) {
  selftest(JSON.parse(decodeURIComponent(location.hash.slice(10)))).catch(e => { document.body.dataset.selftest = 'error: ' + e; });
}
"#;

fn results_html(g: &Game, t: usize) -> String {
    let mut b = String::from("<h2>Your results</h2>");
    if g.records.is_empty() {
        b.push_str("<p id=\"results\">No round has been played yet.</p>");
        return b;
    }
    b.push_str("<div id=\"results\">");
    let me = &g.settings.teams[t];
    for rec in g.records.iter().rev() {
        let Some(tr) = rec.teams.get(t) else { continue };
        let _ = write!(
            b,
            "<section class=\"round\" data-round=\"{r}\"><h3>Round {r} ({label}s {a} to {z})</h3>\
<p>Your soft-power index: {s:.4} → {e:.4} (<b class=\"change\">{c}</b>), rank {rank} of {n}. Spent {sp}; budget left {left}. <a href=\"rounds/{nn}/decisions.toml\">Your decisions as played</a>.</p>",
            r = rec.round,
            label = esc(&rec.tick_label),
            a = rec.ticks[0],
            z = rec.ticks[1].saturating_sub(1),
            s = tr.sp_start,
            e = tr.sp_end,
            c = signed(tr.change),
            rank = tr.rank,
            n = rec.teams.len(),
            sp = num(tr.spent),
            left = num(tr.budget_left),
            nn = super::super::game::round_dir(rec.round),
        );
        let mut happened: Vec<String> = rec.events.clone();
        happened.extend(
            rec.notes
                .iter()
                .filter(|n| n.contains(me.as_str()))
                .cloned(),
        );
        if !happened.is_empty() {
            b.push_str("<p>What happened:</p><ul>");
            for h in &happened {
                let _ = write!(b, "<li>{}</li>", esc(h));
            }
            b.push_str("</ul>");
        }
        b.push_str("<table><tr><th>what moved your index</th><th>change</th></tr>");
        for p in &tr.attribution.parts {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&p.label),
                signed(p.value)
            );
        }
        let _ = write!(
            b,
            "<tr><th>total</th><th>{}</th></tr></table>",
            signed(tr.attribution.total)
        );
        if let Some(p) = &tr.prediction {
            let _ = write!(
                b,
                "<p>Your prediction: {} (observed {}), score {:.0} of 100{}.</p>",
                signed(p.predicted),
                signed(p.observed),
                p.score,
                if p.why.is_empty() {
                    String::new()
                } else {
                    format!("; why: “{}”", esc(&p.why))
                }
            );
        }
        b.push_str("</section>");
    }
    b.push_str("</div>");
    b
}

pub fn instructor(g: &Game, codes: &Codes) -> String {
    let sc = &g.scenario;
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Instructor: {}</h1><p class=\"note\">{}</p>",
        esc(&sc.scenario.name),
        esc(&sc.scenario.description)
    );
    if g.finished() {
        let _ = write!(
            b,
            "<p id=\"round\">All {} rounds are played.</p>",
            g.settings.rounds
        );
    } else {
        let _ = write!(
            b,
            "<p id=\"round\">Round {} of {} is next ({} played).</p>",
            g.current(),
            g.settings.rounds,
            g.completed()
        );
        b.push_str("<h2>Who has submitted</h2><table id=\"teams\"><tr><th>team</th><th>state</th><th>details</th></tr>");
        for (t, st) in g.status().iter().enumerate() {
            let (state, detail) = describe(g, t, st);
            let id = &g.settings.teams[t];
            let _ = write!(
                b,
                "<tr><td><a href=\"team/{id}/\">{}</a></td><td data-team=\"{id}\" class=\"{}\">{}</td><td><pre>{}</pre></td></tr>",
                esc(&team_name(g, t)),
                match state {
                    "submitted" => "submitted",
                    "invalid" => "invalid",
                    _ => "",
                },
                esc(state),
                esc(&detail)
            );
        }
        b.push_str("</table>");
        let _ = write!(
            b,
            "<h2>Play the round</h2><p>Teams that have not submitted: <select id=\"missing\">\
<option value=\"\">wait for them (refuse to play)</option>\
<option value=\"hold\">hold (they do nothing)</option>\
<option value=\"repeat\">repeat (they repeat last round)</option></select> \
<button type=\"button\" id=\"advance\">Play round {}</button></p>",
            g.current()
        );
    }
    b.push_str("<pre id=\"out\" aria-live=\"polite\"></pre>");
    // Injects are released by playing their round; this list, unlike the plan below,
    // names only those that have struck, so it can be projected.
    b.push_str("<h2>Surprises released so far</h2><ul id=\"released\">");
    let released: Vec<_> = g
        .injects()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.round <= g.completed())
        .collect();
    if released.is_empty() {
        b.push_str("<li>None yet: each strikes when its round is played.</li>");
    }
    for i in &released {
        let _ = write!(b, "<li>Round {}: {}</li>", i.round, esc(&i.title));
    }
    b.push_str("</ul>");
    b.push_str("<h2>Reports</h2><ul id=\"reports\">");
    for rec in &g.records {
        let _ = write!(
            b,
            "<li><a href=\"rounds/{}/\">Round {} report</a></li>",
            super::super::game::round_dir(rec.round),
            rec.round
        );
    }
    if g.dir.join("debrief").is_dir() {
        b.push_str("<li><a href=\"debrief/\">Debrief</a></li>");
    }
    b.push_str("</ul>");
    if g.completed() > 0 {
        b.push_str("<p><button type=\"button\" id=\"debrief\">Write the debrief of the rounds played</button></p>");
    }
    let _ = write!(
        b,
        "<h2>Go back</h2><p>Restart from the start of round <input type=\"number\" id=\"to\" min=\"1\" max=\"{c}\" value=\"{c}\"> <button type=\"button\" id=\"rewind\">Rewind</button> (later rounds are kept in the folder <code>rewound/</code>).</p>",
        c = g.current().min(g.settings.rounds)
    );
    b.push_str("<h2>Not for the projector</h2><details><summary>Join codes</summary><table>");
    let _ = write!(
        b,
        "<tr><td>instructor</td><td><code>{}</code></td></tr>",
        esc(&codes.instructor)
    );
    for t in &g.settings.teams {
        let _ = write!(
            b,
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            esc(t),
            esc(codes.teams.get(t).map_or("", |c| c.as_str()))
        );
    }
    b.push_str("</table></details><details><summary>Injects (surprises)</summary>");
    match g.injects() {
        Ok(list) if list.is_empty() => b.push_str("<p>None scheduled (edit injects.toml).</p>"),
        Ok(list) => {
            b.push_str("<ul>");
            for i in &list {
                let _ = write!(
                    b,
                    "<li>Round {}{}: {}. <i>{}</i></li>",
                    i.round,
                    if i.round <= g.completed() {
                        " (played)"
                    } else {
                        ""
                    },
                    esc(&i.title),
                    esc(&i.teaches)
                );
            }
            b.push_str("</ul>");
        }
        Err(e) => {
            let _ = write!(b, "<pre class=\"errs\">{}</pre>", esc(&e.report()));
        }
    }
    b.push_str("</details>");
    b.push_str("<script>");
    b.push_str(INSTRUCTOR_JS);
    b.push_str("</script>");
    page(&format!("Instructor: {}", sc.scenario.name), &b)
}

const INSTRUCTOR_JS: &str = r#"
const testing = location.hash.startsWith('#selftest=');
async function act(what, body) {
  const out = document.getElementById('out');
  out.textContent = 'working…';
  const r = await fetch(what, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  let j = {};
  try { j = await r.json(); } catch (e) {}
  out.textContent = j.message || j.error || ('error ' + r.status);
  out.dataset.state = r.status === 200 ? 'ok' : 'refused';
  out.className = r.status === 200 ? 'ok' : 'errs';
  if (testing) { document.body.dataset.selftestStatus = String(r.status); document.body.dataset.selftest = 'done'; }
  if (r.status === 200 && !testing) setTimeout(() => location.reload(), 1200);
  return r.status;
}
const on = (id, f) => { const b = document.getElementById(id); if (b) b.addEventListener('click', f); return b; };
on('advance', () => act('advance', {missing: document.getElementById('missing').value}));
on('rewind', () => { if (testing || confirm('Go back to the start of round ' + document.getElementById('to').value + '?')) act('rewind', {to: +document.getElementById('to').value}); });
on('debrief', () => act('debrief', {}));
async function refresh() {
  const r = await fetch('status.json');
  if (!r.ok) return;
  const j = await r.json();
  j.teams.forEach(t => { const c = document.querySelector('td[data-team="' + t.team + '"]'); if (c) { c.textContent = t.state; c.className = t.state === 'invalid' ? 'invalid' : (t.state === 'submitted' ? 'submitted' : ''); } });
}
if (!testing) setInterval(refresh, 5000);
// Browser tests: '#selftest=advance:hold', 'rewind:4' or 'debrief' sets the page's field
// and presses its button, as the instructor would; act() records the answer's status.
if (testing) {
  const [what, arg] = location.hash.slice(10).split(':');
  if (what === 'advance') document.getElementById('missing').value = arg || '';
  if (what === 'rewind') document.getElementById('to').value = arg;
  const button = document.getElementById(what);
  if (button) button.click();
  else document.body.dataset.selftest = 'error: no ' + what + ' button';
}
"#;

/// A Markdown report shown as preformatted text, with its figures below.
pub fn markdown_page(title: &str, text: &str, figures: &[String]) -> String {
    let mut b = format!("<pre>{}</pre>", esc(text));
    for f in figures {
        let _ = write!(
            b,
            "<figure><img src=\"{f}\" alt=\"{f}\" style=\"max-width:100%\"></figure>",
            f = esc(f)
        );
    }
    page(title, &b)
}
