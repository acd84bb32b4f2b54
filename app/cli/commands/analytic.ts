import type { Command } from 'commander';
import { PvqInputError } from '../../../src/core/errors.js';
import { namedDistribution, StudentT, Truncated, type Distribution } from '../../../src/analytic/distribution.js';
import { compareDistribution, crossoverSearch, type ComparisonRow, type Crossover } from '../../../src/analytic/errors.js';
import { fmtDb, fmtNum, renderTable } from '../../../study/report/table.js';
import { out, toJSON, writeFileAtomic } from '../output.js';
import { DelayedProgress } from '../progress.js';
import { parseBits } from './tensors.js';
import { evaluateFormat, parseFormats, type FormatResult } from '../../../src/analytic/formats.js';

interface AnalyticCliOptions {
  dist: string;
  nu?: string;
  kurtosis?: string;
  truncate?: string;
  bits: string;
  formats?: string;
  format?: string;
  pdf?: string;
  support?: string;
  samples?: string;
  crossover?: string;
  from?: string;
  to?: string;
  points: string;
  json?: boolean;
  plot?: string;
  progress: boolean;
}

function num(v: string | undefined, flag: string, positive = true): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || (positive && !(x > 0))) throw new PvqInputError(flag, `expected a ${positive ? 'positive ' : ''}number, got ${JSON.stringify(v)}`);
  return x;
}

async function buildDistribution(o: AnalyticCliOptions): Promise<{ dist: Distribution; params: Record<string, unknown> }> {
  const nu = num(o.nu, '--nu');
  const kurtosis = num(o.kurtosis, '--kurtosis');
  const truncate = num(o.truncate, '--truncate');
  if (o.pdf !== undefined || o.samples !== undefined) {
    if (o.pdf !== undefined && o.samples !== undefined) throw new PvqInputError('--pdf', 'give either --pdf or --samples');
    const { expressionDensity, samplesDistribution } = await import('../../../src/analytic/custom.js');
    if (o.samples !== undefined) return { dist: await samplesDistribution(o.samples), params: { samples: o.samples } };
    let lo = -Infinity;
    let hi = Infinity;
    if (o.support !== undefined) {
      const parts = o.support.split(',').map((s) => Number(s.trim().replace(/^inf$/i, 'Infinity').replace(/^-inf$/i, '-Infinity')));
      if (parts.length !== 2 || parts.some(Number.isNaN)) throw new PvqInputError('--support', `expected lo,hi, got ${JSON.stringify(o.support)}`);
      [lo, hi] = parts;
    }
    // --truncate R restricts the density to [-R, R] (then renormalised): build it on that support directly, so a
    // density with heavy tails only needs to be integrable on [-R, R]
    if (truncate !== undefined) {
      lo = Math.max(lo, -truncate);
      hi = Math.min(hi, truncate);
      if (!(lo < hi)) throw new PvqInputError('--truncate', `[-${truncate}, ${truncate}] does not meet the support [${lo}, ${hi}]`);
    }
    const d = await expressionDensity(o.pdf!, lo, hi);
    return { dist: d, params: { pdf: o.pdf, support: [lo, hi], ...(truncate !== undefined ? { truncate } : {}) } };
  }
  const dist = namedDistribution(o.dist, { nu, kurtosis, truncate });
  const params: Record<string, unknown> = {};
  if (dist instanceof StudentT) params.nu = dist.nu;
  if (dist instanceof Truncated && dist.base instanceof StudentT) params.nu = dist.base.nu;
  if (kurtosis !== undefined) params.kurtosis = kurtosis;
  if (truncate !== undefined) params.truncate = truncate;
  return { dist, params };
}

export function renderAnalyticTable(name: string, rows: ComparisonRow[], variance: number, kurt: number): string {
  const header = ['bits', 'quant step', 'quant MSE', 'quant dB', 'sparsity', 'threshold', 'prune MSE', 'prune dB', 'winner'];
  const body = rows.map((r) => [
    String(r.bits),
    fmtNum(r.quant.step),
    fmtNum(r.quant.mse),
    fmtDb(r.quant.snrDb, 3),
    r.prune.sparsity.toFixed(4),
    fmtNum(r.prune.threshold),
    fmtNum(r.prune.mse),
    fmtDb(r.prune.snrDb, 3),
    r.quant.snrDb >= r.prune.snrDb ? 'quant' : 'prune',
  ]);
  return `${name}: variance ${fmtNum(variance)}, excess kurtosis ${Number.isFinite(kurt) ? kurt.toFixed(4) : 'inf'}\n${renderTable(header, body)}`;
}

