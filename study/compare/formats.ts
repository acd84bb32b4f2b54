/**
 * `pvq compare --formats 'int4,fp4,nf4,2:4+int8,unstructured+int8,2:4+fp4,unstructured@0.5+nf4/g32'` (issue 11,
 * item 5): rank any number formats on the same layer problems with proven intervals.
 *
 * Each format is a problem class (solvers/classes.ts) plus a rewrite of the layer problem (grid, scale, level set,
 * k, N:M pattern) and its bits per weight (src/formats/bits.ts, metadata included). Per channel, each format gets
 * an error interval from `solveMethod` (the two-method comparison's engine): the lower end only from proofs
 * (verified certificate or finished search), the upper end from the best feasible point. Per layer the errors are
 * summed, then turned into SQNR (as the paper's code aggregates), and the formats are ranked by the aggregate
 * upper-bound SQNR; a format is "proven better than the next" when its aggregate upper error lies below the next
 * one's proven lower error.
 *
 * Format names are parsed by the one format parser (src/formats/spec.ts, shared with `pvq analytic / tensors`); the
 * families are one table, `FORMAT_FAMILIES`: adding a format family (or a problem class's format) is one entry there
 * plus, when the class is new, one entry in `FORMAT_PLANS`.
 *
 * Scale rule (one per tensor, or per channel when the file's problems say `scaleGranularity: 'channel'`): INT-b at
 * the file's own bits keeps the file's scale; another INT-b uses the paper's 100-candidate MSE range search
 * (`paperRangeSearch`); a level set (FP4, NF4, FP8), alone or with sparsity (2:4+fp4, unstructured+nf4: class
 * 'joint-levels', pruned weights 0) uses the same line search over the level set (candidates
 * s_j = (j/100) max|w| / max|level|, j = 1..100, first minimiser of the rounding MSE to the nearest level).
 * With `/gG` (int4/g32, fp4/g64, 2:4+int8/g128) the same rule runs on each group of G consecutive inputs of the
 * problem (the last group may be shorter) and the problem gets per-input `scales` (solved in grid units, see
 * `gridScaledLayer`); its scale bits are 16 per group, i.e. 16 ceil(n/G) / n per weight.
 */
import { PvqInputError } from '../../src/core/errors.js';
import { sqnrDb } from '../../src/core/objective.js';
import type { Solver } from '../../src/core/solver.js';
import type { AnyProblemClass, LayerProblem, SolveResult } from '../../src/core/types.js';
import { bitsPerWeight, groupScaleBitsPerWeight, valueBitsOf, type BitsBreakdown } from '../../src/formats/bits.js';
import { nearestLevelIndex } from '../../src/formats/levels.js';
import { parseFormatSyntax, splitFormatList, UnknownFormatError, type FormatSyntax, type SparsityFormat, type ValueFormat } from '../../src/formats/spec.js';
import { paperRangeSearch } from '../../src/formats/range.js';
import { getProblemClass } from '../../solvers/classes.js';
import { BudgetSplitter, DEFAULT_PLANS, solveMethod, type LowerBoundProof, type MethodOutcome, type MethodPlan } from './compare.js';
import { fmtDb, fmtNum, renderTable } from '../report/table.js';

/** Solver plans per problem class for `compare --formats` (quantization / pruning: the two-method plans). */
export const FORMAT_PLANS: Partial<Record<AnyProblemClass, MethodPlan>> = {
  quantization: DEFAULT_PLANS.quantization,
  pruning: DEFAULT_PLANS.pruning,
  levels: { exact: ['levels-exact'], bounds: ['levels-sdp'], heuristics: ['levels-rtn', 'levels-gptq'], fallbackHeuristics: ['levels-rounding'] },
  structured: { exact: ['nm-exact'], bounds: ['nm-bound'], heuristics: ['nm-magnitude', 'nm-obs'], fallbackHeuristics: [] },
  joint: { exact: ['joint-exact'], bounds: ['joint-bound'], heuristics: ['joint-prune-quant', 'joint-quant-prune'], fallbackHeuristics: [] },
  'joint-levels': { exact: ['joint-levels-exact'], bounds: ['joint-levels-bound'], heuristics: ['joint-levels-prune-quant', 'joint-levels-quant-prune'], fallbackHeuristics: [] },
};

/** How the unstructured mask is charged: 1 bit per weight, or the entropy bound log2 C(n, k) / n. */
export type MaskRule = 'bitmap' | 'entropy';

