import type { Command } from 'commander';
import { parseFormats } from '../../../src/analytic/formats.js';
import { formatWinCounts, tensorFormatStats, type FormatWinCount, type TensorFormatStats } from '../../../src/tensors/formats.js';
import { PvqInputError } from '../../../src/core/errors.js';
import { loadTensors } from '../../../src/tensors/load.js';
import { PreparedTensor, tensorStats, type RangeMode, type TensorBitsStats } from '../../../src/tensors/stats.js';
import { fmtDb, renderTable } from '../../../study/report/table.js';
import { out, toJSON, writeFileAtomic } from '../output.js';
import { DelayedProgress } from '../progress.js';

export function parseBits(value: string): number[] {
  const bits = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (bits.length === 0 || bits.some((b) => !Number.isInteger(b) || b < 2 || b > 16)) throw new PvqInputError('--bits', `expected a comma-separated list of integers in [2, 16], got ${JSON.stringify(value)}`);
  return bits;
}

interface TensorsCliOptions {
  bits: string;
  formats?: string;
  format?: string;
  json?: boolean;
  range: string;
  compareExact?: boolean;
  includeVectors?: boolean;
  minSize: string;
  plot?: string;
  plotMap?: string;
  progress: boolean;
}

/** Human-readable table of the per-tensor fields. */
export function renderTensorTable(rows: TensorBitsStats[]): string {
  const exact = rows.some((r) => r.quant_sqnr_exact !== undefined);
  const header = ['tensor', 'shape', 'b', 'kurt', 'quant dB', 'prune dB', 'prune corr dB', 'q zeros', 'winner', ...(exact ? ['exact dB', 'grid loss dB'] : [])];
  const body = rows.map((r) => [
    r.name,
    r.shape.join('x'),
    String(r.bits),
    Number.isFinite(r.sample_kurtosis) ? r.sample_kurtosis.toFixed(2) : 'n/a',
    fmtDb(r.quant_sqnr),
    fmtDb(r.pruning_sqnr),
    fmtDb(r.pruning_sqnr_corrected),
    r.quant_sparsity.toFixed(3),
    r.pruning_sqnr > r.quant_sqnr ? 'prune' : 'quant',
    ...(exact ? [fmtDb(r.quant_sqnr_exact!), fmtDb(r.paper_grid_loss_db!, 3)] : []),
  ]);
  const byBits = new Map<number, { n: number; prune: number }>();
  for (const r of rows) {
    const e = byBits.get(r.bits) ?? { n: 0, prune: 0 };
    e.n++;
    if (r.pruning_sqnr > r.quant_sqnr) e.prune++;
    byBits.set(r.bits, e);
  }
  const summary = [...byBits].map(([b, e]) => `${b} bits: pruning wins ${e.prune}/${e.n}`).join('; ');
  return `${renderTable(header, body)}\n\n${summary}`;
}

/** Per-tensor SNR of each format (one column per format) and the paper's INT / pruning SNR at each bit width. */
export function renderFormatTable(rows: TensorFormatStats[], paper: TensorBitsStats[], wins: FormatWinCount[]): string {
  const formats = wins.map((w) => w.format);
  const bits = [...new Set(paper.map((r) => r.bits))];
  const header = ['tensor', 'shape', 'kurt', ...formats.map((f) => `${f} dB`), ...bits.flatMap((b) => [`int${b} paper dB`, `prune ${b}/16 dB`]), 'best format'];
  const names = [...new Set(rows.map((r) => r.name))];
  const body = names.map((n) => {
    const mine = rows.filter((r) => r.name === n);
    const pr = paper.filter((r) => r.name === n);
    const best = mine.reduce((a, b) => (b.sqnr > a.sqnr ? b : a));
    return [
      n,
      mine[0].shape.join('x'),
      pr.length && Number.isFinite(pr[0].sample_kurtosis) ? pr[0].sample_kurtosis.toFixed(2) : 'n/a',
      ...formats.map((f) => fmtDb(mine.find((r) => r.format === f)!.sqnr)),
      ...bits.flatMap((b) => {
        const r = pr.find((x) => x.bits === b);
        return r ? [fmtDb(r.quant_sqnr), fmtDb(r.pruning_sqnr)] : ['', ''];
      }),
      best.format,
    ];
  });
  const sh = ['format', 'bits/weight', 'tensors', 'best of all', 'best at equal bits/weight', 'median SNR dB'];
  const sb = wins.map((w) => [w.format, w.bits_per_weight.toFixed(3), String(w.tensors), String(w.wins), String(w.winsSameBits), fmtDb(w.medianSqnr)]);
  return `${renderTable(header, body)}\n\n${renderTable(sh, sb)}`;
}