export function renderFormatsTable(name: string, rows: FormatResult[], variance: number, kurt: number): string {
  const header = ['format', 'bits/weight', 'sparsity', 'scale', 'MSE', 'SNR dB'];
  const body = rows.map((r) => [r.format, r.bitsPerWeight.toFixed(3), r.sparsity.toFixed(3), r.scale === undefined ? '-' : fmtNum(r.scale), fmtNum(r.mse), fmtDb(r.snrDb, 3)]);
  return `${name}: variance ${fmtNum(variance)}, excess kurtosis ${Number.isFinite(kurt) ? kurt.toFixed(4) : 'inf'}\n${renderTable(header, body)}`;
}

/** Bar chart of SNR per format (labelled with bits per weight), for `--formats --plot`. */
export function formatsSnrSpec(rows: FormatResult[], title: string): Record<string, unknown> {
  const values = rows.filter((r) => Number.isFinite(r.snrDb)).map((r) => ({ format: `${r.format} (${r.bitsPerWeight.toFixed(2)} b/w)`, snr: r.snrDb, bits: r.bitsPerWeight }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'format', type: 'nominal', sort: null, title: null },
      x: { field: 'snr', type: 'quantitative', title: 'SNR (dB) at the MSE-optimal scale' },
      color: { field: 'bits', type: 'quantitative', title: 'bits/weight', scale: { scheme: 'viridis' } },
    },
  };
}

function renderCrossovers(param: string, cs: Crossover[]): string {
  const header = ['bits', `${param} where the winner flips`, 'pruning wins'];
  const body = cs.map((c) => [
    String(c.bits),
    c.crossings.length ? c.crossings.map((x) => fmtNum(x.param)).join(', ') : 'none in range',
    c.crossings.length ? c.crossings.map((x) => (x.pruneWinsAbove ? `above ${fmtNum(x.param)}` : `below ${fmtNum(x.param)}`)).join(', ') : c.curve.every((p) => p.quantSnrDb >= p.pruneSnrDb) ? 'never' : 'everywhere',
  ]);
  return renderTable(header, body);
}

