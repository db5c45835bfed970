// Chinese is a first-class language (lab `models`): see chinese.mjs.
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
  page = await open(browser, `${server.url}/#/models?lang=zh`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('in Chinese, every models preset shows no English outside identifiers', async () => {
  assert.deepEqual(await englishInPresets(page, 'models'), []);
  assert.deepEqual(page.defects, []);
});