export function registerTensors(program: Command): void {
  program
    .command('tensors')
    .description("per-tensor quantization vs pruning SNR of real weights (paper Sec. 3): .npy, .safetensors, .onnx, TF.js model.json, or folders")
    .argument('<files...>', 'model files or folders of tensors')
    .option('--bits <list>', 'bit widths', '2,3,4,5,6,7,8')
    .option('--formats <list>', "also per-format SNR at the MSE-optimal scale per tensor, e.g. 'int4,fp4,nf4,2:4,2:4+int8' (paper fields then default to --bits 4)")
    .option('--format <list>', 'same as --formats')
    .option('--range <mode>', "clipping range: 'paper' (100-candidate grid, margin 0.5) or 'exact' (MSE-optimal)", 'paper')
    .option('--compare-exact', 'also report the exact MSE-optimal range SQNR and what the paper grid loses')
    .option('--include-vectors', 'also analyse rank-0/1 tensors of model files (biases, norms)')
    .option('--min-size <n>', 'skip tensors with fewer elements', '1')
    .option('--plot <file.svg>', 'write the scatter of pruning SNR against quantization SNR, coloured by kurtosis')
    .option('--plot-map <file.svg>', 'write the map of the pruning-win rate by kurtosis bucket and bit width')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--json', 'print JSON {"tensors": [...]}')
    .action(async (files: string[], o: TensorsCliOptions, cmd: Command) => {
      if (o.formats !== undefined && o.format !== undefined) throw new PvqInputError('--formats', 'give either --formats or --format');
      const formatList = o.formats ?? o.format;
      const specs = formatList === undefined ? undefined : parseFormats(formatList, o.formats !== undefined ? '--formats' : '--format');
      const bits = specs && cmd.getOptionValueSource('bits') === 'default' ? [4] : parseBits(o.bits);
      if (o.range !== 'paper' && o.range !== 'exact') throw new PvqInputError('--range', `expected 'paper' or 'exact', got ${JSON.stringify(o.range)}`);
      const minSize = Number(o.minSize);
      if (!Number.isInteger(minSize) || minSize < 1) throw new PvqInputError('--min-size', `expected a positive integer, got ${JSON.stringify(o.minSize)}`);
      if (o.plot !== undefined && !o.plot.endsWith('.svg')) throw new PvqInputError('--plot', 'expected a file name ending in .svg');
      if (o.plotMap !== undefined && !o.plotMap.endsWith('.svg')) throw new PvqInputError('--plot-map', 'expected a file name ending in .svg');
      const tensors = await loadTensors(files, { includeVectors: o.includeVectors, minSize });
      if (tensors.length === 0) throw new PvqInputError('files', 'no weight tensors found (model files: only tensors of rank >= 2 unless --include-vectors)');
      const progress = new DelayedProgress('tensors', o.progress, 500);
      const rows: TensorBitsStats[] = [];
      const frows: TensorFormatStats[] = [];
      tensors.forEach((t, i) => {
        progress.update(i, tensors.length, t.name);
        const prepared = new PreparedTensor(t.data, t.name);
        rows.push(...tensorStats(t.name, t.shape, prepared, bits, { range: o.range as RangeMode, compareExact: o.compareExact }));
        if (specs) frows.push(...tensorFormatStats(t.name, t.shape, t.data, specs));
      });
      progress.update(tensors.length, tensors.length);
      progress.stop();
      if (o.plot !== undefined) {
        const { renderSvg, tensorScatterSpec } = await import('../../../study/report/plots.js');
        const svg = await renderSvg(tensorScatterSpec(rows, `Pruning vs quantization SNR per tensor (${tensors.length} tensors)`));
        writeFileAtomic(o.plot, svg);
      }
      if (o.plotMap !== undefined) {
        const { renderSvg, winRateMapSpec } = await import('../../../study/report/plots.js');
        const { winRateByKurtosis } = await import('../../../src/tensors/summary.js');
        writeFileAtomic(o.plotMap, await renderSvg(winRateMapSpec(winRateByKurtosis(rows), `Pruning-win rate by kurtosis (${tensors.length} tensors)`)));
      }
      if (specs) {
        const wins = formatWinCounts(frows);
        out(o.json ? toJSON({ tensors: rows, formats: frows, formatSummary: wins }) : renderFormatTable(frows, rows, wins));
        return;
      }
      out(o.json ? toJSON({ tensors: rows }) : renderTensorTable(rows));
    });
}
