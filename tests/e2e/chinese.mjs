// What the Chinese browser tests share (tests/e2e/chinese-*.test.mjs): the words a Chinese page
// may show, the page's visible text, and a pass over every preset of one lab.
import { run } from './browser.mjs';

/**
 * Latin words a Chinese page may show, each with its reason (tests/i18n.rs keeps the same list
 * for the catalogue's texts). Single letters are symbols (k workers, N requests) and allowed.
 */
export const ALLOWED = new Map([
  ['ms', 'milliseconds: the unit of every time'], ['µs', 'microseconds'], ['ns', 'nanoseconds'],
  ['KB', 'kilobytes'], ['MB', 'megabytes'], ['CPU', 'an acronym Chinese texts use as is'],
  ['GIL', 'an acronym; glossed 全局解释器锁 at first mention'], ['FIFO', 'an acronym'], ['LIFO', 'an acronym'],
  ['Web', 'Web Worker: the browser API name'], ['Worker', 'Web Worker'], ['Python', 'the language the demos teach'],
  ['CPython', 'the Python implementation measured beside us'], ['Rust', 'the language that runs them'],
  ['wasm', 'WebAssembly\'s short name'], ['TOML', 'the scenario format'], ['JSON', 'a format name'],
  ['COOP', 'a header\'s acronym'], ['COEP', 'a header\'s acronym'], ['API', 'an acronym'],
  ['SharedArrayBuffer', 'the browser API the environment page names'],
  ['Beazley', 'a person\'s name (David Beazley\'s GIL talk)'],
  ['PEP', 'a Python Enhancement Proposal, named by its number as Python\'s docs do'],
  ['Concurrency', 'the product name'], ['Playground', 'the product name'],
  ['English', 'the language switch offers English by its own name'],
  ['True', 'a Python value, shown as Python prints it'], ['False', 'a Python value, shown as Python prints it'],
  ['ValueError', 'a Python exception\'s name, as the demo raises it'],
  ['BrokenBarrierError', 'a Python exception\'s name, as the demo raises it'],
]);

/** Words of identifiers the page shows as they are: scenario keys and values, lab and demo ids. */
export function identifierWords(texts) {
  const words = new Set();
  for (const t of texts) for (const w of t.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []) words.add(w);
  return words;
}

/** The visible text of the page, without code: the code pane, the editor, `<code>`, `<pre>`. */
export async function visibleText(p) {
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
export function english(text, identifiers) {
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

/**
 * Runs every preset of `lab` from its page in Chinese — results drawn, log and details open,
 * a span hovered, code tabs clicked — and returns "<lab>/<preset>: words" for each preset whose
 * page shows English outside identifiers.
 */
export async function englishInPresets(page, lab) {
  const all = await page.evaluate(() => window.playground.presets());
  const presets = all.filter((p) => p.lab === lab);
  const identifiers = identifierWords([
    ...all.map((p) => p.scenario),
    ...all.map((p) => `${p.lab} ${p.demo}`),
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
  return problems;
}
