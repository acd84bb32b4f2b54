/**
 * Seeded synthetic data and problems. Everything goes through the builders (`build.ts`), so synthetic
 * problems are built exactly like problems from real activations.
 *
 * - `toeplitzActivations`: rows x ~ N(0, T) with T_ij = rho^|i-j| (AR(1) recursion), optional dead (zero)
 *   columns and an "activation-like" ReLU(x + bias);
 * - `syntheticWeights`: Gaussian or Student-t weights;
 * - `syntheticProblem` / `syntheticLayer`: a Linear layer built from the two;
 * - `firstConvData` / `firstConvLayer`: smooth random 3-channel images and 3x3 kernels, n = 27: the Gram
 *   matrix has a dominant mean-intensity direction and a condition number around 1e5 (the hard case of
 *   real first layers).
 */
import { PvqInputError } from '../src/core/errors.js';
import { Rng } from '../src/core/random.js';
import type { LayerProblem } from '../src/core/types.js';
import { buildConv2dLayer, buildLinearLayer, type BuildOptions, type Tensor } from './build.js';

export type WeightDist = 'gaussian' | 'student-t';
export type ActivationKind = 'gaussian' | 'relu';

export interface ActivationOptions {
  /** Number of inputs (columns). */
  n: number;
  /** Number of rows (samples); m < n gives a rank-deficient G. Default 4n. */
  m?: number;
  /** Toeplitz correlation rho in [0, 0.999] (default 0.5). */
  rho?: number;
  /** Dead inputs (all-zero columns): a count (chosen at random) or a list of column indices. Default 0. */
  dead?: number | readonly number[];
  /** 'gaussian' (default) or 'relu': max(0, x + bias), "activation-like". */
  activation?: ActivationKind;
  /** Bias before the ReLU (default 0.5). */
  bias?: number;
  seed?: number;
}

export interface WeightOptions {
  out: number;
  n: number;
  /** Default 'gaussian'. */
  wDist?: WeightDist;
  /** Degrees of freedom of the Student-t (default 3). */
  nu?: number;
  /** Standard deviation (Gaussian) / scale (Student-t); default 1/sqrt(n). */
  wScale?: number;
  seed?: number;
}

function checkInt(x: number, field: string, min: number): number {
  if (!Number.isInteger(x) || x < min) throw new PvqInputError(field, `expected an integer >= ${min}, got ${x}`);
  return x;
}

/** The dead column indices: a given list, or `count` distinct columns drawn with `rng`. */
export function deadColumns(n: number, dead: number | readonly number[] | undefined, rng: Rng): number[] {
  if (dead === undefined) return [];
  if (typeof dead === 'number') {
    checkInt(dead, 'dead', 0);
    if (dead > n) throw new PvqInputError('dead', `cannot kill ${dead} of ${n} inputs`);
    const idx = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    return idx.slice(0, dead).sort((a, b) => a - b);
  }
  for (const d of dead) if (!Number.isInteger(d) || d < 0 || d >= n) throw new PvqInputError('dead', `column ${d} out of range [0, ${n})`);
  return [...dead];
}

/** Activations [m, n] with Toeplitz correlation rho^|i-j| (see module comment). */
export function toeplitzActivations(opts: ActivationOptions): Tensor & { dead: number[] } {
  const n = checkInt(opts.n, 'n', 1);
  const m = checkInt(opts.m ?? 4 * n, 'm', 1);
  const rho = opts.rho ?? 0.5;
  if (!(rho >= 0 && rho <= 0.999)) throw new PvqInputError('rho', `expected a number in [0, 0.999], got ${rho}`);
  const activation = opts.activation ?? 'gaussian';
  if (activation !== 'gaussian' && activation !== 'relu') throw new PvqInputError('activation', `expected 'gaussian' or 'relu', got ${JSON.stringify(activation)}`);
  const bias = opts.bias ?? 0.5;
  if (!Number.isFinite(bias)) throw new PvqInputError('bias', `expected a finite number, got ${bias}`);
  const rng = new Rng(opts.seed ?? 1);
  const dead = deadColumns(n, opts.dead, rng);
  const data = new Float64Array(m * n);
  const c = Math.sqrt(1 - rho * rho);
  for (let r = 0; r < m; r++) {
    const off = r * n;
    let x = rng.normal();
    data[off] = x;
    for (let j = 1; j < n; j++) {
      x = rho * x + c * rng.normal();
      data[off + j] = x;
    }
    if (activation === 'relu') for (let j = 0; j < n; j++) data[off + j] = Math.max(0, data[off + j] + bias);
    for (const d of dead) data[off + d] = 0;
  }
  return { shape: [m, n], data, dead };
}

