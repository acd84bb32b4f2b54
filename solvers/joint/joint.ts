import { defineOptions, resolveExtras } from '../../src/core/options.js';
/**
 * Joint sparse + quantized weights: minimise error(scale * z) over integer z in [zmin, zmax] whose support fits
 * the sparsity (at most k nonzeros, or N:M). The allowed values of a coordinate are a sorted Float64Array
 * (`gridValues`: zmin..zmax times 1), so a level set can replace the integer grid later.
 *
 * - `joint-exact`: Schnorr-Euchner enumeration (V-BLAST order, LDL^T of s^2 G) over the values of each coordinate
 *   with a count of nonzeros per group: a group at its cap only allows 0. Node value = partial sum of the
 *   level costs (a lower bound for every completion); leaves evaluated exactly. Stopped: the certified bound
 *   of `joint-bound` (max of the quantization and the pruning bound) is reported with an honest status.
 * - `joint-bound`: max(quantization SDP-box bound, pruning perspective / nm-groups bound): the joint feasible set
 *   is a subset of both problems' feasible sets. Certificate `joint-max` carries both sub-certificates;
 *   `verifyJointCertificate` re-checks each with its family's verifier on the derived problem.
 * - `joint-prune-quant`: prune (OBS, or magnitude) then quantize the refitted kept weights (GPTQ, or RTN);
 * - `joint-quant-prune`: RTN, then drop the smallest |z| until the sparsity fits.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { checkObjective, errorOf, isJointFeasible, patternGroups, quantErrorOf } from '../../src/core/objective.js';
import { Deadline, makeResult, safeLowerBound } from '../../src/core/result.js';
import type { JointSolver } from '../../src/core/solver.js';
import type { Certificate, JointProblem, PruningProblem, QuantizationProblem, SolveOptions, SolveResult, SolveStatus, StructuredPruningProblem } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { obsSupport } from '../pruning/heuristics.js';
import { gramTimesW, magnitudeSupport, refitFree } from '../pruning/common.js';
import { rootPerspectiveBound, verifyPerspectiveCertificate } from '../pruning/perspective.js';
import { gptqPoint } from '../quantization/heuristics.js';
import { factorInOrder, vblastOrder } from '../quantization/lattice.js';
import { choleskyInPlace, cholInverse } from '../../src/linalg/dense.js';
import { symEig } from '../../src/linalg/eigen.js';
import { sdpBoxSolver, verifySdpCertificate } from '../quantization/sdp.js';
import { magnitudeStructuredSupport, obsStructuredSupport } from '../structured/heuristics.js';
import { nmCertificate, verifyNmCertificate } from '../structured/bound.js';

export function validateJointProblem(p: JointProblem): void {
  checkObjective(p?.objective, 'objective.');
  if (!(typeof p.scale === 'number' && p.scale > 0 && Number.isFinite(p.scale))) throw new PvqInputError('scale', `must be a finite number > 0, got ${String(p.scale)}`);
  if (!Number.isInteger(p.zmin) || p.zmin > 0) throw new PvqInputError('zmin', `expected an integer <= 0, got ${String(p.zmin)}`);
  if (!Number.isInteger(p.zmax) || p.zmax < 0) throw new PvqInputError('zmax', `expected an integer >= 0, got ${String(p.zmax)}`);
  const s = p.sparsity;
  if (!s || (s.kind !== 'k' && s.kind !== 'nm')) throw new PvqInputError('sparsity', "expected {kind: 'k', k} or {kind: 'nm', n, m}");
  if (s.kind === 'k' && !(Number.isInteger(s.k) && s.k >= 0)) throw new PvqInputError('sparsity.k', `expected an integer >= 0, got ${String(s.k)}`);
  if (s.kind === 'nm' && !(Number.isInteger(s.m) && s.m >= 1 && Number.isInteger(s.n) && s.n >= 0 && s.n <= s.m)) throw new PvqInputError('sparsity', `expected integers 0 <= N <= M, M >= 1`);
}

/** The allowed values (in grid units) of a coordinate: zmin..zmax, sorted. */
export function gridValues(p: JointProblem): Float64Array {
  const out = new Float64Array(p.zmax - p.zmin + 1);
  for (let i = 0; i < out.length; i++) out[i] = p.zmin + i;
  return out;
}

