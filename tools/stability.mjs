// The stability check: a fresh page per click. For page i = 1 … N, every listed preset is run once
// on a new browser context (so presets interleave and machine noise spreads over all of them);
// each click's claims are checked, its headline numbers and duration kept. A preset meets its
// goal when every claim held in ≥ ceil(0.9 × N) clicks; a miss says which claim failed, how
// often, and what was seen. With `defaults`, the default preset of every demo is also timed once
// on a fresh page against its ceiling (8 s for compare and the sweeps, 4 s otherwise).
// Used by tools/bench.mjs; also runs on its own:
//   node tools/stability.mjs [dist] [--pages N] [--only name1,name2] [--defaults]
// which prints the markdown section and writes bench/stability.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { open, poolSettled, run } from '../tests/e2e/browser.mjs';

const median = (xs) => {
  const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (!a.length) return null;
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
};
const spread = (xs) => {
  const a = xs.filter((x) => Number.isFinite(x));
  return { n: a.length, min: a.length ? Math.min(...a) : null, median: median(a), max: a.length ? Math.max(...a) : null };
};
const f = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const ms = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : String(Math.round(x)));
const mark = (ok) => (ok === null ? 'not measured' : ok ? '**met**' : '**missed**');
/** Text safe in a markdown table cell (one line, no bare pipes). */
const cell = (x) => String(x).replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|');
const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

// ---- claims --------------------------------------------------------------------------------

/** The min / max fields that go with a verdict field (`verdict` → `speedup_*`). */
const rangeFields = (field) => (field === 'verdict' ? ['speedup_min', 'speedup_max'] : [field.replace('_verdict', '_min'), field.replace('_verdict', '_max')]);

/** "×min–max" when the row has a range, else "×speedup", else "". */
function range(row, field = 'verdict') {
  const [lo, hi] = rangeFields(field);
  if (num(row?.[lo]) !== null && num(row?.[hi]) !== null) return `×${f(row[lo])}–${f(row[hi])}`;
  if (field === 'verdict' && num(row?.speedup) !== null) return `×${f(row.speedup)}`;
  return '';
}

/** The engine's bands (docs/api.md): below ×0.90 slower, above ×1.15 faster, else the same. */
const band = (x) => (x < 0.9 ? 'slower' : x > 1.15 ? 'faster' : 'same');

/**
 * A verdict field of `row` against the allowed values. A claim naming two bands ("same or
 * slower") also holds when the range is `unclear` only because it crosses between those two:
 * every repeat still supports the claim.
 */
function verdictOf(row, allowed, label, field = 'verdict') {
  if (!row) return { held: false, seen: `row missing: ${label}` };
  const v = row[field];
  if (typeof v !== 'string') return { held: false, seen: `field missing: ${field}` };
  const r = range(row, field);
  const [lo, hi] = rangeFields(field).map((k) => num(row[k]));
  const within = v === 'unclear' && lo !== null && hi !== null && allowed.includes(band(lo)) && allowed.includes(band(hi));
  return { held: allowed.includes(v) || within, seen: r ? `${v} ${r}` : v };
}

/** An array field of the result, or a failure saying it is missing. */
function list(result, field) {
  if (!result || typeof result !== 'object') return { missing: { held: false, seen: 'field missing: result' } };
  const xs = result[field];
  if (!Array.isArray(xs)) return { missing: { held: false, seen: `field missing: result.${field}` } };
  return { xs };
}

const SAME_OR_SLOWER = ['same', 'slower'];
const modelClaim = (field, name, allowed, match) => ({
  id: `${name} ${allowed.join(' or ')}`,
  check(result) {
    const { xs, missing } = list(result, field);
    if (missing) return missing;
    return verdictOf(xs.find(match), allowed, name);
  },
});
const gilRow = (model, allowed) => modelClaim('models', model, allowed, (r) => r.model === model);
const compareRow = (workload, model, allowed) =>
  modelClaim('rows', `${workload}/${model}`, allowed, (r) => r.workload === workload && r.model === model);

