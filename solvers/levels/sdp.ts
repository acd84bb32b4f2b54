/**
 * Certified SDP lower bound for quantization onto a finite level set.
 *
 * In level units (`x = v / s`, `t = w / s`) the error is `unit * (x - t)^T P (x - t)` on the active coordinates.
 * Valid quadratic cuts on one coordinate:
 *  - pair cut (sign +1): `(x_i - a)(x_i - b) >= 0` whenever no level lies strictly between a and b (two adjacent
 *    levels: every level is <= a or >= b); for the integer grid these are the integrality cuts;
 *  - box cut (sign -1): `(x_i - lmin)(lmax - x_i) >= 0` (every level lies in [lmin, lmax]).
 * For multipliers theta >= 0, `L(x) = (x - t)^T P (x - t) - sum_k theta_k phi_k(x_{i_k}) <= f(x)` on the level
 * set, so `min over real x of L` is a lower bound (weak duality); the best theta gives the Park–Boyd-style SDP
 * bound with these cuts. The multipliers come from the primal–dual interior-point method of the integer SDP
 * (`solvePd`, cuts are arbitrary one-coordinate quadratics there); the bound is what `verifyLevelsCertificate`
 * recomputes from scratch.
 */
import { makeResult, safeLowerBound } from '../../src/core/result.js';
import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import type { Certificate, LevelQuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { floorLevelIndex } from '../../src/formats/levels.js';
import { cholInverse, cholSolve, cholesky, choleskyInPlace } from '../../src/linalg/dense.js';
import { U, type Reduced } from '../quantization/common.js';
import { solvePd, type PdCut } from '../quantization/sdp-pd.js';
import { checkLevelProblem, reduceLevels } from './common.js';

/** Certificate of a level-set SDP-dual bound (indices in the original coordinates, values in level units). */
export interface LevelsCertificate extends Certificate {
  readonly type: 'levels-sdp-dual';
  readonly cutCoord: number[];
  /** +1: pair cut (x - a)(x - b) >= 0 with no level strictly between a and b; -1: box cut (x - a)(b - x) >= 0, a <= lmin, b >= lmax. */
  readonly cutSign: number[];
  readonly cutA: number[];
  readonly cutB: number[];
  /** Multipliers (>= 0). */
  readonly theta: number[];
  /** Claimed lambda_min(M) >= eps (normalised units: M = G_AA / kappa - diag(sum theta sign)). */
  readonly eps: number;
  /** Dual value g(theta) in error units as computed by the solver (informative). */
  readonly dualValue: number;
}

export interface LevelsVerifyResult {
  valid: boolean;
  /** Certified lower bound on the error (0 when invalid). */
  bound: number;
  reason?: string;
}

const gamma = (k: number): number => (k * U) / (1 - k * U);

/**
 * Re-check a levels-sdp-dual certificate from the problem alone: the cuts are valid on the level set (checked
 * exactly), `M - (eps + delta) I` is positive definite (Cholesky; delta covers forming and factoring M), and
 * `min L >= L(x^) - ||grad L(x^)||^2 / (4 eps)` at the computed minimiser x^, with every sum's floating-point
 * error subtracted; corrected for the rounding of t = w/s and converted to error units, rounded down.
 * Never throws on a malformed certificate: returns valid = false.
 */
export function verifyLevelsCertificate(problem: LevelQuantizationProblem, certificate: Certificate): LevelsVerifyResult {
  const bad = (reason: string): LevelsVerifyResult => ({ valid: false, bound: 0, reason });
  try {
    checkLevelProblem(problem);
  } catch (e) {
    return bad(`invalid problem: ${(e as Error).message}`);
  }
  const cert = certificate as LevelsCertificate;
  if (cert.type !== 'levels-sdp-dual') return bad(`unknown certificate type '${String(cert.type)}'`);
  const { cutCoord, cutSign, cutA, cutB, theta, eps } = cert;
  const m = Array.isArray(theta) ? theta.length : -1;
  if (m < 0 || !Array.isArray(cutCoord) || !Array.isArray(cutSign) || !Array.isArray(cutA) || !Array.isArray(cutB) || cutCoord.length !== m || cutSign.length !== m || cutA.length !== m || cutB.length !== m)
    return bad('cut arrays must all have the length of theta');
  const red = reduceLevels(problem);
  const { n, na, P } = red;
  const lv = problem.levels;
  const L = lv.length;
  if (na === 0 || m === 0) return { valid: true, bound: 0 };
  if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) return bad('eps must be a positive number');
  const pos = new Int32Array(n).fill(-1);
  for (let a = 0; a < na; a++) pos[red.active[a]] = a;
  const coord = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const th = theta[k];
    if (!(typeof th === 'number' && Number.isFinite(th) && th >= 0)) return bad(`theta[${k}] must be finite and >= 0`);
    const i = cutCoord[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) return bad(`cutCoord[${k}] out of range`);
    if (pos[i] < 0) return bad(`cut ${k} is on an inactive coordinate ${i}`);
    coord[k] = pos[i];
    const a = cutA[k];
    const b = cutB[k];
    if (!(typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && a <= b)) return bad(`cut ${k}: need finite a <= b`);
    if (cutSign[k] === 1) {
      // valid iff no level lies strictly between a and b
      const j = floorLevelIndex(lv, a);
      if (j + 1 < L && lv[j + 1] < b) return bad(`cut ${k}: level ${lv[j + 1]} lies strictly between ${a} and ${b}`);
    } else if (cutSign[k] === -1) {
      if (!(a <= lv[0] && b >= lv[L - 1])) return bad(`cut ${k}: box cut [${a}, ${b}] does not contain every level`);
    } else return bad(`cutSign[${k}] must be +1 or -1`);
  }
  const t = red.t;
  // M = P - diag(d), d_i = sum theta_k sign_k; check lambda_min(M) >= eps
  const d = new Float64Array(na);
  const dAbs = new Float64Array(na);
  const cnt = new Int32Array(na);
  const rhs = new Float64Array(na); // M x = P t - 1/2 sum theta sign (a + b) e_i
  for (let k = 0; k < m; k++) {
    const i = coord[k];
    d[i] += theta[k] * cutSign[k];
    dAbs[i] += theta[k];
    cnt[i]++;
    rhs[i] -= 0.5 * theta[k] * cutSign[k] * (cutA[k] + cutB[k]);
  }
  const M = Float64Array.from(P);
  let maxDiag = 0;
  for (let i = 0; i < na; i++) {
    M[i * na + i] = P[i * na + i] - d[i];
    maxDiag = Math.max(maxDiag, Math.abs(M[i * na + i]) + eps);
  }
  let formErr = 0;
  for (let i = 0; i < na; i++) formErr = Math.max(formErr, gamma(cnt[i] + 3) * (Math.abs(P[i * na + i]) + dAbs[i] + eps));
  const delta = 1.01 * gamma(na + 2) * na * maxDiag + formErr;
  const A = Float64Array.from(M);
  for (let i = 0; i < na; i++) A[i * na + i] -= eps + delta;
  if (choleskyInPlace(A, na) >= 0) return bad('M - eps I is not positive definite (multipliers infeasible or eps too large)');
  const Lm = cholesky(M, na);
  if (Lm === null) return bad('Cholesky of M failed');
  const x = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    for (let j = 0; j < na; j++) s += P[i * na + j] * t[j];
    x[i] = s + rhs[i];
  }
  cholSolve(Lm, na, x);
  for (let i = 0; i < na; i++) if (!Number.isFinite(x[i])) return bad('non-finite minimiser');
  // L(x) and its gradient with rounding-error bounds (cuts evaluated in product form)
  const v = new Float64Array(na);
  for (let i = 0; i < na; i++) v[i] = x[i] - t[i];
  let quad = 0;
  let quadAbs = 0;
  const Pv = new Float64Array(na);
  const PvAbs = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    let s = 0;
    let sa = 0;
    for (let j = 0; j < na; j++) {
      s += P[i * na + j] * v[j];
      sa += Math.abs(P[i * na + j] * v[j]);
    }
    Pv[i] = s;
    PvAbs[i] = sa;
    quad += v[i] * s;
    quadAbs += Math.abs(v[i]) * sa;
  }
  let cutVal = 0;
  let cutAbs = 0;
  const gradCut = new Float64Array(na);
  const gradCutAbs = new Float64Array(na);
  for (let k = 0; k < m; k++) {
    const i = coord[k];
    const da = x[i] - cutA[k];
    const db = x[i] - cutB[k];
    const th = theta[k] * cutSign[k];
    cutVal += th * da * db;
    cutAbs += theta[k] * Math.abs(da * db);
    gradCut[i] += th * (da + db);
    gradCutAbs[i] += theta[k] * (Math.abs(da) + Math.abs(db));
  }
  const Lval = quad - cutVal;
  const Lslack = gamma(na + m + 8) * (quadAbs + cutAbs);
  let rho2 = 0;
  for (let i = 0; i < na; i++) {
    const r = Math.abs(2 * Pv[i] - gradCut[i]) + gamma(na + m + 8) * (2 * PvAbs[i] + gradCutAbs[i]);
    rho2 += r * r;
  }
  const beta = (Lval - Lslack) * (1 - 2 * U) - (rho2 / (4 * eps)) * (1 + 4 * U);
  if (!Number.isFinite(beta)) return bad('non-finite bound');
  // rounding of t = w/s: |dt_i| <= u |t_i|; min f >= (sqrt(beta) - eta)^2
  let eta2 = 0;
  for (let i = 0; i < na; i++) {
    const di = 1.01 * U * Math.abs(t[i]);
    for (let j = 0; j < na; j++) eta2 += Math.abs(P[i * na + j]) * di * 1.01 * U * Math.abs(t[j]);
  }
  const eta = Math.sqrt(eta2) * (1 + 1e-6);
  const root = beta > 0 ? Math.sqrt(beta) * (1 - 2 * U) - eta : 0;
  const bNorm = root > 0 ? root * root * (1 - 2 * U) : 0;
  return { valid: true, bound: safeLowerBound(bNorm * red.unit, 16 * U) };
}

