/**
 * Re-check a whole comparison report (`pvq compare --json`): every solver result of every channel (as
 * `pvq verify` checks a single result), every interval (lower end = max of the verified lower bounds, upper end
 * = min of the recomputed feasible errors), every verdict (recomputed from the verified intervals) and the
 * aggregates; and a format comparison (`pvq compare --formats --json`, `auditFormatReport` below). A claim is `verified`, `unverified` (it holds only with search bounds nobody re-ran here) or
 * `failed` (false, or resting on nothing).
 */
import { gapClosed } from '../../src/core/result.js';
import { sqnrDb } from '../../src/core/objective.js';
import type { AnyProblemClass, LayerProblem, ProblemClass } from '../../src/core/types.js';
import { DEFAULT_REL_GAP_TOL } from '../../src/core/types.js';
import { absSlack, applyRerun, auditResult, rerunLowerBound, type AuditStatus, type ReportedResult, type ResultAudit } from '../../solvers/verify.js';
import { aggregate, verdict, type AggregateComparison, type ChannelComparison, type Winner } from './compare.js';
import { contexts, paramsOf, parseFormats, rankFormats, type FormatAggregate, type FormatChannel, type FormatChannelOutcome, type MaskRule } from './formats.js';
import type { BitsBreakdown } from '../../src/formats/bits.js';

interface ReportMethod {
  lowerBound: number;
  upperBound: number | null;
  exact: boolean;
  sqnrDb?: [number | null, number | null];
  results: (Omit<ReportedResult, 'problemClass'> & { problemClass?: AnyProblemClass })[];
}

export interface ReportChannel {
  problem: string;
  r?: number;
  quant: ReportMethod;
  prune: ReportMethod;
  winner: Winner;
  proven: boolean;
}

export interface ComparisonReport {
  name?: string;
  settings?: { pruneBox?: boolean };
  channels: ReportChannel[];
  aggregates?: (Omit<AggregateComparison, 'quantError' | 'pruneError'> & { quantError: [number, number | null]; pruneError: [number, number | null] })[];
}

export interface ClaimAudit {
  /** Channel (problem name) or aggregate group. */
  subject: string;
  status: AuditStatus;
  checks: string[];
  unverified: string[];
  failures: string[];
}

export interface ReportAudit {
  status: AuditStatus;
  /** Per solver result. */
  results: (ResultAudit & { channel: string; method: AnyProblemClass; solver: string | null; format?: string })[];
  /** Per channel (intervals and verdict) and per aggregate group. */
  claims: ClaimAudit[];
}

export interface ReportAuditOptions {
  /** Re-run the exact search of each sub-problem with an unverified search bound, under this limit (ms). */
  rerunTimeLimitMs?: number;
  /** Called after each channel. */
  onProgress?: (done: number, total: number, problem: string) => void;
}

const REL_TOL = 1e-9;

function absSlackOf(p: LayerProblem): number {
  return 1e-12 * Math.max(p.objective.r, Number.MIN_VALUE);
}

/** Interval of a method: verified (V) and claimable with unverified search bounds (C). */
interface Interval {
  lowerV: number;
  lowerC: number;
  upper: number;
  exactV: boolean;
  exactC: boolean;
  failed: boolean;
}

function combine(statuses: AuditStatus[]): AuditStatus {
  return statuses.includes('failed') ? 'failed' : statuses.includes('unverified') ? 'unverified' : 'verified';
}

