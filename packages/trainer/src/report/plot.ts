// Line plots of training curves: one function lays out axes and ticks, two renderers draw the
// same layout as SVG (text labels, legend) and as a PNG (our raster, tick numbers only).
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/durable-file.ts';
import { encodePng } from '../png.ts';
import { Raster, type Rgb } from '../raster.ts';
import type { MetricsRecord } from './step-log.ts';

export interface PlotSeries {
  name: string;
  /** CSS hex colour, e.g. '#1f77b4'. */
  color: string;
  points: readonly (readonly [number, number])[];
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  width?: number;
  height?: number;
}

const margin = { left: 70, right: 20, top: 40, bottom: 50 };

/** Round tick values covering [min, max] (1, 2, 5 × 10^k steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

function layout(options: PlotOptions) {
  const width = options.width ?? 720;
  const height = options.height ?? 440;
  const all = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x + y));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  let [xMin, xMax] = [Math.min(0, ...xs), Math.max(1e-9, ...xs)];
  let [yMin, yMax] = all.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const pad = (yMax - yMin) * 0.05;
  [yMin, yMax] = [yMin - pad, yMax + pad];
  if (!(xMax > xMin)) [xMin, xMax] = [0, 1];
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const sy = (y: number) => margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;
  return {
    width,
    height,
    plotWidth,
    plotHeight,
    sx,
    sy,
    xTicks: niceTicks(xMin, xMax),
    yTicks: niceTicks(yMin, yMax),
  };
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The plot as an SVG document. */
export function renderSvg(options: PlotOptions): string {
  const L = layout(options);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family="sans-serif" font-size="12">`,
    // The accessible name screen readers announce (and what linters ask of an inline SVG).
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${L.width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${L.plotWidth}" height="${L.plotHeight}" fill="none" stroke="#333"/>`,
  ];
  for (const x of L.xTicks) {
    const px = L.sx(x).toFixed(1);
    out.push(
      `<line x1="${px}" x2="${px}" y1="${margin.top}" y2="${margin.top + L.plotHeight}" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${px}" y="${margin.top + L.plotHeight + 16}" text-anchor="middle">${formatTick(x)}</text>`,
    );
  }
  for (const y of L.yTicks) {
    const py = L.sy(y).toFixed(1);
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + L.plotWidth}" y1="${py}" y2="${py}" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${margin.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${formatTick(y)}</text>`,
    );
  }
  out.push(
    `<text x="${margin.left + L.plotWidth / 2}" y="${L.height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${margin.top + L.plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((series, index) => {
    const points = series.points.map(([x, y]) => `${L.sx(x).toFixed(1)},${L.sy(y).toFixed(1)}`);
    if (points.length) {
      out.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="1.5" points="${points.join(' ')}"/>`,
      );
    }
    const ly = margin.top + 14 + index * 16;
    const lx = margin.left + L.plotWidth - 180;
    out.push(
      `<line x1="${lx}" x2="${lx + 20}" y1="${ly}" y2="${ly}" stroke="${series.color}" stroke-width="3"/>`,
    );
    out.push(
      `<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function hexToRgb(hex: string): Rgb {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** The same plot rasterised to PNG bytes (tick numbers and legend swatches; no words). */
export function renderPng(options: PlotOptions): Uint8Array {
  const L = layout(options);
  const raster = new Raster(L.width, L.height);
  const grid: Rgb = [221, 221, 221];
  const ink: Rgb = [51, 51, 51];
  for (const x of L.xTicks) {
    raster.line(L.sx(x), margin.top, L.sx(x), margin.top + L.plotHeight, grid);
    const label = formatTick(x);
    raster.text(L.sx(x) - Raster.textWidth(label) / 2, margin.top + L.plotHeight + 8, label, ink);
  }
  for (const y of L.yTicks) {
    raster.line(margin.left, L.sy(y), margin.left + L.plotWidth, L.sy(y), grid);
    const label = formatTick(y);
    raster.text(margin.left - 8 - Raster.textWidth(label), L.sy(y) - 5, label, ink);
  }
  const [x0, y0, x1, y1] = [
    margin.left,
    margin.top,
    margin.left + L.plotWidth,
    margin.top + L.plotHeight,
  ];
  raster.line(x0, y0, x1, y0, ink);
  raster.line(x0, y1, x1, y1, ink);
  raster.line(x0, y0, x0, y1, ink);
  raster.line(x1, y0, x1, y1, ink);
  options.series.forEach((series, index) => {
    const color = hexToRgb(series.color);
    const points = series.points.filter(([x, y]) => Number.isFinite(x + y));
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1];
      const [bx, by] = points[i];
      raster.line(L.sx(ax), L.sy(ay), L.sx(bx), L.sy(by), color, 2);
    }
    raster.fillRect(x1 - 40, y0 + 8 + index * 12, 30, 4, color);
  });
  return encodePng({ width: L.width, height: L.height, rgb: raster.rgb });
}

/** Writes loss.svg and loss.png (train and validation loss against tokens seen) into `outDir`. */
export function writeLossPlots(options: {
  records: readonly MetricsRecord[];
  outDir: string;
  title: string;
}): { svg: string; png: string } {
  const plot: PlotOptions = {
    title: options.title,
    xLabel: 'tokens seen',
    yLabel: 'loss (nats per token)',
    series: [
      {
        name: 'train',
        color: '#1f77b4',
        points: options.records
          .filter((r) => r.type === 'train')
          .map((r) => [r.tokensSeen, r.loss]),
      },
      {
        name: 'validation',
        color: '#d62728',
        points: options.records.filter((r) => r.type === 'val').map((r) => [r.tokensSeen, r.loss]),
      },
    ],
  };
  const svg = join(options.outDir, 'loss.svg');
  const png = join(options.outDir, 'loss.png');
  writeFileAtomic(svg, renderSvg(plot));
  writeFileAtomic(png, renderPng(plot));
  return { svg, png };
}