/** Per-tensor context of a format: the weights sharing a scale and the file's own grid. */
export interface TensorContext {
  /** Every weight that shares one scale with this problem (the tensor, or the channel). */
  values: Float64Array;
  /** Number of weights per scale (for the scale's bits per weight). */
  weightsPerScale: number;
  /** The file's bits (meta.bits or the signed grid width), null if unknown. */
  fileBits: number | null;
}

/** A resolved format configuration on one problem. */
export interface FormatInstance {
  problem: LayerProblem;
  bits: BitsBreakdown;
}

/** A parsed format: its class and how it rewrites each problem. */
export interface FormatConfig {
  /** As given on the command line. */
  spec: string;
  /** Resolved label (a budget may fix free parameters, e.g. 'int' -> 'int5'). */
  label: string;
  family: string;
  problemClass: AnyProblemClass;
  /** The format's problem on one channel; null when the format cannot meet the bit budget there. */
  instance(p: LayerProblem, ctx: TensorContext): FormatInstance | null;
}

export interface FormatOptions {
  /** Bits-per-weight budget: free parameters (INT b, keep ratio) take the largest value that fits. */
  bitsPerWeight?: number;
  mask?: MaskRule;
}

/** Scale bits: one FP16 scale per tensor (or channel). */
const SCALE_BITS = 16;
/** Value bits of the kept weights of a sparse format without a grid (the paper's FP16). */
const SPARSE_VALUE_BITS = 16;

/** The paper's line search over a level set: the first s_j = (j/100) max|w| / max|level| minimising the rounding MSE. */
export function levelGridScale(values: ArrayLike<number>, levels: Float64Array, candidates = 100): number {
  let mx = 0;
  for (let i = 0; i < values.length; i++) mx = Math.max(mx, Math.abs(values[i]));
  const top = Math.max(Math.abs(levels[0]), Math.abs(levels[levels.length - 1]));
  if (!(mx > 0) || !(top > 0)) return 1;
  let best = Infinity;
  let bestS = mx / top;
  for (let j = 1; j <= candidates; j++) {
    const s = ((j / candidates) * mx) / top;
    let loss = 0;
    for (let i = 0; i < values.length; i++) {
      const d = values[i] - s * levels[nearestLevelIndex(levels, values[i] / s)];
      loss += d * d;
    }
    if (loss < best) {
      best = loss;
      bestS = s;
    }
  }
  return bestS;
}

/** Scale of the signed INT-B grid: the file's own scale at its own bits, else the paper's range search. */
function intScale(p: LayerProblem, ctx: TensorContext, B: number): number {
  if (!p.scales && ctx.fileBits === B && p.zmin === -(2 ** (B - 1)) && p.zmax === 2 ** (B - 1) - 1) return p.scale;
  return paperRangeSearch(ctx.values, B, { signed: true }).scale;
}

function intGridOf(B: number): { zmin: number; zmax: number } {
  return { zmin: -(2 ** (B - 1)), zmax: 2 ** (B - 1) - 1 };
}

/** A layer problem stripped of its own format fields, so that the format's rewrite is the whole story. */
function base(p: LayerProblem): LayerProblem {
  const { levels: _l, format: _f, nm: _nm, block: _b, scales: _s, ...rest } = p;
  return rest;
}


/** Largest k in 0..n whose bits fit the budget (bits non-decreasing in k is not assumed: the entropy mask is not). */
function largestK(n: number, budget: number, bitsOfK: (k: number) => number): number | null {
  for (let k = n; k >= 0; k--) if (bitsOfK(k) <= budget + 1e-12) return k;
  return null;
}

/** INT bits of a format: B from the name (2..16 here), or null when the budget picks it. */
function intBitsOf(f: FormatSyntax): number | null {
  const v = f.value!;
  if (v.kind !== 'int') return null;
  if (v.bits !== null && v.bits < 2) throw new PvqInputError('--formats', `'${f.text}': integer formats need 2..16 bits, got ${v.bits}`);
  return v.bits;
}

function needBudget(spec: string, what: string, opts: FormatOptions): number {
  if (opts.bitsPerWeight === undefined) throw new PvqInputError('--formats', `'${spec}' leaves ${what} free: give it (e.g. ${spec === 'int' ? 'int4' : `${spec}`}) or set --bits-per-weight`);
  return opts.bitsPerWeight;
}

/** Largest INT bits B in 2..16 with bitsOf(B) within the budget. */
function largestBits(budget: number, bitsOf: (B: number) => number): number | null {
  for (let B = 16; B >= 2; B--) if (bitsOf(B) <= budget + 1e-12) return B;
  return null;
}