function jointResult(solver: string, p: JointProblem, z: Float64Array | null, lowerBound: number, status: SolveStatus, start: number, extra: { nodes?: number; stats?: Record<string, number>; certificate?: Certificate; message?: string } = {}): SolveResult {
  if (z && !isJointFeasible(p, z)) throw new Error(`${solver}: internal error, infeasible point`);
  const ub = z ? quantErrorOf(p, z) : Infinity;
  return makeResult({
    solver,
    problem: p.name,
    problemClass: 'joint',
    lowerBound: Math.min(lowerBound, ub),
    upperBound: ub,
    solution: z,
    status,
    stats: { timeMs: performance.now() - start, nodes: extra.nodes ?? 0, ...(extra.stats ?? {}) },
    ...(extra.certificate ? { certificate: extra.certificate } : {}),
    ...(extra.message ? { message: extra.message } : {}),
  });
}

const quantPart = (p: JointProblem): QuantizationProblem => ({ name: p.name, objective: p.objective, scale: p.scale, zmin: p.zmin, zmax: p.zmax });
const prunePart = (p: JointProblem): PruningProblem | StructuredPruningProblem =>
  p.sparsity.kind === 'k'
    ? { name: p.name, objective: p.objective, k: Math.min(p.sparsity.k, p.objective.n), box: null }
    : { name: p.name, objective: p.objective, pattern: { kind: 'nm', n: p.sparsity.n, m: p.sparsity.m }, box: null };

/** Support chosen by pruning first (OBS or magnitude), original indices. */
function pruneSupport(p: JointProblem, how: 'obs' | 'magnitude'): number[] {
  const { n, G, w } = p.objective;
  const pp = prunePart(p);
  if ('pattern' in pp) return how === 'obs' ? obsStructuredSupport(pp) : magnitudeStructuredSupport(pp);
  return how === 'obs' ? obsSupport(G, n, w, pp.k) : magnitudeSupport(w, pp.k);
}

/** Prune then quantize: refit on the support, then quantize the refitted weights (GPTQ on G_SS, or RTN). */
export function pruneThenQuantize(p: JointProblem, prune: 'obs' | 'magnitude' = 'obs', quant: 'gptq' | 'rtn' = 'gptq'): Float64Array {
  const { n, G, w } = p.objective;
  const S = pruneSupport(p, prune);
  const v = refitFree(G, n, gramTimesW(G, w, n), S);
  const m = S.length;
  const z = new Float64Array(n);
  if (m === 0) return z;
  const Gs = new Float64Array(m * m);
  const ws = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    ws[a] = v[S[a]];
    for (let b = 0; b < m; b++) Gs[a * m + b] = G[S[a] * n + S[b]];
  }
  let zs: Float64Array;
  if (quant === 'gptq') {
    let r = 0;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) r += ws[a] * Gs[a * m + b] * ws[b];
    zs = gptqPoint({ name: p.name, objective: { n: m, G: Gs, w: ws, r: Math.max(0, r) }, scale: p.scale, zmin: p.zmin, zmax: p.zmax });
  } else zs = ws.map((x) => Math.min(p.zmax, Math.max(p.zmin, Math.round(x / p.scale))));
  for (let a = 0; a < m; a++) z[S[a]] = zs[a];
  return z;
}

