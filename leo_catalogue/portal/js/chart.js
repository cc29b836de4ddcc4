// The time-series chart (uPlot): one site's values over a chosen window, read from /items, moved earlier and
// later by the window's length. Times are UTC throughout, as in the API.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const MAX_ROWS = 20000;
const PAGE = 10000;

const toInput = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 16);
const fromInput = (value) => Date.parse(`${value}:00Z`) / 1000;
// Axis labels in UTC, British style: days ("25 Dec") over more than two days, else hours ("18:30").
function axisLabels(_plot, splits) {
  const span = splits[splits.length - 1] - splits[0];
  return splits.map((s) => new Date(s * 1000)[span > 2 * 86400 ? 'toLocaleDateString' : 'toLocaleTimeString'](
    'en-GB', span > 2 * 86400 ? { day: 'numeric', month: 'short', timeZone: 'UTC' } : { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }));
}
const utcText = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

async function readSeries(config, site, field, start, end) {
  const params = new URLSearchParams({ limit: PAGE, sortby: config.timeField, datetime: `${new Date(start * 1000).toISOString()}/${new Date(end * 1000).toISOString()}` });
  if (config.siteField) params.set(config.siteField, site);
  let url = `${config.items}?${params}`;
  const xs = [];
  const ys = [];
  let matched = 0;
  while (url && xs.length < MAX_ROWS) {
    const response = await fetch(url, { headers: { Accept: 'application/geo+json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    matched = page.numberMatched;
    for (const feature of page.features) {
      const time = Date.parse(feature.properties[config.timeField]) / 1000;
      const value = feature.properties[field];
      xs.push(time);
      ys.push(typeof value === 'number' ? value : null);
    }
    url = (page.links || []).find((link) => link.rel === 'next')?.href;
  }
  return { xs, ys, matched };
}

export function setUpChart(config) {
  if (!config) return;
  const form = document.getElementById('chart-form');
  const target = document.getElementById('chart');
  const status = document.getElementById('chart-status');
  const siteSelect = document.getElementById('chart-site');
  const fieldSelect = document.getElementById('chart-field');
  const fromBox = document.getElementById('chart-from');
  const toBox = document.getElementById('chart-to');
  const first = Date.parse(config.start) / 1000;
  const last = Date.parse(config.end) / 1000;
  form.hidden = false;
  fromBox.value = toInput(Math.max(first, last - config.windowSeconds));
  toBox.value = toInput(last);
  let plot = null;

  const width = () => Math.max(280, target.clientWidth);
  async function draw() {
    const start = fromInput(fromBox.value);
    const end = fromInput(toBox.value);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) {
      status.textContent = 'Choose a start before the end.';
      return;
    }
    const field = config.fields.find((f) => f.name === fieldSelect.value);
    const site = siteSelect ? siteSelect.value : null;
    status.textContent = 'Loading…';
    let series;
    try {
      series = await readSeries(config, site, field.name, start, end);
    } catch (error) {
      status.textContent = `The series could not be loaded (${error.message}).`;
      return;
    }
    const label = `${field.title}${field.unit ? ` (${field.unit})` : ''}`;
    const values = series.ys.filter((v) => v !== null);
    const where = siteSelect ? ` at ${siteSelect.selectedOptions[0].textContent}` : '';
    status.textContent = values.length
      ? `${label}${where}: ${series.xs.length.toLocaleString('en-GB')} readings from ${utcText(start)} to ${utcText(end)}${series.matched > series.xs.length ? ` (the first ${series.xs.length.toLocaleString('en-GB')} of ${series.matched.toLocaleString('en-GB')})` : ''}, from ${Math.min(...values).toLocaleString('en-GB')} to ${Math.max(...values).toLocaleString('en-GB')}.`
      : `No readings${where} from ${utcText(start)} to ${utcText(end)}.`;
    const options = {
      width: width(), height: 300,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true, range: [start, end] } },
      series: [{ label: 'Time (UTC)' }, { label, stroke: '#0b4f9c', width: 1.5, spanGaps: false, points: { show: false } }],
      axes: [{ stroke: '#1b1f23', values: axisLabels }, { stroke: '#1b1f23', label, size: 90, labelSize: 24 }],
      legend: { live: true },
    };
    if (plot) plot.destroy();
    plot = new uPlot(options, [series.xs, series.ys], target);
    target.dataset.rows = String(series.xs.length);
    target.dataset.start = String(start);
  }

  function shift(direction) {
    const start = fromInput(fromBox.value);
    const end = fromInput(toBox.value);
    const span = end - start;
    let newStart = start + direction * span;
    newStart = Math.max(first, Math.min(newStart, last - span));
    fromBox.value = toInput(newStart);
    toBox.value = toInput(newStart + span);
    draw();
  }

  form.addEventListener('submit', (event) => { event.preventDefault(); draw(); });
  siteSelect?.addEventListener('change', draw);
  fieldSelect.addEventListener('change', draw);
  document.getElementById('chart-earlier').addEventListener('click', () => shift(-1));
  document.getElementById('chart-later').addEventListener('click', () => shift(1));
  window.addEventListener('resize', () => plot?.setSize({ width: width(), height: 300 }));
  draw();
}
