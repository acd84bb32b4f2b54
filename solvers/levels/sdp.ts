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
import { Deadline, makeResult } from '../../src/core/result.js';
import type { LevelQuantizationSolver } from '../../src/core/solver.js';
import type { Certificate, LevelQuantizationProblem, SolveOptions, SolveResult } from '../../src/core/types.js';
import { floorLevelIndex } from '../../src/formats/levels.js';
import { cholInverse, cholSolve, choleskyInPlace } from '../../src/linalg/dense.js';
import { U, type Reduced } from '../quantization/common.js';
import { liftedSdp, pdStartLambda, solvePd } from '../quantization/sdp-pd.js';
import { assembleWithMargin, cutCoordinates, gamma, gradientNorm2Bound, lagrangianMinimiser, quadraticPart, errorUnitsBound, type DiagonalSums } from '../grid/cut-dual.js';
import { checkLevelProblem, reduceLevels } from './common.js';
import { fits, predictCholMs } from '../../src/linalg/cost.js';

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

/** Shape: cut arrays of the length of theta. A reason, or null. */
function levelsShapeError(cert: LevelsCertificate): string | null {
  const { cutCoord, cutSign, cutA, cutB, theta } = cert;
  const m = Array.isArray(theta) ? theta.length : -1;
  if (m < 0 || !Array.isArray(cutCoord) || !Array.isArray(cutSign) || !Array.isArray(cutA) || !Array.isArray(cutB) || cutCoord.length !== m || cutSign.length !== m || cutA.length !== m || cutB.length !== m)
    return 'cut arrays must all have the length of theta';
  return null;
}

/**
 * Cut validity, checked exactly on the level set: multipliers finite and >= 0, cuts on active coordinates, a pair
 * cut with no level strictly between a and b, a box cut containing every level. Reduced coordinates, or a reason.
 */
function checkLevelCuts(cert: LevelsCertificate, lv: LevelQuantizationProblem['levels'], active: ArrayLike<number>, n: number, na: number): Int32Array | string {
  const { cutCoord, cutSign, cutA, cutB, theta } = cert;
  const L = lv.length;
  return cutCoordinates(theta, cutCoord, active, n, na, (k) => {
    const a = cutA[k];
    const b = cutB[k];
    if (!(typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && a <= b)) return `cut ${k}: need finite a <= b`;
    if (cutSign[k] === 1) {
      // valid iff no level lies strictly between a and b
      const j = floorLevelIndex(lv, a);
      if (j + 1 < L && lv[j + 1] < b) return `cut ${k}: level ${lv[j + 1]} lies strictly between ${a} and ${b}`;
    } else if (cutSign[k] === -1) {
      if (!(a <= lv[0] && b >= lv[L - 1])) return `cut ${k}: box cut [${a}, ${b}] does not contain every level`;
    } else return `cutSign[${k}] must be +1 or -1`;
    return null;
  });
}

/**
 * Per-coordinate multiplier sums (d = sum theta sign, |.|, counts) and the right-hand side of the minimiser,
 * M x = P t - 1/2 sum theta sign (a + b) e_i (in rhs).
 */
function levelSums(cert: LevelsCertificate, coord: Int32Array, na: number, rhs: Float64Array): DiagonalSums {
  const { cutSign, cutA, cutB, theta } = cert;
  const sums: DiagonalSums = { d: new Float64Array(na), dAbs: new Float64Array(na), cnt: new Int32Array(na) };
  for (let k = 0; k < theta.length; k++) {
    const i = coord[k];
    sums.d[i] += theta[k] * cutSign[k];
    sums.dAbs[i] += theta[k];
    sums.cnt[i]++;
    rhs[i] -= 0.5 * theta[k] * cutSign[k] * (cutA[k] + cutB[k]);
  }
  return sums;
}