/** Cut set: per active coordinate the adjacent-level pair around t_i and its two neighbouring pairs, plus the box cut. */
function defaultCuts(red: Reduced, levels: Float64Array, box: boolean): { coord: number[]; sign: number[]; a: number[]; b: number[]; shift: Float64Array } {
  const L = levels.length;
  const coord: number[] = [];
  const sign: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const shift = new Float64Array(red.na);
  for (let i = 0; i < red.na; i++) {
    const j = Math.min(Math.max(floorLevelIndex(levels, red.t[i]), 0), Math.max(L - 2, 0));
    shift[i] = levels[j];
    if (L >= 2) {
      for (const p of [j - 1, j, j + 1]) {
        if (p < 0 || p + 1 >= L) continue;
        coord.push(i);
        sign.push(1);
        a.push(levels[p]);
        b.push(levels[p + 1]);
      }
    }
    if (!box && L >= 2) continue;
    coord.push(i);
    sign.push(-1);
    a.push(levels[0]);
    b.push(levels[L - 1]);
  }
  return { coord, sign, a, b, shift };
}

export interface LevelsDualSolution {
  bound: number;
  certificate: LevelsCertificate;
  /** Primal moment reconstruction (level units, reduced coordinates) for randomized rounding, or null. */
  mean: Float64Array | null;
  cov: Float64Array | null;
  red: Reduced;
  iterations: number;
  converged: boolean;
}

