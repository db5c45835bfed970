// Makes a copy of the release build for static hosts that cannot send headers (GitHub Pages):
// it adds coi-serviceworker, a service worker that re-serves the site with COOP/COEP so a
// top-level page becomes cross-origin isolated after one automatic reload.
// Usage: node tools/make-pages.mjs [dist] [out]
import { cp, readFile, rm, writeFile } from 'node:fs/promises';

const [src = 'dist', out = 'dist-pages'] = process.argv.slice(2);
await rm(out, { recursive: true, force: true });
await cp(src, out, { recursive: true });
await cp('node_modules/coi-serviceworker/coi-serviceworker.min.js', `${out}/coi-serviceworker.min.js`);

// Only top-level pages: an embed inside a non-isolated docs page cannot become isolated (every
// ancestor must be), so registering there would only cost a pointless reload.
const config = `<script>window.coi = { shouldRegister: () => window.top === window && !/[?&]embed=1/.test(location.hash), quiet: true };</script>
  <script src="coi-serviceworker.min.js"></script>`;
const index = await readFile(`${out}/index.html`, 'utf8');
if (!index.includes('<head>')) throw new Error(`${out}/index.html has no <head>`);
await writeFile(`${out}/index.html`, index.replace('<head>', `<head>\n  ${config}`));
console.log(`${out}/: the release build plus coi-serviceworker, for hosts that cannot send COOP/COEP`);