/** Quantize then prune: RTN, then in each group drop the smallest |z| (ties: smaller |w|) beyond its cap. */
export function quantizeThenPrune(p: JointProblem): Float64Array {
  const { n, w } = p.objective;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = Math.min(p.zmax, Math.max(p.zmin, Math.round(w[i] / p.scale))) + 0;
  for (const g of patternGroups(p.sparsity, n)) {
    const nz: number[] = [];
    for (let i = g.start; i < g.end; i++) if (z[i] !== 0) nz.push(i);
    nz.sort((a, b) => Math.abs(z[a]) - Math.abs(z[b]) || Math.abs(w[a]) - Math.abs(w[b]) || a - b);
    for (let t = 0; t < nz.length - g.cap; t++) z[nz[t]] = 0;
  }
  return z;
}

export interface JointCertificate extends Certificate {
  readonly type: 'joint-max';
  readonly quantization: Certificate | null;
  readonly pruning: Certificate | null;
  readonly bound: number;
}

/** Re-check a `joint-max` certificate: each part with its own family's verifier on the derived problem. */
export function verifyJointCertificate(p: JointProblem, cert: Certificate): { valid: boolean; bound: number; reason?: string } {
  const bad = (reason: string) => ({ valid: false, bound: 0, reason });
  if (cert.type !== 'joint-max') return bad('not a joint-max certificate');
  try {
    validateJointProblem(p);
  } catch (e) {
    return bad((e as Error).message);
  }
  let proven = 0;
  const q = cert.quantization as Certificate | null;
  if (q) {
    const r = verifySdpCertificate(quantPart(p), q);
    if (!r.valid) return bad(`quantization part rejected: ${r.reason ?? ''}`);
    proven = Math.max(proven, r.bound);
  }
  const pc = cert.pruning as Certificate | null;
  if (pc) {
    const pp = prunePart(p);
    const r = 'pattern' in pp ? verifyNmCertificate(pp, pc) : (({ ok, bound, reason }) => ({ valid: ok, bound, reason }))(verifyPerspectiveCertificate(pp, pc));
    if (!r.valid) return bad(`pruning part rejected: ${r.reason ?? ''}`);
    proven = Math.max(proven, r.bound);
  }
  if (!(typeof cert.bound === 'number' && cert.bound >= 0)) return bad('bound is not a nonnegative number');
  if (cert.bound > proven) return bad(`claimed bound ${cert.bound} exceeds what the parts prove (${proven})`);
  return { valid: true, bound: cert.bound };
}

/** The certified bound max(quantization, pruning) with its certificate (parts re-checked before use). */
export function jointCertificate(p: JointProblem, opts: { timeLimitMs?: number } = {}): JointCertificate {
  const qr = sdpBoxSolver.solve(quantPart(p), { timeLimitMs: opts.timeLimitMs }) as SolveResult;
  const qc = qr.certificate ?? null;
  const pp = prunePart(p);
  let pc: Certificate | null = null;
  if ('pattern' in pp) pc = nmCertificate(pp);
  else pc = rootPerspectiveBound(pp, { iterations: 100 }).certificate ?? null;
  const parts: JointCertificate = { type: 'joint-max', quantization: qc, pruning: pc, bound: 0 };
  // take only what the verifiers accept
  let bound = 0;
  if (qc) {
    const r = verifySdpCertificate(quantPart(p), qc);
    if (r.valid) bound = Math.max(bound, r.bound);
  }
  if (pc) {
    const r = 'pattern' in pp ? verifyNmCertificate(pp, pc) : (({ ok, bound: b }) => ({ valid: ok, bound: b }))(verifyPerspectiveCertificate(pp, pc));
    if (r.valid) bound = Math.max(bound, r.bound);
  }
  return { ...parts, bound };
}

