// Inline SVG line charts for the HTML report: no script, no external style, readable without colour (each series
// has its own dash pattern and marker, and a legend names it).
import { escapeHtml } from './escape.js';

export interface Series {
  name: string;
  points: readonly (readonly [x: number, y: number])[];
}

export interface LineChartSpec {
  title: string;
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  /** Fixed x ticks (value, label); default: about six evenly spaced ones. */
  xTicks?: readonly { value: number; label: string }[];
  formatY?: (y: number) => string;
  formatX?: (x: number) => string;
  /** Points drawn as a hollow cross instead of a dot (e.g. breached capacity steps), by series index. */
  crossAt?: (seriesIndex: number, pointIndex: number) => boolean;
  /** A vertical marker line with a label (e.g. the capacity found). */
  markerX?: { value: number; label: string };
  width?: number;
  height?: number;
}

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#57606a'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4'];
const PAD = { left: 64, right: 16, top: 28, bottom: 56 };

/** A "nice" step (1, 2 or 5 times a power of ten) that splits `span` into about `count` parts. */
function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 1 ? 3 : 2).replace(/\.?0+$/, ''));

export function renderLineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 260;
  const series = spec.series.filter((s) => s.points.length > 0);
  const all = series.flatMap((s) => s.points);
  const formatY = spec.formatY ?? fmt;
  const formatX = spec.formatX ?? fmt;
  const title = escapeHtml(spec.title);
  if (all.length === 0) {
    return `<figure class="chart"><figcaption>${title}</figcaption><p class="muted">No data.</p></figure>`;
  }
  const xs = all.map((p) => p[0]).concat(spec.xTicks?.map((t) => t.value) ?? []);
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x0 === x1) x1 = x0 + 1;
  const yMax = Math.max(0, ...all.map((p) => p[1]));
  const yStep = niceStep(yMax, 4);
  const y1 = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => PAD.top + plotH - (y / y1) * plotH;
  const r = (n: number): string => n.toFixed(1);

  const parts: string[] = [];
  for (let y = 0; y <= y1 + yStep / 2; y += yStep) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${r(sy(y))}" y2="${r(sy(y))}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${r(sy(y) + 4)}" text-anchor="end">${escapeHtml(formatY(y))}</text>`,
    );
  }
  const xTicks =
    spec.xTicks ??
    (() => {
      const step = niceStep(x1 - x0, 6);
      const ticks: { value: number; label: string }[] = [];
      for (let x = Math.ceil(x0 / step) * step; x <= x1 + step / 1000; x += step) ticks.push({ value: x, label: formatX(x) });
      return ticks;
    })();
  for (const t of xTicks) {
    parts.push(
      `<line class="axis" x1="${r(sx(t.value))}" x2="${r(sx(t.value))}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 4}"/>`,
      `<text class="tick" x="${r(sx(t.value))}" y="${PAD.top + plotH + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${width - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}"/>`,
    `<text class="label" x="${PAD.left + plotW / 2}" y="${height - 24}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
    `<text class="label" x="14" y="${PAD.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + plotH / 2})">${escapeHtml(spec.yLabel)}</text>`,
  );
  if (spec.markerX) {
    const mx = r(sx(spec.markerX.value));
    parts.push(
      `<line class="marker" x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`,
      `<text class="tick" x="${mx}" y="${PAD.top - 6}" text-anchor="middle">${escapeHtml(spec.markerX.label)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const dash = DASHES[i % DASHES.length]!;
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${r(sx(p[0]))} ${r(sy(p[1]))}`).join(' ');
    parts.push(`<path class="series" d="${d}" stroke="${color}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    // Markers only when they stay readable; each carries a tooltip with its exact value.
    if (s.points.length <= 60) {
      s.points.forEach((p, j) => {
        const tip = `<title>${escapeHtml(`${s.name}: ${formatX(p[0])} → ${formatY(p[1])}`)}</title>`;
        const cx = r(sx(p[0]));
        const cy = r(sy(p[1]));
        parts.push(
          spec.crossAt?.(i, j)
            ? `<path class="cross" d="M${Number(cx) - 4} ${Number(cy) - 4} l8 8 m0 -8 l-8 8" stroke="${color}">${tip}</path>`
            : `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}">${tip}</circle>`,
        );
      });
    }
    const lx = PAD.left + i * Math.min(180, plotW / Math.max(1, series.length));
    parts.push(
      `<line x1="${r(lx)}" x2="${r(lx + 22)}" y1="${height - 8}" y2="${height - 8}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text class="legend" x="${r(lx + 26)}" y="${height - 4}">${escapeHtml(s.name)}</text>`,
    );
  });
  return (
    `<figure class="chart"><figcaption>${title}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}">` +
    `<title>${title}</title>${parts.join('')}</svg></figure>`
  );
}
