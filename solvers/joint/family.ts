/**
 * The joint sparse + quantized family over any value set: one `JointKind` per problem class says how its values,
 * quantizers and quantization bound look ('joint': the integer grid zmin..zmax, `joint.ts`; 'joint-levels': a
 * level set with 0, `levels.ts`); the pipelines, the exact search (`search.ts`), the max-of-two-relaxations
 * certificate and the four solvers are written once here.
 */
import { defineOptions, resolveExtras } from '../../src/core/options.js';
import { Deadline } from '../../src/core/result.js';
import { patternGroups } from '../../src/core/objective.js';
import type { AnyProblemClass, Certificate, JointSparsity, PruningProblem, QuadObjective, SolveOptions, SolveResult, StructuredPruningProblem } from '../../src/core/types.js';
import { obsSupport } from '../pruning/heuristics.js';
import { gramTimesW, magnitudeSupport, refitFree } from '../pruning/common.js';
import { rootPerspectiveBound, verifyPerspectiveCertificate } from '../pruning/perspective.js';
import { magnitudeStructuredSupport, obsStructuredSupport } from '../structured/heuristics.js';
import { nmCertificate, verifyNmCertificate } from '../structured/bound.js';
import { pointResult, treeSearchSolver, type TreeLimits } from '../structured/common.js';
import { coreErrorOf, searchJoint, type JointCore, type JointSearchOptions, type JointTreeReport } from './search.js';

/** What every joint problem has (the value set comes from its kind). */
export interface JointLike {
  readonly name: string;
  readonly objective: QuadObjective;
  readonly scale: number;
  readonly sparsity: JointSparsity;
}

export interface PartCheck {
  valid: boolean;
  bound: number;
  reason?: string;
}

/** How one joint class quantizes: its values, roundings and certified quantization bound. */
export interface JointKind<P extends JointLike> {
  readonly problemClass: AnyProblemClass;
  /** Solver names are `${prefix}-exact`, `${prefix}-bound`, `${prefix}-prune-quant`, `${prefix}-quant-prune`. */
  readonly prefix: string;
  /** The certificate type of `${prefix}-bound` (max of the quantization and the pruning part). */
  readonly certType: string;
  /** One phrase naming the grid in descriptions ('grid values', 'levels'). */
  readonly grid: string;
  validate(p: P): void;
  /** The allowed values of a coordinate (sorted, containing 0), in units of `scale`. */
  values(p: P): Float64Array;
  isFeasible(p: P, z: ArrayLike<number>): boolean;
  /** Round one weight (not divided by the scale) to an allowed value. */
  nearest(p: P, x: number): number;
  /** GPTQ on a sub-objective (same scale and values). */
  gptq(p: P, sub: QuadObjective): Float64Array;
  /** A certificate of the quantization relaxation (same values, no sparsity), or null. */
  quantCertificate(p: P, timeLimitMs?: number): Certificate | null;
  verifyQuant(p: P, cert: Certificate): PartCheck;
}

export const coreOf = <P extends JointLike>(kind: JointKind<P>, p: P): JointCore => ({ objective: p.objective, scale: p.scale, values: kind.values(p), sparsity: p.sparsity });

/** The pruning relaxation (same sparsity, no box): unstructured with k, or the N:M structured problem. */
export const prunePart = (p: JointLike): PruningProblem | StructuredPruningProblem =>
  p.sparsity.kind === 'k'
    ? { name: p.name, objective: p.objective, k: Math.min(p.sparsity.k, p.objective.n), box: null }
    : { name: p.name, objective: p.objective, pattern: { kind: 'nm', n: p.sparsity.n, m: p.sparsity.m }, box: null };

/** Support chosen by pruning first (OBS or magnitude), original indices. */
function pruneSupport(p: JointLike, how: 'obs' | 'magnitude'): number[] {
  const { n, G, w } = p.objective;
  const pp = prunePart(p);
  if ('pattern' in pp) return how === 'obs' ? obsStructuredSupport(pp) : magnitudeStructuredSupport(pp);
  return how === 'obs' ? obsSupport(G, n, w, pp.k) : magnitudeSupport(w, pp.k);
}

/** Prune then quantize: refit on the support, then quantize the refitted weights (GPTQ on G_SS, or RTN). */
export function pruneThenQuantizeWith<P extends JointLike>(kind: JointKind<P>, p: P, prune: 'obs' | 'magnitude' = 'obs', quant: 'gptq' | 'rtn' = 'gptq'): Float64Array {
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
    zs = kind.gptq(p, { n: m, G: Gs, w: ws, r: Math.max(0, r) });
  } else zs = ws.map((x) => kind.nearest(p, x));
  for (let a = 0; a < m; a++) z[S[a]] = zs[a];
  return z;
}

