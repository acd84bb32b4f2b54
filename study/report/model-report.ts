/**
 * The report of a whole-model study (`pvq model`): results.json (every sub-problem's intervals, solutions and
 * certificates, the settings, the model hash), table.txt (per layer and bit width), figure.svg (the paper's
 * per-layer figure: per layer and bit width the quantization SQNR interval next to the pruning SQNR interval,
 * proven optima and proven verdicts marked) and one self-contained report.html (inline SVG and tables, no
 * external resources). Rendering is pure: it returns the files' contents; the caller writes them.
 */
import type { AggregateComparison } from '../compare/compare.js';
import { renderSvg, type VlSpec } from './plots.js';
import { fmtDb, renderTable } from './table.js';
import type { LayerBitsSummary, ModelStudyResult } from '../model/pipeline.js';

export const REPORT_FILES = ['results.json', 'table.txt', 'figure.svg', 'report.html'] as const;
export type ReportFile = (typeof REPORT_FILES)[number];

function interval(exact: boolean, s: [number, number]): string {
  return exact ? `${fmtDb(s[0])} =` : `[${fmtDb(s[0])}, ${fmtDb(s[1])}]`;
}

export function verdictText(a: AggregateComparison): string {
  if (a.winner === 'undecided') return 'undecided';
  if (a.winner === 'tie') return 'tie (proven)';
  return `${a.winner === 'quantization' ? 'quantization' : 'pruning'}${a.proven ? ' (proven)' : ''}`;
}

function exactCounts(r: ModelStudyResult, layer: string | null, bits: number): string {
  const s = r.subproblems.filter((x) => x.bits === bits && (layer === null || x.layer === layer));
  return `${s.filter((x) => x.comparison.quant.exact).length}/${s.filter((x) => x.comparison.prune.exact).length}`;
}

const HEADER = ['layer', 'type', 'bits', 'sub-problems', 'quant SQNR dB', 'prune SQNR dB', 'exact q/p', 'proven q/p/tie', 'verdict'];

function row(r: ModelStudyResult, label: string, type: string, bits: number, count: number, a: AggregateComparison, layer: string | null): string[] {
  const p = a.provenChannels;
  return [label, type, String(bits), String(count), interval(a.quantExact, a.quantSqnrDb), interval(a.pruneExact, a.pruneSqnrDb), exactCounts(r, layer, bits), `${p.quantization}/${p.pruning}/${p.tie}`, verdictText(a)];
}

function layerRows(r: ModelStudyResult): string[][] {
  return r.perLayer.map((l: LayerBitsSummary) => row(r, l.layer, l.kind, l.bits, l.subproblems, l.aggregate, l.layer));
}

function modelRows(r: ModelStudyResult): string[][] {
  return r.perModel.map((m) => row(r, 'model', 'all layers', m.bits, m.subproblems, m.aggregate, null));
}

const NOTES = [
  'SQNR intervals in dB: [from the best feasible error, from the proven lower bound]; "x =" marks a proven optimum.',
  'Per layer and bit width, errors and energies are summed over the layer\'s sub-problems, then SQNR = 10 log10(sum r / sum error) (the paper\'s semantics).',
  'A verdict is "proven" only when the summed error intervals do not overlap. "exact q/p": sub-problems whose quantization / pruning optimum is proven.',
  '"proven q/p/tie": sub-problems whose own verdict is proven, by winner.',
  'In the figure, an SQNR bound of +inf (a proven lower bound of 0 on the error) is drawn at the top of the axis.',
];

/** table.txt */
export function renderModelTable(r: ModelStudyResult): string {
  const s = r.settings;
  return [
    `pvq model: ${r.model.file} (sha256 ${r.model.sha256.slice(0, 16)}...), input ${r.input.source} [${r.input.shape.join(', ')}]`,
    `${r.layers.length} of ${r.model.weightLayers} weight layers, ${r.subproblems.length} sub-problems; bits ${s.bits.join(', ')}; opt-dim ${s.optDim}; im2col ${s.im2col}; ${(s.timeLimitMs / 1000).toPrecision(3)} s per method and sub-problem`,
    '',
    renderTable(HEADER, layerRows(r)),
    '',
    renderTable(HEADER, modelRows(r)),
    '',
    ...NOTES,
    ...(r.model.skipped.length ? ['', `Skipped weight layers: ${r.model.skipped.map((k) => `${k.name} (${k.reason})`).join('; ')}`] : []),
    '',
  ].join('\n');
}

const finite = (x: number): boolean => typeof x === 'number' && Number.isFinite(x);

