// The portal's maps (OpenLayers): an optional basemap that gives way to a plain background when its tiles fail,
// Oxfordshire's outline beneath the data, keyboard control, and conversions to the API's lon/lat bboxes.
import 'ol/ol.css';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import XYZ from 'ol/source/XYZ.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import { defaults as defaultControls, ScaleLine } from 'ol/control.js';
import { fromLonLat, toLonLat, transformExtent } from 'ol/proj.js';

export const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });
// Oxfordshire, for a first view before any data arrives.
const COUNTY = [-1.72, 51.45, -0.86, 52.17];
// A basemap is given up when this many tiles fail before any loads (an unreachable or mistyped URL).
const TILE_FAILURES = 3;

/** Read a JSON configuration block written by the server (never executed). */
export function readConfig(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

function addBasemap(map, basemap, target, outline) {
  if (!basemap) return;
  const source = new XYZ({ url: basemap.url, crossOrigin: null, attributions: basemap.attribution || undefined });
  const layer = new TileLayer({ source, zIndex: 0 });
  let loaded = 0;
  let failed = 0;
  source.on('tileloadend', () => { loaded += 1; });
  source.on('tileloaderror', () => {
    failed += 1;
    if (loaded === 0 && failed >= TILE_FAILURES && map.getLayers().getArray().includes(layer)) {
      map.removeLayer(layer);
      outline.setStyle(outlineStyle(true));
      note(target, 'The basemap could not be loaded: the data is shown on a plain background.');
    }
  });
  map.addLayer(layer);
}

function note(target, text) {
  const p = document.createElement('p');
  p.className = 'map-note';
  p.textContent = text;
  target.appendChild(p);
}

// The county: a white shape on the plain background, only its outline over a basemap.
function outlineStyle(filled) {
  return new Style({ fill: filled ? new Fill({ color: '#ffffff' }) : undefined, stroke: new Stroke({ color: '#6b7780', width: 1.5 }) });
}

function addOutline(map, url, filled) {
  const layer = new VectorLayer({ source: new VectorSource({ url, format: geojson }), zIndex: 1, style: outlineStyle(filled) });
  if (url) map.addLayer(layer);
  return layer;
}

/** A map in ``target`` (the fallback text replaced), focusable for keyboard panning and zooming. */
export function createMap(target, config, label) {
  target.replaceChildren();
  target.tabIndex = 0;
  target.setAttribute('role', 'region');
  target.setAttribute('aria-label', label);
  const map = new Map({
    target,
    controls: defaultControls({ attributionOptions: { collapsible: true } }).extend([new ScaleLine()]),
    view: new View({ center: fromLonLat([-1.29, 51.8]), zoom: 9, maxZoom: 18 }),
  });
  const outline = addOutline(map, config.outline, !config.basemap);
  addBasemap(map, config.basemap, target, outline);
  fitLonLat(map, config.bbox || COUNTY);
  return map;
}

/** Zoom the map to a lon/lat bbox (a point gets a street-level view, not infinite zoom). */
export function fitLonLat(map, bbox) {
  const extent = transformExtent(bbox, 'EPSG:4326', 'EPSG:3857');
  map.getView().fit(extent, { padding: [24, 24, 24, 24], maxZoom: 14, size: map.getSize() || [600, 400] });
}

/** The map's view as the API's bbox: west,south,east,north in degrees, within the valid ranges. */
export function viewBbox(map) {
  const extent = map.getView().calculateExtent(map.getSize());
  const [west, south] = toLonLat([extent[0], extent[1]]);
  const [east, north] = toLonLat([extent[2], extent[3]]);
  const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value));
  return [clamp(west, 180), clamp(south, 85), clamp(east, 180), clamp(north, 85)].map((v) => v.toFixed(5)).join(',');
}