/** The sweep's cores: the report's own, else the page's. */
const sweepCores = (result, env) => num(result?.cores) ?? num(env?.hardwareConcurrency);

const raceMethod = (result, method) => {
  const { xs, missing } = list(result, 'methods');
  if (missing) return { missing };
  return { row: xs.find((m) => m.method === method) };
};
const lost = (row) => {
  const n = num(row.lost_updates);
  return n === null ? null : n;
};

/** Per preset: its lab, its claims and the headline numbers whose spread is reported. */
export const CLAIMS = {
  gil: {
    lab: 'models',
    claims: [gilRow('threads', SAME_OR_SLOWER), gilRow('threads-nogil', ['faster']), gilRow('processes', ['faster']), gilRow('async', ['same'])],
    // The sequential row is the baseline (×1 by definition) and is left out.
    numbers: (r) => (Array.isArray(r?.models) ? r.models.filter((m) => m.model !== 'sequential').map((m) => [m.model, num(m.speedup), 'ratio']) : []),
  },
  compare: {
    lab: 'models',
    claims: [
      compareRow('cpu', 'threads', SAME_OR_SLOWER), compareRow('cpu', 'threads-nogil', ['faster']),
      compareRow('cpu', 'processes', ['faster']), compareRow('cpu', 'async', ['same']),
      compareRow('io', 'threads', ['faster']), compareRow('io', 'processes', ['faster']), compareRow('io', 'async', ['faster']),
    ],
    numbers: (r) => (Array.isArray(r?.rows) ? r.rows.filter((x) => x.model !== 'sequential').map((x) => [`${x.workload}/${x.model}`, num(x.speedup), 'ratio']) : []),
  },
  sweep: {
    lab: 'models',
    claims: [
      {
        id: 'k = cores faster',
        check(result, env) {
          const { xs, missing } = list(result, 'points');
          if (missing) return missing;
          const cores = sweepCores(result, env);
          if (cores === null) return { held: false, seen: 'field missing: cores' };
          const ks = xs.map((p) => num(p.k)).filter((k) => k !== null);
          if (!ks.length) return { held: false, seen: 'field missing: points[].k' };
          const k = Math.min(cores, Math.max(...ks));
          const v = verdictOf(xs.find((p) => p.k === k), ['faster'], `k=${k}`);
          return { held: v.held, seen: `k=${k} ${v.seen}` };
        },
      },
      {
        id: 'k > cores not faster than at the cores',
        check(result, env) {
          const { xs, missing } = list(result, 'points');
          if (missing) return missing;
          const cores = sweepCores(result, env);
          if (cores === null) return { held: false, seen: 'field missing: cores' };
          const over = xs.filter((p) => num(p.k) !== null && p.k > cores);
          if (!over.length) return { held: true, seen: `no k > ${cores}` };
          const each = over.map((p) => ({ k: p.k, ...verdictOf(p, SAME_OR_SLOWER, `k=${p.k}`, 'vs_cores_verdict') }));
          const bad = each.filter((e) => !e.held);
          const shown = (bad.length ? bad : each).map((e) => `k=${e.k} ${e.seen}`);
          return { held: !bad.length, seen: shown.length > 1 ? `[${shown.join('; ')}]` : shown[0] };
        },
      },
    ],
    numbers: (r) => (Array.isArray(r?.points) ? r.points.map((p) => [`k=${p.k}`, num(p.speedup), 'ratio']) : []),
  },
  primes: {
    lab: 'cpu',
    claims: [{
      id: 'faster',
      check(result) {
        if (!result || typeof result !== 'object') return { held: false, seen: 'field missing: result' };
        return verdictOf(result, ['faster'], 'result');
      },
    }],
    // How long the untimed warm-up took to reach a steady speed (the slowest worker), and how
    // much faster a chunk became: V8 compiles wasm in tiers.
    numbers: (r) => [['speedup', num(r?.speedup), 'ratio'], ['warm-up ms to steady', num(r?.warm_up?.ms), 'count'],
      ['first / last warm-up chunk', num(r?.warm_up?.first_ms) !== null && num(r?.warm_up?.last_ms) ? r.warm_up.first_ms / r.warm_up.last_ms : null, 'ratio']],
  },
  race: {
    lab: 'sync',
    claims: [
      {
        id: 'none loses updates',
        check(result) {
          const { row, missing } = raceMethod(result, 'none');
          if (missing) return missing;
          if (!row) return { held: false, seen: 'row missing: none' };
          const n = lost(row);
          if (n === null) return { held: false, seen: 'field missing: lost_updates' };
          return { held: n > 0, seen: `${n} lost of ${row.expected ?? '?'}` };
        },
      },
      {
        id: 'lock loses none',
        check(result) {
          const { row, missing } = raceMethod(result, 'lock');
          if (missing) return missing;
          if (!row) return { held: false, seen: 'row missing: lock' };
          const n = lost(row);
          if (n === null) return { held: false, seen: 'field missing: lost_updates' };
          return { held: n === 0, seen: `${n} lost (actual ${row.actual ?? '?'} of ${row.expected ?? '?'})` };
        },
      },
      {
        id: 'atomic loses none',
        check(result) {
          const { row, missing } = raceMethod(result, 'atomic');
          if (missing) return missing;
          if (!row) return { held: true, seen: 'no atomic row' };
          const n = lost(row);
          if (n === null) return { held: false, seen: 'field missing: lost_updates' };
          return { held: n === 0, seen: `${n} lost (actual ${row.actual ?? '?'} of ${row.expected ?? '?'})` };
        },
      },
    ],
    numbers: (r) => {
      const rows = Array.isArray(r?.methods) ? r.methods : [];
      const none = rows.find((m) => m.method === 'none'), lock = rows.find((m) => m.method === 'lock');
      return [['none lost_updates', num(none?.lost_updates), 'count'], ['lock hand_offs', num(lock?.hand_offs), 'count']];
    },
  },
};

