import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../png.ts';
import { niceTicks, renderPng, renderSvg } from './plot.ts';

/** Reads back our own PNGs (RGB, filter 0) to check pixels. */
function decodePng(bytes: Uint8Array) {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
  ]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at < bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    expect(view.getUint32(at + 8 + length)).toBe(crc32(bytes.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') [width, height] = [view.getUint32(at + 8), view.getUint32(at + 12)];
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixel = (x: number, y: number) =>
    Array.from(raw.subarray(y * (1 + width * 3) + 1 + x * 3, y * (1 + width * 3) + 4 + x * 3));
  return { width, height, pixel };
}

describe('PNG encoder', () => {
  it('computes the standard CRC-32 and writes pixels that read back', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const rgb = new Uint8Array(4 * 3 * 3);
    rgb.set([255, 0, 0], (1 * 4 + 2) * 3);
    const png = decodePng(encodePng({ width: 4, height: 3, rgb }));
    expect([png.width, png.height]).toEqual([4, 3]);
    expect(png.pixel(2, 1)).toEqual([255, 0, 0]);
    expect(png.pixel(0, 0)).toEqual([0, 0, 0]);
  });
});

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

  it('rasterises the curves in their colours', () => {
    const png = decodePng(renderPng({ ...plot, width: 400, height: 300 }));
    expect([png.width, png.height]).toEqual([400, 300]);
    let blue = 0;
    let red = 0;
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 400; x++) {
        const [r, g, b] = png.pixel(x, y);
        if (r === 0x1f && g === 0x77 && b === 0xb4) blue++;
        if (r === 0xd6 && g === 0x27 && b === 0x28) red++;
      }
    }
    expect(blue).toBeGreaterThan(300);
    expect(red).toBeGreaterThan(300);
  });
});