/** Dual value with rounding slack: L(x^) - ||grad L(x^)||^2 / (4 eps), every sum's rounding error subtracted (cuts in product form). */
function levelsDualValueWithSlack(P: Float64Array, t: Float64Array, cert: LevelsCertificate, coord: Int32Array, x: Float64Array, na: number): number {
  const { cutSign, cutA, cutB, theta, eps } = cert;
  const m = theta.length;
  const q = quadraticPart(P, t, x, na);
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
  const Lval = q.quad - cutVal;
  const Lslack = gamma(na + m + 8) * (q.quadAbs + cutAbs);
  const rho2 = gradientNorm2Bound(q, gradCut, gradCutAbs, na, m);
  return (Lval - Lslack) * (1 - 2 * U) - (rho2 / (4 * eps)) * (1 + 4 * U);
}

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
  const shapeError = levelsShapeError(cert);
  if (shapeError !== null) return bad(shapeError);
  const red = reduceLevels(problem);
  const { n, na, P } = red;
  if (na === 0 || cert.theta.length === 0) return { valid: true, bound: 0 };
  const eps = cert.eps;
  if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) return bad('eps must be a positive number');
  const coord = checkLevelCuts(cert, problem.levels, red.active, n, na);
  if (typeof coord === 'string') return bad(coord);
  const rhs = new Float64Array(na);
  const M = assembleWithMargin(P, levelSums(cert, coord, na, rhs), eps, na);
  if (M === null) return bad('M - eps I is not positive definite (multipliers infeasible or eps too large)');
  const x = lagrangianMinimiser(M, P, red.t, rhs, na);
  if (typeof x === 'string') return bad(x);
  const beta = levelsDualValueWithSlack(P, red.t, cert, coord, x, na);
  if (!Number.isFinite(beta)) return bad('non-finite bound');
  // rounding of t = w/s: |dt_i| <= 1.01 u |t_i|
  const dt = Float64Array.from(red.t, (v) => 1.01 * U * Math.abs(v));
  return { valid: true, bound: errorUnitsBound(P, dt, na, red.unit, beta) };
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
  /** Set when a time limit skipped an O(n^3) phase that could not fit (the bound is then what was certified before). */
  skipped?: string;
  /** The interior point stopped at its deadline (the time limit less the reserve for the certification). */
  stoppedByTime?: boolean;
}

/**
 * The level-set dual in scaled, shifted coordinates y_i = (x_i - shift_i) / h_i, h_i the gap of the level pair
 * around t_i, so that the local level spacing is ~1 (FP8 spans 2^-16 .. 57344); the Lagrangian is the same, with
 * multipliers theta' = theta h^2 (numerics only: the certificate is in x).
 */
interface LevelsDual {
  red: Reduced;
  na: number;
  m: number;
  cuts: ReturnType<typeof defaultCuts>;
  h: Float64Array;
  /** Scaled P (H P H), shifted scaled target tt, Ptt = P tt, rt = tt^T P tt, trP = trace P. */
  P: Float64Array;
  tt: Float64Array;
  Ptt: Float64Array;
  rt: number;
  trP: number;
  /** Cut k: s y^2 + bq y + e >= 0 in y. */
  s: Float64Array;
  bq: Float64Array;
  e: Float64Array;
}

function levelsDual(red: Reduced, levels: Float64Array, box: boolean): LevelsDual {
  const na = red.na;
  const cuts = defaultCuts(red, levels, box);
  const h = new Float64Array(na).fill(1);
  for (let k = 0; k < cuts.coord.length; k++) {
    const i = cuts.coord[k];
    if (cuts.sign[k] > 0 && cuts.a[k] === cuts.shift[i]) h[i] = cuts.b[k] - cuts.a[k];
  }
  const P = new Float64Array(na * na);
  for (let i = 0; i < na; i++) for (let j = 0; j < na; j++) P[i * na + j] = h[i] * red.P[i * na + j] * h[j];
  const m = cuts.coord.length;
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
  return { red, na, m, cuts, h, P, tt, Ptt, rt, trP, s, bq, e };
}

/** Evaluations of the dual g(theta) in shifted coordinates; the factor of M stays in Lw. */
class LevelsEvaluator {
  readonly Lw: Float64Array;
  private readonly c: Float64Array;
  private readonly xw: Float64Array;
  constructor(readonly dual: LevelsDual) {
    const na = dual.na;
    this.Lw = new Float64Array(na * na);
    this.c = new Float64Array(na);
    this.xw = new Float64Array(na);
  }
  /** g(theta) (NaN when M is not positive definite); leaves the factor in Lw. */
  evalAt(th: Float64Array): number {
    const { na, m, P, Ptt, rt, cuts, s, bq, e } = this.dual;
    const { Lw, c, xw } = this;
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
  }
}

/** Strictly feasible start: box multipliers scaled to the curvature, small pair multipliers (halved until M is PD). */
function levelsStart(ev: LevelsEvaluator, levels: Float64Array): { theta0: Float64Array; g0: number } {
  const { na, m, P, trP, s, cuts } = ev.dual;
  const span = Math.max(levels[levels.length - 1] - levels[0], 1e-300);
  const theta0 = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const pii = Math.max(P[cuts.coord[k] * (na + 1)], (1e-6 * trP) / na, 1e-300);
    theta0[k] = s[k] < 0 ? (0.4 * pii) / (span * span) + 1e-9 * pii : 0.1 * pii;
  }
  let g0 = ev.evalAt(theta0);
  for (let tries = 0; !Number.isFinite(g0) && tries < 80; tries++) {
    for (let k = 0; k < m; k++) if (s[k] > 0) theta0[k] *= 0.5;
    if (tries > 40) for (let k = 0; k < m; k++) if (s[k] < 0) theta0[k] *= 4;
    g0 = ev.evalAt(theta0);
  }
  return { theta0, g0 };
}

