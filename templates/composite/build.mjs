// Bundles src/ into dist/: one script (livekit-client and @livekit/egress-sdk inlined, nothing fetched at run
// time), the page and its style sheet.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'chrome100',
  outfile: 'dist/composite.js',
  logLevel: 'warning',
});
for (const f of ['index.html', 'composite.css']) {
  copyFileSync(`src/${f}`, `dist/${f}`);
}
