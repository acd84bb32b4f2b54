/**
 * The symmetric uniform quantizer of the paper's code and its clipping-range search
 * (Kuzmin et al., quantization/quantizers/uniform_quantizers.py and range_estimators.py).
 */

/** Round half to even (torch.round / numpy.round semantics). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // rounds half up
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

export interface IntGrid {
  signed: boolean;
  qmin: number;
  qmax: number;
}

/** Signed grid [-2^(b-1), 2^(b-1)-1] or unsigned grid [0, 2^b - 1]. */
export function intGrid(bits: number, signed: boolean): IntGrid {
  if (!Number.isInteger(bits) || bits < 1 || bits > 30) throw new RangeError(`bits must be an integer in [1, 30], got ${bits}`);
  return signed ? { signed, qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 } : { signed, qmin: 0, qmax: 2 ** bits - 1 };
}

export type Arithmetic = 'float64' | 'float32';

/** Quantize one value: scale * clamp(roundHalfEven(x / scale), qmin, qmax), in the given arithmetic. */
export function quantizeValue(x: number, scale: number, qmin: number, qmax: number, arith: Arithmetic = 'float64'): number {
  if (arith === 'float32') {
    const f = Math.fround;
    let q = roundHalfEven(f(f(x) / scale));
    if (q < qmin) q = qmin;
    else if (q > qmax) q = qmax;
    return f(q * scale);
  }
  let q = roundHalfEven(x / scale);
  if (q < qmin) q = qmin;
  else if (q > qmax) q = qmax;
  return q * scale;
}

/** Sum of squared quantization errors of `values` for a given scale and grid. */
export function quantLoss(values: ArrayLike<number>, scale: number, grid: IntGrid, arith: Arithmetic = 'float64'): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = arith === 'float32' ? Math.fround(values[i]) : values[i];
    const e = x - quantizeValue(x, scale, grid.qmin, grid.qmax, arith);
    s += e * e;
  }
  return s;
}

export interface RangeChoice {
  /** Quantization step. */
  scale: number;
  /** Chosen clipping value c (positive end of the symmetric range). */
  clip: number;
  /** Candidate index j (1..numCandidates) for the grid search; 0 for other rules. */
  index: number;
  grid: IntGrid;
  /** Summed squared error at the chosen scale. */
  loss: number;
  /** Rule that produced it, recorded in problem meta. */
  rule: string;
}

/** Step for a clipping value c as the paper's quantizer computes it: c / qmax, floored at 1e-8. */
export function stepForClip(clip: number, grid: IntGrid, arith: Arithmetic = 'float64'): number {
  const c = arith === 'float32' ? Math.fround(clip) : clip;
  const d = arith === 'float32' ? Math.fround(c / grid.qmax) : c / grid.qmax;
  return Math.max(d, 1e-8);
}

export interface PaperRangeOptions {
  /** Number of candidates (paper: 100). */
  numCandidates?: number;
  /** Absolute margin added to max|w| (paper: 0.5). */
  margin?: number;
  /** 'auto' (paper: unsigned grid when min(values) >= 0), or force signed/unsigned. */
  signed?: boolean | 'auto';
  arith?: Arithmetic;
}

/**
 * The paper's MSE line search: candidates c_j = j * (max|w| + margin) / N, j = 1..N, range [-c_j, c_j]
 * (or [0, c_j] on the unsigned grid), step c_j / qmax; the first minimiser of the summed squared error wins.
 */
export function paperRangeSearch(values: ArrayLike<number>, bits: number, opts: PaperRangeOptions = {}): RangeChoice {
  const N = opts.numCandidates ?? 100;
  const margin = opts.margin ?? 0.5;
  const arith = opts.arith ?? 'float64';
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) throw new RangeError(`values[${i}] is NaN`);
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  if (values.length === 0) {
    mn = 0;
    mx = 0;
  }
  const signed = opts.signed === undefined || opts.signed === 'auto' ? mn < 0 : opts.signed;
  const grid = intGrid(bits, signed);
  const R = Math.max(Math.abs(mn), mx) + margin;
  const step = R / N;
  let best: RangeChoice | null = null;
  for (let j = 1; j <= N; j++) {
    const clip = j * step;
    const scale = stepForClip(clip, grid, arith);
    const loss = quantLoss(values, scale, grid, arith);
    if (best === null || loss < best.loss) best = { scale, clip, index: j, grid, loss, rule: `paper-grid(j=${j}/${N}, margin=${margin}, ${arith})` };
  }
  return best!;
}
