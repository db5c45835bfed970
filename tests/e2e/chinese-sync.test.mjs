// Chinese is a first-class language (lab `sync`): see chinese.mjs. Also: one scenario error per
// error code and a cancelled run, in Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run } from './browser.mjs';
import { englishInPresets, english, identifierWords } from './chinese.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/sync?lang=zh`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('in Chinese, every sync preset shows no English outside identifiers', async () => {
  assert.deepEqual(await englishInPresets(page, 'sync'), []);
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
