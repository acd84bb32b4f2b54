/**
 * Custom densities: an expression in x (mathjs, imported only when used), normalised numerically on its
 * support, or a sample (the empirical distribution). pdf values must be finite and >= 0.
 */
import { readFileSync } from 'node:fs';
import { PvqInputError } from '../core/errors.js';
import { ContinuousDistribution } from './distribution.js';
import { Empirical } from './empirical.js';
import { brentRoot } from './errors.js';
import { integrate, integrateToInfinity } from './quadrature.js';

export class ExpressionDistribution extends ContinuousDistribution {
  readonly name = 'custom';
  readonly params: Record<string, number | string>;
  readonly symmetric: boolean;
  override readonly kinks: readonly number[];
  private readonly Z: number;
  private sd = 1;
  constructor(
    readonly expr: string,
    private readonly f: (x: number) => number,
    readonly lo: number,
    readonly hi: number,
  ) {
    super();
    this.params = { pdf: expr, lo, hi };
    this.kinks = lo < 0 && hi > 0 ? [0] : [];
    this.symmetric = lo === -hi && [0.1, 0.37, 1, 2.3, 5].every((x) => {
      const a = this.raw(x * Math.min(1, hi));
      const b = this.raw(-x * Math.min(1, hi));
      return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), 1e-300);
    });
    checkTails(expr, f, lo, hi);
    this.Z = this.rawIntegral(this.lo, this.hi);
    if (!(this.Z > 0 && Number.isFinite(this.Z))) throw new PvqInputError('pdf', `the density ${JSON.stringify(expr)} integrates to ${this.Z} on [${lo}, ${hi}]; it must have a finite positive integral`);
    this.sd = Math.sqrt(this.secondMoment()) || 1;
  }
  private raw(x: number): number {
    const v = this.f(x);
    if (!Number.isFinite(v) || v < 0) throw new PvqInputError('pdf', `the density ${JSON.stringify(this.expr)} is ${v} at x = ${x}; it must be finite and >= 0`);
    return v;
  }
  private rawIntegral(a: number, b: number): number {
    const g = (x: number): number => this.raw(x);
    const pieces: number[] = [a, ...this.kinks.filter((k) => k > a && k < b), b];
    let s = 0;
    for (let i = 0; i + 1 < pieces.length; i++) {
      const u = pieces[i];
      const v = pieces[i + 1];
      if (Number.isFinite(u) && Number.isFinite(v)) s += integrate(g, u, v);
      else if (Number.isFinite(u)) s += integrateToInfinity(g, u);
      else if (Number.isFinite(v)) s += integrateToInfinity((x) => g(-x), -v);
      else s += integrateToInfinity(g, 0) + integrateToInfinity((x) => g(-x), 0);
    }
    return s;
  }
  scaleHint(): number {
    return this.sd;
  }
  pdf(x: number): number {
    return x < this.lo || x > this.hi ? 0 : this.raw(x) / this.Z;
  }
  cdf(x: number): number {
    if (x <= this.lo) return 0;
    if (x >= this.hi) return 1;
    return Math.min(1, this.rawIntegral(this.lo, x) / this.Z);
  }
  sf(x: number): number {
    if (x <= this.lo) return 1;
    if (x >= this.hi) return 0;
    return Math.min(1, this.rawIntegral(x, this.hi) / this.Z);
  }
  private invert(g: (x: number) => number, target: number, a0: number, b0: number): number {
    let a = Number.isFinite(a0) ? a0 : -1;
    let b = Number.isFinite(b0) ? b0 : 1;
    while (!Number.isFinite(a0) && g(a) > target) a *= 2;
    while (!Number.isFinite(b0) && g(b) < target) b *= 2;
    return brentRoot((x) => g(x) - target, a, b);
  }
  quantile(p: number): number {
    return this.invert((x) => this.cdf(x), p, this.lo, this.hi);
  }
  absCdf(t: number): number {
    if (t <= 0) return 0;
    return Math.min(1, this.rawIntegral(Math.max(-t, this.lo), Math.min(t, this.hi)) / this.Z);
  }
  absQuantile(c: number): number {
    const m = Math.max(Math.abs(this.lo), Math.abs(this.hi));
    return this.invert((t) => this.absCdf(t), c, 0, m);
  }
}

