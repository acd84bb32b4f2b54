/**
 * How a lower bound is proven, declared by each solver family next to its solvers (its `index.ts` exports a
 * `FamilyProofs`), and collected here. `solvers/verify.ts` and the comparison only look entries up: adding a
 * certified relaxation = its verifier plus one entry in its family's list.
 *
 * Three kinds of proof:
 * - a **certificate** `{type, problemClass, verify}`: data that `verify` re-checks from the problem alone and
 *   turns into the bound it proves. An entry with `verify: null` is a *search record* (e.g. the outer-
 *   approximation history): it documents a search but proves nothing beyond 0 on its own;
 * - a **floor**: a bound recomputed from the problem alone (e.g. the eigenvalue floor), no data needed;
 * - a **search**: the solvers listed in `searchSolvers` may report a bound that only their (finished or stopped)
 *   search justifies; it is re-proven by re-running an exact search (`pvq verify --rerun`), never taken on trust.
 */
import type { AnyProblemClass, Certificate, JointProblem, PruningProblem, QuantizationProblem, StructuredPruningProblem } from '../src/core/types.js';
import { jointProofs } from './joint/index.js';
import { structuredProofs } from './structured/index.js';
import { milpProofs } from './milp/index.js';
import { pruningProofs } from './pruning/index.js';
import { quantizationProofs } from './quantization/index.js';

/** Outcome of re-checking a certificate from scratch. */
export interface CertificateCheck {
  valid: boolean;
  /** The lower bound the certificate proves (0 when invalid). */
  bound: number;
  reason?: string;
}

interface CertificateTypeBase {
  /** The certificate's `type` field. */
  readonly type: string;
  /** One line for the docs. */
  readonly description: string;
}

export interface QuantizationCertificateType extends CertificateTypeBase {
  readonly problemClass: 'quantization';
  /** Re-check from scratch; null for a search record (proves 0 on its own). */
  readonly verify: ((problem: QuantizationProblem, certificate: Certificate) => CertificateCheck) | null;
}

export interface PruningCertificateType extends CertificateTypeBase {
  readonly problemClass: 'pruning';
  readonly verify: ((problem: PruningProblem, certificate: Certificate) => CertificateCheck) | null;
}

export interface StructuredCertificateType extends CertificateTypeBase {
  readonly problemClass: 'structured';
  readonly verify: ((problem: StructuredPruningProblem, certificate: Certificate) => CertificateCheck) | null;
}

export interface JointCertificateType extends CertificateTypeBase {
  readonly problemClass: 'joint';
  readonly verify: ((problem: JointProblem, certificate: Certificate) => CertificateCheck) | null;
}

export type CertificateType = QuantizationCertificateType | PruningCertificateType | StructuredCertificateType | JointCertificateType;

/** A lower bound recomputable from the problem alone. */
export type FloorBound =
  | { readonly name: string; readonly problemClass: 'quantization'; bound(problem: QuantizationProblem): number }
  | { readonly name: string; readonly problemClass: 'pruning'; bound(problem: PruningProblem): number };

/** What a solver family registers about its proofs. */
export interface FamilyProofs {
  readonly certificates: readonly CertificateType[];
  readonly floors?: readonly FloorBound[];
  /** Solvers whose lower bound may come from a tree search / outer approximation (re-provable only by a re-run). */
  readonly searchSolvers: readonly string[];
}

const certificates = new Map<string, CertificateType>();
const floors: FloorBound[] = [];
const searchSolvers = new Set<string>();

const key = (type: string, cls: AnyProblemClass): string => `${cls}\u0000${type}`;

/** Register one certificate type (throws on a duplicate unless `replace`). */
export function registerCertificateType(entry: CertificateType, opts: { replace?: boolean } = {}): void {
  const k = key(entry.type, entry.problemClass);
  if (certificates.has(k) && !opts.replace) throw new Error(`certificate type '${entry.type}' (${entry.problemClass}) is already registered`);
  certificates.set(k, entry);
}

/** Register a family's certificates, floors and search solvers. */
export function registerFamilyProofs(family: FamilyProofs): void {
  for (const c of family.certificates) registerCertificateType(c);
  for (const f of family.floors ?? []) floors.push(f);
  for (const s of family.searchSolvers) searchSolvers.add(s);
}

export function getCertificateType(type: string, cls: AnyProblemClass): CertificateType | undefined {
  return certificates.get(key(type, cls));
}

export function listCertificateTypes(): CertificateType[] {
  return [...certificates.values()];
}

export function listFloors(cls: AnyProblemClass): FloorBound[] {
  return floors.filter((f) => f.problemClass === cls);
}

/** Does this solver's lower bound possibly rest on a search (so that only a re-run can re-prove it)? */
export function isSearchSolver(name: string): boolean {
  return searchSolvers.has(name);
}

for (const family of [quantizationProofs, pruningProofs, milpProofs, structuredProofs, jointProofs]) registerFamilyProofs(family);