/** Unstructured keep count: '@R' ratio, else the budget (or, without one, the file's bits as the budget). */
function keepOf(p: LayerProblem, ctx: TensorContext, ratio: number | null, opts: FormatOptions, valueBits: number, extra: number): number | null {
  const n = p.n;
  const mask = opts.mask ?? 'bitmap';
  if (ratio !== null) return Math.round(n * ratio);
  const budget = opts.bitsPerWeight ?? ctx.fileBits;
  if (budget === null) throw new PvqInputError('--formats', `unstructured formats without @ratio need --bits-per-weight (the problems give no bits)`);
  return largestK(n, budget, (k) => bitsPerWeight({ valueBits, density: k / n, mask: { kind: 'unstructured', n, k, rule: mask } }).total + extra);
}

/** Per-input scales of groups of g consecutive coordinates: `scaleOf` on each group (the last one may be shorter). */
function groupScales(w: Float64Array, g: number, scaleOf: (values: Float64Array) => number): Float64Array {
  const out = new Float64Array(w.length);
  for (let a = 0; a < w.length; a += g) {
    const b = Math.min(w.length, a + g);
    out.fill(scaleOf(w.subarray(a, b)), a, b);
  }
  return out;
}

/** The scale fields of a grid format: one scale per tensor / channel, or per group of g inputs (`/gG`). */
function intScaleFields(p: LayerProblem, ctx: TensorContext, B: number, g: number | null): { scale: number; scales?: Float64Array } {
  if (g === null) return { scale: intScale(p, ctx, B) };
  // the file's own group scales at its bits and group size (full rows: the file's groups are the problem's)
  if (p.scales && p.meta.scaleGroupSize === g && p.meta.kind !== 'chunk' && ctx.fileBits === B && p.zmin === -(2 ** (B - 1)) && p.zmax === 2 ** (B - 1) - 1) return { scale: 1, scales: p.scales };
  return { scale: 1, scales: groupScales(p.objective.w, g, (v) => paperRangeSearch(v, B, { signed: true }).scale) };
}

/** The scale fields of a level-set format: the line search over the levels per tensor / channel, or per group of g inputs (`/gG`). */
function levelScaleFields(p: LayerProblem, ctx: TensorContext, levels: Float64Array, g: number | null): { scale: number; scales?: Float64Array } {
  return g === null ? { scale: levelGridScale(ctx.values, levels) } : { scale: 1, scales: groupScales(p.objective.w, g, (x) => levelGridScale(x, levels)) };
}

/** Scale bits: FP16 per tensor (or channel), or per group of g inputs (`groupScaleBitsPerWeight`: ceil(n / g) scales on n weights). */
function scaleBitsOf(p: LayerProblem, ctx: TensorContext, g: number | null): { scaleBits: number; groupSize: number } {
  return { scaleBits: SCALE_BITS, groupSize: g === null ? ctx.weightsPerScale : SCALE_BITS / groupScaleBitsPerWeight(p.n, g, SCALE_BITS) };
}

const groupLabel = (g: number | null): string => (g === null ? '' : `/g${g}`);

interface FamilyEntry {
  readonly family: string;
  /** One line for the help text. */
  readonly help: string;
  /** Whether a parsed name (src/formats/spec.ts) belongs to this family. */
  matches(f: FormatSyntax): boolean;
  build(f: FormatSyntax, opts: FormatOptions): Omit<FormatConfig, 'spec' | 'family'>;
}

const isInt = (f: FormatSyntax): boolean => f.value?.kind === 'int' && f.value.signed;

/**
 * The format families of `compare --formats`: names are parsed by the one format parser (src/formats/spec.ts),
 * each family maps a parsed name to its problem class and rewrite. Classes come from solvers/classes.ts and solver
 * plans from `FORMAT_PLANS`; a format whose class or solvers are not registered is refused with a clear message.
 * A value format may carry `/gG` (one FP16 scale per group of G consecutive inputs of each problem).
 */
