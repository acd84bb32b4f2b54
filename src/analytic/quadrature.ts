/**
 * Adaptive Gauss–Kronrod (G10/K21) quadrature on Float64 arithmetic, with a 3-moment variant used for the
 * quantization cells: ∫ p, ∫ (w - c) p and ∫ (w - c)^2 p over [a, b] from one set of density evaluations.
 */

const XGK = [
  0.995657163025808080735527280689003, 0.973906528517171720077964012084452, 0.930157491355708226001207180059508,
  0.865063366688984510732096688423493, 0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
  0.562757134668604683339000099272694, 0.433395394129247190799265943165784, 0.294392862701460198131126603103866,
  0.14887433898163121088482600112972, 0,
];
const WGK = [
  0.011694638867371874278064396062192, 0.03255816230796472747881897245939, 0.05475589657435199603138130024458,
  0.07503967481091995276704314091619, 0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
  0.123491976262065851077208980177921, 0.134709217311473325928054001771707, 0.142775938577060080797094273138717,
  0.147739104901338491374841515972068, 0.149445554002916905664936468389821,
];
// Gauss weights for XGK[1], XGK[3], ..., XGK[9]
const WG = [0.066671344308688137593568809893332, 0.149451349150580593145776339657697, 0.219086362515982043995534934228163, 0.269266719309996355091226921569469, 0.295524224714752870173892994651338];

/** Relative tolerance on |K21 - G10| (the K21 value is then far more accurate than this). */
export const QUAD_REL_TOL = 1e-11;
const MAX_DEPTH = 60;

/** ∫_a^b f for finite a <= b, adaptive GK21. `absTol` stops refinement of negligible pieces. */
export function integrate(f: (x: number) => number, a: number, b: number, absTol = 0): number {
  if (!(b > a)) return 0;
  // an absolute floor relative to a coarse estimate of ∫|f| stops endless refinement of underflowing pieces
  const coarse = new Float64Array(1);
  gkOnce(f, a, b, coarse);
  return gkRec(f, a, b, Math.max(absTol, 1e-17 * coarse[0]), 0);
}

function gkOnce(f: (x: number) => number, a: number, b: number, out: Float64Array): void {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  let kabs = WGK[10] * Math.abs(f(c));
  for (let i = 0; i < 10; i++) {
    const dx = h * XGK[i];
    kabs += WGK[i] * (Math.abs(f(c - dx)) + Math.abs(f(c + dx)));
  }
  out[0] = kabs * h;
}

function gkRec(f: (x: number) => number, a: number, b: number, absTol: number, depth: number): number {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  let k = WGK[10] * f(c);
  let g = 0;
  let kabs = Math.abs(k);
  for (let i = 0; i < 10; i++) {
    const dx = h * XGK[i];
    const s = f(c - dx) + f(c + dx);
    k += WGK[i] * s;
    kabs += WGK[i] * Math.abs(s);
    if (i & 1) g += WG[i >> 1] * s;
  }
  k *= h;
  g *= h;
  kabs *= h;
  const err = Math.abs(k - g);
  if (err <= Math.max(QUAD_REL_TOL * kabs, absTol) || depth >= MAX_DEPTH || h < 1e-300) return k;
  return gkRec(f, a, c, absTol * 0.5, depth + 1) + gkRec(f, c, b, absTol * 0.5, depth + 1);
}

/** ∫_a^∞ f via the substitution w = a + t/(1-t), t ∈ [0, 1). */
export function integrateToInfinity(f: (x: number) => number, a: number, absTol = 0): number {
  const g = (t: number): number => {
    if (t >= 1) return 0;
    const u = 1 - t;
    const v = f(a + t / u);
    return v === 0 ? 0 : v / (u * u);
  };
  return integrate(g, 0, 1, absTol);
}

/** ∫_{-∞}^b f. */
export function integrateFromMinusInfinity(f: (x: number) => number, b: number, absTol = 0): number {
  return integrateToInfinity((x) => f(-x), -b, absTol);
}

/**
 * out[0] += ∫_a^b p, out[1] += ∫_a^b (w - c) p, out[2] += ∫_a^b (w - c)^2 p, adaptive on the last two.
 * `absTol` is an absolute tolerance on the second moment below which a piece is not refined.
 */
export function cellMoments(p: (x: number) => number, a: number, b: number, c: number, out: Float64Array, absTol = 0): void {
  if (!(b > a)) return;
  cellRec(p, a, b, c, out, absTol, 0);
}

function cellRec(p: (x: number) => number, a: number, b: number, c: number, out: Float64Array, absTol: number, depth: number): void {
  const m = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const d0 = m - c;
  const pm = p(m);
  let k0 = WGK[10] * pm;
  let k1 = WGK[10] * pm * d0;
  let k2 = WGK[10] * pm * d0 * d0;
  let g1 = 0;
  let g2 = 0;
  let a1 = Math.abs(k1);
  for (let i = 0; i < 10; i++) {
    const dx = h * XGK[i];
    const pl = p(m - dx);
    const pr = p(m + dx);
    const dl = d0 - dx;
    const dr = d0 + dx;
    const s0 = pl + pr;
    const s1 = pl * dl + pr * dr;
    const s2 = pl * dl * dl + pr * dr * dr;
    const w = WGK[i];
    k0 += w * s0;
    k1 += w * s1;
    k2 += w * s2;
    a1 += w * (Math.abs(pl * dl) + Math.abs(pr * dr));
    if (i & 1) {
      const wg = WG[i >> 1];
      g1 += wg * s1;
      g2 += wg * s2;
    }
  }
  k0 *= h;
  k1 *= h;
  k2 *= h;
  g1 *= h;
  g2 *= h;
  a1 *= h;
  const ok2 = Math.abs(k2 - g2) <= Math.max(QUAD_REL_TOL * k2, absTol);
  const ok1 = Math.abs(k1 - g1) <= Math.max(QUAD_REL_TOL * a1, absTol / Math.max(h, 1e-300));
  if ((ok1 && ok2) || depth >= MAX_DEPTH || h < 1e-300) {
    out[0] += k0;
    out[1] += k1;
    out[2] += k2;
    return;
  }
  cellRec(p, a, m, c, out, absTol * 0.5, depth + 1);
  cellRec(p, m, b, c, out, absTol * 0.5, depth + 1);
}

/** Brent-free safeguarded bisection for a sign change of f on [a, b] (f(a) <= 0 <= f(b) or reversed). */
export function bisectRoot(f: (x: number) => number, a: number, b: number, fa?: number, fb?: number, relTol = 4e-16, maxIter = 200): number {
  let lo = a;
  let hi = b;
  let flo = fa ?? f(a);
  const fhi = fb ?? f(b);
  if (flo === 0) return lo;
  if (fhi === 0) return hi;
  if (Math.sign(flo) === Math.sign(fhi)) throw new RangeError('bisectRoot: no sign change');
  for (let it = 0; it < maxIter; it++) {
    // secant step safeguarded by bisection (Illinois-free; keeps the bracket)
    const mid = 0.5 * (lo + hi);
    if (hi - lo <= relTol * Math.max(Math.abs(lo), Math.abs(hi)) || mid === lo || mid === hi) return mid;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return 0.5 * (lo + hi);
}