/** Result of the primal–dual phase: multipliers to certify and the moment reconstruction. */
interface LevelsPdPhase {
  theta: Float64Array;
  mean: Float64Array | null;
  cov: Float64Array | null;
  iterations: number;
  converged: boolean;
}

/** Primal–dual interior point from theta0; its multipliers are kept when their dual value beats g0. */
function levelsPd(ev: LevelsEvaluator, theta0: Float64Array, g0: number, deadline: number, maxIter: number): LevelsPdPhase {
  const { na, P, Ptt, rt, trP, cuts, s, bq, e, h } = ev.dual;
  const out: LevelsPdPhase = { theta: Float64Array.from(theta0), mean: null, cov: null, iterations: 0, converged: false };
  const { C, N, cuts: pc } = liftedSdp(P, Ptt, rt, na, cuts.coord, s, bq, e);
  const lam0 = pdStartLambda(g0, trP, rt, na);
  // solvePd gives up (null) when a step loses positive definiteness numerically; it is deterministic, so rerun
  // it with fewer iterations to keep the last iterate reached before the failure
  let pd = solvePd(C, N, pc, theta0, lam0, { maxIter, relTol: 1e-10, deadline });
  for (let it = Math.min(maxIter, 64) >> 1; pd === null && it >= 2 && performance.now() < deadline; it >>= 1)
    pd = solvePd(C, N, pc, theta0, lam0, { maxIter: it, relTol: 1e-10, deadline });
  if (!pd) return out;
  out.iterations = pd.iterations;
  out.converged = pd.converged;
  const gP = ev.evalAt(pd.theta);
  if (Number.isFinite(gP) && gP > g0) out.theta = Float64Array.from(pd.theta);
  const mean = new Float64Array(na);
  const cov = new Float64Array(na * na);
  for (let i = 0; i < na; i++) mean[i] = h[i] * pd.X[i + 1] + cuts.shift[i];
  for (let i = 0; i < na; i++) for (let j = 0; j < na; j++) cov[i * na + j] = h[i] * h[j] * (pd.X[(i + 1) * N + j + 1] - pd.X[i + 1] * pd.X[j + 1]);
  out.mean = mean;
  out.cov = cov;
  return out;
}

function emptyLevelsCertificate(): LevelsCertificate {
  return { type: 'levels-sdp-dual', cutCoord: [], cutSign: [], cutA: [], cutB: [], theta: [], eps: 0, dualValue: 0 };
}

/** Certificate of scaled multipliers th (theta = th / h^2 in x coordinates). */
function levelsCertificate(dual: LevelsDual, th: Float64Array, eps: number, g: number): LevelsCertificate {
  const { red, cuts, h } = dual;
  return {
    type: 'levels-sdp-dual',
    cutCoord: cuts.coord.map((i) => red.active[i]),
    cutSign: cuts.sign.slice(),
    cutA: cuts.a.slice(),
    cutB: cuts.b.slice(),
    theta: Array.from(th, (v, k) => v / (h[cuts.coord[k]] * h[cuts.coord[k]])),
    eps,
    dualValue: g * red.unit,
  };
}

/** Certify: eps from ||M^-1||_F, shrinking the pair multipliers if needed; the certificate the verifier accepts. */
function certifyLevels(ev: LevelsEvaluator, problem: LevelQuantizationProblem, theta: Float64Array, affordable: () => boolean = () => true): { bound: number; cert: LevelsCertificate } {
  const dual = ev.dual;
  const { na, m, s, h } = dual;
  let best = { bound: 0, cert: emptyLevelsCertificate() };
  const thTry = new Float64Array(m);
  for (const shrink of [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2]) {
    if (shrink > 0 && !affordable()) break;
    for (let k = 0; k < m; k++) thTry[k] = s[k] > 0 ? theta[k] * (1 - shrink) : theta[k];
    const gv = ev.evalAt(thTry);
    if (!Number.isFinite(gv)) continue;
    // M in x coordinates is H^-1 M' H^-1, so M_x^-1 = H M'^-1 H
    const H = cholInverse(ev.Lw, na);
    let fro = 0;
    for (let i = 0; i < na; i++)
      for (let j = 0; j < na; j++) {
        const v = h[i] * H[i * na + j] * h[j];
        fro += v * v;
      }
    let eps = 0.5 / Math.sqrt(fro);
    let res: LevelsVerifyResult = { valid: false, bound: 0 };
    for (let tries = 0; tries < 4 && !res.valid; tries++) {
      res = verifyLevelsCertificate(problem, levelsCertificate(dual, thTry, eps, gv));
      if (!res.valid) eps *= 0.25;
    }
    if (res.valid && res.bound > best.bound) best = { bound: res.bound, cert: levelsCertificate(dual, thTry, eps, gv) };
    if (res.valid) break;
  }
  return best;
}