export const FORMAT_FAMILIES: readonly FamilyEntry[] = [
  {
    family: 'int',
    help: 'intB[/gG]: signed B-bit uniform grid (int: B chosen by --bits-per-weight; /gG: one scale per G inputs)',
    matches: (f) => f.sparsity === null && isInt(f),
    build(f, opts) {
      const fixed = intBitsOf(f);
      const g = f.groupSize;
      const bitsFor = (B: number, p: LayerProblem, ctx: TensorContext) => bitsPerWeight({ valueBits: B, ...scaleBitsOf(p, ctx, g) });
      const budget = fixed === null ? needBudget(f.text, 'the bits', opts) : null;
      return {
        label: (fixed === null ? 'int' : `int${fixed}`) + groupLabel(g),
        problemClass: 'quantization',
        instance(p, ctx) {
          const B = fixed ?? largestBits(budget!, (b) => bitsFor(b, p, ctx).total);
          if (B === null) return null;
          return { problem: { ...base(p), ...intScaleFields(p, ctx, B, g), ...intGridOf(B) }, bits: bitsFor(B, p, ctx) };
        },
      };
    },
  },
  {
    family: 'levels',
    help: 'fp4 (E2M1), nf4, fp8-e4m3, fp8-e5m2 [/gG]: level sets (docs/levels.md), scale by the line search over the levels',
    matches: (f) => f.sparsity === null && f.value?.kind === 'levels',
    build(f) {
      const v = f.value as Extract<ValueFormat, { kind: 'levels' }>;
      const levels = v.levels;
      const valueBits = valueBitsOf(v.name);
      const g = f.groupSize;
      return {
        label: v.name + groupLabel(g),
        problemClass: 'levels',
        instance(p, ctx) {
          return { problem: { ...base(p), ...levelScaleFields(p, ctx, levels, g), levels, format: v.name }, bits: bitsPerWeight({ valueBits, ...scaleBitsOf(p, ctx, g) }) };
        },
      };
    },
  },
  {
    family: 'prune',
    help: "prune: the paper's pruning (the file's k, FP16 values, metadata free: the paper's FP16-baseline rule)",
    matches: (f) => f.sparsity?.kind === 'prune' && f.value === null,
    build() {
      return { label: 'prune', problemClass: 'pruning', instance: (p) => ({ problem: base(p), bits: bitsPerWeight({ valueBits: SPARSE_VALUE_BITS, density: p.k / p.n }) }) };
    },
  },
  {
    family: 'unstructured',
    help: 'unstructured[@R]: keep ratio R (else the most weights the budget allows), FP16 values + mask',
    matches: (f) => f.sparsity?.kind === 'unstructured' && f.value === null,
    build(f, opts) {
      const ratio = (f.sparsity as Extract<SparsityFormat, { kind: 'unstructured' }>).ratio;
      const mask = opts.mask ?? 'bitmap';
      return {
        label: ratio !== null ? `unstructured@${ratio}` : 'unstructured',
        problemClass: 'pruning',
        instance(p, ctx) {
          const k = keepOf(p, ctx, ratio, opts, SPARSE_VALUE_BITS, 0);
          if (k === null) return null;
          return { problem: { ...base(p), k }, bits: bitsPerWeight({ valueBits: SPARSE_VALUE_BITS, density: k / p.n, mask: { kind: 'unstructured', n: p.n, k, rule: mask } }) };
        },
      };
    },
  },
  {
    family: 'unstructured+int',
    help: 'unstructured[@R]+intB[/gG]: at most k weights kept on the INT-B grid (joint class)',
    matches: (f) => f.sparsity?.kind === 'unstructured' && isInt(f),
    build(f, opts) {
      const ratio = (f.sparsity as Extract<SparsityFormat, { kind: 'unstructured' }>).ratio;
      const B = intBitsOf(f);
      if (B === null) throw new PvqInputError('--formats', `'${f.text}': give the grid bits (e.g. unstructured+int8)`);
      const mask = opts.mask ?? 'bitmap';
      const g = f.groupSize;
      return {
        label: `${ratio !== null ? `unstructured@${ratio}` : 'unstructured'}+int${B}${groupLabel(g)}`,
        problemClass: 'joint',
        instance(p, ctx) {
          const sc = bitsPerWeight({ valueBits: 0, ...scaleBitsOf(p, ctx, g) }).scale;
          const k = keepOf(p, ctx, ratio, opts, B, sc);
          if (k === null) return null;
          return {
            problem: { ...base(p), k, ...intScaleFields(p, ctx, B, g), ...intGridOf(B) },
            bits: bitsPerWeight({ valueBits: B, density: k / p.n, ...scaleBitsOf(p, ctx, g), mask: { kind: 'unstructured', n: p.n, k, rule: mask } }),
          };
        },
      };
    },
  },
  {
    family: 'N:M',
    help: 'N:M: at most N of every M consecutive weights, FP16 values + index bits log2 C(M, N) / M',
    matches: (f) => f.sparsity?.kind === 'nm' && f.value === null,
    build(f) {
      const { N, M } = f.sparsity as Extract<SparsityFormat, { kind: 'nm' }>;
      return {
        label: `${N}:${M}`,
        problemClass: 'structured',
        instance: (p) => ({ problem: { ...base(p), nm: [N, M] }, bits: bitsPerWeight({ valueBits: SPARSE_VALUE_BITS, density: N / M, mask: { kind: 'nm', N, M } }) }),
      };
    },
  },
  {
    family: 'N:M+int',
    help: 'N:M+intB[/gG]: N:M pattern on the INT-B grid (joint class; N:M+int: B by --bits-per-weight)',
    matches: (f) => f.sparsity?.kind === 'nm' && isInt(f),
    build(f, opts) {
      const { N, M } = f.sparsity as Extract<SparsityFormat, { kind: 'nm' }>;
      const fixed = intBitsOf(f);
      const g = f.groupSize;
      const budget = fixed === null ? needBudget(f.text, 'the bits', opts) : null;
      const bitsFor = (B: number, p: LayerProblem, ctx: TensorContext) => bitsPerWeight({ valueBits: B, density: N / M, ...scaleBitsOf(p, ctx, g), mask: { kind: 'nm', N, M } });
      return {
        label: (fixed === null ? `${N}:${M}+int` : `${N}:${M}+int${fixed}`) + groupLabel(g),
        problemClass: 'joint',
        instance(p, ctx) {
          const B = fixed ?? largestBits(budget!, (b) => bitsFor(b, p, ctx).total);
          if (B === null) return null;
          return { problem: { ...base(p), nm: [N, M], ...intScaleFields(p, ctx, B, g), ...intGridOf(B) }, bits: bitsFor(B, p, ctx) };
        },
      };
    },
  },
  {
    family: 'sparse+levels',
    help: 'unstructured[@R]+fp4 / N:M+nf4 / ...[/gG]: at most k weights (or an N:M pattern) on a level set, pruned weights 0 (joint-levels class)',
    matches: (f) => (f.sparsity?.kind === 'unstructured' || f.sparsity?.kind === 'nm') && f.value?.kind === 'levels',
    build(f, opts) {
      const sp = f.sparsity as Extract<SparsityFormat, { kind: 'unstructured' | 'nm' }>;
      const v = f.value as Extract<ValueFormat, { kind: 'levels' }>;
      const levels = v.levels;
      const valueBits = valueBitsOf(v.name);
      const mask = opts.mask ?? 'bitmap';
      const g = f.groupSize;
      const sparseLabel = sp.kind === 'nm' ? `${sp.N}:${sp.M}` : sp.ratio !== null ? `unstructured@${sp.ratio}` : 'unstructured';
      return {
        label: `${sparseLabel}+${v.name}${groupLabel(g)}`,
        problemClass: 'joint-levels',
        instance(p, ctx) {
          const fields = { ...levelScaleFields(p, ctx, levels, g), levels, format: v.name };
          if (sp.kind === 'nm') {
            return { problem: { ...base(p), nm: [sp.N, sp.M], ...fields }, bits: bitsPerWeight({ valueBits, density: sp.N / sp.M, ...scaleBitsOf(p, ctx, g), mask: { kind: 'nm', N: sp.N, M: sp.M } }) };
          }
          const sc = bitsPerWeight({ valueBits: 0, ...scaleBitsOf(p, ctx, g) }).scale;
          const k = keepOf(p, ctx, sp.ratio, opts, valueBits, sc);
          if (k === null) return null;
          return {
            problem: { ...base(p), k, ...fields },
            bits: bitsPerWeight({ valueBits, density: k / p.n, ...scaleBitsOf(p, ctx, g), mask: { kind: 'unstructured', n: p.n, k, rule: mask } }),
          };
        },
      };
    },
  },
];