/** Dyadic points 2^k, k = 0..TAIL_K (up to about 1.6e60), at which an infinite tail is examined. */
const TAIL_K = 200;
/** A tail counts as decayed when x^(m+1) pdf(x) has fallen by e^-TAIL_DROP from its peak at the last point. */
const TAIL_DROP = 20;

/**
 * Refuse, quickly and before any quadrature, a density on an infinite support that is not normalisable or whose
 * variance is infinite (then the quantization and pruning errors are undefined, and the adaptive quadrature would
 * run without end). On each infinite side, x^(m+1) pdf(x) is evaluated at x = 2^k (k = 0..200, from the finite end
 * if it is larger) in the log domain: the integral of |x|^m pdf converges when this product decays, so it must have
 * fallen by e^-20 from its peak at x = 2^200 (m = 0: normalisable; m = 2: finite variance). A power tail |x|^-a
 * passes for a > 1 + 0.15 (m = 0) and a > 3 + 0.15 (m = 2); a slower tail is refused, and so is a growing one.
 */
export function checkTails(expr: string, f: (x: number) => number, lo: number, hi: number): void {
  const sides: [number, string][] = [];
  if (hi === Infinity) sides.push([1, '+inf']);
  if (lo === -Infinity) sides.push([-1, '-inf']);
  for (const [sign, name] of sides) {
    // from the support's finite end on that side when it lies further out than 1 (e.g. [5, inf) starts at 2^3)
    const end = sign > 0 ? lo : -hi;
    const start = Number.isFinite(end) && end > 1 ? Math.ceil(Math.log2(end)) : 0;
    for (const m of [0, 2]) {
      let peak = -Infinity;
      let last = -Infinity;
      let lastX = 0;
      let lastP = 0;
      for (let k = start; k <= start + TAIL_K; k++) {
        const x = sign * 2 ** k;
        const p = f(x);
        if (Number.isNaN(p)) break; // e.g. Infinity * 0 far out: judge on the points before
        const L = p > 0 ? (m + 1) * k * Math.LN2 + Math.log(p) : -Infinity; // log(Infinity) = Infinity: growing
        if (L > peak) peak = L;
        last = L;
        lastX = x;
        lastP = p;
      }
      if (last === -Infinity || (last < Infinity && last <= peak - TAIL_DROP)) continue;
      const range = `${Number.isFinite(lo) ? lo : '-inf'}, ${Number.isFinite(hi) ? hi : 'inf'}`;
      if (m === 0)
        throw new PvqInputError(
          'pdf',
          `the density ${JSON.stringify(expr)} is not normalisable on [${range}]: it does not decay faster than 1/|x| as x -> ${name} (pdf(${lastX.toExponential(2)}) = ${lastP.toExponential(3)}); give a finite --support lo,hi`,
        );
      throw new PvqInputError(
        'pdf',
        `the density ${JSON.stringify(expr)} has an infinite variance on [${range}]: its tail does not decay faster than |x|^-3 as x -> ${name}, so the quantization and pruning errors are undefined; give a finite --support lo,hi or --truncate R`,
      );
    }
  }
}

