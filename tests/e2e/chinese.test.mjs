// Chinese is a first-class language: with the page in Chinese, every demo and every preset,
// its results, log, code tabs, a span's tooltip, one scenario error per error code and run
// errors show no English words — only identifiers (scenario keys and values, Python and API
// names in backticks, task names) and the short list of units and acronyms below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

/**
 * Latin words a Chinese page may show, each with its reason (tests/i18n.rs keeps the same list
 * for the catalogue's texts). Single letters are symbols (k workers, N requests) and allowed.
 */
const ALLOWED = new Map([
  ['ms', 'milliseconds: the unit of every time'], ['µs', 'microseconds'], ['ns', 'nanoseconds'],
  ['KB', 'kilobytes'], ['MB', 'megabytes'], ['CPU', 'an acronym Chinese texts use as is'],
  ['GIL', 'an acronym; glossed 全局解释器锁 at first mention'], ['FIFO', 'an acronym'], ['LIFO', 'an acronym'],
  ['Web', 'Web Worker: the browser API name'], ['Worker', 'Web Worker'], ['Python', 'the language the demos teach'],
  ['CPython', 'the Python implementation measured beside us'], ['Rust', 'the language that runs them'],
  ['wasm', 'WebAssembly\'s short name'], ['TOML', 'the scenario format'], ['JSON', 'a format name'],
  ['COOP', 'a header\'s acronym'], ['COEP', 'a header\'s acronym'], ['API', 'an acronym'],
  ['SharedArrayBuffer', 'the browser API the environment page names'],
  ['Beazley', 'a person\'s name (David Beazley\'s GIL talk)'],
  ['Concurrency', 'the product name'], ['Playground', 'the product name'],
  ['English', 'the language switch offers English by its own name'],
  ['True', 'a Python value, shown as Python prints it'], ['False', 'a Python value, shown as Python prints it'],
  ['ValueError', 'a Python exception\'s name, as the demo raises it'],
  ['BrokenBarrierError', 'a Python exception\'s name, as the demo raises it'],
]);

/** Words of identifiers the page shows as they are: scenario keys and values, lab and demo ids. */
function identifierWords(texts) {
  const words = new Set();
  for (const t of texts) for (const w of t.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []) words.add(w);
  return words;
}

/** The visible text of the page, without code: the code pane, the editor, `<code>`, `<pre>`. */
async function visibleText(p) {
  return p.evaluate(() => {
    // innerText of the live page (laid out, so blocks are separated), with code hidden.
    const hidden = [...document.querySelectorAll('.code-pane, textarea, code, pre')];
    hidden.forEach((e) => { e.dataset.display = e.style.display; e.style.display = 'none'; });
    const text = document.body.innerText;
    hidden.forEach((e) => { e.style.display = e.dataset.display; });
    // A menu's options, one per line.
    const options = [...document.querySelectorAll('select option')].map((o) => o.text);
    // Tooltips of timeline spans are shown on hover: they count.
    const titles = [...document.querySelectorAll('svg.gantt title')].slice(0, 50).map((t) => t.textContent);
    return `${text}\n${options.join('\n')}\n${titles.join('\n')}`;
  });
}

/** The English words in `text`: Latin words outside backticks that are neither allowed nor identifiers. */
function english(text, identifiers) {
  const prose = text.replace(/`[^`]*`/g, ' ');
  const found = new Set();
  for (const w of prose.match(/[A-Za-z][A-Za-z0-9_'-]*(\(\))?/g) || []) {
    // `is_alive()`, `max_workers`: names of code, not words.
    if (/_|\(\)$/.test(w)) continue;
    const bare = w.replace(/[-']+$/, '');
    if (bare.length <= 1 || ALLOWED.has(bare) || identifiers.has(bare)) continue;
    if (bare.split('-').every((part) => identifiers.has(part) || ALLOWED.has(part) || /^\d*$/.test(part))) continue;
    found.add(bare);
  }
  return [...found];
}

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/cpu?lang=zh`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a link with lang=zh opens the page in Chinese and <html lang> follows', async () => {
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  const en = await open(browser, `${server.url}/#/sync?lang=en`);
  assert.equal(await en.evaluate(() => document.documentElement.lang), 'en');
  await en.close();
});

