/**
 * Diagonal shifts: D = diag(d) >= 0 with G - D positive semidefinite. Then for every v,
 * `(w - v)^T G (w - v) >= sum_i d_i (w_i - v_i)^2`, a separable bound that can be minimised coordinate by
 * coordinate over any feasible set that is a product (a grid box) or a cardinality constraint on a product.
 *
 * - `certifyDiagShift` is the proof: a Cholesky factorisation of G - D minus a floating-point margin
 *   (the same margin as the SDP verifier's) succeeds, so G - D is positive definite. One O(n^3/3) factorisation.
 * - `chooseDiagShift` finds a good d (not a proof): d = g / mu(g) with mu(g) the largest eigenvalue of
 *   diag(sqrt g) G^-1 diag(sqrt g) (then G - diag(d) is PSD exactly when mu is exact), found by Lanczos on
 *   one Cholesky factor of G; the shape g is improved by exponentiated-gradient steps on log g for the
 *   bound `sum_i d_i c_i(d)`: at a stationary point the charge shares c_i g_i / c.g equal u_i^2 (u the top
 *   eigenvector), which is what the step drives towards.
 */
import { choleskyInPlace, choleskyInPlaceUntil } from './dense.js';
import { symEig } from './eigen.js';
import { choleskyCostPerN3 } from './cost.js';

export { choleskyCostPerN3 };

const U = 2 ** -53;
const gamma = (k: number): number => (k * U) / (1 - k * U);

/**
 * True when G - diag(d) is certified positive definite: a Cholesky factorisation of `sym(G) - diag(d) - delta I`
 * succeeds in floating point, with delta covering the factorisation's backward error
 * (1.01 gamma_{n+2} n max|M_ii|), forming the shifted diagonal, and symmetrising an asymmetric G (Gershgorin).
 * d must be finite and >= 0. O(n^3 / 3). `stop` (a deadline, polled inside the factorisation): false once it expires.
 */
export function certifyDiagShift(G: Float64Array, n: number, d: ArrayLike<number>, stop?: { expired(): boolean }): boolean {
  if (d.length !== n) return false;
  // coordinates whose row and column of G are exactly zero (and d_i = 0) do not change x^T (G - D) x: drop them
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    let nz = d[i] !== 0;
    for (let j = 0; j < n && !nz; j++) if (G[i * n + j] !== 0 || G[j * n + i] !== 0) nz = true;
    if (nz) keep.push(i);
  }
  if (keep.length < n) {
    const m = keep.length;
    const Gs = new Float64Array(m * m);
    const ds = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      ds[a] = d[keep[a]];
      for (let b = 0; b < m; b++) Gs[a * m + b] = G[keep[a] * n + keep[b]];
    }
    return m === 0 || certifyDiagShift(Gs, m, ds, stop);
  }
  const M = new Float64Array(n * n);
  const rowAsym = new Float64Array(n);
  let maxDiag = 0;
  let formErr = 0;
  for (let i = 0; i < n; i++) {
    const di = d[i];
    if (!(Number.isFinite(di) && di >= 0)) return false;
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const a = G[ri + j];
      const b = G[j * n + i];
      if (a === b) M[ri + j] = a;
      else {
        const v = 0.5 * (a + b);
        M[ri + j] = v;
        const e = 2 * U * (Math.abs(a) + Math.abs(b));
        rowAsym[i] += e;
        rowAsym[j] += e;
      }
    }
    const gii = G[ri + i];
    if (!Number.isFinite(gii)) return false;
    M[ri + i] = gii - di;
    maxDiag = Math.max(maxDiag, Math.abs(gii - di));
    formErr = Math.max(formErr, gamma(3) * (Math.abs(gii) + di));
  }
  let symErr = 0;
  for (let i = 0; i < n; i++) symErr = Math.max(symErr, rowAsym[i]);
  const delta = 1.01 * gamma(n + 2) * n * maxDiag + formErr + symErr;
  for (let i = 0; i < n; i++) M[i * n + i] -= delta * (1 + 4 * U);
  return choleskyInPlaceUntil(M, n, stop) === -1;
}