/**
 * Per level k of the search (levels k.. still open, P_k = their block of s^2 G in level order), data for a
 * sparsity look-ahead: given the decided levels, the continuous optimum of the open ones is the conditional
 * mean mu (zero cost); every feasible completion forces at least need_g open coordinates of group g to 0, and
 * forcing z_j = 0 alone costs at least mu_j^2 / [P_k^-1]_jj. By monotonicity of the constrained least-squares
 * value, the remaining cost is >= max_g (need_g-th smallest such cost in g), and by P_k^-1 <= lam diag(P_k^-1)
 * (lam: Gershgorin bound of the unit-diagonal scaling) >= (1/lam) * sum over g of its need_g smallest costs.
 * (Continuous relaxations of the integer completions, so valid lower bounds.) mu is carried down the tree:
 * fixing level k moves the open levels' mean by beta_k (z_k - mu_k), beta_k = P_{k+1}^-1 P_{open, k}.
 */
function sparsityLookahead(P: Float64Array, na: number, ord: ArrayLike<number>, _t: Float64Array, levelGroup: Int32Array, ng: number) {
  const Pl = new Float64Array(na * na);
  for (let a = 0; a < na; a++) for (let b = 0; b < na; b++) Pl[a * na + b] = P[ord[a] * na + ord[b]];
  const winvDiag: (Float64Array | null)[] = [];
  const invLambda = new Float64Array(na + 1);
  const beta: (Float64Array | null)[] = [];
  const inverses: (Float64Array | null)[] = [];
  for (let k = 0; k <= na; k++) {
    const L = na - k;
    if (L === 0) {
      inverses.push(null);
      winvDiag.push(null);
      continue;
    }
    const A = new Float64Array(L * L);
    let maxDiag = 0;
    for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) A[a * L + b] = Pl[(k + a) * na + (k + b)];
    for (let a = 0; a < L; a++) maxDiag = Math.max(maxDiag, A[a * L + a]);
    if (choleskyInPlace(A, L, 1e-9 * maxDiag) >= 0) {
      inverses.push(null);
      winvDiag.push(null);
      continue;
    }
    const W = cholInverse(A, L);
    inverses.push(W);
    const wd = new Float64Array(L);
    for (let a = 0; a < L; a++) wd[a] = W[a * L + a];
    winvDiag.push(wd);
    // lam >= lambda_max of the unit-diagonal scaling S of W: Gershgorin, or (smaller) the computed top
    // eigenvalue raised by a margin and certified by a Cholesky of lam I - S
    const Sc = new Float64Array(L * L);
    let lam = 0;
    for (let a = 0; a < L; a++) {
      let row = 0;
      for (let b = 0; b < L; b++) {
        Sc[a * L + b] = W[a * L + b] / Math.sqrt(wd[a] * wd[b]);
        row += Math.abs(Sc[a * L + b]);
      }
      lam = Math.max(lam, row);
    }
    lam *= 1 + 1e-12;
    if (L > 2) {
      const ev = symEig(Sc, L).values;
      let top = -Infinity;
      for (let a = 0; a < L; a++) top = Math.max(top, ev[a]);
      const cand = top * (1 + 1e-8) + 1e-12 * L;
      if (cand < lam) {
        const M = new Float64Array(L * L);
        for (let a = 0; a < L * L; a++) M[a] = -Sc[a];
        for (let a = 0; a < L; a++) M[a * L + a] += cand;
        if (choleskyInPlace(M, L, 0) < 0) lam = cand;
      }
    }
    invLambda[k] = lam > 0 ? 1 / lam : 0;
  }
  for (let k = 0; k < na; k++) {
    const W = inverses[k + 1];
    const L = na - k - 1;
    if (!W || L === 0) {
      beta.push(L === 0 ? new Float64Array(0) : null);
      continue;
    }
    const bk = new Float64Array(L);
    for (let a = 0; a < L; a++) {
      let s = 0;
      for (let b = 0; b < L; b++) s += W[a * L + b] * Pl[(k + 1 + b) * na + k];
      bk[a] = s;
    }
    beta.push(bk);
  }
  // a missing beta breaks the carried mean below that level: disable the look-ahead there and below
  let broken = false;
  for (let k = 0; k <= na; k++) {
    if (broken) winvDiag[k] = null;
    if (k < na && !beta[k]) broken = true;
  }
  const suffix = new Int32Array((na + 1) * ng);
  for (let k = na - 1; k >= 0; k--) {
    for (let g = 0; g < ng; g++) suffix[k * ng + g] = suffix[(k + 1) * ng + g];
    suffix[k * ng + levelGroup[k]]++;
  }
  const levelsOf: number[][] = Array.from({ length: ng }, () => []);
  for (let k = 0; k < na; k++) levelsOf[levelGroup[k]].push(k);
  return { winvDiag, invLambda, beta, suffix, levelsOf };
}