/** A density from a mathjs expression in `x` on [lo, hi] (infinite ends allowed). */
export async function expressionDensity(expr: string, lo = -Infinity, hi = Infinity): Promise<ExpressionDistribution> {
  if (!(lo < hi)) throw new PvqInputError('support', `expected lo < hi, got [${lo}, ${hi}]`);
  const math = (await import('mathjs')) as unknown as {
    parse(e: string): MathNode;
    compile(e: string): { evaluate(scope: Record<string, number>): unknown };
  };
  let code: { evaluate(scope: Record<string, number>): unknown };
  let native: ((x: number) => number) | null = null;
  try {
    code = math.compile(expr);
    native = toNative(math.parse(expr));
  } catch (e) {
    if (e instanceof PvqInputError) throw e;
    throw new PvqInputError('pdf', `cannot parse ${JSON.stringify(expr)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const scope: Record<string, number> = { x: 0 };
  const slow = (x: number): number => {
    scope.x = x;
    let v: unknown;
    try {
      v = code.evaluate(scope);
    } catch (e) {
      throw new PvqInputError('pdf', `cannot evaluate ${JSON.stringify(expr)} at x = ${x}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof v !== 'number') throw new PvqInputError('pdf', `${JSON.stringify(expr)} does not evaluate to a real number at x = ${x}`);
    return v;
  };
  // the native translation must agree with mathjs (checked at a few points), else mathjs is used throughout
  let f = slow;
  if (native) {
    const probe = [-3.7, -1, -0.25, 0.5, 1.3, 2.9].map((t) => (Number.isFinite(lo) && Number.isFinite(hi) ? lo + ((t + 4) / 8) * (hi - lo) : t));
    const ok = probe.every((t) => {
      const a = native!(t);
      let b: number;
      try {
        b = slow(t);
      } catch {
        return false;
      }
      return (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
    });
    if (ok) f = native;
  }
  return new ExpressionDistribution(expr, f, lo, hi);
}

/** The empirical distribution of the values in a `.npy` file or a whitespace/comma separated text file. */
export async function samplesDistribution(path: string): Promise<Empirical> {
  if (path.endsWith('.npy')) {
    const { readNpy } = await import('../io/npy.js');
    return new Empirical(readNpy(path).data, path);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PvqInputError(path, `cannot read file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const vals = text.split(/[\s,]+/).filter((s) => s.length > 0).map(Number);
  const bad = vals.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new PvqInputError(path, `entry ${bad} is not a finite number`);
  return new Empirical(vals, path);
}

interface MathNode {
  type: string;
  name?: string;
  value?: unknown;
  op?: string;
  fn?: MathNode | string;
  args?: MathNode[];
  content?: MathNode;
}

const NATIVE_FNS: Record<string, (...a: number[]) => number> = {
  exp: Math.exp, log: Math.log, sqrt: Math.sqrt, abs: Math.abs, sin: Math.sin, cos: Math.cos, tan: Math.tan,
  pow: Math.pow, cosh: Math.cosh, sinh: Math.sinh, tanh: Math.tanh, atan: Math.atan, log1p: Math.log1p, expm1: Math.expm1,
  min: Math.min, max: Math.max, log10: Math.log10, cbrt: Math.cbrt, sign: Math.sign,
};
const NATIVE_CONST: Record<string, number> = { pi: Math.PI, e: Math.E, PI: Math.PI, E: Math.E };

/** Translate a mathjs tree over x, numbers, + - * / ^ and a few Math functions to a closure; null otherwise. */
function toNative(node: MathNode): ((x: number) => number) | null {
  const build = (n: MathNode): ((x: number) => number) | null => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = n.value;
        return typeof v === 'number' ? () => v : null;
      }
      case 'SymbolNode':
        if (n.name === 'x') return (x) => x;
        if (n.name !== undefined && n.name in NATIVE_CONST) {
          const c = NATIVE_CONST[n.name];
          return () => c;
        }
        return null;
      case 'ParenthesisNode':
        return n.content ? build(n.content) : null;
      case 'OperatorNode': {
        const args = (n.args ?? []).map(build);
        if (args.some((a) => a === null)) return null;
        const [a, b] = args as ((x: number) => number)[];
        if (args.length === 1) return n.op === '-' ? (x) => -a(x) : n.op === '+' ? a : null;
        if (args.length !== 2) return null;
        switch (n.op) {
          case '+': return (x) => a(x) + b(x);
          case '-': return (x) => a(x) - b(x);
          case '*': return (x) => a(x) * b(x);
          case '/': return (x) => a(x) / b(x);
          case '^': return (x) => Math.pow(a(x), b(x));
          default: return null;
        }
      }
      case 'FunctionNode': {
        const name = typeof n.fn === 'string' ? n.fn : n.fn?.name;
        const fn = name !== undefined ? NATIVE_FNS[name] : undefined;
        if (!fn) return null;
        const args = (n.args ?? []).map(build);
        if (args.some((a) => a === null)) return null;
        const fs = args as ((x: number) => number)[];
        if (fs.length === 1) return (x) => fn(fs[0](x));
        if (fs.length === 2) return (x) => fn(fs[0](x), fs[1](x));
        return (x) => fn(...fs.map((g) => g(x)));
      }
      default:
        return null;
    }
  };
  return build(node);
}