export const DEFAULT_ONLY = Object.keys(CLAIMS);

/** 8 s for compare and anything that sweeps, else 4 s. */
export function ceilingMs({ lab, demo, name }) {
  if ((lab === 'models' && demo === 'compare') || name === 'compare') return 8000;
  if (String(demo).includes('sweep') || String(name).includes('sweep')) return 8000;
  return 4000;
}

// ---- clicks --------------------------------------------------------------------------------

/** Rejects after `t` ms (the click is then counted as an error and its context closed). */
const within = (p, t, what) => {
  let timer;
  return Promise.race([p, new Promise((_, no) => { timer = setTimeout(() => no(new Error(`${what}: no answer in ${t} ms`)), t); })])
    .finally(() => clearTimeout(timer));
};

/** Why claims cannot be measured on this page, or null. */
const unsuitable = (env) => {
  if (!env) return 'no env';
  if (!env.crossOriginIsolated) return 'the page is not cross-origin isolated';
  if (!(env.hardwareConcurrency >= 2)) return `${env.hardwareConcurrency} core(s) reported (needs ≥ 2)`;
  return null;
};

/** One fresh click: new context + page on the preset's lab, pool settled, one run. */
async function click(browser, server, { lab, demo, name }, ceiling) {
  const out = { ms: null, wall_ms: null, ok: false, error: null, env: null, report: null };
  let page = null;
  try {
    page = await within(open(browser, `${server.url}/#/${lab}${demo ? `/${demo}` : ''}`), 30000, 'open');
    out.env = await poolSettled(page);
    const all = await page.evaluate(() => window.playground.presets());
    const p = all.find((x) => x.name === name && (!lab || x.lab === lab)) || (lab ? null : all.find((x) => x.name === name));
    if (!p) throw new Error(`no preset ${lab}/${name} on this page`);
    const t0 = Date.now();
    const r = await within(run(page, p.scenario), Math.max(60000, 10 * ceiling), 'run');
    out.ms = Date.now() - t0;
    if (r.ok) {
      out.ok = true;
      out.report = r.report;
      out.wall_ms = num(r.report?.wall_ms);
    } else {
      out.error = `${r.error.code ?? 'error'}: ${r.error.message}`;
    }
    if (page.defects?.length) out.defects = page.defects.slice(0, 5);
  } catch (e) {
    out.error = String(e?.message || e).split('\n')[0];
  } finally {
    if (page) await page.context().close().catch(() => {});
  }
  return out;
}