export interface JointTreeReport {
  z: Float64Array;
  lowerBound: number;
  status: SolveStatus;
  nodes: number;
  heuristicError: number;
}

/** Schnorr-Euchner search with nonzero counts (see the file header). */
export function jointBranchAndBound(p: JointProblem, opts: { timeLimitMs?: number; nodeLimit?: number; relGapTol?: number; incumbent?: Float64Array; lookahead?: boolean; order?: 'vblast' | 'saliency' | 'saliency-desc';
    /** Allowed values per coordinate in grid units (sorted, strictly increasing, containing 0), instead of zmin..zmax: a level set. */
    values?: Float64Array } = {}): JointTreeReport {
  const deadline = new Deadline(opts.timeLimitMs);
  const relTol = opts.relGapTol ?? DEFAULT_REL_GAP_TOL;
  const { n, G, w, r } = p.objective;
  const s = p.scale;
  const absTol = 1e-14 * r;
  // incumbent
  const custom = opts.values !== undefined;
  if (custom) {
    const v = opts.values!;
    let hasZero = false;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]) || (i > 0 && !(v[i] > v[i - 1]))) throw new PvqInputError('values', 'expected a strictly increasing array of finite numbers');
      if (v[i] === 0) hasZero = true;
    }
    if (!hasZero) throw new PvqInputError('values', 'must contain 0 (pruned weights)');
  }
  // incumbent: the pipelines on the integer grid; with other values the all-zero point (always feasible)
  let bestZ = custom ? new Float64Array(n) : quantizeThenPrune(p);
  let UB = quantErrorOf(p, bestZ);
  const cands = custom ? [] : [pruneThenQuantize(p, 'obs', 'gptq'), pruneThenQuantize(p, 'magnitude', 'rtn'), pruneThenQuantize(p, 'obs', 'rtn')];
  if (!custom && opts.incumbent && isJointFeasible(p, opts.incumbent)) cands.push(Float64Array.from(opts.incumbent));
  for (const z of cands) {
    const e = quantErrorOf(p, z);
    if (e < UB) {
      UB = e;
      bestZ = z;
    }
  }
  const heuristicError = UB;
  // live coordinates (dead ones are 0)
  const live: number[] = [];
  for (let i = 0; i < n; i++) if (G[i * n + i] > 0) live.push(i);
  const na = live.length;
  const P = new Float64Array(na * na);
  const t = new Float64Array(na);
  let maxDiag = 0;
  for (let a = 0; a < na; a++) {
    t[a] = w[live[a]] / s;
    for (let b = 0; b < na; b++) P[a * na + b] = s * s * G[live[a] * n + live[b]];
    maxDiag = Math.max(maxDiag, P[a * na + a]);
  }
  const tol = 1e-12 * maxDiag;
  let ord = vblastOrder(P, na, tol);
  const orderOpt = opts.order ?? 'saliency';
  if (orderOpt !== 'vblast') {
    // OBS saliency t_j^2 / [P^-1]_jj: 'saliency' decides the most prunable (smallest) first, 'saliency-desc' the largest first
    const A = Float64Array.from(P);
    if (choleskyInPlace(A, na, 1e-9 * maxDiag) < 0) {
      const W = cholInverse(A, na);
      const sal = Array.from({ length: na }, (_, j) => (t[j] * t[j]) / W[j * na + j]);
      const idx = Array.from({ length: na }, (_, j) => j).sort((a2, b2) => (orderOpt === 'saliency' ? sal[a2] - sal[b2] : sal[b2] - sal[a2]) || a2 - b2);
      ord = Int32Array.from(idx);
    }
  }
  const F = factorInOrder(P, na, ord, t, tol);
  const groupOf = new Int32Array(n);
  const groups = patternGroups(p.sparsity, n);
  groups.forEach((g, gi) => {
    for (let i = g.start; i < g.end; i++) groupOf[i] = gi;
  });
  const cap = Int32Array.from(groups.map((g) => g.cap));
  const count = new Int32Array(groups.length);
  const levelGroup = new Int32Array(na);
  for (let k = 0; k < na; k++) levelGroup[k] = groupOf[live[F.ord[k]]];
  let minPositiveD = Infinity;
  for (let k = 0; k < na; k++) if (F.d[k] > 0) minPositiveD = Math.min(minPositiveD, F.d[k]);
  const delta = Math.max(1e-10, Math.min(1e-6, 1e3 * (maxDiag / minPositiveD) * 2 ** -53));
  const cut = (): number => {
    const tt = UB - Math.max(relTol * UB, absTol);
    return tt + delta * Math.abs(tt);
  };
  const zl = new Float64Array(na);
  let nodes = 0;
  let minPruned = Infinity;
  let stopped: SolveStatus | null = null;
  const nodeLimit = opts.nodeLimit ?? Infinity;
  const { Lk, tOrd, d } = F;
  // the allowed values of a coordinate (grid units), sorted; 0 must be one of them
  const vals = custom ? Float64Array.from(opts.values!) : gridValues(p);
  const nv = vals.length;
  /** Index of the value nearest to x (ties to the lower value). */
  let consecutive = true;
  for (let i = 1; i < nv; i++) if (vals[i] !== vals[i - 1] + 1) consecutive = false;
  const v0 = vals[0];
  const nearestIndex = (x: number): number => {
    if (consecutive) {
      const i = Math.round(x - v0);
      return i < 0 ? 0 : i >= nv ? nv - 1 : i;
    }
    let a2 = 0;
    let b2 = nv - 1;
    if (x <= vals[0]) return 0;
    if (x >= vals[b2]) return b2;
    while (b2 - a2 > 1) {
      const mid = (a2 + b2) >> 1;
      if (vals[mid] <= x) a2 = mid;
      else b2 = mid;
    }
    return x - vals[a2] <= vals[b2] - x ? a2 : b2;
  };
  const leafZ = new Float64Array(n);
  const look = opts.lookahead === false ? null : sparsityLookahead(P, na, F.ord, t, levelGroup, groups.length);
  const muStack: Float64Array[] = [];
  for (let k = 0; k <= na; k++) muStack.push(new Float64Array(na));
  if (look) for (let j = 0; j < na; j++) muStack[0][j] = t[F.ord[j]];
  const left = new Int32Array(groups.length);
  const buf = new Float64Array(na);
  const rnd = new Float64Array(na);
  /** Sparsity look-ahead at level k (0 when unavailable): see `sparsityLookahead`. */
  const lookBound = (k: number): number => {
    if (!look || !look.winvDiag[k]) return 0;
    const mu = muStack[k];
    const wd = look.winvDiag[k]!;
    // r_j: cost of the nearest grid value alone; zero_j - r_j: the extra of forcing z_j = 0
    let mono = 0;
    let sum = 0;
    for (let j = k; j < na; j++) {
      const x = mu[j];
      const q = vals[nearestIndex(x)];
      const rj = ((x - q) * (x - q)) / wd[j - k];
      rnd[j] = rj;
      sum += rj;
      if (rj > mono) mono = rj;
    }
    for (let g = 0; g < groups.length; g++) {
      const need = look.suffix[k * groups.length + g] - (cap[g] - count[g]);
      if (need <= 0) continue;
      let m = 0;
      for (const j of look.levelsOf[g]) if (j >= k) buf[m++] = (mu[j] * mu[j]) / wd[j - k];
      const sorted = buf.subarray(0, m).sort();
      mono = Math.max(mono, sorted[need - 1]);
      m = 0;
      for (const j of look.levelsOf[g]) if (j >= k) buf[m++] = Math.max(0, (mu[j] * mu[j]) / wd[j - k] - rnd[j]);
      const extra = buf.subarray(0, m).sort();
      for (let q = 0; q < need; q++) sum += extra[q];
    }
    return Math.max(mono, look.invLambda[k] * sum);
  };
  void left;
  const rec = (k: number, partial: number): void => {
    if (stopped) return;
    if (k === na) {
      leafZ.fill(0);
      for (let a = 0; a < na; a++) leafZ[live[F.ord[a]]] = zl[a];
      const e = quantErrorOf(p, leafZ);
      if (e < UB) {
        UB = e;
        bestZ = Float64Array.from(leafZ);
      }
      minPruned = Math.min(minPruned, partial);
      return;
    }
    nodes++;
    if (nodes > nodeLimit) {
      stopped = 'node_limit';
      return;
    }
    if ((nodes & 1023) === 0 && deadline.expired()) {
      stopped = 'time_limit';
      return;
    }
    if (look) {
      const lb = partial + lookBound(k);
      if (!(lb < cut())) {
        minPruned = Math.min(minPruned, lb);
        return;
      }
    }
    let c = tOrd[k];
    const row = k * na;
    for (let j = 0; j < k; j++) c -= Lk[row + j] * (zl[j] - tOrd[j]);
    const dk = d[k];
    const g = levelGroup[k];
    const full = count[g] >= cap[g];
    const visit = (z: number): boolean => {
      const cost = partial + dk * (z - c) * (z - c);
      if (!(cost < cut())) {
        minPruned = Math.min(minPruned, cost);
        return false;
      }
      zl[k] = z;
      if (look) {
        const mu = muStack[k];
        const nx = muStack[k + 1];
        const beta = look.beta[k];
        const dz = z - mu[k];
        if (beta) for (let j = k + 1; j < na; j++) nx[j] = mu[j] - beta[j - k - 1] * dz;
      }
      const nz = z !== 0 ? 1 : 0;
      count[g] += nz;
      rec(k + 1, cost);
      count[g] -= nz;
      return true;
    };
    if (full) {
      visit(0);
      return;
    }
    if (dk === 0) {
      // no curvature at this level: every value costs the same; enumerate all (0 first)
      visit(0);
      for (let i = 0; i < nv && !stopped; i++) if (vals[i] !== 0) visit(vals[i]);
      return;
    }
    // Schnorr-Euchner zigzag over the sorted values: increasing distance from c, each side stopped at the cut
    const i0 = nearestIndex(c);
    if (!visit(vals[i0])) return;
    let lo = i0 - 1;
    let hi = i0 + 1;
    while (!stopped && (lo >= 0 || hi < nv)) {
      const useHi = hi < nv && (lo < 0 || vals[hi] - c <= c - vals[lo]);
      const i = useHi ? hi++ : lo--;
      if (!visit(vals[i])) {
        if (useHi) hi = nv;
        else lo = -1;
      }
    }
  };
  rec(0, 0);
  const ub = quantErrorOf(p, bestZ);
  const shrink = (x: number): number => (Number.isFinite(x) ? x - delta * Math.abs(x) : x);
  if (stopped) return { z: bestZ, lowerBound: 0, status: stopped, nodes, heuristicError };
  const lowerBound = safeLowerBound(Math.min(ub, shrink(minPruned)), 1e-10);
  let status: SolveStatus = 'optimal';
  if (!(ub - lowerBound <= Math.max(relTol * ub, absTol) + 2e-10 * ub + 1e-13 * r)) status = 'numerical_failure';
  void errorOf;
  return { z: bestZ, lowerBound, status, nodes, heuristicError };
}