/** The paper's per-layer figure: SQNR intervals of both methods per layer, one row per bit width. */
export function perLayerFigureSpec(r: ModelStudyResult): VlSpec {
  const order = r.layers.map((l) => l.name);
  const all = r.perLayer.flatMap((l) => [...l.aggregate.quantSqnrDb, ...l.aggregate.pruneSqnrDb]).filter(finite);
  const top = all.length ? Math.max(...all) + 5 : 50;
  const bottom = all.length ? Math.min(...all) - 5 : 0;
  const clamp = (x: number): number => (x === Infinity ? top : x === -Infinity || Number.isNaN(x) ? bottom : x);
  const values = r.perLayer.flatMap((l) => {
    const a = l.aggregate;
    return (
      [
        ['quantization', a.quantSqnrDb, a.quantExact],
        ['pruning', a.pruneSqnrDb, a.pruneExact],
      ] as const
    ).map(([method, s, exact]) => ({
      layer: l.layer,
      bits: l.bits,
      method,
      lo: clamp(s[0]),
      hi: clamp(s[1]),
      exact,
      provenWinner: a.proven && a.winner === method,
    }));
  });
  const x = { field: 'layer', type: 'nominal', sort: order, title: 'layer', axis: { labelAngle: -60, labelFontSize: 8 } };
  const color = { field: 'method', type: 'nominal', title: null, scale: { domain: ['quantization', 'pruning'], range: ['#1f77b4', '#d62728'] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${r.model.file}: SQNR per layer (intervals: proven bounds; dots: proven optima; triangles: proven winner)`,
    data: { values },
    facet: { row: { field: 'bits', type: 'ordinal', title: 'bits b' } },
    spec: {
      width: Math.max(320, 14 * order.length),
      height: 170,
      layer: [
        { mark: { type: 'rule', strokeWidth: 3 }, encoding: { x, xOffset: { field: 'method', sort: ['quantization', 'pruning'] }, y: { field: 'lo', type: 'quantitative', title: 'SQNR (dB)', scale: { zero: false } }, y2: { field: 'hi' }, color } },
        { mark: { type: 'tick', thickness: 1, size: 6 }, encoding: { x, xOffset: { field: 'method', sort: ['quantization', 'pruning'] }, y: { field: 'lo', type: 'quantitative' }, color } },
        { mark: { type: 'tick', thickness: 1, size: 6 }, encoding: { x, xOffset: { field: 'method', sort: ['quantization', 'pruning'] }, y: { field: 'hi', type: 'quantitative' }, color } },
        { transform: [{ filter: 'datum.exact' }], mark: { type: 'point', filled: true, size: 28 }, encoding: { x, xOffset: { field: 'method', sort: ['quantization', 'pruning'] }, y: { field: 'lo', type: 'quantitative' }, color } },
        { transform: [{ filter: 'datum.provenWinner' }], mark: { type: 'point', shape: 'triangle-down', filled: true, size: 40, color: 'black' }, encoding: { x, xOffset: { field: 'method', sort: ['quantization', 'pruning'] }, y: { field: 'hi', type: 'quantitative' } } },
      ],
    },
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function htmlTable(header: string[], rows: string[][], id: string): string {
  return `<table id="${id}"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n')}\n</tbody></table>`;
}

/** report.html: self-contained (inline CSS and SVG, no scripts, no external resources). */
export function renderModelHtml(r: ModelStudyResult, svg: string): string {
  const s = r.settings;
  const inlineSvg = svg.replace(/^<\?xml[^>]*>\s*/, '');
  const settings: [string, string][] = [
    ['model', `${r.model.file} (sha256 ${r.model.sha256})`],
    ['weight layers', `${r.layers.length} studied of ${r.model.weightLayers} (${r.model.weights} weights); ${r.model.skipped.length} skipped`],
    ['input', `${r.input.source}, ${r.input.name} [${r.input.shape.join(', ')}] (sha256 ${r.input.sha256.slice(0, 16)}...)`],
    ['bits', s.bits.join(', ')],
    ['opt-dim', String(s.optDim)],
    ['im2col', s.im2col === 'paper' ? "paper (stride 1, no padding, no dilation, as the official code)" : "the layer's stride, padding and dilation"],
    ['time limit', `${(s.timeLimitMs / 1000).toPrecision(3)} s per method and sub-problem${s.budgetMs !== null ? ` (from a budget of ${(s.budgetMs / 1000).toFixed(1)} s)` : ''}`],
    ['channels per layer', s.channelsPerLayer === null ? 'all' : `first ${s.channelsPerLayer}`],
    ['scale / k / box', `${s.scaleRule} scale, k = ${s.kRule}, prune box ${s.pruneBox ? '[2 min w, 2 max w]' : 'off'}`],
    ['sub-problems', String(r.subproblems.length)],
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>pvq model report: ${escapeHtml(r.model.file)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em 0;font-size:0.85em}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f0f0f0} td:first-child,th:first-child{text-align:left}
.figure{overflow-x:auto} p.note{font-size:0.85em;color:#555;max-width:60em}
</style></head>
<body>
<h1>pvq model: ${escapeHtml(r.model.file)}</h1>
<h2>Settings</h2>
${htmlTable(['setting', 'value'], settings, 'settings')}
<h2>Per model</h2>
${htmlTable(HEADER, modelRows(r), 'per-model')}
<h2>Per-layer figure</h2>
<div class="figure">${inlineSvg}</div>
<h2>Per layer</h2>
${htmlTable(HEADER, layerRows(r), 'per-layer')}
<h2>Layers</h2>
${htmlTable(
  ['layer', 'op', 'type', 'weight', 'shape', 'input', 'input shape', 'stride', 'padding', 'dilation', 'groups'],
  r.layers.map((l) => [l.name, l.op, l.kind, l.weightName, `[${l.weightShape.join(', ')}]`, l.input, `[${l.inputShape.join(', ')}]`, l.stride.join('x'), l.padding.join('x'), l.dilation.join('x'), String(l.group)]),
  'layers',
)}
${NOTES.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
${r.model.skipped.length ? `<h2>Skipped weight layers</h2>\n${htmlTable(['layer', 'op', 'reason'], r.model.skipped.map((k) => [k.name, k.op, k.reason]), 'skipped')}` : ''}
</body></html>
`;
}

/** Render every report file (nothing is written). */
export async function renderModelReport(r: ModelStudyResult): Promise<Record<ReportFile, string>> {
  const svg = await renderSvg(perLayerFigureSpec(r));
  return {
    'results.json': JSON.stringify(r) + '\n',
    'table.txt': renderModelTable(r),
    'figure.svg': svg,
    'report.html': renderModelHtml(r, svg),
  };
}
