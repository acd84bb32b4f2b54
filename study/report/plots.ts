import type { WinRateCell } from '../../src/tensors/summary.js';
/**
 * SVG plots (vega-lite 6.4 compiled to vega 6, rendered headless). Only presentation: every number is
 * computed elsewhere. vega and vega-lite are imported lazily, on the first render.
 */

export type VlSpec = Record<string, unknown>;

/** Render a vega-lite spec to an SVG string. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const vl = (await import('vega-lite')) as unknown as { compile(s: unknown): { spec: unknown } };
  const vega = (await import('vega')) as unknown as { View: new (rt: unknown, o: unknown) => { toSVG(): Promise<string>; finalize(): void }; parse(s: unknown): unknown };
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const finite = (x: number): boolean => typeof x === 'number' && Number.isFinite(x);

export interface SnrByBits {
  bits: number;
  quantSnrDb: number;
  pruneSnrDb: number;
}

/** SNR against bit width for both methods (pruning at the equal-compression sparsity 1 - b/16). */
export function snrVsBitsSpec(rows: SnrByBits[], title: string): VlSpec {
  const values = rows.flatMap((r) => [
    { bits: r.bits, method: `quantization (INT b)`, snr: r.quantSnrDb },
    { bits: r.bits, method: `pruning (sparsity 1 - b/16)`, snr: r.pruneSnrDb },
  ]).filter((v) => finite(v.snr));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 280,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'bits', type: 'quantitative', title: 'bits b', scale: { zero: false }, axis: { tickMinStep: 1 } },
      y: { field: 'snr', type: 'quantitative', title: 'SNR (dB)' },
      color: { field: 'method', type: 'nominal', title: null, legend: { orient: 'top-left' } },
    },
  };
}

export interface WinnerCell {
  /** Excess kurtosis of the distribution (x axis). */
  kurtosis: number;
  bits: number;
  quantSnrDb: number;
  pruneSnrDb: number;
}

/** The paper's Fig. 2 style map: which method wins, by excess kurtosis and bit width (colour = SNR difference). */
export function winnerMapSpec(cells: WinnerCell[], title: string): VlSpec {
  const values = cells
    .filter((c) => finite(c.kurtosis) && finite(c.quantSnrDb) && finite(c.pruneSnrDb))
    .map((c) => ({ kurtosis: Number(c.kurtosis.toPrecision(3)), bits: c.bits, diff: c.quantSnrDb - c.pruneSnrDb, winner: c.quantSnrDb >= c.pruneSnrDb ? 'Q' : 'P' }));
  const maxAbs = Math.max(1, ...values.map((v) => Math.abs(v.diff)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 460,
    height: 260,
    data: { values },
    encoding: {
      x: { field: 'kurtosis', type: 'ordinal', title: 'excess kurtosis', sort: 'ascending' },
      y: { field: 'bits', type: 'ordinal', title: 'bits b', sort: 'descending' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'diff', type: 'quantitative', title: 'SNR quant - prune (dB)', scale: { scheme: 'redblue', domain: [-maxAbs, maxAbs] } },
        },
      },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'winner' } } },
    ],
  };
}

export interface TensorPoint {
  name: string;
  bits: number;
  quant_sqnr: number;
  pruning_sqnr: number;
  sample_kurtosis: number;
}

/** The paper's Fig. 3: pruning SNR against quantization SNR per tensor and bit width, coloured by kurtosis. */
export function tensorScatterSpec(points: TensorPoint[], title: string): VlSpec {
  const values = points
    .filter((p) => finite(p.quant_sqnr) && finite(p.pruning_sqnr))
    .map((p) => ({ name: p.name, bits: p.bits, quant: p.quant_sqnr, prune: p.pruning_sqnr, kurtosis: finite(p.sample_kurtosis) ? p.sample_kurtosis : null }));
  const hi = Math.ceil(Math.max(10, ...values.map((v) => Math.max(v.quant, v.prune))) / 10) * 10;
  const lo = Math.min(0, Math.floor(Math.min(...values.map((v) => Math.min(v.quant, v.prune)), 0) / 10) * 10);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 420,
    layer: [
      {
        data: { values: [{ a: lo, b: lo }, { a: hi, b: hi }] },
        mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, opacity: 0.75, size: 30 },
        encoding: {
          x: { field: 'quant', type: 'quantitative', title: 'quantization SNR (dB)', scale: { domain: [lo, hi] } },
          y: { field: 'prune', type: 'quantitative', title: 'pruning SNR (dB)', scale: { domain: [lo, hi] } },
          color: { field: 'kurtosis', type: 'quantitative', title: 'excess kurtosis', scale: { type: 'symlog', scheme: 'viridis' } },
          shape: { field: 'bits', type: 'nominal', title: 'bits' },
          tooltip: [{ field: 'name' }, { field: 'bits' }, { field: 'quant', format: '.2f' }, { field: 'prune', format: '.2f' }, { field: 'kurtosis', format: '.2f' }],
        },
      },
    ],
  };
}

/** One cell of the win-rate map (computed in src/tensors/summary.ts). */
export type WinRatePoint = WinRateCell;

/** Real tensors: the fraction where pruning wins, by excess-kurtosis bucket and bit width (counts as text). */
export function winRateMapSpec(cells: WinRatePoint[], title: string): VlSpec {
  const order = [...new Set([...cells].sort((a, b) => a.order - b.order).map((c) => c.bucket))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 460,
    height: 260,
    data: { values: cells.map((c) => ({ ...c, label: `${c.pruneWins}/${c.tensors}` })) },
    encoding: {
      x: { field: 'bucket', type: 'ordinal', title: 'excess kurtosis', sort: order },
      y: { field: 'bits', type: 'ordinal', title: 'bits b', sort: 'descending' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'rate', type: 'quantitative', title: 'prune wins', scale: { scheme: 'blues', domain: [0, 1] } } } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'label' } } },
    ],
  };
}