/** Solve the level-set SDP dual (primal–dual interior point) and certify the multipliers. */
export function solveLevelsSdp(problem: LevelQuantizationProblem, opts: { timeLimitMs?: number; maxIter?: number; box?: boolean } = {}): LevelsDualSolution {
  if (opts.box === undefined) {
    // with the box cut first; when that fails numerically (e.g. FP8 E5M2: levels from 2^-16 to 57344 make the
    // box cut's constant ~1e9 next to pair cuts ~1e-10), the pair cuts alone (valid without the box when G is
    // positive definite); the larger certified bound is kept
    const t0 = performance.now();
    const withBox = solveLevelsSdp(problem, { ...opts, box: true });
    if (withBox.bound > 0 || withBox.red.na === 0) return withBox;
    const left = opts.timeLimitMs !== undefined ? opts.timeLimitMs - (performance.now() - t0) : undefined;
    if (left !== undefined && left <= 0) return withBox;
    const noBox = solveLevelsSdp(problem, { ...opts, timeLimitMs: left, box: false });
    return noBox.bound > withBox.bound ? { ...noBox, iterations: withBox.iterations + noBox.iterations } : withBox;
  }
  const t0 = performance.now();
  const red = reduceLevels(problem);
  const na = red.na;
  const levels = problem.levels;
  const cuts = defaultCuts(red, levels, opts.box);
  // numerics only: y_i = (x_i - shift_i) / h_i with h_i the gap of the level pair around t_i, so that the local
  // level spacing is ~1 (FP8 spans 2^-16 .. 57344); the Lagrangian is the same, with multipliers theta' = theta h^2
  const h = new Float64Array(na).fill(1);
  for (let k = 0; k < cuts.coord.length; k++) {
    const i = cuts.coord[k];
    if (cuts.sign[k] > 0 && cuts.a[k] === cuts.shift[i]) h[i] = cuts.b[k] - cuts.a[k];
  }
  const P = new Float64Array(na * na);
  for (let i = 0; i < na; i++) for (let j = 0; j < na; j++) P[i * na + j] = h[i] * red.P[i * na + j] * h[j];
  const m = cuts.coord.length;
  const empty = (): LevelsCertificate => ({ type: 'levels-sdp-dual', cutCoord: [], cutSign: [], cutA: [], cutB: [], theta: [], eps: 0, dualValue: 0 });
  if (na === 0) return { bound: 0, certificate: empty(), mean: null, cov: null, red, iterations: 0, converged: true };
  // shifted coordinates y = x - shift (numerics only: the certificate is in x)
  const tt = new Float64Array(na);
  for (let i = 0; i < na; i++) tt[i] = (red.t[i] - cuts.shift[i]) / h[i];
  const s = new Float64Array(m);
  const bq = new Float64Array(m);
  const e = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = cuts.coord[k];
    const p = (cuts.a[k] - cuts.shift[i]) / h[i];
    const q = (cuts.b[k] - cuts.shift[i]) / h[i];
    s[k] = cuts.sign[k];
    bq[k] = -cuts.sign[k] * (p + q);
    e[k] = cuts.sign[k] * p * q;
  }
  const Ptt = new Float64Array(na);
  let rt = 0;
  let trP = 0;
  for (let i = 0; i < na; i++) {
    let acc = 0;
    for (let j = 0; j < na; j++) acc += P[i * na + j] * tt[j];
    Ptt[i] = acc;
    rt += tt[i] * acc;
    trP += P[i * na + i];
  }
  const Lw = new Float64Array(na * na);
  const c = new Float64Array(na);
  const xw = new Float64Array(na);
  /** g(theta) in shifted coordinates (NaN when M is not positive definite); leaves the factor in Lw. */
  const evalAt = (th: Float64Array): number => {
    Lw.set(P);
    for (let i = 0; i < na; i++) c[i] = -Ptt[i];
    let ce = 0;
    for (let k = 0; k < m; k++) {
      const i = cuts.coord[k];
      Lw[i * na + i] -= th[k] * s[k];
      c[i] -= 0.5 * th[k] * bq[k];
      ce += th[k] * e[k];
    }
    if (choleskyInPlace(Lw, na) >= 0) return NaN;
    for (let i = 0; i < na; i++) xw[i] = -c[i];
    cholSolve(Lw, na, xw);
    let cx = 0;
    for (let i = 0; i < na; i++) cx += c[i] * xw[i];
    return rt - ce + cx;
  };
  // strictly feasible start: box multipliers scaled to the curvature, small pair multipliers
  const span = Math.max(levels[levels.length - 1] - levels[0], 1e-300);
  let minGap = Infinity;
  for (let k = 0; k < m; k++) if (s[k] > 0) minGap = Math.min(minGap, cuts.b[k] - cuts.a[k]);
  const theta0 = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const pii = Math.max(P[cuts.coord[k] * (na + 1)], (1e-6 * trP) / na, 1e-300);
    theta0[k] = s[k] < 0 ? (0.4 * pii) / (span * span) + 1e-9 * pii : 0.1 * pii;
  }
  let g0 = evalAt(theta0);
  for (let tries = 0; !Number.isFinite(g0) && tries < 80; tries++) {
    for (let k = 0; k < m; k++) if (s[k] > 0) theta0[k] *= 0.5;
    if (tries > 40) for (let k = 0; k < m; k++) if (s[k] < 0) theta0[k] *= 4;
    g0 = evalAt(theta0);
  }
  let theta = Float64Array.from(theta0);
  let mean: Float64Array | null = null;
  let cov: Float64Array | null = null;
  let iterations = 0;
  let converged = false;
  if (Number.isFinite(g0)) {
    const N = na + 1;
    const C = new Float64Array(N * N);
    C[0] = rt;
    for (let i = 0; i < na; i++) {
      C[i + 1] = -Ptt[i];
      C[(i + 1) * N] = -Ptt[i];
      for (let j = 0; j < na; j++) C[(i + 1) * N + j + 1] = P[i * na + j];
    }
    const pc: PdCut = { p: new Int32Array(m), a00: new Float64Array(m), a0p: new Float64Array(m), app: new Float64Array(m) };
    for (let k = 0; k < m; k++) {
      pc.p[k] = cuts.coord[k] + 1;
      pc.a00[k] = e[k];
      pc.a0p[k] = 0.5 * bq[k];
      pc.app[k] = s[k];
    }
    const lam0 = g0 - Math.max(0.5 * Math.abs(g0), (trP + rt) / (na + 1), 1e-300);
    const deadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : Infinity;
    // solvePd gives up (null) when a step loses positive definiteness numerically; it is deterministic, so rerun
    // it with fewer iterations to keep the last iterate reached before the failure
    const maxIter = opts.maxIter ?? 100;
    let pd = solvePd(C, N, pc, theta0, lam0, { maxIter, relTol: 1e-10, deadline });
    for (let it = Math.min(maxIter, 64) >> 1; pd === null && it >= 2 && performance.now() < deadline; it >>= 1)
      pd = solvePd(C, N, pc, theta0, lam0, { maxIter: it, relTol: 1e-10, deadline });
    if (pd) {
      iterations = pd.iterations;
      converged = pd.converged;
      const gP = evalAt(pd.theta);
      if (Number.isFinite(gP) && gP > g0) theta = Float64Array.from(pd.theta);
      mean = new Float64Array(na);
      cov = new Float64Array(na * na);
      for (let i = 0; i < na; i++) mean[i] = h[i] * pd.X[i + 1] + cuts.shift[i];
      for (let i = 0; i < na; i++) for (let j = 0; j < na; j++) cov[i * na + j] = h[i] * h[j] * (pd.X[(i + 1) * N + j + 1] - pd.X[i + 1] * pd.X[j + 1]);
    }
  }
  // certify: eps from ||M^-1||_F, shrinking the pair multipliers if needed
  const toCert = (th: Float64Array, eps: number, g: number): LevelsCertificate => ({
    type: 'levels-sdp-dual',
    cutCoord: cuts.coord.map((i) => red.active[i]),
    cutSign: cuts.sign.slice(),
    cutA: cuts.a.slice(),
    cutB: cuts.b.slice(),
    theta: Array.from(th, (v, k) => v / (h[cuts.coord[k]] * h[cuts.coord[k]])),
    eps,
    dualValue: g * red.unit,
  });
  let best = { bound: 0, cert: empty() };
  const thTry = new Float64Array(m);
  for (const shrink of [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2]) {
    for (let k = 0; k < m; k++) thTry[k] = s[k] > 0 ? theta[k] * (1 - shrink) : theta[k];
    const gv = evalAt(thTry);
    if (!Number.isFinite(gv)) continue;
    // M in x coordinates is H^-1 M' H^-1, so M_x^-1 = H M'^-1 H
    const H = cholInverse(Lw, na);
    let fro = 0;
    for (let i = 0; i < na; i++)
      for (let j = 0; j < na; j++) {
        const v = h[i] * H[i * na + j] * h[j];
        fro += v * v;
      }
    let eps = 0.5 / Math.sqrt(fro);
    let res: LevelsVerifyResult = { valid: false, bound: 0 };
    for (let tries = 0; tries < 4 && !res.valid; tries++) {
      res = verifyLevelsCertificate(problem, toCert(thTry, eps, gv));
      if (!res.valid) eps *= 0.25;
    }
    if (res.valid && res.bound > best.bound) best = { bound: res.bound, cert: toCert(thTry, eps, gv) };
    if (res.valid) break;
  }
  return { bound: best.bound, certificate: best.cert, mean, cov, red, iterations, converged };
}