/** Parse a comma-separated format list; every error names the offending format (exit 2). */
export function parseFormats(list: string, opts: FormatOptions = {}, resolve?: (name: string) => Solver | undefined): FormatConfig[] {
  const specs = splitFormatList(list, '--formats', {
    empty: 'expected a comma-separated list of formats, e.g. int4,fp4,nf4,2:4+int8',
    twice: (spec) => `format '${spec}' is listed twice`,
  });
  const known = (): string => FORMAT_FAMILIES.map((f) => f.help.split(':')[0]).join(', ');
  return specs.map((spec) => {
    let f: FormatSyntax;
    try {
      f = parseFormatSyntax(spec, '--formats');
    } catch (e) {
      if (e instanceof UnknownFormatError) throw new PvqInputError('--formats', `unknown format '${spec}' (known: ${known()})`);
      throw e;
    }
    const fam = FORMAT_FAMILIES.find((x) => x.matches(f));
    if (!fam) throw new PvqInputError('--formats', `unknown format '${spec}' (known: ${known()})`);
    const cfg: FormatConfig = { spec, family: fam.family, ...fam.build(f, opts) };
    if (resolve) requireSolvers(cfg, resolve);
    return cfg;
  });
}

/** Refuse a format whose class or solvers are not registered in this build (exit 2, naming the missing solver). */
function requireSolvers(cfg: FormatConfig, resolve: (name: string) => Solver | undefined): void {
  const cls = cfg.problemClass;
  const plan = FORMAT_PLANS[cls];
  if (!getProblemClass(cls) || !plan) throw new PvqInputError('--formats', `format '${cfg.spec}' needs the problem class '${cls}', not available in this build`);
  const has = (n: string): boolean => resolve(n)?.problemClass === cls;
  const bound = [...plan.exact, ...plan.bounds].find(has);
  const point = [...plan.heuristics, ...plan.exact].find(has);
  if (!bound) throw new PvqInputError('--formats', `format '${cfg.spec}' needs solver '${plan.exact[0] ?? plan.bounds[0]}' (class ${cls}), not available in this build`);
  if (!point) throw new PvqInputError('--formats', `format '${cfg.spec}' needs solver '${plan.heuristics[0]}' (class ${cls}), not available in this build`);
}

