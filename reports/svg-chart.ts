// Inline SVG line charts for the HTML report: no script, no external style, readable without colour (each series
// has its own dash pattern and marker, and a legend names it).
import { escapeHtml } from './escape.js';

export interface Series {
  name: string;
  points: readonly (readonly [x: number, y: number])[];
  /** Draw the line through the points (default true); false: points only (repeated runs at one x make no line). */
  line?: boolean;
  /** Draw a marker per point (default true; never past 60 points). */
  markers?: boolean;
  /** Name the series in the legend (default true). */
  legend?: boolean;
  /** Colour and dash of this series instead of its place's (a points-only series drawn with its line's colour). */
  color?: string;
  dash?: string;
  /** Per point: its marker's shape, colour and tooltip note (e.g. a capacity step's outcome); overrides crossAt. */
  pointStyle?: (pointIndex: number) => PointStyle | undefined;
}

/** How one point is drawn. The shape alone tells the kinds apart, so the chart reads without colour. */
export interface PointStyle {
  shape: 'dot' | 'cross' | 'square';
  color?: string;
  /** Added to the marker's class (`pt` plus this), so a page or a test can find the points of one kind. */
  className?: string;
  /** Appended to the tooltip. */
  note?: string;
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
  /** Horizontal lines with a label (e.g. an SLO's limit); the y axis grows to show them. */
  hLines?: readonly { value: number; label: string }[];
  /** Shaded x ranges behind the data (e.g. the steady windows of capacity steps): a short label on top, a tooltip. */
  bands?: readonly { from: number; to: number; label?: string; title?: string }[];
  /** Legend entries for point kinds (after the series'). */
  legendPoints?: readonly { label: string; style: PointStyle }[];
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

/** A point's marker; `kind` 'legend-pt' for a legend's sample, so counting `.pt` counts data points only. */
function pointMarker(cx: number, cy: number, style: PointStyle, color: string, tip: string, kind: 'pt' | 'legend-pt' = 'pt'): string {
  const cls = kind === 'pt' && style.className ? `pt ${style.className}` : kind;
  const x = cx.toFixed(1);
  const y = cy.toFixed(1);
  if (style.shape === 'cross') return `<path class="${cls}" d="M${(cx - 4).toFixed(1)} ${(cy - 4).toFixed(1)} l8 8 m0 -8 l-8 8" stroke="${color}" stroke-width="2" fill="none">${tip}</path>`;
  if (style.shape === 'square') return `<rect class="${cls}" x="${(cx - 3.5).toFixed(1)}" y="${(cy - 3.5).toFixed(1)}" width="7" height="7" fill="${color}">${tip}</rect>`;
  return `<circle class="${cls}" cx="${x}" cy="${y}" r="3.5" fill="${color}">${tip}</circle>`;
}

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
  const xs = all
    .map((p) => p[0])
    .concat(spec.xTicks?.map((t) => t.value) ?? [])
    .concat(spec.bands?.flatMap((b) => [b.from, b.to]) ?? []);
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x0 === x1) x1 = x0 + 1;
  const yMax = Math.max(0, ...all.map((p) => p[1]), ...(spec.hLines?.map((h) => h.value) ?? []));
  const yStep = niceStep(yMax, 4);
  const y1 = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => PAD.top + plotH - (y / y1) * plotH;
  const r = (n: number): string => n.toFixed(1);

  const parts: string[] = [];
  for (const b of spec.bands ?? []) {
    const bx = sx(Math.min(b.from, b.to));
    const bw = Math.abs(sx(b.to) - sx(b.from));
    parts.push(
      `<rect class="band" x="${r(bx)}" y="${PAD.top}" width="${r(bw)}" height="${plotH}" fill="#1f6feb" fill-opacity="0.1">` +
        `${b.title ? `<title>${escapeHtml(b.title)}</title>` : ''}</rect>`,
    );
    if (b.label) parts.push(`<text class="tick band-label" x="${r(bx + bw / 2)}" y="${PAD.top + 10}" text-anchor="middle">${escapeHtml(b.label)}</text>`);
  }
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
  for (const h of spec.hLines ?? []) {
    const hy = r(sy(h.value));
    parts.push(
      `<line class="hline" x1="${PAD.left}" x2="${width - PAD.right}" y1="${hy}" y2="${hy}" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text class="tick hline-label" x="${PAD.left + 4}" y="${r(sy(h.value) - 4)}">${escapeHtml(h.label)}</text>`,
    );
  }
  // Legend entries in order (series that name themselves, then point kinds), spread over the plot's width.
  const legendCount = series.filter((s) => s.legend !== false).length + (spec.legendPoints?.length ?? 0);
  const legendX = (k: number): number => PAD.left + k * Math.min(180, plotW / Math.max(1, legendCount));
  let legendAt = 0;
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length]!;
    const dash = s.dash ?? DASHES[i % DASHES.length]!;
    if (s.line !== false) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${r(sx(p[0]))} ${r(sy(p[1]))}`).join(' ');
      parts.push(`<path class="series" d="${d}" stroke="${color}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    }
    // Markers only when they stay readable; each carries a tooltip with its exact value.
    if (s.markers !== false && s.points.length <= 60) {
      s.points.forEach((p, j) => {
        const style = s.pointStyle?.(j);
        const note = style?.note ? ` (${style.note})` : '';
        const tip = `<title>${escapeHtml(`${s.name}: ${formatX(p[0])} → ${formatY(p[1])}${note}`)}</title>`;
        const cx = r(sx(p[0]));
        const cy = r(sy(p[1]));
        if (style) parts.push(pointMarker(Number(cx), Number(cy), style, style.color ?? color, tip));
        else
          parts.push(
            spec.crossAt?.(i, j)
              ? `<path class="cross" d="M${Number(cx) - 4} ${Number(cy) - 4} l8 8 m0 -8 l-8 8" stroke="${color}">${tip}</path>`
              : `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}">${tip}</circle>`,
          );
      });
    }
    if (s.legend === false) return;
    const lx = legendX(legendAt++);
    parts.push(
      s.line === false
        ? pointMarker(lx + 11, height - 8, { shape: 'dot' }, color, '', 'legend-pt')
        : `<line x1="${r(lx)}" x2="${r(lx + 22)}" y1="${height - 8}" y2="${height - 8}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text class="legend" x="${r(lx + 26)}" y="${height - 4}">${escapeHtml(s.name)}</text>`,
    );
  });
  for (const entry of spec.legendPoints ?? []) {
    const lx = legendX(legendAt++);
    parts.push(
      pointMarker(lx + 11, height - 8, entry.style, entry.style.color ?? COLORS[0]!, '', 'legend-pt'),
      `<text class="legend" x="${r(lx + 26)}" y="${height - 4}">${escapeHtml(entry.label)}</text>`,
    );
  }
  return (
    `<figure class="chart"><figcaption>${title}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}">` +
    `<title>${title}</title>${parts.join('')}</svg></figure>`
  );
}
