// Bundles the viewer into classic scripts (IIFE: no ES modules, which Chrome blocks on file://) and
// copies them, with gltfpack, into the Python package: renderer/export/dist. Run by tools/build_web.sh.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const dist = '../renderer/export/dist';
mkdirSync(`${dist}/gltfpack`, { recursive: true });
const common = { bundle: true, format: 'iife', minify: !process.env.DEBUG, target: ['es2020'], legalComments: 'linked',
  logLevel: 'info' };
await build({ ...common, entryPoints: ['src/main.js'], outfile: `${dist}/viewer.js` });
await build({ ...common, entryPoints: ['src/xr-emulator.js'], outfile: `${dist}/xr-emulator.js` });
for (const name of ['index.html', 'viewer.css']) copyFileSync(`src/${name}`, `${dist}/${name}`);
for (const name of ['cli.js', 'library.js', 'library.wasm', 'LICENSE.md', 'package.json']) {
  copyFileSync(`node_modules/gltfpack/${name}`, `${dist}/gltfpack/${name}`);
}

// The licences of everything bundled into the page, shipped beside it.
const bundled = ['three', 'marked', '@msgpack/msgpack', 'iwer', 'gl-matrix', 'webxr-layers-polyfill', 'gltfpack'];
const notices = bundled.map((name) => {
  const info = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
  const file = ['LICENSE', 'LICENSE.md'].find((f) => { try { readFileSync(`node_modules/${name}/${f}`); return true; } catch { return false; } });
  return `== ${name} ${info.version} (${info.license})\n\n${readFileSync(`node_modules/${name}/${file}`, 'utf8').trim()}\n`;
});
writeFileSync(`${dist}/THIRD-PARTY-LICENSES.txt`, `Software bundled into viewer.js, xr-emulator.js and gltfpack/:\n\n${notices.join('\n')}`);
