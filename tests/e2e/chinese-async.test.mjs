// Chinese is a first-class language (lab `async`): see chinese.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled } from './browser.mjs';
import { englishInPresets } from './chinese.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/async?lang=zh`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('in Chinese, every async preset shows no English outside identifiers', async () => {
  assert.deepEqual(await englishInPresets(page, 'async'), []);
  assert.deepEqual(page.defects, []);
});
