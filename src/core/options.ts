/**
 * Solver options: typed schemas and the one place where they are validated and defaulted (in the spirit of
 * fast-check's QualifiedParameters). A solver declares `options` (its own keys, read from `SolveOptions.extra`) and
 * `capabilities` (the common options it honours); `resolveExtras` turns a raw `extra` map into typed values with
 * defaults filled, `resolveOptions` additionally refuses common options the solver does not honour (the CLI path).
 */
import { PvqInputError } from './errors.js';
import type { SolveOptions } from './types.js';

interface SpecBase {
  /** One line for `pvq solvers` (say the default when it depends on the problem). */
  readonly help: string;
}
/**
 * The common `SolveOptions` a solver may honour (`backend` is the MILP back end, a typed entry of its option schema).
 * `timeLimit`: the solver checks the wall clock; `nodeLimit` / `iterationLimit`: it counts nodes / iterations;
 * `relGapTol`: it stops at that relative gap; `seed`: it draws random numbers; `incumbent`: it warm-starts from it.
 */
export type CommonOption = 'timeLimit' | 'nodeLimit' | 'iterationLimit' | 'relGapTol' | 'seed' | 'incumbent' | 'backend';

export const COMMON_OPTIONS: readonly CommonOption[] = ['timeLimit', 'nodeLimit', 'iterationLimit', 'relGapTol', 'seed', 'incumbent', 'backend'];

/** What option resolution needs of a solver (structural, so that this file does not import the solver types). */
export interface OptionedSolver {
  readonly name: string;
  readonly options?: OptionSchema;
  readonly capabilities?: readonly CommonOption[];
}

export interface NumberOptionSpec extends SpecBase {
  readonly type: 'number' | 'integer';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
  /** `min` itself is not allowed (e.g. a tolerance > 0). */
  readonly exclusiveMin?: boolean;
}
export interface BooleanOptionSpec extends SpecBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}
export interface EnumOptionSpec extends SpecBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}
/** Structured values (`array`: JSON on the command line; `function`: library only). */
export interface ValueOptionSpec extends SpecBase {
  readonly type: 'array' | 'function';
}
export type OptionSpec = NumberOptionSpec | BooleanOptionSpec | EnumOptionSpec | ValueOptionSpec;
export type OptionSchema = Readonly<Record<string, OptionSpec>>;

type ValueOf<P> = P extends { type: 'number' | 'integer' }
  ? number
  : P extends { type: 'boolean' }
    ? boolean
    : P extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : P extends { type: 'array' }
        ? readonly unknown[]
        : P extends { type: 'function' }
          ? (...args: never[]) => unknown
          : never;

/** Typed, defaulted values of a schema: keys with a default are always present. */
export type ResolvedExtras<S extends OptionSchema> = {
  readonly [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** Declare a schema with its literal types kept (enum values, defaults). */
export function defineOptions<const S extends OptionSchema>(schema: S): S {
  return schema;
}

/** Map each common option to its `SolveOptions` key and the CLI flag, for messages. */
const COMMON_NAMES: Record<CommonOption, { key: string; flag: string; what: string }> = {
  timeLimit: { key: 'timeLimitMs', flag: '--time-limit', what: 'a time limit' },
  nodeLimit: { key: 'nodeLimit', flag: '--node-limit', what: 'a node limit' },
  iterationLimit: { key: 'iterationLimit', flag: '--iteration-limit', what: 'an iteration limit' },
  relGapTol: { key: 'relGapTol', flag: '--gap', what: 'a relative gap tolerance' },
  seed: { key: 'seed', flag: '--seed', what: 'a seed (it is deterministic)' },
  incumbent: { key: 'incumbent', flag: 'incumbent', what: 'an incumbent' },
  backend: { key: 'extra.backend', flag: '--backend', what: 'a back end' },
};

function describeValues(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/**
 * One value checked (and, from a command-line string, converted) against its spec; returns the typed value or
 * a problem description.
 */
function checkValue(spec: OptionSpec, value: unknown): { value: unknown } | { problem: string } {
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const v = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      const kind = spec.type === 'integer' ? 'an integer' : 'a finite number';
      if (typeof v !== 'number' || !Number.isFinite(v) || (spec.type === 'integer' && !Number.isInteger(v)))
        return { problem: `expected ${kind}, got ${JSON.stringify(value)}` };
      if (spec.min !== undefined && (v < spec.min || (spec.exclusiveMin && v === spec.min)))
        return { problem: `must be ${spec.exclusiveMin ? '>' : '>='} ${spec.min}, got ${v}` };
      if (spec.max !== undefined && v > spec.max) return { problem: `must be <= ${spec.max}, got ${v}` };
      return { value: v };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === '1') return { value: true };
      if (value === 'false' || value === '0') return { value: false };
      return { problem: `expected true or false, got ${JSON.stringify(value)}` };
    }
    case 'enum':
      if (typeof value === 'string' && spec.values.includes(value)) return { value };
      return { problem: `expected one of ${describeValues(spec.values)}, got ${JSON.stringify(value)}` };
    case 'array': {
      let v = value;
      if (typeof value === 'string') {
        try {
          v = JSON.parse(value);
        } catch {
          return { problem: `expected a JSON array, got ${JSON.stringify(value)}` };
        }
      }
      return Array.isArray(v) ? { value: v } : { problem: 'expected an array' };
    }
    case 'function':
      return typeof value === 'function' ? { value } : { problem: 'expected a function (library use only)' };
  }
}