/** Predicted costs in Cholesky units of `predictCholMs` (src/linalg/cost.ts; one unit is about two real factorisations
 * of the reduced n x n matrix). Measured at n = 1000: the whole solve without a limit ~110 factorisations. */
const LEVELS_SETUP_CHOLS = 2;
const LEVELS_CERT_CHOLS = 10;
const LEVELS_PD_ITER_CHOLS = 40;

/** Solve the level-set SDP dual (primal–dual interior point) and certify the multipliers. */
export function solveLevelsSdp(problem: LevelQuantizationProblem, opts: { timeLimitMs?: number; maxIter?: number; box?: boolean } = {}): LevelsDualSolution {
  if (opts.box === undefined) return solveLevelsSdpEither(problem, opts);
  const t0 = performance.now();
  const deadline = new Deadline(opts.timeLimitMs);
  const red = reduceLevels(problem);
  if (red.na === 0) return { bound: 0, certificate: emptyLevelsCertificate(), mean: null, cov: null, red, iterations: 0, converged: true };
  // under a limit, an O(n^3) phase that cannot be interrupted starts only when its predicted cost fits (issue 9.4)
  const unit = predictCholMs(red.P, red.na, deadline);
  const affordable = (units: number): boolean => fits(deadline, unit, units);
  if (!affordable(LEVELS_SETUP_CHOLS + LEVELS_CERT_CHOLS))
    return { bound: 0, certificate: emptyLevelsCertificate(), mean: null, cov: null, red, iterations: 0, converged: false, skipped: 'the level-set SDP set-up and certification' };
  const ev = new LevelsEvaluator(levelsDual(red, problem.levels, opts.box));
  const { theta0, g0 } = levelsStart(ev, problem.levels);
  let phase: LevelsPdPhase = { theta: Float64Array.from(theta0), mean: null, cov: null, iterations: 0, converged: false };
  let skipped: string | undefined;
  // the interior point polls its deadline between iterations: stop it one iteration and the certification early
  const pdDeadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs - (LEVELS_PD_ITER_CHOLS + LEVELS_CERT_CHOLS) * unit : Infinity;
  if (Number.isFinite(g0) && affordable(LEVELS_PD_ITER_CHOLS + LEVELS_CERT_CHOLS)) phase = levelsPd(ev, theta0, g0, pdDeadline, opts.maxIter ?? 100);
  else if (Number.isFinite(g0)) skipped = 'the interior-point iterations';
  const stoppedByTime = !phase.converged && performance.now() >= pdDeadline;
  const best = certifyLevels(ev, problem, phase.theta, () => affordable(LEVELS_CERT_CHOLS));
  return { bound: best.bound, certificate: best.cert, mean: phase.mean, cov: phase.cov, red, iterations: phase.iterations, converged: phase.converged, stoppedByTime, ...(skipped ? { skipped } : {}) };
}

/**
 * With the box cut first; when that fails numerically (e.g. FP8 E5M2: levels from 2^-16 to 57344 make the
 * box cut's constant ~1e9 next to pair cuts ~1e-10), the pair cuts alone (valid without the box when G is
 * positive definite); the larger certified bound is kept.
 */
function solveLevelsSdpEither(problem: LevelQuantizationProblem, opts: { timeLimitMs?: number; maxIter?: number }): LevelsDualSolution {
  const t0 = performance.now();
  const withBox = solveLevelsSdp(problem, { ...opts, box: true });
  if (withBox.bound > 0 || withBox.red.na === 0) return withBox;
  const left = opts.timeLimitMs !== undefined ? opts.timeLimitMs - (performance.now() - t0) : undefined;
  if (left !== undefined && left <= 0) return withBox;
  const noBox = solveLevelsSdp(problem, { ...opts, timeLimitMs: left, box: false });
  return noBox.bound > withBox.bound ? { ...noBox, iterations: withBox.iterations + noBox.iterations } : withBox;
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
      // not converged: the time limit when it (or its reserve for the certification) stopped or skipped the solve
      status: sol.converged || sol.red.na === 0 ? 'bound_only' : timedOut || sol.skipped || sol.stoppedByTime ? 'time_limit' : 'iteration_limit',
      stats: { timeMs: performance.now() - t0, iterations: sol.iterations, nodes: 0 },
      certificate: sol.certificate,
      message: sol.red.na === 0 ? undefined : sol.skipped ? `time limit: skipped ${sol.skipped} (predicted not to fit)` : `dual value ${sol.certificate.dualValue.toExponential(6)}`,
    });
  },
};
