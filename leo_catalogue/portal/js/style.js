// Styles of the map preview from the server's style description (portal/styles.py): the plugin's defaults.
import { Circle, Fill, Stroke, Style, Text } from 'ol/style.js';

function hatchPattern(colour) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 10;
  const context = canvas.getContext('2d');
  context.strokeStyle = colour;
  context.lineWidth = 1.2;
  context.beginPath();
  context.moveTo(0, 10);
  context.lineTo(10, 0);
  context.stroke();
  return context.createPattern(canvas, 'repeat');
}

function withOpacity(colour, opacity) {
  if (opacity >= 1 || !colour.startsWith('#')) return colour;
  const n = parseInt(colour.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${opacity})`;
}

/** An OpenLayers style function; ``options.colourblind`` swaps in the colour-blind-safe RAG palette. */
export function styleFunction(spec, options = {}) {
  const cache = new Map();
  const hatch = spec.hatch ? hatchPattern(spec.hatch) : null;
  return (feature, resolution) => {
    const properties = feature.getProperties();
    let fillColour = spec.fill || null;
    if (spec.categories) {
      const c = spec.categories;
      const palette = options.colourblind ? c.colourblind : c.colours;
      fillColour = withOpacity(palette[properties[c.field]] || c.unknown, c.opacity);
    }
    const radius = spec.radiusBy ? (spec.radiusBy.values[properties[spec.radiusBy.field]] || spec.radiusBy.default) : (spec.radius || 5);
    const showLabel = spec.label && resolution < 60;
    const key = `${fillColour}|${radius}|${showLabel ? properties[spec.label] : ''}`;
    if (cache.has(key)) return cache.get(key);
    const stroke = new Stroke({ color: spec.stroke, width: spec.strokeWidth || 1, lineDash: spec.dash || undefined });
    const fill = fillColour ? new Fill({ color: fillColour }) : (hatch ? new Fill({ color: hatch }) : null);
    const styles = [new Style({
      stroke, fill: fill || undefined,
      image: new Circle({ radius, fill: new Fill({ color: fillColour || '#1f78b4' }), stroke: new Stroke({ color: spec.stroke, width: spec.strokeWidth || 1 }) }),
      text: showLabel && properties[spec.label] != null ? new Text({
        text: String(properties[spec.label]), font: '600 12px system-ui, sans-serif', offsetY: -14, overflow: true,
        fill: new Fill({ color: '#202020' }), stroke: new Stroke({ color: '#ffffff', width: 3 }),
      }) : undefined,
    })];
    cache.set(key, styles);
    return styles;
  };
}
