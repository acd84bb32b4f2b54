/**
 * Perspective relaxation of the pruning problem and its verifiable certificate.
 *
 * Split G = M + D with D = diag(d) >= 0 and M = G - D positive definite. For z in [0,1]^n,
 *
 *     phi(z) = min_v  r - 2 b^T v + v^T M v + sum_i d_i v_i^2 / z_i        (b = G w, r = w^T G w)
 *
 * equals err(support) at binary z, is convex, and PR(d) = min { phi(z) : 0 <= z <= 1, sum z <= k } is a
 * lower bound for the pruning problem (with or without a box). By convex duality, for EVERY vector y
 *
 *     phi(z) >= r - y^T M^-1 y - sum_i z_i (b_i - y_i)^2 / d_i,
 *
 * which is linear in z, hence
 *
 *     PR(d) >= LB(d, y) = r - y^T M^-1 y - (sum of the k largest (b_i - y_i)^2 / d_i).
 *
 * (Coordinates with d_i = 0 need y_i = b_i.) With y = M v(z) at a Frank-Wolfe iterate z this is exactly
 * the Frank-Wolfe gap bound. The certificate is (d, y); `verifyPerspectiveCertificate` re-checks it
 * from scratch: M - eps I must pass a Cholesky factorisation (so lambda_min(M) >= eps), y^T M^-1 y is
 * bounded above through a solve with a residual correction ||M u - y||^2 / eps, and the result is
 * rounded down.
 */
import type { Certificate, PruningProblem } from '../../src/core/types.js';
import { safeLowerBound } from '../../src/core/result.js';
import { choleskyInPlace, cholSolve } from '../../src/linalg/dense.js';
import { Deadline } from '../../src/core/result.js';
import { expand, gramTimesW, reduce, validatePruningProblem } from './common.js';
import { ascendDiag, scalarDiag, scaledDiag, sdpDiag, withMargin } from './diag.js';
import { fits, predictCholMs, predictiveStop } from '../../src/linalg/cost.js';

export interface PerspectiveCertificate extends Certificate {
  readonly type: 'perspective-fw';
  /** Diagonal of D (length n). */
  readonly d: number[];
  /** Dual vector y (length n). */
  readonly y: number[];
  /** Frank-Wolfe point z the dual vector came from (informative; not needed to verify). */
  readonly z: number[];
  /** Margin eps: M - eps I must be PD. */
  readonly eps: number;
  /** The claimed (already rounded-down) bound. */
  readonly bound: number;
}

export interface PerspectiveResult {
  bound: number;
  /** phi at the final iterate (an upper estimate of PR(d)). */
  phi: number;
  z: Float64Array;
  y: Float64Array;
  iterations: number;
  certificate: PerspectiveCertificate;
}

/** Sum of the k largest entries of c (k <= length). */
function topK(c: Float64Array, k: number): number {
  if (k <= 0) return 0;
  const s = Array.from(c).sort((a, b) => b - a);
  let t = 0;
  for (let i = 0; i < Math.min(k, s.length); i++) t += s[i];
  return t;
}

/**
 * Evaluate phi(z) and the minimiser v (coordinates with d_i > 0 and z_i = 0 are fixed to 0).
 * Returns null if the factorisation fails.
 */
function phiAt(
  M: Float64Array,
  n: number,
  b: Float64Array,
  r: number,
  d: Float64Array,
  z: Float64Array,
  work: Float64Array,
): { phi: number; v: Float64Array } | null {
  const P: number[] = [];
  for (let i = 0; i < n; i++) if (z[i] > 0 || d[i] === 0) P.push(i);
  const m = P.length;
  const v = new Float64Array(n);
  if (m === 0) return { phi: r, v };
  const K = work.subarray(0, m * m);
  for (let a = 0; a < m; a++) {
    const ia = P[a];
    for (let c = 0; c < m; c++) K[a * m + c] = M[ia * n + P[c]];
    if (d[ia] > 0) K[a * m + a] += d[ia] / z[ia];
  }
  if (choleskyInPlace(K, m, 0) >= 0) return null;
  const x = new Float64Array(m);
  for (let a = 0; a < m; a++) x[a] = b[P[a]];
  cholSolve(K, m, x);
  let s = 0;
  for (let a = 0; a < m; a++) {
    v[P[a]] = x[a];
    s += b[P[a]] * x[a];
  }
  return { phi: r - s, v };
}

/**
 * The dual bound LB(d, y) computed in floating point without rigour checks (the solver's running value);
 * `verifyPerspectiveCertificate` is the rigorous version.
 */
