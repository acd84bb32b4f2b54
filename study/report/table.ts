import type { AggregateComparison, ChannelComparison, CompareResult, MethodOutcome } from '../compare/compare.js';
import type { SolveResult } from '../../src/core/types.js';

/** Render rows as a plain-text table with aligned columns (first column left, others right). */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function fmtDb(x: number, digits = 2): string {
  if (Number.isNaN(x)) return 'n/a';
  if (x === Infinity) return '+inf';
  if (x === -Infinity) return '-inf';
  return x.toFixed(digits);
}

export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'n/a';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? x.toPrecision(6) : x.toExponential(4);
}

/** SQNR interval of a method: "14.00 =" when exact, "[12.31, 14.58]" otherwise. */
export function fmtInterval(m: MethodOutcome): string {
  const [lo, hi] = m.sqnrDb;
  if (m.exact) return `${fmtDb(lo)} =`;
  return `[${fmtDb(lo)}, ${fmtDb(hi)}]`;
}

function verdictText(winner: string, proven: boolean): string {
  if (winner === 'undecided') return 'undecided';
  if (winner === 'tie') return 'tie (proven)';
  return `${winner === 'quantization' ? 'quant' : 'prune'} ${proven ? '(proven)' : ''}`.trim();
}

function channelLabel(c: ChannelComparison): string {
  if (c.channel !== null) return c.chunk !== null ? `ch ${c.channel} / chunk ${c.chunk}` : `ch ${c.channel}`;
  return c.problem;
}

/** The comparison table: one row per channel/chunk, then the aggregates. */
export function renderComparison(res: CompareResult, title: string): string {
  const baselineNames = Array.from(new Set(res.channels.flatMap((c) => Object.keys(c.baselines)))).filter((n) =>
    ['rtn', 'magnitude-refit'].includes(n),
  );
  const header = ['channel', 'kind', 'n', 'bits', 'k', 'quant SQNR dB', 'prune SQNR dB', ...baselineNames.map((n) => `${n} dB`), 'verdict'];
  const rows = res.channels.map((c) => [
    channelLabel(c),
    c.kind,
    String(c.n),
    c.bits === null ? '?' : String(c.bits),
    String(c.k),
    fmtInterval(c.quant),
    fmtInterval(c.prune),
    ...baselineNames.map((n) => (c.baselines[n] === undefined ? '' : fmtDb(c.baselines[n]))),
    verdictText(c.winner, c.proven),
  ]);
  const parts = [title, '', renderTable(header, rows), ''];
  parts.push(renderAggregates(res.aggregates));
  parts.push('');
  parts.push(
    'SQNR intervals: [from the best feasible error, from the proven lower bound]; "x =" marks a proven optimum.',
    `Verdict "proven" only when the error intervals do not overlap. Time limit per method and sub-problem: ${(res.settings.timeLimitMs / 1000).toFixed(1)} s; prune box: ${res.settings.pruneBox ? 'on' : 'off'}; total ${(res.timeMs / 1000).toFixed(2)} s.`,
  );
  return parts.join('\n');
}

export function renderAggregates(aggs: AggregateComparison[]): string {
  const header = ['aggregate', 'kind', 'rows', 'quant SQNR dB', 'prune SQNR dB', 'proven q/p/tie', 'verdict'];
  const rows = aggs.map((a) => [
    a.group,
    a.kind,
    String(a.count),
    a.quantExact ? `${fmtDb(a.quantSqnrDb[0])} =` : `[${fmtDb(a.quantSqnrDb[0])}, ${fmtDb(a.quantSqnrDb[1])}]`,
    a.pruneExact ? `${fmtDb(a.pruneSqnrDb[0])} =` : `[${fmtDb(a.pruneSqnrDb[0])}, ${fmtDb(a.pruneSqnrDb[1])}]`,
    `${a.provenChannels.quantization}/${a.provenChannels.pruning}/${a.provenChannels.tie}`,
    verdictText(a.winner, a.proven),
  ]);
  return renderTable(header, rows);
}

/** Human-readable summary of one solver result. */
export function renderResult(r: SolveResult, refEnergy?: number): string {
  const lines = [
    `solver      ${r.solver}`,
    `problem     ${r.problem} (${r.problemClass})`,
    `status      ${r.status}`,
    `lowerBound  ${fmtNum(r.lowerBound)}`,
    `upperBound  ${r.solution === null ? 'none' : fmtNum(r.upperBound)}`,
    `relGap      ${fmtNum(r.relGap)}`,
  ];
  if (refEnergy !== undefined) {
    const s = (e: number): string => (e <= 0 ? '+inf' : fmtDb(10 * Math.log10(refEnergy / e), 4));
    lines.push(`SQNR dB     [${r.solution === null ? '-inf' : s(r.upperBound)}, ${s(r.lowerBound)}]`);
  }
  lines.push(`time        ${r.stats.timeMs.toFixed(2)} ms, nodes ${r.stats.nodes}, iterations ${r.stats.iterations}`);
  if (r.solution !== null) lines.push(`solution    [${Array.from(r.solution, (x) => (Number.isInteger(x) ? String(x) : fmtNum(x))).join(', ')}]`);
  if (r.certificate) lines.push(`certificate ${r.certificate.type}`);
  if (r.message) lines.push(`message     ${r.message}`);
  return lines.join('\n');
}