test('in Chinese, every preset of every demo shows no English outside identifiers', async () => {
  const presets = await page.evaluate(() => window.playground.presets());
  const identifiers = identifierWords([
    ...presets.map((p) => p.scenario),
    ...presets.map((p) => `${p.lab} ${p.demo}`),
  ]);
  const problems = [];
  for (const p of presets) {
    await page.evaluate(({ lab, demo }) => { location.hash = `#/${lab}/${demo}?lang=zh`; }, p);
    await page.waitForSelector(`.lab-${p.lab}`);
    const before = Number(await page.getAttribute('#results', 'data-runs').catch(() => 0)) || 0;
    const r = await run(page, p.scenario);
    const seen = new Set(identifiers);
    if (r.ok) {
      // Task names and lanes are identifiers of the demo's own code.
      for (const s of r.report.spans) {
        for (const w of `${s.lane} ${(s.label || '').split(':')[0]}`.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []) seen.add(w);
      }
      await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs || 0) > n, before);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      const span = await page.$('svg.gantt rect.span');
      if (span) await span.hover({ force: true });
    } else {
      await page.waitForSelector('#run-error');
    }
    for (const tab of await page.$$('.code-pane [role=tab]')) await tab.click();
    const words = english(await visibleText(page), seen);
    if (words.length) problems.push(`${p.lab}/${p.name}: ${words.join(', ')}`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(page.defects, []);
});

test('in Chinese, one scenario error per code and a run error are Chinese', async () => {
  await page.evaluate(() => { location.hash = '#/sync/race?lang=zh'; });
  await page.waitForSelector('.lab-sync');
  const head = 'version = 1\nlab = "sync"\ndemo = "race"\n';
  const cases = {
    syntax: `${head}[sync\n`,
    'too-long': `${head}#${'x'.repeat(70000)}\n`,
    'missing-key': 'lab = "sync"\ndemo = "race"\n',
    'unknown-key': `${head}[sync]\nnope = 1\n`,
    'wrong-type': `${head}[sync]\nincrements = 1.5\n`,
    'out-of-range': `${head}[sync]\nincrements = 0\n`,
    'unsupported-version': 'version = 9\nlab = "sync"\ndemo = "race"\n',
    'unknown-lab': 'version = 1\nlab = "nope"\ndemo = "race"\n',
    'unknown-demo': 'version = 1\nlab = "sync"\ndemo = "nope"\n',
    'invalid-value': `${head}[run]\nworkers = 2\n[sync]\nmethod = "nope"\n`,
  };
  const problems = [];
  for (const [code, text] of Object.entries(cases)) {
    await page.fill('#scenario-text', text);
    await page.waitForSelector('#scenario-status.bad');
    const status = await page.textContent('#scenario-status');
    const words = english(status, identifierWords([text.slice(0, 300)]));
    if (words.length) problems.push(`${code}: ${words.join(', ')} in «${status}»`);
  }
  // A run error: a second run while one is in flight is refused as busy.
  await page.fill('#scenario-text', `${head}[sync]\nincrements = 2000000\n`);
  await page.waitForSelector('#scenario-status:not(.bad)');
  await page.click('#run');
  await page.evaluate(() => window.playground.run('version = 1\nlab = "sync"\ndemo = "race"\n').catch(() => {}));
  await page.click('#cancel').catch(() => {});
  await page.waitForSelector('#run-error');
  const err = await page.textContent('#run-error');
  const words = english(err, identifierWords([head]));
  if (words.length) problems.push(`run error: ${words.join(', ')} in «${err}»`);
  assert.deepEqual(problems, []);
});