function throwAll(problems: { field: string; problem: string }[]): void {
  if (problems.length === 1) throw new PvqInputError(problems[0].field, problems[0].problem);
  if (problems.length > 1)
    throw new PvqInputError(`${problems.length} bad options`, problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
}

/**
 * Validate a raw `extra` map against a schema and fill the defaults. Unknown keys and bad values throw one
 * `PvqInputError` naming every offending option. Strings (from the command line) are converted by type.
 */
export function resolveExtras<S extends OptionSchema>(schema: S | undefined, extra: Readonly<Record<string, unknown>> | undefined, solver: string): ResolvedExtras<S> {
  const s: OptionSchema = schema ?? {};
  const out: Record<string, unknown> = {};
  const problems: { field: string; problem: string }[] = [];
  const known = Object.keys(s);
  for (const [key, value] of Object.entries(extra ?? {})) {
    const spec = s[key];
    if (!spec) {
      problems.push({
        field: `option '${key}'`,
        problem: `unknown option of solver '${solver}' (${known.length ? `it takes: ${known.join(', ')}` : 'it takes no options'})`,
      });
      continue;
    }
    if (value === undefined) continue;
    const c = checkValue(spec, value);
    if ('problem' in c) problems.push({ field: `option '${key}'`, problem: `${c.problem} (solver '${solver}')` });
    else out[key] = c.value;
  }
  throwAll(problems);
  for (const [key, spec] of Object.entries(s)) if (!(key in out) && 'default' in spec && spec.default !== undefined) out[key] = spec.default;
  return out as ResolvedExtras<S>;
}

/** Which common options `options` sets. */
export function commonOptionsSet(options: SolveOptions): CommonOption[] {
  const set: CommonOption[] = [];
  if (options.timeLimitMs !== undefined) set.push('timeLimit');
  if (options.nodeLimit !== undefined) set.push('nodeLimit');
  if (options.iterationLimit !== undefined) set.push('iterationLimit');
  if (options.relGapTol !== undefined) set.push('relGapTol');
  if (options.seed !== undefined) set.push('seed');
  if (options.incumbent !== undefined) set.push('incumbent');
  if (options.extra?.backend !== undefined) set.push('backend');
  return set;
}

/**
 * The strict resolution used by the CLI: the solver-specific options validated and defaulted (`resolveExtras`), and
 * every common option the solver does not honour refused with a `PvqInputError` naming it. A time limit is the one
 * exception: solvers that never look at the clock (they run in polynomial time) accept it with a warning through
 * `warn`, so one `--time-limit` can be given to any solver. A solver without `capabilities` is not checked.
 */
export function resolveOptions(solver: OptionedSolver, options: SolveOptions, warn: (line: string) => void = () => {}): SolveOptions {
  const problems: { field: string; problem: string }[] = [];
  const caps = solver.capabilities;
  if (caps) {
    const honours = caps.filter((c) => c !== 'backend').map((c) => COMMON_NAMES[c].flag);
    for (const c of commonOptionsSet(options)) {
      if (caps.includes(c)) continue;
      const n = COMMON_NAMES[c];
      const msg = `solver '${solver.name}' does not use ${n.what} (it honours: ${honours.length ? honours.join(', ') : 'no common option'})`;
      if (c === 'timeLimit') warn(`pvq: warning: ${n.flag}: solver '${solver.name}' does not check the clock (it runs to completion in polynomial time); ignored`);
      else problems.push({ field: `${n.flag}`, problem: msg });
    }
  }
  let extra: Record<string, unknown> | undefined;
  try {
    const raw = { ...(options.extra ?? {}) };
    if (caps && !caps.includes('backend')) delete raw.backend;
    extra = resolveExtras(solver.options, raw, solver.name) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof PvqInputError)) throw e;
    problems.push({ field: e.field, problem: e.message.slice(e.field.length + 2) });
  }
  throwAll(problems);
  const resolved: SolveOptions = { ...options };
  if (extra && Object.keys(extra).length > 0) resolved.extra = extra;
  else delete resolved.extra;
  return resolved;
}

/** JSON description of a schema (for `pvq solvers --json`). */
export function describeSchema(schema: OptionSchema | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(schema ?? {})) out[key] = { ...spec };
  return out;
}