/** x <- L^-1 x in place (L lower, row-major; row-oriented). */
function lowerSolve(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
    x[i] = s / L[ri + i];
  }
}

/** x <- L^-T x in place (column sweep over the rows of L, contiguous access). */
function lowerTSolve(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i] / L[ri + i];
    x[i] = xi;
    if (xi !== 0) for (let k = 0; k < i; k++) x[k] -= L[ri + k] * xi;
  }
}

export interface TopEigen {
  /** Largest Ritz value (<= the largest eigenvalue). */
  value: number;
  /** Its Ritz vector (unit norm). */
  vector: Float64Array;
  /** Residual norm ||K u - value u|| (Lanczos estimate). */
  residual: number;
  steps: number;
}

/**
 * Largest eigenvalue of a symmetric operator by Lanczos with full reorthogonalisation (at most `steps`
 * products, stopping early when the residual is below `tol * value`, or when `stop()` returns true: then the
 * current Ritz pair, with its residual).
 */
export function lanczosTop(apply: (x: Float64Array, out: Float64Array) => void, n: number, start: ArrayLike<number>, steps: number, tol = 1e-6, stop?: () => boolean): TopEigen {
  const m = Math.max(1, Math.min(steps, n));
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = Float64Array.from(start);
  let nrm = 0;
  for (let i = 0; i < n; i++) nrm += q[i] * q[i];
  nrm = Math.sqrt(nrm);
  if (!(nrm > 0) || !Number.isFinite(nrm)) {
    q = new Float64Array(n).fill(1);
    nrm = Math.sqrt(n);
  }
  for (let i = 0; i < n; i++) q[i] /= nrm;
  const w = new Float64Array(n);
  let best: TopEigen = { value: 0, vector: q, residual: Infinity, steps: 0 };
  for (let j = 0; j < m; j++) {
    Q.push(q);
    apply(q, w);
    let a = 0;
    for (let i = 0; i < n; i++) a += q[i] * w[i];
    alpha.push(a);
    // full reorthogonalisation (twice is enough)
    for (let pass = 0; pass < 2; pass++)
      for (const qi of Q) {
        let c = 0;
        for (let i = 0; i < n; i++) c += qi[i] * w[i];
        for (let i = 0; i < n; i++) w[i] -= c * qi[i];
      }
    let b = 0;
    for (let i = 0; i < n; i++) b += w[i] * w[i];
    b = Math.sqrt(b);
    // Ritz values of the current tridiagonal matrix
    const k = alpha.length;
    const T = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      T[i * k + i] = alpha[i];
      if (i + 1 < k) {
        T[i * k + i + 1] = beta[i];
        T[(i + 1) * k + i] = beta[i];
      }
    }
    const e = symEig(T, k);
    const val = e.values[k - 1];
    const yLast = e.vectors[(k - 1) * k + (k - 1)];
    const res = b * Math.abs(yLast);
    const done = res <= tol * Math.abs(val) || b <= 1e-14 * Math.abs(val) || j === m - 1 || (stop !== undefined && stop());
    if (done) {
      const u = new Float64Array(n);
      for (let c = 0; c < k; c++) {
        const y = e.vectors[c * k + (k - 1)];
        const qc = Q[c];
        for (let i = 0; i < n; i++) u[i] += y * qc[i];
      }
      let un = 0;
      for (let i = 0; i < n; i++) un += u[i] * u[i];
      un = Math.sqrt(un);
      for (let i = 0; i < n; i++) u[i] /= un;
      best = { value: val, vector: u, residual: res, steps: k };
      break;
    }
    beta.push(b);
    q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = w[i] / b;
  }
  return best;
}

export interface DiagShiftObjective {
  /** The separable bound for a shift d (any d >= 0) and its supergradient (the charges c_i, bound = c.d locally). */
  (d: Float64Array): { value: number; charge: Float64Array };
}