function dualValue(M: Float64Array, Lm: Float64Array, n: number, b: Float64Array, r: number, d: Float64Array, y: Float64Array, k: number): number {
  const u = cholSolve(Lm, n, Float64Array.from(y));
  let q = 0;
  for (let i = 0; i < n; i++) q += y[i] * u[i];
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = b[i] - y[i];
    c[i] = d[i] > 0 ? (e * e) / d[i] : e === 0 ? 0 : Infinity;
  }
  void M;
  return r - q - topK(c, k);
}

export interface PerspectiveOptions {
  iterations?: number;
  /** Stop when (phi - bound) <= gapTol * phi. */
  gapTol?: number;
  deadline?: { expired(): boolean };
}

/** The dual vector of the perspective relaxation at the primal point v: y_i = (M v)_i, or b_i where d_i = 0. */
function dualVector(M: Float64Array, n: number, b: Float64Array, d: Float64Array, v: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (d[i] === 0) {
      y[i] = b[i];
      continue;
    }
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j] * v[j];
    y[i] = s;
  }
  return y;
}

/** Frank-Wolfe linear minimisation oracle (gradient -c): the indicator of the k largest positive c_i. */
function topKIndicator(c: Float64Array, n: number, k: number): Float64Array {
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b2) => c[b2] - c[a]);
  const s = new Float64Array(n);
  for (let t = 0; t < k; t++) if (c[idx[t]] > 0) s[idx[t]] = 1;
  return s;
}

/** Step g in [0, 1] minimising f: 12 golden-section steps, then the full step if it is better. */
function goldenStep(f: (g: number) => number): number {
  let lo = 0;
  let hi = 1;
  const gr = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - gr * (hi - lo);
  let x2 = lo + gr * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let t = 0; t < 12; t++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - gr * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + gr * (hi - lo);
      f2 = f(x2);
    }
  }
  const gBest = f1 <= f2 ? x1 : x2;
  const fEnd = f(1);
  return fEnd < Math.min(f1, f2) ? 1 : gBest;
}

/**
 * Frank-Wolfe on the perspective relaxation with diagonal d (G - diag(d) - eps I must be PD; eps =
 * `eps`). Returns the best certified dual bound found and its certificate.
 */
export function perspectiveBound(
  problem: PruningProblem,
  d: Float64Array,
  eps: number,
  opts: PerspectiveOptions = {},
): PerspectiveResult {
  const k0 = validatePruningProblem(problem);
  const { G, n, w } = problem.objective;
  const b = gramTimesW(G, w, n);
  let r = 0;
  for (let i = 0; i < n; i++) r += w[i] * b[i];
  const k = Math.min(k0, n);
  const M = Float64Array.from(G);
  for (let i = 0; i < n; i++) M[i * n + i] -= d[i];
  const Lm = Float64Array.from(M);
  if (choleskyInPlace(Lm, n, 0) >= 0) throw new Error('perspectiveBound: G - diag(d) is not positive definite');
  const iters = opts.iterations ?? 100;
  const gapTol = opts.gapTol ?? 1e-9;
  const work = new Float64Array(n * n);
  const z = new Float64Array(n).fill(n > 0 ? k / n : 0);
  let bestBound = -Infinity;
  let bestY: Float64Array = new Float64Array(n);
  let bestZ = Float64Array.from(z);
  let phi = r;
  let it = 0;
  let cur = phiAt(M, n, b, r, d, z, work);
  let stopped = false;
  for (; it < iters && cur; it++) {
    if (opts.deadline?.expired()) break;
    phi = cur.phi;
    const y = dualVector(M, n, b, d, cur.v);
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = b[i] - y[i];
      c[i] = d[i] > 0 ? (e * e) / d[i] : 0;
    }
    const lb = dualValue(M, Lm, n, b, r, d, y, k);
    if (lb > bestBound) {
      bestBound = lb;
      bestY = y;
      bestZ = Float64Array.from(z);
    }
    if (phi - bestBound <= gapTol * Math.abs(phi)) break;
    // LMO: s = indicator of the k largest c (gradient is -c)
    const s = topKIndicator(c, n, k);
    // line search on phi(z + g (s - z)), g in [0, 1]: golden section
    const zt = new Float64Array(n);
    const f = (g: number): number => {
      // out of time inside the line search: stop after it without moving (the best dual bound is kept)
      if (stopped || opts.deadline?.expired()) {
        stopped = true;
        return Infinity;
      }
      for (let i = 0; i < n; i++) zt[i] = z[i] + g * (s[i] - z[i]);
      const e = phiAt(M, n, b, r, d, zt, work);
      return e ? e.phi : Infinity;
    };
    const g = goldenStep(f);
    if (stopped) break;
    for (let i = 0; i < n; i++) z[i] = z[i] + g * (s[i] - z[i]);
    cur = phiAt(M, n, b, r, d, z, work);
  }
  const certificate: PerspectiveCertificate = {
    type: 'perspective-fw',
    d: Array.from(d),
    y: Array.from(bestY),
    z: Array.from(bestZ),
    eps,
    bound: 0,
  };
  const verified = verifyPerspectiveCertificate(problem, certificate);
  const bound = verified.ok ? verified.bound : 0;
  return { bound, phi, z: bestZ, y: bestY, iterations: it, certificate: { ...certificate, bound } };
}