// ---- the ranking ----

export interface FormatChannel {
  problem: string;
  n: number;
  r: number;
  /** Per format label: null when the format cannot meet the budget on this channel. */
  outcomes: Record<string, FormatChannelOutcome | null>;
}

export interface FormatChannelOutcome extends Pick<MethodOutcome, 'lowerBound' | 'upperBound' | 'lowerBy' | 'upperBy' | 'lowerProof' | 'exact' | 'sqnrDb'> {
  status: string;
  bits: BitsBreakdown;
  /** The format's parameters on this channel (k, grid, scale, N:M; per-input `scales` with /gG). */
  params: Record<string, unknown>;
  /** Every solver result on the format's problem (solutions and certificates: `pvq verify` re-checks them). */
  results: SolveResult[];
}

export interface FormatRank {
  rank: number;
  format: string;
  problemClass: AnyProblemClass;
  /** Bits per weight averaged over the group's weights (value + scale + mask). */
  bitsPerWeight: number;
  bits: BitsBreakdown;
  error: [number, number];
  sqnrDb: [number, number];
  /** Channels whose optimum is proven. */
  exactChannels: number;
  channels: number;
  /** The aggregate upper error lies below the next format's proven lower error. */
  provenBetterThanNext: boolean;
  /** Every format whose proven aggregate lower error lies above this format's upper error. */
  provenBetterThan: string[];
}

export interface FormatAggregate {
  group: string;
  kind: string;
  count: number;
  r: number;
  ranking: FormatRank[];
  /** Formats that do not meet the bit budget on some channel of the group (not ranked). */
  overBudget: string[];
}

export interface FormatCompareResult {
  formats: { spec: string; label: string; family: string; problemClass: AnyProblemClass }[];
  channels: FormatChannel[];
  aggregates: FormatAggregate[];
  settings: { timeLimitMs: number; pruneBox: boolean; bitsPerWeight?: number; mask: MaskRule; budgetMs?: number };
  timeMs: number;
}

export interface FormatCompareOptions extends FormatOptions {
  timeLimitMs?: number;
  budgetMs?: number;
  pruneBox?: boolean;
  seed?: number;
  resolve: (name: string) => Solver | undefined;
  onProgress?: (done: number, total: number, problem: string) => void;
  now?: () => number;
}

function groupKey(p: LayerProblem, setName: string): { key: string; layer: string; kind: string } {
  const layer = typeof p.meta.layer === 'string' ? p.meta.layer : setName;
  const kind = typeof p.meta.kind === 'string' ? p.meta.kind : 'standalone';
  return { key: `${layer}\u0000${kind}`, layer, kind };
}

function fileBitsOf(p: LayerProblem): number | null {
  const b = p.meta.bits;
  if (typeof b === 'number' && Number.isInteger(b)) return b;
  const width = p.zmax - p.zmin + 1;
  const lg = Math.log2(width);
  return Number.isInteger(lg) && p.zmin === -(width / 2) ? lg : null;
}

