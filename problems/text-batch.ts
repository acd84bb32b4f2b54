/**
 * A deterministic batch of text-line images for the PaddleOCR demo models (pvq makes it itself, no download):
 * random words from a small vocabulary rendered with a 5x7 bitmap font (the classic HD44780-style ASCII glyphs,
 * written below as column bytes, bit 0 = top row; lower-case letters without descenders) as dark text on a light, slightly tinted background, with a
 * seeded per-glyph vertical jitter and pixel noise, then preprocessed as PaddleOCR's direction classifier does:
 * resize (bilinear) to height 48 keeping the aspect ratio (width at most 192), scale to [-1, 1] by
 * (x/255 - 0.5)/0.5, and pad on the right with zeros to width 192. Every other image is rotated by 180 degrees
 * (the classifier's two classes). Output: float32 NCHW [n, 3, 48, 192].
 */
import { PvqInputError } from '../src/core/errors.js';
import { Rng } from '../src/core/random.js';

/** 5x7 glyphs: five column bytes each, bit 0 = top row. */
export const FONT_5X7: Readonly<Record<string, readonly number[]>> = {
  ' ': [0x00, 0x00, 0x00, 0x00, 0x00],
  '.': [0x00, 0x60, 0x60, 0x00, 0x00],
  '-': [0x08, 0x08, 0x08, 0x08, 0x08],
  ':': [0x00, 0x36, 0x36, 0x00, 0x00],
  '0': [0x3e, 0x51, 0x49, 0x45, 0x3e],
  '1': [0x00, 0x42, 0x7f, 0x40, 0x00],
  '2': [0x72, 0x49, 0x49, 0x49, 0x46],
  '3': [0x21, 0x41, 0x49, 0x4d, 0x33],
  '4': [0x18, 0x14, 0x12, 0x7f, 0x10],
  '5': [0x27, 0x45, 0x45, 0x45, 0x39],
  '6': [0x3c, 0x4a, 0x49, 0x49, 0x31],
  '7': [0x41, 0x21, 0x11, 0x09, 0x07],
  '8': [0x36, 0x49, 0x49, 0x49, 0x36],
  '9': [0x46, 0x49, 0x49, 0x29, 0x1e],
  A: [0x7c, 0x12, 0x11, 0x12, 0x7c],
  B: [0x7f, 0x49, 0x49, 0x49, 0x36],
  C: [0x3e, 0x41, 0x41, 0x41, 0x22],
  D: [0x7f, 0x41, 0x41, 0x22, 0x1c],
  E: [0x7f, 0x49, 0x49, 0x49, 0x41],
  F: [0x7f, 0x09, 0x09, 0x09, 0x01],
  G: [0x3e, 0x41, 0x49, 0x49, 0x7a],
  H: [0x7f, 0x08, 0x08, 0x08, 0x7f],
  I: [0x00, 0x41, 0x7f, 0x41, 0x00],
  J: [0x20, 0x40, 0x41, 0x3f, 0x01],
  K: [0x7f, 0x08, 0x14, 0x22, 0x41],
  L: [0x7f, 0x40, 0x40, 0x40, 0x40],
  M: [0x7f, 0x02, 0x1c, 0x02, 0x7f],
  N: [0x7f, 0x04, 0x08, 0x10, 0x7f],
  O: [0x3e, 0x41, 0x41, 0x41, 0x3e],
  P: [0x7f, 0x09, 0x09, 0x09, 0x06],
  Q: [0x3e, 0x41, 0x51, 0x21, 0x5e],
  R: [0x7f, 0x09, 0x19, 0x29, 0x46],
  S: [0x26, 0x49, 0x49, 0x49, 0x32],
  T: [0x01, 0x01, 0x7f, 0x01, 0x01],
  U: [0x3f, 0x40, 0x40, 0x40, 0x3f],
  V: [0x1f, 0x20, 0x40, 0x20, 0x1f],
  W: [0x3f, 0x40, 0x38, 0x40, 0x3f],
  X: [0x63, 0x14, 0x08, 0x14, 0x63],
  Y: [0x07, 0x08, 0x70, 0x08, 0x07],
  Z: [0x61, 0x51, 0x49, 0x45, 0x43],
  a: [0x20, 0x54, 0x54, 0x54, 0x78],
  b: [0x7f, 0x48, 0x44, 0x44, 0x38],
  c: [0x38, 0x44, 0x44, 0x44, 0x20],
  d: [0x38, 0x44, 0x44, 0x48, 0x7f],
  e: [0x38, 0x54, 0x54, 0x54, 0x18],
  f: [0x08, 0x7e, 0x09, 0x01, 0x02],
  g: [0x08, 0x54, 0x54, 0x54, 0x3c],
  h: [0x7f, 0x08, 0x04, 0x04, 0x78],
  i: [0x00, 0x44, 0x7d, 0x40, 0x00],
  j: [0x20, 0x40, 0x44, 0x3d, 0x00],
  k: [0x7f, 0x10, 0x28, 0x44, 0x00],
  l: [0x00, 0x41, 0x7f, 0x40, 0x00],
  m: [0x7c, 0x04, 0x18, 0x04, 0x78],
  n: [0x7c, 0x08, 0x04, 0x04, 0x78],
  o: [0x38, 0x44, 0x44, 0x44, 0x38],
  p: [0x7c, 0x14, 0x14, 0x14, 0x08],
  q: [0x08, 0x14, 0x14, 0x18, 0x7c],
  r: [0x7c, 0x08, 0x04, 0x04, 0x08],
  s: [0x48, 0x54, 0x54, 0x54, 0x20],
  t: [0x04, 0x3f, 0x44, 0x40, 0x20],
  u: [0x3c, 0x40, 0x40, 0x20, 0x7c],
  v: [0x1c, 0x20, 0x40, 0x20, 0x1c],
  w: [0x3c, 0x40, 0x30, 0x40, 0x3c],
  x: [0x44, 0x28, 0x10, 0x28, 0x44],
  y: [0x0c, 0x50, 0x50, 0x50, 0x3c],
  z: [0x44, 0x64, 0x54, 0x4c, 0x44],
};

