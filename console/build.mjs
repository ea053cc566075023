// Builds the console into a folder (argument 1; mvn package passes functions/apps/target/classes/console):
// src/main.js bundled with Preact and htm into one app.js, plus index.html and app.css as they are.
// No CDN and no inline script, so the page runs under a strict Content-Security-Policy.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, 'dist'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css', 'icon.svg']) {
  copyFileSync(join(here, 'src', f), join(out, f));
}