/** Per-problem scale contexts: a tensor is a (layer, kind) group, or each channel when the file scales per channel. */
export function contexts(problems: LayerProblem[], setName: string): TensorContext[] {
  const byGroup = new Map<string, number[]>();
  problems.forEach((p, i) => {
    const k = groupKey(p, setName).key;
    const g = byGroup.get(k);
    if (g) g.push(i);
    else byGroup.set(k, [i]);
  });
  const out: TensorContext[] = new Array(problems.length);
  for (const idx of byGroup.values()) {
    const all = Float64Array.from(idx.flatMap((i) => Array.from(problems[i].objective.w)));
    for (const i of idx) {
      const p = problems[i];
      const perChannel = p.meta.scaleGranularity === 'channel';
      out[i] = { values: perChannel ? p.objective.w : all, weightsPerScale: perChannel ? p.n : all.length, fileBits: fileBitsOf(p) };
    }
  }
  return out;
}

export function paramsOf(p: LayerProblem, cls: AnyProblemClass): Record<string, unknown> {
  const own = paramsOfClass(p, cls);
  return p.scales ? { ...own, scales: Array.from(p.scales) } : own;
}

function paramsOfClass(p: LayerProblem, cls: AnyProblemClass): Record<string, unknown> {
  switch (cls) {
    case 'quantization':
      return { scale: p.scale, zmin: p.zmin, zmax: p.zmax };
    case 'levels':
      return { scale: p.scale, format: p.format ?? null };
    case 'pruning':
      return { k: p.k };
    case 'structured':
      return { nm: p.nm ?? null };
    case 'joint-levels':
      return { scale: p.scale, format: p.format ?? null, ...(p.nm ? { nm: p.nm } : { k: p.k }) };
    default:
      return { scale: p.scale, zmin: p.zmin, zmax: p.zmax, ...(p.nm ? { nm: p.nm } : { k: p.k }) };
  }
}

/** Solve every format on every problem and rank them per layer (see the file header). */
export async function compareFormats(problems: LayerProblem[], setName: string, formats: FormatConfig[], opts: FormatCompareOptions): Promise<FormatCompareResult> {
  const t0 = performance.now();
  const useBox = opts.pruneBox ?? true;
  const timeLimitMs = opts.timeLimitMs ?? 5000;
  const ctxs = contexts(problems, setName);
  // per channel and format: the exact search and the bound phase
  const budget = new BudgetSplitter(timeLimitMs, opts.budgetMs, opts.now ?? (() => performance.now()), 2 * formats.length * problems.length);
  const channels: FormatChannel[] = [];
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i];
    const outcomes: Record<string, FormatChannelOutcome | null> = {};
    for (const f of formats) {
      const inst = f.instance(p, ctxs[i]);
      // a fixed configuration (fp4, int8, 2:4+int8) above the budget is not ranked
      if (inst === null || (opts.bitsPerWeight !== undefined && inst.bits.total > opts.bitsPerWeight + 1e-12)) {
        budget.take(2);
        outcomes[f.label] = null;
        continue;
      }
      const plan = FORMAT_PLANS[f.problemClass]!;
      const m = await solveMethod(inst.problem, f.problemClass, plan, { resolve: opts.resolve, seed: opts.seed, baselines: true }, useBox, budget);
      outcomes[f.label] = {
        lowerBound: m.lowerBound,
        upperBound: m.upperBound,
        lowerBy: m.lowerBy,
        upperBy: m.upperBy,
        lowerProof: m.lowerProof,
        exact: m.exact,
        status: m.status,
        sqnrDb: m.sqnrDb,
        bits: inst.bits,
        params: paramsOf(inst.problem, f.problemClass),
        results: m.results,
      };
    }
    channels.push({ problem: p.name, n: p.n, r: p.objective.r, outcomes });
    opts.onProgress?.(i + 1, problems.length, p.name);
  }
  return {
    formats: formats.map((f) => ({ spec: f.spec, label: f.label, family: f.family, problemClass: f.problemClass })),
    channels,
    aggregates: rankFormats(problems, channels, formats, setName),
    settings: { timeLimitMs, pruneBox: useBox, mask: opts.mask ?? 'bitmap', ...(opts.bitsPerWeight !== undefined ? { bitsPerWeight: opts.bitsPerWeight } : {}), ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}) },
    timeMs: performance.now() - t0,
  };
}

