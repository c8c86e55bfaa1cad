// Line plots of training curves drawn as SVG (axes, ticks, labels, legend); the PNG is the same
// SVG rasterised by resvg (@resvg/resvg-js), so both files show the same plot.
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../checkpoint/durable-file.ts';
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
    // Loss curves span a small range: aim for about eight y ticks so at least four show.
    yTicks: niceTicks(yMin, yMax, 8),
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

/** The same plot as PNG bytes: the SVG rasterised by resvg (system fonts for the text). */
export function renderPng(options: PlotOptions): Uint8Array {
  const image = new Resvg(renderSvg(options), { background: 'white' }).render();
  return image.asPng();
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