export const jointExactSolver: JointSolver = {
  name: 'joint-exact',
  problemClass: 'joint',
  role: 'exact',
  description: 'Joint sparse + quantized, exact: Schnorr-Euchner over the grid values with nonzero counts per group; stopped: the certified joint-bound',
  capabilities: ['timeLimit', 'nodeLimit', 'relGapTol', 'incumbent'],
  solve(problem: JointProblem, options: SolveOptions = {}) {
    const start = performance.now();
    validateJointProblem(problem);
    const rep = jointBranchAndBound(problem, { timeLimitMs: options.timeLimitMs, nodeLimit: options.nodeLimit, relGapTol: options.relGapTol, incumbent: options.incumbent });
    if (rep.status === 'optimal' || rep.status === 'numerical_failure')
      return jointResult('joint-exact', problem, rep.z, rep.lowerBound, rep.status, start, { nodes: rep.nodes, stats: { heuristicError: rep.heuristicError } });
    const cert = jointCertificate(problem);
    return jointResult('joint-exact', problem, rep.z, cert.bound, rep.status, start, { nodes: rep.nodes, stats: { heuristicError: rep.heuristicError }, certificate: cert, message: `stopped (${rep.status}); lower bound = the certified joint-max bound` });
  },
};

export const jointBoundSolver: JointSolver = {
  name: 'joint-bound',
  problemClass: 'joint',
  role: 'bound',
  description: 'Joint sparse + quantized certified bound: max(quantization SDP-box bound, pruning perspective / nm-groups bound), certificate joint-max',
  capabilities: ['timeLimit'],
  solve(problem: JointProblem, options: SolveOptions = {}) {
    const start = performance.now();
    validateJointProblem(problem);
    const cert = jointCertificate(problem, { timeLimitMs: options.timeLimitMs });
    return jointResult('joint-bound', problem, null, cert.bound, 'bound_only', start, { certificate: cert });
  },
};