/** Aggregate per (layer, kind): errors summed, SQNR from the sums; ranked by the upper-bound SQNR (smaller upper error first). */
export function rankFormats(problems: LayerProblem[], channels: FormatChannel[], formats: FormatConfig[], setName: string): FormatAggregate[] {
  const groups = new Map<string, { layer: string; kind: string; idx: number[] }>();
  problems.forEach((p, i) => {
    const g = groupKey(p, setName);
    const e = groups.get(g.key);
    if (e) e.idx.push(i);
    else groups.set(g.key, { layer: g.layer, kind: g.kind, idx: [i] });
  });
  const out: FormatAggregate[] = [];
  for (const { layer, kind, idx } of groups.values()) {
    let r = 0;
    let weights = 0;
    for (const i of idx) {
      r += channels[i].r;
      weights += channels[i].n;
    }
    const rows: Omit<FormatRank, 'rank' | 'provenBetterThanNext' | 'provenBetterThan'>[] = [];
    const overBudget: string[] = [];
    for (const f of formats) {
      const outs = idx.map((i) => channels[i].outcomes[f.label]);
      if (outs.some((o) => o === null || o === undefined)) {
        overBudget.push(f.label);
        continue;
      }
      const os = outs as FormatChannelOutcome[];
      const error: [number, number] = [0, 0];
      const bits: BitsBreakdown = { value: 0, scale: 0, mask: 0, total: 0 };
      for (let j = 0; j < os.length; j++) {
        error[0] += os[j].lowerBound;
        error[1] += os[j].upperBound;
        const wgt = channels[idx[j]].n / weights;
        bits.value += os[j].bits.value * wgt;
        bits.scale += os[j].bits.scale * wgt;
        bits.mask += os[j].bits.mask * wgt;
        bits.total += os[j].bits.total * wgt;
      }
      rows.push({
        format: f.label,
        problemClass: f.problemClass,
        bitsPerWeight: bits.total,
        bits,
        error,
        sqnrDb: [sqnrDb(r, error[1]), sqnrDb(r, error[0])],
        exactChannels: os.filter((o) => o.exact).length,
        channels: os.length,
      });
    }
    rows.sort((a, b) => a.error[1] - b.error[1] || a.error[0] - b.error[0]);
    const ranking: FormatRank[] = rows.map((row, j) => ({
      ...row,
      rank: j + 1,
      provenBetterThanNext: j + 1 < rows.length && row.error[1] < rows[j + 1].error[0],
      provenBetterThan: rows.filter((o) => row.error[1] < o.error[0]).map((o) => o.format),
    }));
    out.push({ group: layer, kind, count: idx.length, r, ranking, overBudget });
  }
  return out;
}

/** The ranked table of each group. */
export function renderFormatComparison(res: FormatCompareResult, title: string): string {
  const parts: string[] = [title, ''];
  for (const a of res.aggregates) {
    parts.push(`${a.group} (${a.kind}, ${a.count} ${a.count === 1 ? 'row' : 'rows'})`);
    const header = ['rank. format', 'class', 'bits/weight', 'SQNR dB', 'error [lower, upper]', 'exact', 'vs next', 'proven better than'];
    const rows = a.ranking.map((x) => [
      `${x.rank}. ${x.format}`,
      x.problemClass,
      x.bitsPerWeight.toFixed(3),
      x.exactChannels === x.channels ? `${fmtDb(x.sqnrDb[0])} =` : `[${fmtDb(x.sqnrDb[0])}, ${fmtDb(x.sqnrDb[1])}]`,
      `[${fmtNum(x.error[0])}, ${fmtNum(x.error[1])}]`,
      `${x.exactChannels}/${x.channels}`,
      x.rank === a.ranking.length ? '' : x.provenBetterThanNext ? '> proven' : '? overlap',
      x.provenBetterThan.map((f) => `${a.ranking.find((o) => o.format === f)!.rank}`).join(',') || '-',
    ]);
    parts.push(renderTable(header, rows));
    if (a.overBudget.length > 0) parts.push(`over the bit budget (not ranked): ${a.overBudget.join(', ')}`);
    parts.push('');
  }
  parts.push(
    'Errors summed over the rows, SQNR = 10 log10(sum r / sum error): [from the best feasible error, from the proven lower bound]; "=" marks proven optima on every row.',
    '"> proven": the upper error lies below the next format\'s proven lower error ("proven better than": every such rank). bits/weight: value + scale (FP16 per tensor, or per group of G with /gG) + sparsity metadata' +
      ` (mask: ${res.settings.mask}${res.settings.bitsPerWeight !== undefined ? `; budget ${res.settings.bitsPerWeight} bits/weight` : ''}).`,
    `Time limit per format, row and phase: ${(res.settings.timeLimitMs / 1000).toFixed(1)} s; prune box: ${res.settings.pruneBox ? 'on' : 'off'}; total ${(res.timeMs / 1000).toFixed(2)} s.`,
  );
  return parts.join('\n');
}
