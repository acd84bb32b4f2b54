/**
 * The one parser of format names (issue 11; used by `pvq compare --formats` in study/compare/formats.ts and by
 * `pvq analytic / tensors --formats` in src/analytic/formats.ts). Grammar (case-insensitive, spaces trimmed):
 *
 *   format   := sparsity | [sparsity '+'] value ['/g' G]
 *   sparsity := N ':' M | 'unstructured' ['@' R] | 'prune'
 *   value    := 'int' [B] | 'uint' B | 'fp4' | 'fp4-e2m1' | 'e2m1' | 'nf4' | 'fp8' | 'fp8-e4m3' | 'fp8-e4m3fn' | 'e4m3'
 *             | 'fp8-e5m2' | 'e5m2'
 *
 * `/gG` gives the value format one scale per group of G consecutive inputs (int4/g32, fp4/g64, 2:4+int8/g128);
 * without it the scale is per tensor (or per channel). This module checks the syntax and the numbers that have one
 * meaning everywhere (N:M with 1 <= N < M, a keep ratio in (0, 1], 1..16 integer bits, G >= 1); what a caller can
 * evaluate (which combinations, which bit widths) it decides itself.
 */
import { PvqInputError } from '../core/errors.js';
import { levelsOfFormat, type LevelSet } from './levels.js';

/** A value format: the integer grid (B free when null) or a named level set. */
export type ValueFormat =
  | { readonly kind: 'int'; readonly name: string; readonly bits: number | null; readonly signed: boolean }
  | { readonly kind: 'levels'; readonly name: string; readonly levels: LevelSet };

/** A sparsity pattern: N:M, unstructured (keep ratio R, or free when null), or the paper's pruning (the file's k). */
export type SparsityFormat =
  | { readonly kind: 'nm'; readonly N: number; readonly M: number }
  | { readonly kind: 'unstructured'; readonly ratio: number | null }
  | { readonly kind: 'prune' };

export interface FormatSyntax {
  /** As given (trimmed). */
  readonly text: string;
  /** Lower-cased. */
  readonly name: string;
  readonly sparsity: SparsityFormat | null;
  readonly value: ValueFormat | null;
  /** Inputs per scale of the value format (`/gG`), null for one scale per tensor / channel. */
  readonly groupSize: number | null;
}

const LEVEL_NAMES: readonly string[] = ['fp4', 'fp4-e2m1', 'e2m1', 'nf4', 'fp8', 'fp8-e4m3', 'fp8-e4m3fn', 'e4m3', 'fp8-e5m2', 'e5m2'];

/** Thrown for a name outside the grammar (callers may re-word it); other errors are about numbers in a known shape. */
export class UnknownFormatError extends PvqInputError {}

/** The value format of a name, or null when the name is not one. */
export function parseValueFormat(s: string, spec: string, field = '--formats'): ValueFormat | null {
  const m = /^(u?)int(\d*)$/.exec(s);
  if (m) {
    const signed = m[1] === '';
    if (m[2] === '') {
      if (!signed) throw new PvqInputError(field, `'${spec}': give the bits of uint (e.g. uint8)`);
      return { kind: 'int', name: s, bits: null, signed };
    }
    const b = Number(m[2]);
    if (!Number.isInteger(b) || b < 1 || b > 16) throw new PvqInputError(field, `'${spec}': integer formats need 1..16 bits, got ${m[2]}`);
    return { kind: 'int', name: s, bits: b, signed };
  }
  if (LEVEL_NAMES.includes(s)) return { kind: 'levels', name: s, levels: levelsOfFormat(s) };
  return null;
}

/** The sparsity pattern of a name, or null when the name is not one. */
export function parseSparsityFormat(s: string, spec: string, field = '--formats'): SparsityFormat | null {
  const nm = /^(\d+):(\d+)$/.exec(s);
  if (nm) {
    const N = Number(nm[1]);
    const M = Number(nm[2]);
    if (!(N >= 1 && M >= 2 && N < M)) throw new PvqInputError(field, `'${spec}': N:M needs 1 <= N < M`);
    return { kind: 'nm', N, M };
  }
  const u = /^unstructured(?:@(.*))?$/.exec(s);
  if (u) {
    if (u[1] === undefined) return { kind: 'unstructured', ratio: null };
    const r = u[1] === '' ? NaN : Number(u[1]);
    if (!(r > 0 && r <= 1)) throw new PvqInputError(field, `'${spec}': keep ratio after @ must lie in (0, 1], got ${JSON.stringify(u[1])}`);
    return { kind: 'unstructured', ratio: r };
  }
  if (s === 'prune') return { kind: 'prune' };
  return null;
}

/** Parse one format name (see the grammar above); throws PvqInputError naming `field` and the format. */
export function parseFormatSyntax(text: string, field = '--formats'): FormatSyntax {
  const spec = text.trim();
  const name = spec.toLowerCase();
  const unknown = (): never => {
    throw new UnknownFormatError(field, `unknown format '${spec}'`);
  };
  let body = name;
  let groupSize: number | null = null;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const g = /^g(\d+)$/.exec(name.slice(slash + 1));
    if (!g) throw new PvqInputError(field, `'${spec}': a group scale is written /gG after the value format (e.g. int4/g32)`);
    groupSize = Number(g[1]);
    if (!(Number.isSafeInteger(groupSize) && groupSize >= 1)) throw new PvqInputError(field, `'${spec}': the group size G of /gG must be an integer >= 1`);
    body = name.slice(0, slash);
  }
  const parts = body.split('+');
  if (parts.length > 2) throw new PvqInputError(field, `invalid format '${spec}': at most one '+value' part`);
  let sparsity: SparsityFormat | null = null;
  let value: ValueFormat | null = null;
  if (parts.length === 2) {
    sparsity = parseSparsityFormat(parts[0], spec, field) ?? unknown();
    if (sparsity.kind === 'prune') unknown();
    value = parseValueFormat(parts[1], spec, field) ?? unknown();
  } else {
    sparsity = parseSparsityFormat(parts[0], spec, field);
    if (sparsity === null) value = parseValueFormat(parts[0], spec, field) ?? unknown();
  }
  if (groupSize !== null && value === null) throw new PvqInputError(field, `'${spec}': a group scale /g${groupSize} needs a value format (e.g. 2:4+int8/g${groupSize})`);
  return { text: spec, name, sparsity, value, groupSize };
}

/** Split a comma-separated list of formats (nonempty entries, trimmed); throws when none or one twice (case-insensitive). */
export function splitFormatList(list: string, field: string, messages: { empty: string; twice: (spec: string) => string }): string[] {
  const specs = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (specs.length === 0) throw new PvqInputError(field, messages.empty);
  const seen = new Set<string>();
  for (const s of specs) {
    const k = s.toLowerCase();
    if (seen.has(k)) throw new PvqInputError(field, messages.twice(s));
    seen.add(k);
  }
  return specs;
}