export interface VerifyResult {
  ok: boolean;
  /** The bound the certificate proves (0 when not ok). */
  bound: number;
  reason?: string;
}

/**
 * Re-check a perspective certificate from scratch against the problem (its own k and G, w):
 * Cholesky of G - diag(d) - eps I, rigorous-ish upper bound on y^T M^-1 y, top-k sum, rounding slack.
 * `ok` is false when the certificate is malformed, M - eps I is not PD, or the claimed bound exceeds
 * the recomputed one (beyond a relative 1e-9).
 */
export function verifyPerspectiveCertificate(problem: PruningProblem, cert: Certificate): VerifyResult {
  const fail = (reason: string): VerifyResult => ({ ok: false, bound: 0, reason });
  if (!cert || cert.type !== 'perspective-fw') return fail(`unknown certificate type ${cert?.type}`);
  const k0 = validatePruningProblem(problem);
  const N = problem.objective.n;
  const d0 = cert.d as unknown;
  const y0 = cert.y as unknown;
  const eps = cert.eps as unknown;
  if (!Array.isArray(d0) || d0.length !== N || !Array.isArray(y0) || y0.length !== N) return fail('d and y must have length n');
  // dead coordinates (G_ii = 0, hence a zero row of the PSD G) play no role: they need d_i = 0 and are dropped
  const red = reduce(problem);
  const live = new Uint8Array(N);
  for (const i of red.idx) live[i] = 1;
  for (let i = 0; i < N; i++) if (!live[i] && d0[i] !== 0) return fail(`d[${i}] must be 0 on a dead coordinate`);
  const { G, n, w } = red.problem.objective;
  const d = red.idx.map((i) => d0[i] as number);
  const y = red.idx.map((i) => y0[i] as number);
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) return fail('eps must be a positive number');
  for (let i = 0; i < n; i++) {
    if (typeof d[i] !== 'number' || !Number.isFinite(d[i]) || d[i] < 0) return fail(`d[${i}] must be a finite number >= 0`);
    if (typeof y[i] !== 'number' || !Number.isFinite(y[i])) return fail(`y[${i}] must be finite`);
  }
  const k = Math.min(k0, n);
  const b = gramTimesW(G, w, n);
  let r = 0;
  for (let i = 0; i < n; i++) r += w[i] * b[i];
  const M = Float64Array.from(G);
  for (let i = 0; i < n; i++) M[i * n + i] -= d[i];
  const L = Float64Array.from(M);
  for (let i = 0; i < n; i++) L[i * n + i] -= eps;
  if (choleskyInPlace(L, n, 0) >= 0) return fail('G - diag(d) - eps I is not positive definite');
  const yv = Float64Array.from(y as number[]);
  // u ~ M^-1 y; y^T M^-1 y = 2 y^T u - u^T M u + (M u - y)^T M^-1 (M u - y) <= ... + ||M u - y||^2 / eps
  const Lm = Float64Array.from(M);
  if (choleskyInPlace(Lm, n, 0) >= 0) return fail('G - diag(d) is not positive definite');
  const u = cholSolve(Lm, n, Float64Array.from(yv));
  let yu = 0;
  let uMu = 0;
  let res2 = 0;
  let mag = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j] * u[j];
    uMu += u[i] * s;
    yu += yv[i] * u[i];
    const e = s - yv[i];
    res2 += e * e;
    mag += Math.abs(yv[i] * u[i]);
  }
  const quad = 2 * yu - uMu + res2 / eps;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = b[i] - yv[i];
    c[i] = d[i] > 0 ? (e * e) / d[i] : e === 0 ? 0 : Infinity;
  }
  const top = topK(c, k);
  if (!Number.isFinite(top)) return { ok: true, bound: 0, reason: 'a coordinate with d_i = 0 has y_i != b_i (trivial bound)' };
  const raw = r - quad - top;
  // rounding slack: relative to the magnitudes that were summed
  const bound = safeLowerBound(raw, 0, 1e-12 * (Math.abs(r) + mag + Math.abs(uMu) + top));
  const claimed = cert.bound;
  if (typeof claimed === 'number' && claimed > bound + 1e-9 * Math.max(Math.abs(bound), 1e-300)) {
    return { ok: false, bound, reason: `claimed bound ${claimed} exceeds the verified ${bound}` };
  }
  return { ok: true, bound };
}