/** Weights [out, n]: Gaussian or Student-t, times wScale. */
export function syntheticWeights(opts: WeightOptions): Tensor {
  const out = checkInt(opts.out, 'out', 1);
  const n = checkInt(opts.n, 'n', 1);
  const wDist = opts.wDist ?? 'gaussian';
  const nu = opts.nu ?? 3;
  if (!(nu > 0 && Number.isFinite(nu))) throw new PvqInputError('nu', `expected a positive number, got ${nu}`);
  const wScale = opts.wScale ?? 1 / Math.sqrt(n);
  if (!(wScale > 0 && Number.isFinite(wScale))) throw new PvqInputError('wScale', `expected a positive number, got ${wScale}`);
  const rng = new Rng(opts.seed ?? 1);
  const data = new Float64Array(out * n);
  for (let i = 0; i < data.length; i++) {
    if (wDist === 'gaussian') data[i] = wScale * rng.normal();
    else if (wDist === 'student-t') data[i] = wScale * rng.studentT(nu);
    else throw new PvqInputError('wDist', `expected 'gaussian' or 'student-t', got ${JSON.stringify(wDist)}`);
  }
  return { shape: [out, n], data };
}

export interface SyntheticOptions extends ActivationOptions, Omit<BuildOptions, 'channels'> {
  bits?: number;
  wDist?: WeightDist;
  nu?: number;
  wScale?: number;
  /** Problem name (default derived from the parameters). */
  name?: string;
}

export interface SyntheticLayerOptions extends SyntheticOptions {
  /** Output channels (default 8). */
  outChannels?: number;
}

function describeSynthetic(o: SyntheticOptions): Record<string, unknown> {
  return {
    generator: 'toeplitz',
    n: o.n,
    m: o.m ?? 4 * o.n,
    rho: o.rho ?? 0.5,
    dead: o.dead ?? 0,
    activation: o.activation ?? 'gaussian',
    ...(o.activation === 'relu' ? { bias: o.bias ?? 0.5 } : {}),
    wDist: o.wDist ?? 'gaussian',
    ...(o.wDist === 'student-t' ? { nu: o.nu ?? 3 } : {}),
    wScale: o.wScale ?? 1 / Math.sqrt(o.n),
    seed: o.seed ?? 1,
  };
}

/**
 * A whole synthetic Linear layer: activations from `toeplitzActivations` (seed), weights [outChannels, n]
 * from `syntheticWeights` (seed + 1), built with `buildLinearLayer` (options such as bits, optDim,
 * scaleRule, scaleGranularity, pruneBox, gram pass through; default gram 'mean').
 */
export function syntheticLayer(opts: SyntheticLayerOptions): LayerProblem[] {
  const seed = opts.seed ?? 1;
  const X = toeplitzActivations({ ...opts, seed });
  const W = syntheticWeights({ out: opts.outChannels ?? 8, n: opts.n, wDist: opts.wDist, nu: opts.nu, wScale: opts.wScale, seed: seed + 1 });
  const layer = opts.layer ?? opts.name ?? 'synthetic';
  const problems = buildLinearLayer(X, W, { ...opts, layer, gram: opts.gram ?? 'mean', channels: undefined });
  const synthetic = { ...describeSynthetic(opts), deadColumns: X.dead };
  return problems.map((p) => ({ ...p, meta: { ...p.meta, synthetic } }));
}

/** One synthetic problem (a one-output-channel layer, full row). */
export function syntheticProblem(opts: SyntheticOptions): LayerProblem {
  const name =
    opts.name ??
    `synthetic-n${opts.n}-b${opts.bits ?? 4}-rho${opts.rho ?? 0.5}-m${opts.m ?? 4 * opts.n}-dead${typeof opts.dead === 'number' ? opts.dead : (opts.dead?.length ?? 0)}-${opts.wDist ?? 'gaussian'}-s${opts.seed ?? 1}`;
  const [p] = syntheticLayer({ ...opts, optDim: undefined, outChannels: 1, layer: name, scaleGranularity: 'channel' });
  return { ...p, name };
}

