import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { niceTicks, renderPng, renderSvg } from './plot.ts';

/** Decodes PNG bytes (pngjs) into width, height and an RGB pixel reader. */
function decodePng(bytes: Uint8Array) {
  const png = PNG.sync.read(Buffer.from(bytes));
  const pixel = (x: number, y: number) => {
    const at = (y * png.width + x) * 4;
    return [png.data[at], png.data[at + 1], png.data[at + 2]];
  };
  return { width: png.width, height: png.height, pixel };
}

/** Whether two colours are within `tolerance` per channel (anti-aliased edges blend). */
const near = (a: number[], b: number[], tolerance = 24) =>
  a.every((value, i) => Math.abs(value - b[i]) <= tolerance);

describe('loss plots', () => {
  const plot = {
    title: 'loss',
    xLabel: 'tokens',
    yLabel: 'loss',
    series: [
      {
        name: 'train',
        color: '#1f77b4',
        points: [
          [0, 4],
          [500, 3],
          [1000, 2],
        ] as [number, number][],
      },
      {
        name: 'val <b>',
        color: '#d62728',
        points: [
          [0, 4.2],
          [1000, 2.5],
        ] as [number, number][],
      },
    ],
  };

  it('draws ticks, both series and an escaped legend in SVG', () => {
    const svg = renderSvg(plot);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('val &lt;b&gt;');
    expect(svg).toContain('>1000<');
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it('rasterises the same SVG to PNG, curves in their colours on white', () => {
    const png = decodePng(renderPng({ ...plot, width: 400, height: 300 }));
    expect([png.width, png.height]).toEqual([400, 300]);
    let blue = 0;
    let red = 0;
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 400; x++) {
        const rgb = png.pixel(x, y);
        if (near(rgb, [0x1f, 0x77, 0xb4])) blue++;
        if (near(rgb, [0xd6, 0x27, 0x28])) red++;
      }
    }
    expect(blue).toBeGreaterThan(150);
    expect(red).toBeGreaterThan(150);
    expect(png.pixel(2, 2)).toEqual([255, 255, 255]);
  });
});

describe('loss-curve axes', () => {
  it('labels at least four y ticks on a narrow loss range', () => {
    const svg = renderSvg({
      title: 'narrow',
      xLabel: 'x',
      yLabel: 'loss',
      series: [
        {
          name: 'train',
          color: '#000',
          points: [
            [0, 2.05],
            [100, 2.6],
          ],
        },
      ],
    });
    const yLabels = svg.match(/text-anchor="end" dominant-baseline="middle"/g) ?? [];
    expect(yLabels.length).toBeGreaterThanOrEqual(4);
  });
});