export interface RootPerspective {
  /** Verified bound (0 when G restricted to live coordinates is singular). */
  bound: number;
  result: PerspectiveResult | null;
  /** Certificate in the original coordinates (dead coordinates: d = y = z = 0). */
  certificate: PerspectiveResult['certificate'] | null;
  iterations: number;
}

/** A stop signal for the kernels (the deadline with a predicted cost). */
type Stop = { expired(): boolean };

/** Conditional-gradient steps on the diagonal used by prune-bound and a stopped prune-exact. */
export const PERSPECTIVE_ASCENT = 10;
/**
 * Steps tried towards the oracle's diagonal, and Frank-Wolfe iterations per trial (measured: 6 steps of
 * {1, 0.5, 0.2} with 25 iterations cost a third but lose most of the gain, e.g. none at n = 32, rho = 0).
 */
const ASCENT_STEPS = [1, 0.5, 0.25, 0.1];
const ASCENT_FW = 50;

/** Root perspective bound with the best of several diagonal splittings (then `ascent` steps on d). */
export function rootPerspectiveBound(
  problem: PruningProblem,
  opts: {
    iterations?: number;
    deadline?: Deadline;
    diags?: string[];
    /** Conditional-gradient steps on d that maximise the bound (default 0; prune-bound and a stopped prune-exact use 10). */
    ascent?: number;
  } = {},
): RootPerspective {
  validatePruningProblem(problem);
  const red = reduce(problem);
  const n = red.n;
  const N = problem.objective.n;
  if (n === 0) return { bound: 0, result: null, certificate: null, iterations: 0 };
  const G = red.G;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[i * n + i]);
  const dl = opts.deadline ?? Deadline.none();
  // the cheapest useful run is a Cholesky of G, one of G - D and two in the verification: start only when
  // (predicted) four fit; below CHEAP_N the prediction is 0 and the measured Cholesky below takes over
  const predicted = predictCholMs(G, n, dl);
  if (!fits(dl, predicted, 4)) return { bound: 0, result: null, certificate: null, iterations: 0 };
  const t0 = dl.now();
  const L = Float64Array.from(G);
  if (choleskyInPlace(L, n, 1e-10 * maxDiag) >= 0) return { bound: 0, result: null, certificate: null, iterations: 0 };
  const eps = 1e-10 * maxDiag;
  const w2 = Array.from(red.w, (x) => x * x);
  // Deadline: each phase starts only when the time left covers a few factorisations (cost measured on the
  // Cholesky above); every diagonal kernel and Frank-Wolfe stop early with a valid (smaller) result, and they
  // stop before a factorisation that would not fit (predictive stops).
  const cholMs = Math.max(dl.now() - t0, 0.01);
  const afford = (factorisations: number): boolean => dl.remaining() >= factorisations * cholMs;
  const stop1 = predictiveStop(dl, cholMs, 1.5);
  const stopNewton = predictiveStop(dl, cholMs, 8);
  const stopFW = predictiveStop(dl, cholMs, 3);
  const cands = candidateDiags(G, n, eps, w2, opts.diags ?? ['scalar', 'scaled', 'ascend', 'sdp-trace'], afford, stop1, stopNewton);
  const total = opts.iterations ?? 100;
  let best: PerspectiveResult | null = null;
  let bestD: Float64Array | null = null;
  let used = 0;
  for (const d of cands) {
    if (!afford(4)) break;
    const r = perspectiveBound(red.problem, d, eps, { iterations: Math.min(15, total), deadline: stopFW });
    used += r.iterations;
    if (!best || r.bound > best.bound) {
      best = r;
      bestD = d;
    }
  }
  if (best && bestD && total > 15 && !dl.expired() && afford(4)) {
    const r = perspectiveBound(red.problem, bestD, eps, { iterations: total, deadline: stopFW });
    used += r.iterations;
    if (r.bound > best.bound) best = r;
  }
  ({ best, used } = ascendBound({ problem: red.problem, G, n, eps, total, afford, stopNewton, stopFW }, opts.ascent ?? 0, best, bestD, used));
  if (!best) return { bound: 0, result: null, certificate: null, iterations: used };
  const c = best.certificate;
  const ex = (a: readonly number[]): number[] => Array.from(expand(red, Float64Array.from(a), N));
  const certificate = { ...c, d: ex(c.d), y: ex(c.y), z: ex(c.z) };
  return { bound: best.bound, result: best, certificate, iterations: used };
}

