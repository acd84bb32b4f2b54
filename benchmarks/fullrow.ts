/**
 * Full layer rows: proven intervals at n = 96 ... 4608 (issue 13, item 1).
 *
 * Instances: G = A^T A with A (1.5n) x n, rows Gaussian with Toeplitz (AR(1)) correlation rho^|i-j|, sampled
 * exactly in distribution through the Bartlett decomposition (A^T A = L T T^T L^T, T lower triangular with
 * chi / normal entries, L the AR(1) Cholesky factor), so no (1.5n) x n^2 Gram product is needed; w Gaussian,
 * 4 bits (paper-grid scale), k = n/4, the paper's prune box. For each cell: time, bound / best point
 * (the proven fraction of the interval) and status of every bound and heuristic.
 *
 *   npx tsx benchmarks/fullrow.ts [--sizes 96,192,576,1152,2304,4608] [--rhos 0,0.9] [--limit-ms 120000]
 */
import { makeObjective, pruningProblemOf, quantizationProblemOf } from '../src/core/objective.js';
import { Rng } from '../src/core/random.js';
import type { LayerProblem, SolveResult } from '../src/core/types.js';
import { chooseScale } from '../src/formats/scale.js';
import { paperPruneBox } from '../problems/build.js';
import { getSolver } from '../solvers/index.js';
import { verifyCertificate } from '../solvers/verify.js';
import type { PruningSolver, QuantizationSolver } from '../src/core/solver.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** Gamma(shape, 1) by Marsaglia-Tsang (shape >= 1), for chi^2 draws. */
function chi(rng: Rng, dof: number): number {
  return Math.sqrt(2 * rng.gamma(dof / 2));
}

/** G = A^T A for A (m x n) with i.i.d. rows N(0, C), C_ij = rho^|i-j|, by Bartlett + the AR(1) factor. O(n^3/6). */
export function toeplitzWishart(n: number, m: number, rho: number, rng: Rng): Float64Array {
  // T lower triangular: W = T T^T ~ Wishart(m, I)
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    B[i * n + i] = chi(rng, m - i);
    for (let j = 0; j < i; j++) B[i * n + j] = rng.normal();
  }
  // B <- L B with L the AR(1) factor: x_i = rho x_{i-1} + sqrt(1 - rho^2) e_i (x_0 = e_0); stays lower triangular
  const c = Math.sqrt(1 - rho * rho);
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    const rp = ri - n;
    for (let j = 0; j <= i; j++) B[ri + j] = c * B[ri + j] + rho * B[rp + j];
  }
  // G = B B^T (lower triangle then mirror): G_ij = sum_{k <= min(i,j)} B_ik B_jk
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = 0; k <= j; k++) s += B[ri + k] * B[rj + k];
      G[ri + j] = s;
      G[rj + i] = s;
    }
  }
  return G;
}

export function fullRowProblem(n: number, rho: number, seed: number, bits = 4): LayerProblem {
  const rng = new Rng(seed);
  const G = toeplitzWishart(n, Math.round(1.5 * n), rho, rng);
  // normalise like the 'mean' Gram of the builders (G / rows)
  const m = Math.round(1.5 * n);
  for (let i = 0; i < G.length; i++) G[i] /= m;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = rng.normal() * 0.05;
  const sc = chooseScale(w, bits);
  return {
    name: `fullrow-n${n}-rho${rho}-s${seed}`,
    n,
    objective: makeObjective(G, w),
    scale: sc.scale,
    zmin: -(2 ** (bits - 1)),
    zmax: 2 ** (bits - 1) - 1,
    k: Math.round(n / 4),
    pruneBox: paperPruneBox(w),
    meta: { bits, kind: 'full-row', rho },
  };
}

export async function runSolver(name: string, lp: LayerProblem, timeLimitMs: number): Promise<SolveResult & { provenLb: number; wallMs: number }> {
  const s = getSolver(name);
  if (!s) throw new Error(`no solver ${name}`);
  const t = performance.now();
  const r =
    s.problemClass === 'quantization'
      ? await (s as QuantizationSolver).solve(quantizationProblemOf(lp), { timeLimitMs })
      : await (s as PruningSolver).solve(pruningProblemOf(lp, { useBox: true }), { timeLimitMs });
  const wallMs = performance.now() - t;
  let provenLb = 0;
  if (r.certificate && r.lowerBound > 0) {
    const c = verifyCertificate(lp, r.certificate, { problemClass: r.problemClass, useBox: true });
    provenLb = c.valid ? Math.min(c.bound, r.lowerBound) : 0;
  } else if (r.status === 'optimal') provenLb = r.lowerBound;
  return { ...r, provenLb, wallMs };
}

async function main(): Promise<void> {
  const sizes = arg('sizes', '96,192,576,1152,2304,4608').split(',').map(Number);
  const rhos = arg('rhos', '0,0.9').split(',').map(Number);
  const limit = Number(arg('limit-ms', '120000'));
  const quantHeur = arg('quant-heuristics', 'rtn,gptq').split(',');
  const pruneHeur = arg('prune-heuristics', 'magnitude,magnitude-refit,obs,swap').split(',');
  const heurLimit = Number(arg('heuristic-limit-ms', String(limit)));
  console.log(`limit ${limit} ms per bound, ${heurLimit} ms per heuristic; 4 bits, k = n/4, A (1.5n) x n`);
  console.log('| n | rho | method | bound (s, status) | best point (solver, s each) | bound / best |');
  console.log('|---|---|---|---|---|---|');
  for (const n of sizes)
    for (const rho of rhos) {
      const t0 = performance.now();
      const lp = fullRowProblem(n, rho, 1);
      const genS = (performance.now() - t0) / 1000;
      for (const [method, bound, heur] of [
        ['quant', 'quant-diag-bound', quantHeur],
        ['prune', 'prune-diag-bound', pruneHeur],
      ] as const) {
        const b = await runSolver(bound, lp, limit);
        let best = Infinity;
        let bestBy = '';
        const times: string[] = [];
        for (const h of heur) {
          const r = await runSolver(h, lp, heurLimit);
          times.push(`${h} ${(r.wallMs / 1000).toFixed(2)}${r.solution === null ? ' (none)' : ''}`);
          if (r.solution !== null && r.upperBound < best) {
            best = r.upperBound;
            bestBy = h;
          }
        }
        const ratio = best > 0 ? b.provenLb / best : NaN;
        console.log(
          `| ${n} | ${rho} | ${method} | ${(b.wallMs / 1000).toFixed(1)} s, ${b.status}${b.provenLb === b.lowerBound ? '' : ' (cert. rejected!)'} | ${bestBy}: ${times.join(', ')} | ${ratio.toFixed(3)} |`,
        );
      }
      console.error(`  (n = ${n}, rho = ${rho}: instance built in ${genS.toFixed(1)} s)`);
    }
}

if (process.argv[1] && process.argv[1].endsWith('fullrow.ts')) void main();