// ---- the check ------------------------------------------------------------------------------

/** Groups equal strings: "a, b — 3 clicks". */
function seenList(xs) {
  const counts = new Map();
  for (const x of xs) counts.set(x, (counts.get(x) || 0) + 1);
  return [...counts].map(([x, n]) => (n > 1 ? `${x} — ${n} clicks` : x)).join(', ');
}

/**
 * Runs the stability check. `only`: preset names (default: every preset with claims; a name
 * may be "lab/name"; a preset without claims is timed only). `defaults`: also time the default
 * preset of every demo once. Returns {report, markdown} (markdown: lines of a section).
 */
export async function stability({ browser, server, pages = 10, only = null, defaults = false, log = (l) => process.stdout.write(`${l}\n`) }) {
  const started = Date.now();
  const need = Math.ceil(0.9 * pages);
  const names = (only && only.length ? only : DEFAULT_ONLY).map((s) => s.trim()).filter(Boolean);

  // The preset list and the environment, from a first fresh page.
  let catalogue = [], env0 = null, listError = null;
  try {
    const page = await open(browser, `${server.url}/`);
    try {
      env0 = await poolSettled(page);
      catalogue = await page.evaluate(() => window.playground.presets());
    } finally {
      await page.context().close().catch(() => {});
    }
  } catch (e) {
    listError = String(e?.message || e).split('\n')[0];
  }

  const targets = names.map((spec) => {
    const [a, b] = spec.includes('/') ? spec.split('/') : [null, spec];
    const def = CLAIMS[b];
    const lab = a || def?.lab || catalogue.find((p) => p.name === b)?.lab || null;
    const p = catalogue.find((x) => x.name === b && x.lab === lab);
    const t = { name: b, lab: lab ?? '?', demo: p?.demo ?? null, def: def && def.lab === lab ? def : null };
    t.ceiling_ms = ceilingMs(t);
    t.clicks = [];
    if (!p && !listError) t.missing = `no preset ${t.lab}/${b}`;
    return t;
  });

  for (let i = 1; i <= pages; i++) {
    for (const t of targets) {
      if (t.missing) continue;
      const c = await click(browser, server, t, t.ceiling_ms);
      const result = c.report?.result;
      const claims = {};
      for (const cl of t.def?.claims ?? []) {
        let r;
        if (!c.ok) r = { held: false, seen: `run error: ${c.error}` };
        else {
          try { r = cl.check(result, c.env); } catch (e) { r = { held: false, seen: `check failed: ${e.message}` }; }
        }
        claims[cl.id] = r;
      }
      const numbers = {};
      if (c.ok && t.def) for (const [n, v, kind] of t.def.numbers(result)) numbers[n] = { value: v, kind };
      t.clicks.push({ page: i, ms: c.ms, wall_ms: c.wall_ms, ok: c.ok, error: c.error, unsuitable: c.env ? unsuitable(c.env) : null,
        claims, numbers, ...(c.defects ? { defects: c.defects } : {}) });
      const failed = Object.entries(claims).filter(([, r]) => !r.held).map(([id]) => id);
      log(`stability ${i}/${pages} ${t.name}: ${c.ok ? `${c.ms} ms (wall ${ms(c.wall_ms)})` : `error ${c.error}`}` +
        `${t.def ? `, ${failed.length ? `failed: ${failed.join('; ')}` : 'all claims held'}` : ''}`);
    }
  }

  // Per preset: claims held, numbers' spread, durations, verdict.
  const presets = targets.map((t) => {
    const clicks = t.clicks;
    const claims = (t.def?.claims ?? []).map((cl) => {
      const rs = clicks.map((c) => c.claims[cl.id]);
      const held = rs.filter((r) => r?.held).length;
      return { claim: cl.id, held, of: clicks.length, failures: rs.filter((r) => r && !r.held).map((r) => r.seen) };
    });
    const numberNames = [...new Set(clicks.flatMap((c) => Object.keys(c.numbers)))];
    const numbers = numberNames.map((n) => {
      const kind = clicks.map((c) => c.numbers[n]?.kind).find(Boolean);
      return { name: n, kind, ...spread(clicks.map((c) => c.numbers[n]?.value)), values: clicks.map((c) => c.numbers[n]?.value ?? null) };
    });
    // Durations of the clicks that ran (a failed run's time says nothing about the preset).
    const click_ms = spread(clicks.filter((c) => c.ok).map((c) => c.ms));
    const wall_ms = spread(clicks.filter((c) => c.ok).map((c) => c.wall_ms));
    const ceiling_met = click_ms.n ? click_ms.max <= t.ceiling_ms : null;
    const why = [...new Set(clicks.map((c) => c.unsuitable).filter(Boolean))];
    let status, reason = null;
    const misses = [];
    if (t.missing || listError) {
      status = 'not measured';
      reason = t.missing || `could not list presets: ${listError}`;
    } else if (!t.def) {
      const bad = clicks.filter((c) => c.error).length;
      status = bad ? 'missed' : 'no claims';
      if (bad) misses.push(`the run failed in ${bad}/${clicks.length} clicks`);
    } else if (why.length) {
      status = 'not measured';
      reason = `claims need an isolated page with ≥ 2 cores: ${why.join('; ')}`;
    } else {
      for (const c of claims) {
        if (c.held < need) misses.push(`${c.claim}: failed ${c.of - c.held}/${c.of} (${seenList(c.failures)})`);
      }
      status = misses.length ? 'missed' : 'met';
    }
    const errors = clicks.filter((c) => c.error).map((c) => `page ${c.page}: ${c.error}`);
    const worst = claims.length ? Math.min(...claims.map((c) => c.held)) : null;
    return { name: t.name, lab: t.lab, demo: t.demo, status, reason, need, clicks_run: clicks.length,
      all_claims_held_min: worst, claims, misses, numbers, click_ms, wall_ms, ceiling_ms: t.ceiling_ms, ceiling_met, errors, clicks };
  });

  // The default preset of every demo, once each.
  let defaultsTable = null;
  if (defaults) {
    defaultsTable = [];
    const seen = new Set();
    for (const p of catalogue) {
      const key = `${p.lab}/${p.demo}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ceiling = ceilingMs(p);
      const c = await click(browser, server, p, ceiling);
      const met = c.ok && c.ms !== null ? c.ms <= ceiling : false;
      defaultsTable.push({ lab: p.lab, demo: p.demo, preset: p.name, ms: c.ms, wall_ms: c.wall_ms, ceiling_ms: ceiling, met, error: c.error });
      log(`default ${key} (${p.name}): ${c.ok ? `${c.ms} ms` : `error ${c.error}`} / ${ceiling} ms`);
    }
  }

  const report = {
    date: new Date().toISOString(), pages, need, order: 'for page i in 1..N: for each preset: fresh context + page, pool settled, one run',
    env: env0 && { cores: env0.hardwareConcurrency, cross_origin_isolated: env0.crossOriginIsolated, pool: env0.pool, timer_resolution_ms: env0.timerResolutionMs },
    list_error: listError,
    presets,
    defaults: defaultsTable,
    seconds: (Date.now() - started) / 1000,
  };
  return { report, markdown: markdown(report) };
}

// ---- markdown -------------------------------------------------------------------------------

const statusMark = (s) => (s === 'met' ? '**met**' : s === 'missed' ? '**missed**' : s);
const numCell = (x, kind) => (x === null ? '—' : kind === 'ratio' ? `×${f(x)}` : String(Math.round(x)));

export function markdown(report) {
  const { pages, need, env, presets } = report;
  const md = ['## Stability (fresh page per click)', ''];
  md.push(`${pages} fresh page${pages === 1 ? '' : 's'} × ${presets.length} preset${presets.length === 1 ? '' : 's'} (${presets.map((p) => p.name).join(', ')}), interleaved: for each page every preset runs once on a new browser context once its pool has settled. ` +
    `${env ? `${env.cores} cores reported, ${env.cross_origin_isolated ? 'cross-origin isolated' : '**not** cross-origin isolated'}. ` : ''}` +
    `A preset meets its goal when every claim held in ≥ ${need} of ${pages} clicks. Click time is measured in node around \`playground.run\`; ceiling 8 s for compare and the sweeps, 4 s otherwise. Took ${f(report.seconds, 0)} s.`, '');
  if (report.list_error) md.push(`Could not list the presets: ${report.list_error}`, '');
  md.push('| preset | claims held (worst claim) | click ms min / median / max | report wall ms (median) | ceiling | goal |', '|---|---|---|---|---|---|');
  for (const p of presets) {
    const held = p.all_claims_held_min === null ? '—' : `${p.all_claims_held_min}/${p.clicks_run}`;
    md.push(`| ${p.lab}/${p.name} | ${held} | ${ms(p.click_ms.min)} / ${ms(p.click_ms.median)} / ${ms(p.click_ms.max)} | ${ms(p.wall_ms.median)} | ≤ ${p.ceiling_ms} ${mark(p.ceiling_met)} | ${statusMark(p.status)}${p.reason ? ` (${cell(p.reason)})` : ''} |`);
  }
  md.push('');
  const withClaims = presets.filter((p) => p.claims.length);
  if (withClaims.length) {
    md.push('### Claims', '', '| preset | claim | held |', '|---|---|---|');
    for (const p of withClaims) for (const c of p.claims) md.push(`| ${p.name} | ${c.claim} | ${c.held}/${c.of}${c.held < need ? ' ✗' : ''} |`);
    md.push('');
  }
  const withNumbers = presets.filter((p) => p.numbers.length);
  if (withNumbers.length) {
    md.push(`### Headline numbers (min / median / max over the clicks)`, '', '| preset | number | min | median | max | clicks |', '|---|---|---|---|---|---|');
    for (const p of withNumbers) {
      for (const n of p.numbers) md.push(`| ${p.name} | ${n.name} | ${numCell(n.min, n.kind)} | ${numCell(n.median, n.kind)} | ${numCell(n.max, n.kind)} | ${n.n}/${p.clicks_run} |`);
    }
    md.push('');
  }
  const missed = presets.filter((p) => p.status === 'missed');
  const notMeasured = presets.filter((p) => p.status === 'not measured');
  if (missed.length || notMeasured.length) {
    md.push(notMeasured.length ? '### Misses and presets not measured' : '### Misses', '');
    for (const p of missed) md.push(`- **${p.name}** missed: ${p.misses.join('; ')}.`);
    for (const p of notMeasured) md.push(`- **${p.name}** not measured: ${p.reason}.`);
    md.push('');
  }
  const errors = presets.filter((p) => p.errors.length);
  if (errors.length) {
    md.push('### Click errors', '', ...errors.map((p) => `- ${p.name}: ${seenList(p.errors.map((e) => e.replace(/^page \d+: /, '')))}`), '');
  }
  if (report.defaults) {
    const d = report.defaults;
    const ok = d.filter((x) => x.met).length;
    md.push('### Default presets (one fresh click each)', '', `${ok} of ${d.length} demos' default presets finished within their ceiling.`, '',
      '| demo | default preset | click ms | report wall ms | ceiling ms | |', '|---|---|---|---|---|---|',
      ...d.map((x) => `| ${x.lab}/${x.demo} | ${x.preset} | ${ms(x.ms)} | ${ms(x.wall_ms)} | ${x.ceiling_ms} | ${mark(x.met)}${x.error ? ` — ${cell(x.error)}` : ''} |`), '');
  }
  return md;
}

/** One line per preset for the bench's targets table: [target, measured, met]. */
export function targetLines(report) {
  const lines = report.presets.map((p) => {
    const what = p.claims.length ? `every claim holds in ≥ ${p.need}/${p.clicks_run || report.pages} fresh clicks, ` : '';
    const measured = [
      p.claims.length ? `worst claim ${p.all_claims_held_min}/${p.clicks_run}` : null,
      `click ${ms(p.click_ms.min)}–${ms(p.click_ms.max)} ms (median ${ms(p.click_ms.median)})`,
      p.ceiling_met === false ? `slowest click over the ${p.ceiling_ms} ms ceiling` : null,
      p.status === 'missed' ? `missed: ${p.misses.map((m) => m.replace(/: failed .*/, '')).join(', ')}` : null,
      p.status === 'not measured' ? p.reason : null,
    ].filter(Boolean).join('; ');
    const met = p.status === 'not measured' ? null : (p.status === 'met' || p.status === 'no claims') && p.ceiling_met === true;
    return [`stability: ${p.lab}/${p.name} — ${what}click ≤ ${p.ceiling_ms / 1000} s`, cell(measured), met];
  });
  if (report.defaults) {
    const d = report.defaults;
    const slow = d.filter((x) => !x.met);
    lines.push(['every default preset ≤ 4 s (compare and sweeps ≤ 8 s), fresh page',
      `${d.length - slow.length}/${d.length} within${slow.length ? `; over or failed: ${slow.map((x) => `${x.lab}/${x.demo} ${x.error ? 'error' : `${ms(x.ms)} ms`}`).join(', ')}` : ''}`,
      d.length ? !slow.length : null]);
  }
  return lines;
}

// ---- standalone -----------------------------------------------------------------------------

/** [dist] [--pages N] [--only a,b] [--defaults] */
export function parseArgs(argv) {
  const out = { dist: 'dist', pages: 10, only: null, defaults: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      i++;
      if (i >= argv.length) throw new Error(`${a} needs a value`);
      return argv[i];
    };
    if (a === '--pages' || a.startsWith('--pages=')) {
      out.pages = Number(value());
      if (!Number.isInteger(out.pages) || out.pages < 1) throw new Error('--pages needs a whole number ≥ 1');
    } else if (a === '--only' || a.startsWith('--only=')) out.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--defaults') out.defaults = true;
    else if (!a.startsWith('--')) out.dist = a;
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { serve } = await import('../tests/e2e/server.mjs');
  const { launch } = await import('../tests/e2e/browser.mjs');
  const args = parseArgs(process.argv.slice(2));
  const server = await serve(args.dist, { isolated: true });
  const browser = await launch();
  try {
    const { report, markdown: md } = await stability({ browser, server, pages: args.pages, only: args.only, defaults: args.defaults });
    report.dist = args.dist;
    report.browser = await browser.version();
    await mkdir('bench', { recursive: true });
    await writeFile('bench/stability.json', JSON.stringify(report, null, 2));
    console.log(`\n${md.join('\n')}`);
    console.log(`wrote bench/stability.json in ${f(report.seconds, 0)} s`);
  } finally {
    await browser.close();
    await server.close();
  }
}