/** The candidate diagonals of the requested kinds, each pulled back by a margin so that G - diag(d) stays definite (stops early under the deadline). */
function candidateDiags(G: Float64Array, n: number, eps: number, w2: number[], kinds: string[], afford: (factorisations: number) => boolean, stop1: Stop, stopNewton: Stop): Float64Array[] {
  const cands: Float64Array[] = [];
  let scaled: Float64Array | null = null;
  const scaledOf = (): Float64Array => (scaled ??= scaledDiag(G, n, undefined, stop1));
  for (const kd of kinds) {
    if (!afford(6)) break;
    if (kd === 'scalar') cands.push(scalarDiag(G, n, undefined, stop1));
    else if (kd === 'scaled') cands.push(scaledOf());
    else if (kd === 'ascend') cands.push(ascendDiag(G, n, scaledOf(), w2, undefined, undefined, stop1));
    else if (kd === 'sdp') cands.push(sdpDiag(G, n, w2, { stop: stopNewton }));
    else if (kd === 'sdp-trace') cands.push(sdpDiag(G, n, new Float64Array(n).fill(1), { stop: stopNewton }));
  }
  for (let t = 0; t < cands.length; t++) {
    if (!afford(5)) {
      cands.length = t;
      break;
    }
    cands[t] = withMargin(G, n, cands[t], eps);
  }
  return cands;
}

/** What the ascent in d reads from the root bound. */
interface AscentContext {
  problem: PruningProblem;
  G: Float64Array;
  n: number;
  eps: number;
  total: number;
  afford: (factorisations: number) => boolean;
  stopNewton: Stop;
  stopFW: Stop;
}

/** `ascent` conditional-gradient steps on the diagonal from the best bound so far; returns the best bound reached and the iterations used. */
function ascendBound(ctx: AscentContext, ascent: number, best: PerspectiveResult | null, bestD: Float64Array | null, used: number): { best: PerspectiveResult | null; used: number } {
  const { problem, G, n, eps, total, afford, stopNewton, stopFW } = ctx;
  // conditional-gradient ascent of the bound in d (PR(d) is concave in d): supergradient g_i = v_i^2 (1/z_i - 1)
  // at the Frank-Wolfe point, linear maximisation over {G - diag(d) >= 0} by the barrier SDP (sdpDiag with weights
  // g), then the best of a few steps towards it. Every trial is a full perspective bound with its own certificate.
  for (let it = 0; it < ascent && best && bestD && afford(12); it++) {
    const dCur: Float64Array = bestD;
    const M = Float64Array.from(G);
    for (let i = 0; i < n; i++) M[i * n + i] -= dCur[i];
    if (choleskyInPlace(M, n, 0) >= 0) break;
    const v = cholSolve(M, n, Float64Array.from(best.y));
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) g[i] = best.z[i] > 1e-12 ? v[i] * v[i] * (1 / best.z[i] - 1) : 0;
    if (!g.some((x) => x > 0)) break;
    const target = withMargin(G, n, sdpDiag(G, n, g, { stop: stopNewton }), eps);
    let improved = false;
    for (const t of ASCENT_STEPS) {
      if (!afford(5)) break;
      const dt = new Float64Array(n);
      for (let i = 0; i < n; i++) dt[i] = dCur[i] + t * (target[i] - dCur[i]);
      const dm = withMargin(G, n, dt, eps);
      const r = perspectiveBound(problem, dm, eps, { iterations: Math.min(total, ASCENT_FW), deadline: stopFW });
      used += r.iterations;
      if (r.bound > best.bound * (1 + 1e-4)) {
        best = r;
        bestD = dm;
        improved = true;
      }
    }
    if (!improved) break;
  }
  return { best, used };
}
