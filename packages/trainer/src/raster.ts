// A tiny RGB raster for plots: filled rectangles, thick lines (a disc stamped along Bresenham's
// path) and a 3×5 pixel font for tick labels (digits, '.', '-', 'e', 'k', 'M'); nothing else.

export type Rgb = [number, number, number];

const glyphs: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001001001001',
  '8': '111101111101111',
  '9': '111101111001111',
  '.': '000000000000010',
  '-': '000000111000000',
  e: '000111101110111',
  k: '100101110101101',
  M: '101111111101101',
  ' ': '000000000000000',
};

export class Raster {
  readonly rgb: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.rgb = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, color: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.rgb.set(color, (yi * this.width + xi) * 3);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let j = Math.round(y); j < Math.round(y + h); j++) {
      for (let i = Math.round(x); i < Math.round(x + w); i++) this.setPixel(i, j, color);
    }
  }

  /** A line `thickness` pixels wide from (x0, y0) to (x1, y1). */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    let x = Math.round(x0);
    let y = Math.round(y0);
    const xEnd = Math.round(x1);
    const yEnd = Math.round(y1);
    const dx = Math.abs(xEnd - x);
    const dy = -Math.abs(yEnd - y);
    const sx = x < xEnd ? 1 : -1;
    const sy = y < yEnd ? 1 : -1;
    let error = dx + dy;
    const radius = (thickness - 1) / 2;
    for (;;) {
      if (radius <= 0) this.setPixel(x, y, color);
      else this.fillRect(x - radius, y - radius, thickness, thickness, color);
      if (x === xEnd && y === yEnd) break;
      const twice = 2 * error;
      if (twice >= dy) {
        error += dy;
        x += sx;
      }
      if (twice <= dx) {
        error += dx;
        y += sy;
      }
    }
  }

  /** Draws `text` with its top-left corner at (x, y), each font pixel `scale` pixels wide. */
  text(x: number, y: number, text: string, color: Rgb, scale = 2): void {
    let cursor = x;
    for (const char of text) {
      const glyph = glyphs[char] ?? glyphs[' '];
      for (let row = 0; row < 5; row++) {
        for (let col = 0; col < 3; col++) {
          if (glyph[row * 3 + col] === '1') {
            this.fillRect(cursor + col * scale, y + row * scale, scale, scale, color);
          }
        }
      }
      cursor += 4 * scale;
    }
  }

  /** Width in pixels of `text` drawn at `scale`. */
  static textWidth(text: string, scale = 2): number {
    return text.length * 4 * scale - scale;
  }
}