const WORDS = [
  'Total', 'INVOICE', 'Date:', '2026-12-05', 'Name', 'Street', 'No. 42', 'Station', 'Exit', 'Milk 1.50', 'Bread', 'Tea',
  'OPEN', 'Kitchen', 'Room 301', 'Train 7', 'Platform', 'Line 12', 'Ticket', 'Amount', 'Tax 19.00', 'Receipt', 'Hotel', 'Market', 'Shipping', 'Quantity', 'Payment', 'July',
];

/** Default number of demo images. */
export const DEMO_BATCH_SIZE = 32;

export interface TextBatchOptions {
  /** Number of images (default 32: the squeeze-excite layers see one globally pooled row per image). */
  n?: number;
  /** Seed (default 1). */
  seed?: number;
  height?: number;
  width?: number;
}

export interface TextBatch {
  shape: [number, 3, number, number];
  data: Float32Array;
  /** The text of each image and whether it was rotated by 180 degrees. */
  lines: { text: string; rotated: boolean }[];
}

/** Render `text` at the font's native size: grey levels 0..255, height 7 + 2*margin. */
function renderLine(text: string, rng: Rng, ink: number, paper: number): { h: number; w: number; px: Float64Array } {
  const margin = 2;
  const h = 7 + 2 * margin;
  const w = text.length * 6 - 1 + 2 * margin;
  const px = new Float64Array(h * w).fill(paper);
  let x0 = margin;
  for (const ch of text) {
    const glyph = FONT_5X7[ch] ?? FONT_5X7[ch.toUpperCase()] ?? FONT_5X7[' '];
    const dy = rng.uniform() < 0.25 ? (rng.uniform() < 0.5 ? -1 : 1) : 0; // slight baseline jitter
    for (let c = 0; c < 5; c++)
      for (let r = 0; r < 7; r++)
        if ((glyph[c] >> r) & 1) {
          const y = margin + r + dy;
          if (y >= 0 && y < h) px[y * w + x0 + c] = ink;
        }
    x0 += 6;
  }
  return { h, w, px };
}

/** Bilinear resize (align_corners = false, like cv2.resize INTER_LINEAR). */
function resize(src: Float64Array, h: number, w: number, H: number, W: number): Float64Array {
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max((y + 0.5) * (h / H) - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max((x + 0.5) * (w / W) - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      const a = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
      const b = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
      out[y * W + x] = a * (1 - ty) + b * ty;
    }
  }
  return out;
}

/** The demo batch (see the module comment). Deterministic in (n, seed, height, width). */
export function textLineBatch(opts: TextBatchOptions = {}): TextBatch {
  const n = opts.n ?? DEMO_BATCH_SIZE;
  const seed = opts.seed ?? 1;
  const H = opts.height ?? 48;
  const Wmax = opts.width ?? 192;
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new PvqInputError('n', `expected an integer in [1, 4096], got ${n}`);
  if (!Number.isInteger(seed)) throw new PvqInputError('seed', `expected an integer, got ${seed}`);
  for (const [f, v] of [['height', H], ['width', Wmax]] as const) if (!Number.isInteger(v) || v < 8 || v > 4096) throw new PvqInputError(f, `expected an integer in [8, 4096], got ${v}`);
  const rng = new Rng(seed);
  const plane = H * Wmax;
  const data = new Float32Array(n * 3 * plane); // zero = the padding value after normalisation
  const lines: TextBatch['lines'] = [];
  for (let b = 0; b < n; b++) {
    const words = 1 + rng.int(3);
    const text = Array.from({ length: words }, () => WORDS[rng.int(WORDS.length)]).join(' ');
    const paper = 200 + 45 * rng.uniform();
    const ink = 15 + 60 * rng.uniform();
    const line = renderLine(text, rng, ink, paper);
    const W = Math.min(Wmax, Math.ceil((H * line.w) / line.h));
    const img = resize(line.px, line.h, line.w, H, W);
    const rotated = b % 2 === 1;
    const tint = [0, 1, 2].map(() => 8 * (rng.uniform() - 0.5));
    for (let c = 0; c < 3; c++) {
      const off = (b * 3 + c) * plane;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const v = Math.min(255, Math.max(0, img[y * W + x] + tint[c] + 6 * rng.normal()));
          const yy = rotated ? H - 1 - y : y;
          const xx = rotated ? W - 1 - x : x;
          data[off + yy * Wmax + xx] = (v / 255 - 0.5) / 0.5;
        }
    }
    lines.push({ text, rotated });
  }
  return { shape: [n, 3, H, Wmax], data, lines };
}
