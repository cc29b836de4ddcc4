// The search page: results as you type (the server renders them; this swaps them in), a map of the results'
// extents, and a filter by the map's view. Without this script the form still works by submitting.
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Feature from 'ol/Feature.js';
import { fromExtent } from 'ol/geom/Polygon.js';
import { transformExtent } from 'ol/proj.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import './common.js';
import { createMap, fitLonLat, readConfig, viewBbox } from './map.js';

const TYPING_PAUSE_MS = 150;
const form = document.getElementById('search-form');
const query = document.getElementById('q');
const bboxInput = document.getElementById('bbox');
let controller = null;
let timer = null;
let map = null;
let extentsLayer = null;

function searchUrl(extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim() !== '') params.append(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return `${form.action}?${params}`;
}

/** Fetch the page for ``url`` and swap its facets and results in, keeping the focus where it was. */
async function show(url, { push = false } = {}) {
  if (controller) controller.abort();
  controller = new AbortController();
  const focused = document.activeElement;
  const focusKey = focused && focused.name ? [focused.name, focused.value] : null;
  document.getElementById('results').setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(url, { headers: { Accept: 'text/html' }, signal: controller.signal });
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const id of ['facets', 'results']) {
      const fresh = page.getElementById(id);
      if (fresh) document.getElementById(id).replaceChildren(...fresh.childNodes);
    }
    const problem = page.querySelector('.error-summary');
    document.querySelector('.error-summary')?.remove();
    if (problem) form.querySelector('.search-bar').after(problem);
    if (push) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    document.title = page.title;
    if (focusKey && !document.body.contains(focused)) {
      const same = [...form.elements].find((e) => e.name === focusKey[0] && e.value === focusKey[1]);
      if (same) same.focus();
    }
    drawExtents();
  } catch (error) {
    if (error.name !== 'AbortError') document.getElementById('result-count').textContent = 'The search could not be run: try again.';
  } finally {
    document.getElementById('results').removeAttribute('aria-busy');
  }
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(() => show(searchUrl()), TYPING_PAUSE_MS);
}

function drawExtents() {
  if (!map) return;
  const extents = readConfig('extents-data') || [];
  const source = extentsLayer.getSource();
  source.clear();
  source.addFeatures(extents.map((item) => new Feature({
    geometry: fromExtent(transformExtent(item.bbox, 'EPSG:4326', 'EPSG:3857')), title: item.title, href: item.href,
  })));
}

function setUpMap() {
  const target = document.getElementById('results-map');
  const config = readConfig('map-config');
  if (!target || !config) return;
  map = createMap(target, config, "Map of the results' extents. Arrow keys move it, plus and minus zoom.");
  extentsLayer = new VectorLayer({
    source: new VectorSource(), zIndex: 2,
    style: new Style({ stroke: new Stroke({ color: '#0b4f9c', width: 2 }), fill: new Fill({ color: 'rgba(11,79,156,0.06)' }) }),
  });
  map.addLayer(extentsLayer);
  drawExtents();
  const initial = bboxInput.value.split(',').map(Number);
  if (initial.length === 4 && initial.every(Number.isFinite)) fitLonLat(map, initial);
  map.on('singleclick', (event) => {
    const hit = map.forEachFeatureAtPixel(event.pixel, (feature) => feature, { layerFilter: (l) => l === extentsLayer });
    if (hit) window.location.assign(hit.get('href'));
  });
  const byView = document.getElementById('map-filter');
  document.querySelector('.map-controls').hidden = false;
  byView.checked = bboxInput.value !== '';
  byView.addEventListener('change', () => {
    bboxInput.value = byView.checked ? viewBbox(map) : '';
    show(searchUrl({ offset: 0 }));
  });
  map.on('moveend', () => {
    if (byView.checked) {
      bboxInput.value = viewBbox(map);
      soon();
    }
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(searchUrl(), { push: true });
});
query.addEventListener('input', soon);
form.addEventListener('change', (event) => {
  if (event.target === query || event.target === bboxInput) return;
  show(searchUrl(), { push: true });
});
document.getElementById('results').addEventListener('click', (event) => {
  const link = event.target.closest('.pager a');
  if (!link) return;
  event.preventDefault();
  show(link.href, { push: true });
  document.getElementById('results-heading').scrollIntoView();
  document.getElementById('result-count').focus?.();
});
window.addEventListener('popstate', () => { window.location.reload(); });
setUpMap();