export interface ChooseDiagShiftOptions {
  /** Exponentiated-gradient steps on the shape (default 20). */
  iterations?: number;
  /** Lanczos steps per eigenvalue (default 40). */
  lanczosSteps?: number;
  /** Stop improving when this returns true (checked before every eigenvalue). */
  expired?: () => boolean;
  /** Hard stop, polled at every Lanczos step (the current Ritz estimate is used). */
  stop?: () => boolean;
}

export interface DiagShiftChoice {
  /** The chosen shift (uncertified; certify it with `certifyDiagShift`). */
  d: Float64Array;
  /** Its bound value (uncertified). */
  value: number;
  /** The top eigenvalue estimate behind d (d = g / mu) and its shape g, for a retry with a larger mu. */
  mu: number;
  g: Float64Array;
  iterations: number;
  eigenSolves: number;
}

/**
 * Choose d >= 0 with G - diag(d) (nearly) PSD maximising `objective(d).value`, given `L` the Cholesky factor of
 * G (G positive definite). Starting shapes: the identity and the diagonal of G (Jacobi); then exponentiated-
 * gradient steps `log g_i += eta (c_i g_i / c.g - u_i^2)` with step halving. Not a proof: the caller certifies.
 */
export function chooseDiagShift(G: Float64Array, L: Float64Array, n: number, objective: DiagShiftObjective, opts: ChooseDiagShiftOptions = {}): DiagShiftChoice {
  const iterations = opts.iterations ?? 20;
  const steps = opts.lanczosSteps ?? 40;
  const expired = opts.expired ?? (() => false);
  const sg = new Float64Array(n);
  const apply = (x: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) out[i] = sg[i] * x[i];
    lowerSolve(L, n, out);
    lowerTSolve(L, n, out);
    for (let i = 0; i < n; i++) out[i] *= sg[i];
  };
  let eigenSolves = 0;
  let startVec: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) startVec[i] = 1 + 0.1 * Math.sin(1 + i);
  const evalShape = (g: Float64Array): { d: Float64Array; value: number; charge: Float64Array; mu: number; u: Float64Array } => {
    for (let i = 0; i < n; i++) sg[i] = Math.sqrt(g[i]);
    const top = lanczosTop(apply, n, startVec, steps, 1e-6, opts.stop);
    eigenSolves++;
    // the Ritz value is below the top eigenvalue: pad by the residual and a relative margin
    const mu = (top.value + top.residual) * (1 + 1e-6);
    const d = new Float64Array(n);
    if (mu > 0) for (let i = 0; i < n; i++) d[i] = g[i] / mu;
    const o = objective(d);
    return { d, value: o.value, charge: o.charge, mu, u: top.vector };
  };
  const shapes: Float64Array[] = [new Float64Array(n).fill(1), Float64Array.from({ length: n }, (_, i) => Math.max(G[i * n + i], 0))];
  let best: ReturnType<typeof evalShape> | null = null;
  let bestG = shapes[0];
  for (const g of shapes) {
    if (best !== null && expired()) break;
    const e = evalShape(g);
    if (best === null || e.value > best.value) {
      best = e;
      bestG = g;
    }
  }
  const b0 = best as ReturnType<typeof evalShape>;
  let cur = b0;
  let curG = bestG;
  let eta = 1;
  let it = 0;
  for (; it < iterations && !expired(); it++) {
    let cg = 0;
    for (let i = 0; i < n; i++) cg += cur.charge[i] * curG[i];
    if (!(cg > 0)) break;
    const g = new Float64Array(n);
    let gmax = 0;
    for (let i = 0; i < n; i++) {
      const p = (cur.charge[i] * curG[i]) / cg;
      const u2 = cur.u[i] * cur.u[i];
      g[i] = curG[i] * Math.exp(Math.max(-30, Math.min(30, eta * n * (p - u2))));
      gmax = Math.max(gmax, g[i]);
    }
    for (let i = 0; i < n; i++) g[i] = Math.max(g[i] / gmax, 1e-12);
    startVec = cur.u;
    const e = evalShape(g);
    if (e.value > cur.value) {
      cur = e;
      curG = g;
      eta *= 1.5;
    } else {
      eta *= 0.3;
      if (eta < 1e-4) break;
    }
  }
  return { d: cur.d, value: cur.value, mu: cur.mu, g: curG, iterations: it, eigenSolves };
}

