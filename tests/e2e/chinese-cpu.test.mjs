// Chinese is a first-class language (lab `cpu`): see chinese.mjs. Also: a `lang=` link and `<html lang>`.
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
  page = await open(browser, `${server.url}/#/cpu?lang=zh`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('in Chinese, every cpu preset shows no English outside identifiers', async () => {
  assert.deepEqual(await englishInPresets(page, 'cpu'), []);
  assert.deepEqual(page.defects, []);
});

test('a link with lang=zh opens the page in Chinese and <html lang> follows', async () => {
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  const en = await open(browser, `${server.url}/#/sync?lang=en`);
  assert.equal(await en.evaluate(() => document.documentElement.lang), 'en');
  await en.close();
});