export function registerAnalytic(program: Command): void {
  program
    .command('analytic')
    .description('expected quantization vs pruning error for a weight distribution (paper Sec. 2), with MSE-optimal clipping')
    .option('--dist <name>', 'gaussian | laplace | uniform | student-t (unit scale; uniform on [-sqrt 3, sqrt 3])', 'gaussian')
    .option('--nu <v>', 'Student-t degrees of freedom')
    .option('--kurtosis <k>', 'Student-t by excess kurtosis k (nu = 4 + 6/k)')
    .option('--truncate <R>', 'truncate to [-R, R] and renormalise')
    .option('--pdf <expr>', "custom density: a mathjs expression in x, e.g. 'exp(-abs(x)^1.5)' (normalised numerically)")
    .option('--support <lo,hi>', 'support of --pdf (default -inf,inf; a finite support is much faster)')
    .option('--samples <file>', 'custom density as samples (.npy or text): the empirical distribution')
    .option('--bits <list>', 'bit widths', '2,3,4,5,6,7,8')
    .option('--formats <list>', "compare formats at their MSE-optimal scale instead of INT-b vs pruning: e.g. 'int4,fp4,nf4,fp8-e4m3,2:4,2:4+int8'")
    .option('--format <list>', 'same as --formats')
    .option('--crossover <family>', "search where pruning starts to win along 'truncate' (R) or 'kurtosis' (Student-t)")
    .option('--from <x>', 'start of the crossover range')
    .option('--to <x>', 'end of the crossover range')
    .option('--points <n>', 'scan points of the crossover search', '12')
    .option('--plot <file.svg>', 'SNR against bits (or, with --crossover, the kurtosis-by-bits map of the winner)')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--json', 'print JSON')
    .action(async (o: AnalyticCliOptions, cmd: Command) => {
      const bits = parseBits(o.bits);
      if (o.plot !== undefined && !o.plot.endsWith('.svg')) throw new PvqInputError('--plot', 'expected a file name ending in .svg');
      if (o.formats !== undefined && o.format !== undefined) throw new PvqInputError('--formats', 'give either --formats or --format');
      const formatList = o.formats ?? o.format;
      if (formatList !== undefined) {
        const specs = parseFormats(formatList, o.formats !== undefined ? '--formats' : '--format');
        if (cmd.getOptionValueSource('bits') !== 'default') throw new PvqInputError('--bits', 'not used with --formats (each format fixes its bits: int4, fp8-e4m3, 2:4+int8, ...)');
        if (o.crossover !== undefined) throw new PvqInputError('--crossover', 'not available with --formats');
        const { dist, params } = await buildDistribution(o);
        const progress = new DelayedProgress('formats', o.progress, 500);
        const rows = specs.map((s, i) => {
          progress.update(i, specs.length, s.name);
          return evaluateFormat(dist, s);
        });
        progress.stop();
        const variance = dist.variance();
        const kurt = dist.excessKurtosis();
        const name = o.pdf !== undefined || o.samples !== undefined ? dist.name : o.dist;
        if (o.plot !== undefined) {
          const { renderSvg } = await import('../../../study/report/plots.js');
          writeFileAtomic(o.plot, await renderSvg(formatsSnrSpec(rows, `${name} ${JSON.stringify(params)}: SNR per format`)));
        }
        if (o.json) out(toJSON({ dist: name, params, variance, excessKurtosis: kurt, formats: rows }));
        else out(renderFormatsTable(`${name} ${JSON.stringify(params)}`, rows, variance, kurt));
        return;
      }
      if (o.crossover !== undefined) {
        const fam = o.crossover;
        if (fam !== 'truncate' && fam !== 'kurtosis') throw new PvqInputError('--crossover', `expected 'truncate' or 'kurtosis', got ${JSON.stringify(fam)}`);
        const from = num(o.from, '--from');
        const to = num(o.to, '--to');
        if (from === undefined || to === undefined || !(to > from)) throw new PvqInputError('--from', 'the crossover search needs --from < --to');
        const points = Number(o.points);
        if (!Number.isInteger(points) || points < 2) throw new PvqInputError('--points', `expected an integer >= 2, got ${JSON.stringify(o.points)}`);
        let family: (p: number) => Distribution;
        if (fam === 'truncate') {
          const base = (p: number): Distribution => {
            const d = namedDistribution(o.dist, { nu: num(o.nu, '--nu'), kurtosis: num(o.kurtosis, '--kurtosis'), truncate: p });
            return d;
          };
          base(from);
          family = base;
        } else {
          if (o.dist !== 'student-t') throw new PvqInputError('--crossover', "'kurtosis' varies a Student-t: use --dist student-t");
          const R = num(o.truncate, '--truncate');
          family = (k: number) => namedDistribution('student-t', { kurtosis: k, truncate: R });
        }
        const progress = new DelayedProgress('crossover', o.progress, 500);
        const cs = crossoverSearch(family, from, to, bits, { points, onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (o.plot !== undefined) {
          const { renderSvg, winnerMapSpec } = await import('../../../study/report/plots.js');
          const cells = cs.flatMap((c) => c.curve.map((p) => ({ kurtosis: p.excessKurtosis, bits: c.bits, quantSnrDb: p.quantSnrDb, pruneSnrDb: p.pruneSnrDb })));
          writeFileAtomic(o.plot, await renderSvg(winnerMapSpec(cells, `Which method wins: ${o.dist} along ${fam} ${from}..${to}`)));
        }
        if (o.json) out(toJSON({ dist: o.dist, family: fam, from, to, crossovers: cs }));
        else out(renderCrossovers(fam === 'truncate' ? 'R' : 'kurtosis', cs));
        return;
      }
      const { dist, params } = await buildDistribution(o);
      const rows = compareDistribution(dist, bits);
      const variance = dist.variance();
      const kurt = dist.excessKurtosis();
      const name = o.pdf !== undefined || o.samples !== undefined ? dist.name : o.dist;
      if (o.plot !== undefined) {
        const { renderSvg, snrVsBitsSpec } = await import('../../../study/report/plots.js');
        const svg = await renderSvg(snrVsBitsSpec(rows.map((r) => ({ bits: r.bits, quantSnrDb: r.quant.snrDb, pruneSnrDb: r.prune.snrDb })), `${name} ${JSON.stringify(params)}: SNR vs bits`));
        writeFileAtomic(o.plot, svg);
      }
      if (o.json) out(toJSON({ dist: name, params, variance, excessKurtosis: kurt, rows }));
      else out(renderAnalyticTable(`${name} ${JSON.stringify(params)}`, rows, variance, kurt));
    });
}