export interface DiagShiftRun {
  /** Certified shift (active coordinates), or null when none could be certified in time. */
  d: Float64Array | null;
  /** Uncertified value of the chosen shift's bound. */
  value: number;
  status: 'certified' | 'time_limit' | 'singular' | 'not_certified';
  message?: string;
  stats: { factorMs: number; chooseMs: number; certifyMs: number; iterations: number; eigenSolves: number; retries: number };
}

/**
 * The whole scalable bound on a positive definite P (n x n): factor P, choose d (`chooseDiagShift`), certify it
 * (`certifyDiagShift`, shrinking d by 2 %, 10 %, 50 % when it fails), all within `remainingMs()`: a phase starts
 * only when it and the final certification are predicted to fit; `opts.stop` (a deadline) interrupts the
 * factorisations and the Lanczos steps when the prediction was wrong (a loaded machine).
 */
export function runDiagShift(
  P: Float64Array,
  n: number,
  objective: DiagShiftObjective,
  remainingMs: () => number,
  opts: { iterations?: number; lanczosSteps?: number; stop?: { expired(): boolean } } = {},
): DiagShiftRun {
  const stats = { factorMs: 0, chooseMs: 0, certifyMs: 0, iterations: 0, eigenSolves: 0, retries: 0 };
  const predicted = choleskyCostPerN3() * n ** 3;
  if (remainingMs() < 2 * predicted) return { d: null, value: 0, status: 'time_limit', message: `two ${n}x${n} Cholesky factorisations (about ${(predicted / 1000).toFixed(1)} s each here) do not fit the time limit`, stats };
  let t = performance.now();
  const L = Float64Array.from(P);
  const info = choleskyInPlaceUntil(L, n, opts.stop);
  stats.factorMs = performance.now() - t;
  if (info === -2) return { d: null, value: 0, status: 'time_limit', message: 'the time limit expired during the Cholesky factorisation of G', stats };
  const ok = info === -1;
  if (!ok) return { d: null, value: 0, status: 'singular', message: 'G is singular to working precision (its Cholesky factorisation fails): no diagonal shift is certifiable', stats };
  const reserve = (): number => 1.3 * stats.factorMs;
  t = performance.now();
  let lastEigenMs = 0;
  let tEig = performance.now();
  const choice = chooseDiagShift(P, L, n, objective, {
    iterations: opts.iterations,
    lanczosSteps: opts.lanczosSteps,
    expired: () => {
      const now = performance.now();
      lastEigenMs = Math.max(lastEigenMs, now - tEig);
      tEig = now;
      return remainingMs() < reserve() + 1.5 * lastEigenMs;
    },
    // the first eigenvalue is always computed: cut its Lanczos steps short when only the certification still fits
    stop: () => remainingMs() < reserve(),
  });
  stats.chooseMs = performance.now() - t;
  stats.iterations = choice.iterations;
  stats.eigenSolves = choice.eigenSolves;
  for (const shrink of [1, 1.02, 1.1, 1.5]) {
    if (shrink > 1 && remainingMs() < reserve()) return { d: null, value: choice.value, status: 'time_limit', message: 'the chosen shift failed certification and no time is left for a smaller one', stats };
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = choice.d[i] / shrink;
    t = performance.now();
    const good = certifyDiagShift(P, n, d, opts.stop);
    if (!good && opts.stop?.expired()) return { d: null, value: choice.value, status: 'time_limit', message: 'the time limit expired during the certification', stats };
    stats.certifyMs += performance.now() - t;
    if (good) return { d, value: choice.value / shrink, status: 'certified', stats };
    stats.retries++;
  }
  return { d: null, value: choice.value, status: 'not_certified', message: 'no shrunk shift passed the certified Cholesky test', stats };
}