async function auditMethod(
  p: LayerProblem,
  cls: AnyProblemClass,
  m: ReportMethod,
  useBox: boolean,
  opts: ReportAuditOptions,
): Promise<{ audits: ResultAudit[]; iv: Interval; solvers: (string | null)[] }> {
  const rs: ReportedResult[] = m.results.map((r) => ({ ...r, problemClass: cls }));
  let audits = rs.map((r) => auditResult(p, r, { useBox }));
  if (opts.rerunTimeLimitMs !== undefined && audits.some((a) => a.status === 'unverified')) {
    let best: ArrayLike<number> | null = null;
    let bestUb = Infinity;
    audits.forEach((a, i) => {
      if (a.recomputedUpperBound !== null && a.recomputedUpperBound < bestUb) {
        bestUb = a.recomputedUpperBound;
        best = rs[i].solution;
      }
    });
    const rerun = await rerunLowerBound(p, cls, { useBox, timeLimitMs: opts.rerunTimeLimitMs, incumbent: best });
    if (rerun) audits = audits.map((a, i) => applyRerun(p, rs[i], a, rerun));
  }
  let lowerV = 0;
  let lowerC = 0;
  let upper = Infinity;
  let tol = DEFAULT_REL_GAP_TOL;
  audits.forEach((a, i) => {
    if (a.recomputedUpperBound !== null) upper = Math.min(upper, a.recomputedUpperBound);
    if (a.status === 'failed') return;
    lowerV = Math.max(lowerV, a.verifiedLowerBound);
    lowerC = Math.max(lowerC, a.status === 'unverified' ? rs[i].lowerBound : a.verifiedLowerBound);
    const t = rs[i].stats?.relGapTol;
    if (rs[i].status === 'optimal' && typeof t === 'number') tol = Math.max(tol, t);
  });
  const abs = absSlack(p);
  return {
    audits,
    solvers: rs.map((r) => r.solver ?? null),
    iv: {
      lowerV,
      lowerC,
      upper,
      exactV: gapClosed(lowerV, upper, tol + 1e-12, abs),
      exactC: gapClosed(lowerC, upper, tol + 1e-12, abs),
      failed: audits.some((a) => a.status === 'failed'),
    },
  };
}

/** Check a claimed lower end against the verified and the claimable one. */
function lowerClaim(what: string, claimed: number, lowerV: number, lowerC: number, abs: number, out: ClaimAudit): void {
  const slack = (b: number): number => REL_TOL * b + abs;
  if (claimed <= lowerV + slack(lowerV)) out.checks.push(`${what} lower end ${claimed} verified (proven ${lowerV})`);
  else if (claimed <= lowerC + slack(lowerC)) out.unverified.push(`${what} lower end ${claimed} rests on unverified search bounds (verified: ${lowerV})`);
  else out.failures.push(`${what} lower end ${claimed} exceeds every bound its results prove (${lowerV}${lowerC > lowerV ? `; claimed by searches: ${lowerC}` : ''})`);
}

function upperClaim(what: string, claimed: number | null, upper: number, abs: number, out: ClaimAudit): void {
  const c = claimed === null ? Infinity : claimed;
  if (c === upper || Math.abs(c - upper) <= REL_TOL * Math.abs(upper) + abs) out.checks.push(`${what} upper end ${c} = the best recomputed feasible error`);
  else out.failures.push(`${what} upper end ${c} differs from the best recomputed feasible error ${upper}`);
}

function verdictClaim(what: string, claimed: { winner: Winner; proven: boolean }, v: { winner: Winner; proven: boolean }, c: { winner: Winner; proven: boolean }, out: ClaimAudit): void {
  if (!claimed.proven) {
    if (claimed.winner !== 'undecided') out.failures.push(`${what} verdict '${claimed.winner}' is marked unproven (only 'undecided' may be)`);
    else out.checks.push(`${what} verdict undecided${v.proven ? ` (the verified intervals would prove '${v.winner}')` : ''}`);
    return;
  }
  if (v.proven && v.winner === claimed.winner) out.checks.push(`${what} verdict '${claimed.winner}' proven by the verified intervals`);
  else if (c.proven && c.winner === claimed.winner) out.unverified.push(`${what} verdict '${claimed.winner}' rests on unverified search bounds`);
  else out.failures.push(`${what} verdict '${claimed.winner}' does not follow from the intervals (recomputed: ${v.proven ? v.winner : 'undecided'})`);
}