/** Quantize then prune: RTN, then in each group drop the smallest |z| (ties: smaller |w|) beyond its cap. */
export function quantizeThenPruneWith<P extends JointLike>(kind: JointKind<P>, p: P): Float64Array {
  const { n, w } = p.objective;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = kind.nearest(p, w[i]) + 0;
  for (const g of patternGroups(p.sparsity, n)) {
    const nz: number[] = [];
    for (let i = g.start; i < g.end; i++) if (z[i] !== 0) nz.push(i);
    nz.sort((a, b) => Math.abs(z[a]) - Math.abs(z[b]) || Math.abs(w[a]) - Math.abs(w[b]) || a - b);
    for (let t = 0; t < nz.length - g.cap; t++) z[nz[t]] = 0;
  }
  return z;
}

/** The exact search from the pipelines' points (quantize→prune, OBS→GPTQ, magnitude→RTN, OBS→RTN, the caller's). */
export function exactSearchWith<P extends JointLike>(kind: JointKind<P>, p: P, opts: JointSearchOptions & { incumbent?: Float64Array } = {}): JointTreeReport {
  const deadline = opts.deadline ?? new Deadline(opts.timeLimitMs);
  const cands = [quantizeThenPruneWith(kind, p), pruneThenQuantizeWith(kind, p, 'obs', 'gptq'), pruneThenQuantizeWith(kind, p, 'magnitude', 'rtn'), pruneThenQuantizeWith(kind, p, 'obs', 'rtn')];
  if (opts.incumbent && kind.isFeasible(p, opts.incumbent)) cands.push(Float64Array.from(opts.incumbent));
  return searchJoint(coreOf(kind, p), cands, { ...opts, deadline });
}

/** A max-of-two-relaxations certificate: `{type, quantization, pruning, bound}`. */
export interface JointMaxCertificate extends Certificate {
  readonly quantization: Certificate | null;
  readonly pruning: Certificate | null;
  readonly bound: number;
}

function verifyPrunePart(p: JointLike, cert: Certificate): PartCheck {
  const pp = prunePart(p);
  if ('pattern' in pp) return verifyNmCertificate(pp, cert);
  const { ok, bound, reason } = verifyPerspectiveCertificate(pp, cert);
  return { valid: ok, bound, reason };
}

/** Re-check a max certificate: each part with its own family's verifier on the derived problem. */
export function verifyMaxCertificate<P extends JointLike>(kind: JointKind<P>, p: P, cert: Certificate): PartCheck {
  const bad = (reason: string) => ({ valid: false, bound: 0, reason });
  if (cert.type !== kind.certType) return bad(`not a ${kind.certType} certificate`);
  try {
    kind.validate(p);
  } catch (e) {
    return bad((e as Error).message);
  }
  let proven = 0;
  const q = cert.quantization as Certificate | null;
  if (q) {
    const r = kind.verifyQuant(p, q);
    if (!r.valid) return bad(`quantization part rejected: ${r.reason ?? ''}`);
    proven = Math.max(proven, r.bound);
  }
  const pc = cert.pruning as Certificate | null;
  if (pc) {
    const r = verifyPrunePart(p, pc);
    if (!r.valid) return bad(`pruning part rejected: ${r.reason ?? ''}`);
    proven = Math.max(proven, r.bound);
  }
  if (!(typeof cert.bound === 'number' && cert.bound >= 0)) return bad('bound is not a nonnegative number');
  if (cert.bound > proven) return bad(`claimed bound ${cert.bound} exceeds what the parts prove (${proven})`);
  return { valid: true, bound: cert.bound };
}

/** The certified bound max(quantization, pruning) with its certificate (parts re-checked before use). */
export function maxCertificateWith<P extends JointLike>(kind: JointKind<P>, p: P, opts: { timeLimitMs?: number } = {}): JointMaxCertificate {
  const qc = kind.quantCertificate(p, opts.timeLimitMs);
  const pp = prunePart(p);
  const pc: Certificate | null = 'pattern' in pp ? nmCertificate(pp) : (rootPerspectiveBound(pp, { iterations: 100 }).certificate ?? null);
  // take only what the verifiers accept
  let bound = 0;
  if (qc) {
    const r = kind.verifyQuant(p, qc);
    if (r.valid) bound = Math.max(bound, r.bound);
  }
  if (pc) {
    const r = verifyPrunePart(p, pc);
    if (r.valid) bound = Math.max(bound, r.bound);
  }
  return { type: kind.certType, quantization: qc, pruning: pc, bound };
}

