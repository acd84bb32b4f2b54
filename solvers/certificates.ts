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
import type { AnyProblemClass, Certificate } from '../src/core/types.js';
import type { ProblemOfClass } from './classes.js';
import type { CertificateCheck, CertificateType, FamilyProofs, FloorBound } from './proofs.js';
import { jointProofs } from './joint/index.js';
import { levelsProofs } from './levels/index.js';
import { structuredProofs } from './structured/index.js';
import { milpProofs } from './milp/index.js';
import { pruningProofs } from './pruning/index.js';
import { quantizationProofs } from './quantization/index.js';

export type * from './proofs.js';

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

/** Run a certificate's verifier on its class's problem (null verifier: a search record, proves 0). */
export function runCertificateVerifier(entry: CertificateType, problem: ProblemOfClass[AnyProblemClass], certificate: Certificate): CertificateCheck {
  if (entry.verify === null) return { valid: true, bound: 0 };
  return (entry.verify as (p: ProblemOfClass[AnyProblemClass], c: Certificate) => CertificateCheck)(problem, certificate);
}

/** Recompute a floor on its class's problem. */
export function runFloor(floor: FloorBound, problem: ProblemOfClass[AnyProblemClass]): number {
  return (floor.bound as (p: ProblemOfClass[AnyProblemClass]) => number)(problem);
}

/** Does this solver's lower bound possibly rest on a search (so that only a re-run can re-prove it)? */
export function isSearchSolver(name: string): boolean {
  return searchSolvers.has(name);
}

for (const family of [quantizationProofs, pruningProofs, milpProofs, levelsProofs, structuredProofs, jointProofs]) registerFamilyProofs(family);
