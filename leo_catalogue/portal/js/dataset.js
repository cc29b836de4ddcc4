// The dataset page: the map preview (features paged from /items, in the plugin's styles), the time-series chart,
// the download form's map-view filter and the QGIS URL's copy button.
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import './common.js';
import { createMap, geojson, readConfig, viewBbox } from './map.js';
import { styleFunction } from './style.js';
import { setUpChart } from './chart.js';

const PAGE = 1000;

async function loadFeatures(config, source, status) {
  let url = `${config.items}?${new URLSearchParams({ limit: PAGE, ...(config.datetime ? { datetime: config.datetime } : {}) })}`;
  let shown = 0;
  let matched = null;
  while (url && shown < config.max) {
    const response = await fetch(url, { headers: { Accept: 'application/geo+json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    source.addFeatures(geojson.readFeatures(page));
    shown += page.numberReturned;
    matched = page.numberMatched;
    status.textContent = `Loading: ${shown.toLocaleString('en-GB')} of ${matched.toLocaleString('en-GB')} features…`;
    url = (page.links || []).find((link) => link.rel === 'next')?.href;
  }
  const what = config.datetime ? ` at ${config.datetime.replace('T', ' ').replace('Z', ' UTC')} (the latest time)` : '';
  status.textContent = shown < matched
    ? `Showing the first ${shown.toLocaleString('en-GB')} of ${matched.toLocaleString('en-GB')} features${what}; download the data for all of them.`
    : `Showing all ${shown.toLocaleString('en-GB')} features${what}.`;
}

function setUpMap() {
  const target = document.getElementById('dataset-map');
  const config = readConfig('map-config');
  if (!target || !config) return null;
  const map = createMap(target, config, `Map preview of ${document.querySelector('h1').textContent}. Arrow keys move it, plus and minus zoom.`);
  const source = new VectorSource();
  const layer = new VectorLayer({ source, zIndex: 3, style: styleFunction(config.style) });
  map.addLayer(layer);
  const status = document.getElementById('map-status');
  loadFeatures(config, source, status).catch((error) => {
    status.textContent = `The features could not be loaded (${error.message}); the table and downloads still work.`;
  });
  const colourblind = document.getElementById('colourblind');
  if (colourblind) {
    colourblind.closest('label').hidden = false;
    colourblind.addEventListener('change', () => {
      layer.setStyle(styleFunction(config.style, { colourblind: colourblind.checked }));
      document.querySelectorAll('.legend .swatch').forEach((swatch, index) => {
        const c = config.style.categories;
        const colours = [...Object.values(colourblind.checked ? c.colourblind : c.colours), c.unknown];
        swatch.style.background = colours[index];
      });
    });
  }
  return map;
}

function setUpDownloadView(map) {
  const box = document.getElementById('download-view');
  const bbox = document.getElementById('download-bbox');
  if (!box || !bbox || !map) return;
  const update = () => {
    bbox.disabled = !box.checked;
    bbox.value = box.checked ? viewBbox(map) : '';
  };
  box.addEventListener('change', update);
  map.on('moveend', update);
}

function setUpCopy() {
  for (const button of document.querySelectorAll('button.copy')) {
    const input = document.getElementById(button.dataset.copy);
    button.hidden = false;
    button.addEventListener('click', async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = 'Copied';
      } catch {
        button.textContent = 'Press Ctrl+C';
      }
    });
  }
}

const map = setUpMap();
setUpDownloadView(map);
setUpCopy();
setUpChart(readConfig('chart-config'));