/** The claims of one method's interval on one channel: its results, both ends, `exact` and the SQNR interval. */
function methodClaims(label: string, r: number, m: ReportMethod, iv: Interval, audits: ResultAudit[], abs: number, claim: ClaimAudit): void {
  if (iv.failed) claim.failures.push(`${label}: ${audits.filter((a) => a.status === 'failed').length} result(s) failed verification`);
  lowerClaim(label, m.lowerBound, iv.lowerV, iv.lowerC, abs, claim);
  upperClaim(label, m.upperBound, iv.upper, abs, claim);
  if (m.exact) {
    if (iv.exactV) claim.checks.push(`${label} exact: verified`);
    else if (iv.exactC) claim.unverified.push(`${label} exact: rests on unverified search bounds`);
    else claim.failures.push(`${label} exact: the proven bound ${iv.lowerV} does not meet ${iv.upper}`);
  }
  if (m.sqnrDb) {
    const want = [sqnrDb(r, m.upperBound ?? Infinity), sqnrDb(r, m.lowerBound)];
    const same = (a: number | null, b: number): boolean => (a === null ? !Number.isFinite(b) : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
    if (!same(m.sqnrDb[0], want[0]) || !same(m.sqnrDb[1], want[1])) claim.failures.push(`${label} sqnrDb [${m.sqnrDb.join(', ')}] does not match its error interval`);
  }
}

function finishClaim(c: ClaimAudit): ClaimAudit {
  c.status = c.failures.length > 0 ? 'failed' : c.unverified.length > 0 ? 'unverified' : 'verified';
  return c;
}

/** Re-check a comparison report against its problems (matched by name). */
export async function auditComparisonReport(problems: ReadonlyMap<string, LayerProblem>, report: ComparisonReport, opts: ReportAuditOptions = {}): Promise<ReportAudit> {
  const useBox = report.settings?.pruneBox ?? true;
  const results: ReportAudit['results'] = [];
  const claims: ClaimAudit[] = [];
  const verifiedChannels: ChannelComparison[] = [];
  const claimableChannels: ChannelComparison[] = [];
  for (let i = 0; i < report.channels.length; i++) {
    const ch = report.channels[i];
    const p = problems.get(ch.problem);
    if (!p) throw new Error(`channel ${JSON.stringify(ch.problem)} has no matching problem`);
    const claim: ClaimAudit = { subject: ch.problem, status: 'verified', checks: [], unverified: [], failures: [] };
    const abs = absSlackOf(p);
    if (ch.r !== undefined && Math.abs(ch.r - p.objective.r) > REL_TOL * p.objective.r + abs) claim.failures.push(`r ${ch.r} differs from the problem's ${p.objective.r}`);
    const ivs: Record<ProblemClass, Interval> = {} as Record<ProblemClass, Interval>;
    for (const [cls, m, label] of [['quantization', ch.quant, 'quant'], ['pruning', ch.prune, 'prune']] as const) {
      const { audits, iv, solvers } = await auditMethod(p, cls, m, useBox, opts);
      audits.forEach((a, j) => results.push({ ...a, channel: ch.problem, method: cls, solver: solvers[j] }));
      methodClaims(label, p.objective.r, m, iv, audits, abs, claim);
      ivs[cls] = iv;
    }
    const q = ivs.quantization;
    const pr = ivs.pruning;
    const v = verdict(q.lowerV, q.upper, pr.lowerV, pr.upper, q.exactV, pr.exactV);
    const c = verdict(q.lowerC, q.upper, pr.lowerC, pr.upper, q.exactC, pr.exactC);
    verdictClaim('channel', { winner: ch.winner, proven: ch.proven }, v, c, claim);
    claims.push(finishClaim(claim));
    const base = { problem: ch.problem, kind: (ch as { kind?: string }).kind ?? 'standalone', layer: (ch as { layer?: string | null }).layer ?? null, r: p.objective.r };
    const mk = (qi: [number, number, boolean], pi: [number, number, boolean], w: { winner: Winner; proven: boolean }): ChannelComparison =>
      ({
        ...base,
        quant: { lowerBound: qi[0], upperBound: qi[1], exact: qi[2] },
        prune: { lowerBound: pi[0], upperBound: pi[1], exact: pi[2] },
        winner: w.winner,
        proven: w.proven,
      }) as unknown as ChannelComparison;
    verifiedChannels.push(mk([q.lowerV, q.upper, q.exactV], [pr.lowerV, pr.upper, pr.exactV], v));
    claimableChannels.push(mk([q.lowerC, q.upper, q.exactC], [pr.lowerC, pr.upper, pr.exactC], c));
    opts.onProgress?.(i + 1, report.channels.length, ch.problem);
  }
  if (report.aggregates) {
    const setName = report.name ?? '';
    const aggV = aggregate(verifiedChannels, setName);
    const aggC = aggregate(claimableChannels, setName);
    for (const a of report.aggregates) {
      const subject = `aggregate ${a.group} (${a.kind})`;
      const claim: ClaimAudit = { subject, status: 'verified', checks: [], unverified: [], failures: [] };
      const i = aggV.findIndex((x) => x.group === a.group && x.kind === a.kind);
      if (i < 0) {
        claim.failures.push('no such group among the channels');
        claims.push(finishClaim(claim));
        continue;
      }
      const V = aggV[i];
      const C = aggC[i];
      const abs = 1e-12 * V.r * 1e3;
      if (a.count !== V.count) claim.failures.push(`count ${a.count} differs from the ${V.count} channels of the group`);
      lowerClaim('quant', a.quantError[0], V.quantError[0], C.quantError[0], abs, claim);
      upperClaim('quant', a.quantError[1], V.quantError[1], abs, claim);
      lowerClaim('prune', a.pruneError[0], V.pruneError[0], C.pruneError[0], abs, claim);
      upperClaim('prune', a.pruneError[1], V.pruneError[1], abs, claim);
      for (const [flag, vv, cc] of [['quantExact', V.quantExact, C.quantExact], ['pruneExact', V.pruneExact, C.pruneExact]] as const) {
        if (!a[flag]) continue;
        if (vv) claim.checks.push(`${flag}: verified`);
        else if (cc) claim.unverified.push(`${flag} rests on unverified search bounds`);
        else claim.failures.push(`${flag} is not proven`);
      }
      verdictClaim('aggregate', { winner: a.winner, proven: a.proven }, V, C, claim);
      for (const w of ['quantization', 'pruning', 'tie'] as const) {
        const n = a.provenChannels?.[w] ?? 0;
        if (n <= V.provenChannels[w]) continue;
        if (n <= C.provenChannels[w]) claim.unverified.push(`${n} channels proven '${w}' rest on unverified search bounds (verified: ${V.provenChannels[w]})`);
        else claim.failures.push(`${n} channels claimed proven '${w}', ${V.provenChannels[w]} verified`);
      }
      claims.push(finishClaim(claim));
    }
  }
  return { status: combine([...results.map((r) => r.status), ...claims.map((c) => c.status)]), results, claims };
}

// ---- `pvq compare --formats --json` reports ----

/** One format's outcome on one channel, as `compare --formats --json` writes it (null: over the bit budget). */
export interface ReportFormatOutcome extends ReportMethod {
  bits?: BitsBreakdown;
  params?: Record<string, unknown>;
}

export interface FormatComparisonReport {
  name?: string;
  formats: { spec: string; label: string; problemClass: AnyProblemClass }[];
  settings?: { pruneBox?: boolean; bitsPerWeight?: number; mask?: MaskRule };
  channels: { problem: string; r?: number; outcomes: Record<string, ReportFormatOutcome | null> }[];
  aggregates?: {
    group: string;
    kind: string;
    count: number;
    ranking: { rank: number; format: string; bitsPerWeight: number; error: [number, number | null]; exactChannels: number; channels: number; provenBetterThanNext: boolean; provenBetterThan: string[] }[];
    overBudget: string[];
  }[];
}

/** True when a JSON value is a format comparison report (it lists its formats and per-channel outcomes). */
export function isFormatReport(x: unknown): x is FormatComparisonReport {
  return typeof x === 'object' && x !== null && Array.isArray((x as { formats?: unknown }).formats) && Array.isArray((x as { channels?: unknown }).channels);
}

const sameJSON = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Re-check a format comparison (`pvq compare --formats --json`): the formats are re-parsed from their specs with
 * the report's settings and every format's problem is rebuilt from the layer problems (scales, grids, k, N:M: the
 * same deterministic rules), so nothing about a problem is taken from the report. Then, per channel and format,
 * every solver result is audited on the rebuilt problem, the interval, `exact`, the SQNR, the bits and the
 * parameters are checked; per group the ranking is recomputed from the verified intervals: the order (by upper
 * error), every "proven better" mark, the bits per weight and the formats over the budget.
 */
export async function auditFormatReport(problems: ReadonlyMap<string, LayerProblem>, report: FormatComparisonReport, opts: ReportAuditOptions = {}): Promise<ReportAudit> {
  const useBox = report.settings?.pruneBox ?? true;
  const budget = report.settings?.bitsPerWeight;
  const formats = parseFormats(report.formats.map((f) => f.spec).join(','), { bitsPerWeight: budget, mask: report.settings?.mask });
  const results: ReportAudit['results'] = [];
  const claims: ClaimAudit[] = [];
  const head: ClaimAudit = { subject: 'formats', status: 'verified', checks: [], unverified: [], failures: [] };
  formats.forEach((f, i) => {
    const r = report.formats[i];
    if (f.label !== r.label || f.problemClass !== r.problemClass) head.failures.push(`'${r.spec}' is ${f.label} (${f.problemClass}), the report says ${r.label} (${r.problemClass})`);
    else head.checks.push(`'${r.spec}' = ${f.label} (${f.problemClass})`);
  });
  claims.push(finishClaim(head));
  const setName = report.name ?? '';
  const list = report.channels.map((ch) => {
    const p = problems.get(ch.problem);
    if (!p) throw new Error(`channel ${JSON.stringify(ch.problem)} has no matching problem`);
    return p;
  });
  const ctxs = contexts(list, setName);
  const verified: FormatChannel[] = [];
  const claimable: FormatChannel[] = [];
  for (let i = 0; i < list.length; i++) {
    const p = list[i];
    const ch = report.channels[i];
    const claim: ClaimAudit = { subject: ch.problem, status: 'verified', checks: [], unverified: [], failures: [] };
    const abs = absSlackOf(p);
    if (ch.r !== undefined && Math.abs(ch.r - p.objective.r) > REL_TOL * p.objective.r + abs) claim.failures.push(`r ${ch.r} differs from the problem's ${p.objective.r}`);
    const outV: FormatChannel['outcomes'] = {};
    const outC: FormatChannel['outcomes'] = {};
    for (const f of formats) {
      const label = f.label;
      const m = ch.outcomes?.[label];
      const inst = f.instance(p, ctxs[i]);
      const over = inst === null || (budget !== undefined && inst.bits.total > budget + 1e-12);
      outV[label] = outC[label] = null;
      if (over) {
        if (m === null) claim.checks.push(`${label}: over the bit budget here, not ranked`);
        else claim.failures.push(`${label}: over the bit budget${inst ? ` (${inst.bits.total} bits/weight)` : ''}, but the report gives it a result`);
        continue;
      }
      if (m === null || m === undefined) {
        claim.failures.push(`${label}: within the budget (${inst!.bits.total} bits/weight) but the report gives no result`);
        continue;
      }
      const { audits, iv, solvers } = await auditMethod(inst!.problem, f.problemClass, m, useBox, opts);
      audits.forEach((a, j) => results.push({ ...a, channel: ch.problem, method: f.problemClass, format: label, solver: solvers[j] }));
      methodClaims(label, p.objective.r, m, iv, audits, abs, claim);
      if (m.bits !== undefined && Math.abs(m.bits.total - inst!.bits.total) > 1e-9 * Math.max(1, inst!.bits.total)) claim.failures.push(`${label}: ${m.bits.total} bits/weight claimed, the format costs ${inst!.bits.total}`);
      if (m.params !== undefined && !sameJSON(m.params, paramsOf(inst!.problem, f.problemClass))) claim.failures.push(`${label}: parameters ${JSON.stringify(m.params).slice(0, 200)} differ from the rebuilt format's`);
      const mk = (lower: number, exact: boolean): FormatChannelOutcome => ({ lowerBound: lower, upperBound: iv.upper, exact, bits: inst!.bits }) as FormatChannelOutcome;
      outV[label] = mk(iv.lowerV, iv.exactV);
      outC[label] = mk(iv.lowerC, iv.exactC);
    }
    claims.push(finishClaim(claim));
    verified.push({ problem: p.name, n: p.n, r: p.objective.r, outcomes: outV });
    claimable.push({ problem: p.name, n: p.n, r: p.objective.r, outcomes: outC });
    opts.onProgress?.(i + 1, list.length, ch.problem);
  }
  const aggV = rankFormats(list, verified, formats, setName);
  const aggC = rankFormats(list, claimable, formats, setName);
  for (const a of report.aggregates ?? []) claims.push(auditFormatAggregate(a, aggV, aggC));
  return { status: combine([...results.map((r) => r.status), ...claims.map((c) => c.status)]), results, claims };
}

/**
 * One aggregate of a format report against the rankings recomputed from the verified (V) and the claimable (C)
 * intervals: the count, the formats over the budget, every row's interval, bits and exact channels, the order and
 * every "proven better" mark.
 */
function auditFormatAggregate(a: NonNullable<FormatComparisonReport['aggregates']>[number], aggV: FormatAggregate[], aggC: FormatAggregate[]): ClaimAudit {
  const claim: ClaimAudit = { subject: `aggregate ${a.group} (${a.kind})`, status: 'verified', checks: [], unverified: [], failures: [] };
  const gi = aggV.findIndex((x) => x.group === a.group && x.kind === a.kind);
  if (gi < 0) {
    claim.failures.push('no such group among the channels');
    return finishClaim(claim);
  }
  const V = aggV[gi];
  const C = aggC[gi];
  const abs = 1e-12 * V.r * 1e3;
  if (a.count !== V.count) claim.failures.push(`count ${a.count} differs from the ${V.count} channels of the group`);
  if (!sameJSON([...a.overBudget].sort(), [...V.overBudget].sort())) claim.failures.push(`over the budget: [${a.overBudget.join(', ')}] claimed, [${V.overBudget.join(', ')}] recomputed`);
  const rowV = new Map(V.ranking.map((x) => [x.format, x]));
  const rowC = new Map(C.ranking.map((x) => [x.format, x]));
  if (!sameJSON(a.ranking.map((x) => x.format).sort(), [...rowV.keys()].sort())) claim.failures.push(`ranked formats [${a.ranking.map((x) => x.format).join(', ')}] differ from [${[...rowV.keys()].join(', ')}]`);
  const slack = (e: number): number => REL_TOL * Math.abs(e) + abs;
  a.ranking.forEach((x, j) => {
    const v = rowV.get(x.format);
    const c = rowC.get(x.format);
    if (!v || !c) return;
    if (x.rank !== j + 1) claim.failures.push(`${x.format}: rank ${x.rank} at position ${j + 1}`);
    lowerClaim(x.format, x.error[0], v.error[0], c.error[0], abs, claim);
    upperClaim(x.format, x.error[1], v.error[1], abs, claim);
    if (Math.abs(x.bitsPerWeight - v.bitsPerWeight) > 1e-9 * Math.max(1, v.bitsPerWeight)) claim.failures.push(`${x.format}: ${x.bitsPerWeight} bits/weight claimed, ${v.bitsPerWeight} recomputed`);
    if (x.channels !== v.channels) claim.failures.push(`${x.format}: ${x.channels} channels claimed, ${v.channels} in the group`);
    if (x.exactChannels > v.exactChannels) {
      if (x.exactChannels <= c.exactChannels) claim.unverified.push(`${x.format}: ${x.exactChannels} exact channels rest on unverified search bounds (verified: ${v.exactChannels})`);
      else claim.failures.push(`${x.format}: ${x.exactChannels} exact channels claimed, ${v.exactChannels} verified`);
    }
    // the order: by upper error (ties within rounding may come either way)
    const next = a.ranking[j + 1];
    const vn = next ? rowV.get(next.format) : undefined;
    if (next && vn) {
      if (v.error[1] > vn.error[1] + slack(vn.error[1])) claim.failures.push(`ranking: ${x.format} above ${next.format}, but its upper error ${v.error[1]} exceeds ${vn.error[1]}`);
      else claim.checks.push(`ranking: ${x.format} (upper error ${v.error[1]}) before ${next.format} (${vn.error[1]})`);
    }
    const better = (what: string, other: string): void => {
      const ov = rowV.get(other);
      const oc = rowC.get(other);
      if (!ov || !oc) return void claim.failures.push(`${what}: no format ${JSON.stringify(other)} in the group`);
      if (v.error[1] < ov.error[0]) claim.checks.push(`${what}: upper error ${v.error[1]} < proven ${ov.error[0]}`);
      else if (c.error[1] < oc.error[0]) claim.unverified.push(`${what} rests on unverified search bounds`);
      else claim.failures.push(`${what}: upper error ${v.error[1]} is not below the proven lower error ${ov.error[0]} of ${other}`);
    };
    if (x.provenBetterThanNext) {
      if (!next) claim.failures.push(`${x.format}: marked proven better than the next, but it is last`);
      else better(`${x.format} proven better than ${next.format}`, next.format);
    }
    for (const o of x.provenBetterThan) better(`${x.format} proven better than ${o}`, o);
  });
  return finishClaim(claim);
}
