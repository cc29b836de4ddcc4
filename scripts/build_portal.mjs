// Builds the web portal's scripts (make setup): OpenLayers and uPlot from node_modules bundled with the portal's
// own modules by esbuild into leo_catalogue/portal/static/dist, with the libraries' licences beside them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

const out = 'leo_catalogue/portal/static/dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['leo_catalogue/portal/js/search.js', 'leo_catalogue/portal/js/dataset.js'],
  bundle: true, splitting: true, minify: true, format: 'esm', target: 'es2020', outdir: out,
  chunkNames: 'chunk-[hash]', legalComments: 'linked', logLevel: 'warning',
});
copyFileSync('node_modules/ol/LICENSE.md', `${out}/LICENSE-openlayers.md`);
copyFileSync('node_modules/uplot/LICENSE', `${out}/LICENSE-uplot.txt`);
console.log(`Portal scripts built into ${out}.`);