type ResultExtra = { nodes?: number; stats?: Record<string, number>; certificate?: Certificate; message?: string };

/** The family's result: solution z (values of the kind), upperBound recomputed from it. */
export function jointResultWith<P extends JointLike>(kind: JointKind<P>, solver: string, p: P, z: Float64Array | null, lowerBound: number, status: SolveResult['status'], start: number, extra: ResultExtra = {}): SolveResult {
  const core = coreOf(kind, p);
  return pointResult({
    solver,
    problem: p,
    problemClass: kind.problemClass,
    point: z,
    isFeasible: (x) => kind.isFeasible(p, x),
    errorOf: (x) => coreErrorOf(core, x),
    lowerBound,
    status,
    start,
    nodes: extra.nodes,
    extraStats: extra.stats,
    certificate: extra.certificate,
    message: extra.message,
  });
}

export const PRUNE_QUANT_OPTIONS = defineOptions({
  prune: { type: 'enum', values: ['obs', 'magnitude'], default: 'obs', help: "'obs' or 'magnitude'" },
  quant: { type: 'enum', values: ['gptq', 'rtn'], default: 'gptq', help: "'gptq' or 'rtn'" },
});

/** The four solvers of a kind: exact search, certified bound, and the two pipelines. S: the class's solver type. */
export function jointSolversOf<P extends JointLike, S>(kind: JointKind<P>): { exact: S; bound: S; pruneQuant: S; quantPrune: S } {
  const { prefix, problemClass } = kind;
  const exact = treeSearchSolver<P, S>({
    name: `${prefix}-exact`,
    problemClass,
    description: `Joint sparse + quantized, exact: Schnorr-Euchner over the ${kind.grid} with nonzero counts per group; stopped: the certified ${prefix}-bound`,
    validate: (p) => kind.validate(p),
    run: (p: P, limits: TreeLimits, start: number) => {
      const rep = exactSearchWith(kind, p, limits);
      const res = (lb: number, extra: ResultExtra = {}) => jointResultWith(kind, `${prefix}-exact`, p, rep.z, lb, rep.status, start, { nodes: rep.nodes, stats: { heuristicError: rep.heuristicError }, ...extra });
      if (rep.status === 'optimal' || rep.status === 'numerical_failure') return res(rep.lowerBound);
      const cert = maxCertificateWith(kind, p);
      return res(cert.bound, { certificate: cert, message: `stopped (${rep.status}); lower bound = the certified ${kind.certType} bound` });
    },
  });
  const bound = {
    name: `${prefix}-bound`,
    problemClass,
    role: 'bound',
    description: `Joint sparse + quantized certified bound: max(quantization SDP bound over the ${kind.grid}, pruning perspective / nm-groups bound), certificate ${kind.certType}`,
    capabilities: ['timeLimit'],
    solve(problem: P, options: SolveOptions = {}) {
      const start = performance.now();
      kind.validate(problem);
      const cert = maxCertificateWith(kind, problem, { timeLimitMs: options.timeLimitMs });
      return jointResultWith(kind, `${prefix}-bound`, problem, null, cert.bound, 'bound_only', start, { certificate: cert });
    },
  } as S;
  const pipeline = (name: string, description: string, options: typeof PRUNE_QUANT_OPTIONS | ReturnType<typeof defineOptions>, point: (p: P, o: SolveOptions) => Float64Array): S =>
    ({
      name,
      problemClass,
      role: 'heuristic',
      description,
      options,
      capabilities: [],
      solve(problem: P, o: SolveOptions = {}) {
        const start = performance.now();
        kind.validate(problem);
        return jointResultWith(kind, name, problem, point(problem, o), 0, 'feasible', start);
      },
    }) as S;
  const pruneQuant = pipeline(`${prefix}-prune-quant`, `Joint heuristic: prune (OBS / magnitude), refit, then quantize the kept weights onto the ${kind.grid} (GPTQ / RTN)`, PRUNE_QUANT_OPTIONS, (p, o) => {
    const ex = resolveExtras(PRUNE_QUANT_OPTIONS, o.extra, `${prefix}-prune-quant`);
    return pruneThenQuantizeWith(kind, p, ex.prune === 'magnitude' ? 'magnitude' : 'obs', ex.quant === 'rtn' ? 'rtn' : 'gptq');
  });
  const quantPrune = pipeline(`${prefix}-quant-prune`, `Joint heuristic: RTN onto the ${kind.grid}, then drop the smallest |z| per group until the sparsity fits`, defineOptions({}), (p) => quantizeThenPruneWith(kind, p));
  return { exact, bound, pruneQuant, quantPrune };
}