const PRUNE_QUANT_OPTIONS = defineOptions({
  prune: { type: 'enum', values: ['obs', 'magnitude'], default: 'obs', help: "'obs' or 'magnitude'" },
  quant: { type: 'enum', values: ['gptq', 'rtn'], default: 'gptq', help: "'gptq' or 'rtn'" },
});

function pipeline(name: string, description: string, point: (p: JointProblem, o: SolveOptions) => Float64Array): JointSolver {
  return {
    name,
    problemClass: 'joint',
    role: 'heuristic',
    description,
    options: name === 'joint-prune-quant' ? PRUNE_QUANT_OPTIONS : defineOptions({}),
    capabilities: [],
    solve(problem: JointProblem, options: SolveOptions = {}) {
      const start = performance.now();
      validateJointProblem(problem);
      return jointResult(name, problem, point(problem, options), 0, 'feasible', start);
    },
  };
}

export const jointPruneQuantSolver = pipeline('joint-prune-quant', 'Joint heuristic: prune (OBS / magnitude), refit, then quantize the kept weights (GPTQ / RTN)', (p, o) =>
  {
    const ex = resolveExtras(PRUNE_QUANT_OPTIONS, o.extra, 'joint-prune-quant');
    return pruneThenQuantize(p, ex.prune === 'magnitude' ? 'magnitude' : 'obs', ex.quant === 'rtn' ? 'rtn' : 'gptq');
  },
);
export const jointQuantPruneSolver = pipeline('joint-quant-prune', 'Joint heuristic: RTN, then drop the smallest |z| per group until the sparsity fits', (p) => quantizeThenPrune(p));