export interface FirstConvOptions {
  /** Number of images (default 16). */
  images?: number;
  /** Image side (default 16). */
  size?: number;
  /** Output channels (default 8). */
  outChannels?: number;
  /** Per-pixel white noise standard deviation; sets the small eigenvalues (default 0.0175, cond ~ 1e5). */
  noise?: number;
  seed?: number;
}

/**
 * Smooth random RGB images ([images, 3, size, size]) and first-layer-like 3x3 kernels ([out, 3, 3, 3]).
 * Each image = a random brightness offset + a few low-frequency cosine waves (shared by the channels, with
 * small per-channel gains and a faint smooth colour term) + white noise. 3x3 patches of such images are
 * nearly constant, so G has one dominant (mean-intensity) eigenvalue and tiny ones set by the noise.
 */
export function firstConvData(opts: FirstConvOptions = {}): { X: Tensor; W: Tensor } {
  const N = checkInt(opts.images ?? 16, 'images', 1);
  const S = checkInt(opts.size ?? 16, 'size', 3);
  const out = checkInt(opts.outChannels ?? 8, 'outChannels', 1);
  const noise = opts.noise ?? 0.0175;
  if (!(noise >= 0 && Number.isFinite(noise))) throw new PvqInputError('noise', `expected a number >= 0, got ${noise}`);
  const rng = new Rng(opts.seed ?? 1);
  const X = new Float64Array(N * 3 * S * S);
  const waves = 6;
  const fx = new Float64Array(waves);
  const fy = new Float64Array(waves);
  const ph = new Float64Array(waves);
  const amp = new Float64Array(waves);
  for (let im = 0; im < N; im++) {
    const bright = 0.5 + 0.8 * rng.normal();
    for (let k = 0; k < waves; k++) {
      fx[k] = rng.uniform() * 1.5;
      fy[k] = rng.uniform() * 1.5;
      ph[k] = 2 * Math.PI * rng.uniform();
      amp[k] = (0.4 * rng.normal()) / (1 + fx[k] + fy[k]);
    }
    const gain = [1 + 0.1 * rng.normal(), 1 + 0.1 * rng.normal(), 1 + 0.1 * rng.normal()];
    const tint = [0.1 * rng.normal(), 0.1 * rng.normal(), 0.1 * rng.normal()];
    const cfx = rng.uniform();
    const cph = 2 * Math.PI * rng.uniform();
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        let lum = bright;
        for (let k = 0; k < waves; k++) lum += amp[k] * Math.cos((2 * Math.PI * (fx[k] * x + fy[k] * y)) / S + ph[k]);
        const chroma = Math.cos((2 * Math.PI * cfx * (x + y)) / S + cph);
        for (let c = 0; c < 3; c++) X[((im * 3 + c) * S + y) * S + x] = gain[c] * lum + tint[c] * chroma + noise * rng.normal();
      }
  }
  // first-conv-like kernels: a smooth colour-blob part plus heavy-tailed detail
  const W = new Float64Array(out * 27);
  for (let o = 0; o < out; o++) {
    const base = 0.2 * rng.normal();
    for (let j = 0; j < 27; j++) W[o * 27 + j] = base + 0.15 * rng.studentT(4);
  }
  return { X: { shape: [N, 3, S, S], data: X }, W: { shape: [out, 3, 3, 3], data: W } };
}

/** The first-conv-like layer (n = 27 full rows, conv stride 1, no padding). */
export function firstConvLayer(opts: FirstConvOptions & Omit<BuildOptions, 'channels' | 'optDim'> = {}): LayerProblem[] {
  const { X, W } = firstConvData(opts);
  const problems = buildConv2dLayer(X, W, { ...opts, layer: opts.layer ?? 'first-conv', gram: opts.gram ?? 'mean', optDim: undefined });
  const synthetic = { generator: 'first-conv', images: opts.images ?? 16, size: opts.size ?? 16, noise: opts.noise ?? 0.0175, seed: opts.seed ?? 1 };
  return problems.map((p) => ({ ...p, meta: { ...p.meta, synthetic } }));
}