export const levelsSdpSolver: LevelQuantizationSolver = {
  name: 'levels-sdp',
  problemClass: 'levels',
  role: 'bound',
  description: 'SDP lower bound over a level set: adjacent-level cuts (x-a)(x-b) >= 0 and the box cut, via the dual, certified by Cholesky',
  capabilities: ['timeLimit', 'iterationLimit'],
  solve(problem: LevelQuantizationProblem, options: SolveOptions = {}): SolveResult {
    const t0 = performance.now();
    checkLevelProblem(problem);
    const sol = solveLevelsSdp(problem, { timeLimitMs: options.timeLimitMs, maxIter: options.iterationLimit });
    const timedOut = options.timeLimitMs !== undefined && performance.now() - t0 >= options.timeLimitMs;
    return makeResult({
      solver: 'levels-sdp',
      problem: problem.name,
      problemClass: 'levels',
      lowerBound: sol.bound,
      upperBound: Infinity,
      solution: null,
      status: sol.converged || sol.red.na === 0 ? 'bound_only' : timedOut ? 'time_limit' : 'iteration_limit',
      stats: { timeMs: performance.now() - t0, iterations: sol.iterations, nodes: 0 },
      certificate: sol.certificate,
      message: sol.red.na === 0 ? undefined : `dual value ${sol.certificate.dualValue.toExponential(6)}`,
    });
  },
};
