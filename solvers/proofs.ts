/**
 * The shapes of a proof, shared by every solver family (each family's `index.ts` declares a `FamilyProofs`
 * with these types; `solvers/certificates.ts` collects them). Types only: no family imports the registry.
 */
import type { AnyProblemClass, Certificate } from '../src/core/types.js';
import type { ProblemOfClass } from './classes.js';

/** Outcome of re-checking a certificate from scratch. */
export interface CertificateCheck {
  valid: boolean;
  /** The lower bound the certificate proves (0 when invalid). */
  bound: number;
  reason?: string;
}

/** A certificate type of class C: its verifier takes the class's problem (solvers/classes.ts builds it from a layer problem). */
export interface CertificateTypeOf<C extends AnyProblemClass> {
  /** The certificate's `type` field. */
  readonly type: string;
  /** One line for the docs. */
  readonly description: string;
  readonly problemClass: C;
  /** Re-check from scratch; null for a search record (proves 0 on its own). */
  readonly verify: ((problem: ProblemOfClass[C], certificate: Certificate) => CertificateCheck) | null;
}

export type QuantizationCertificateType = CertificateTypeOf<'quantization'>;
export type PruningCertificateType = CertificateTypeOf<'pruning'>;
export type LevelsCertificateType = CertificateTypeOf<'levels'>;
export type StructuredCertificateType = CertificateTypeOf<'structured'>;
export type JointCertificateType = CertificateTypeOf<'joint'>;

/** A certificate type of any registered class. */
export type CertificateType = { [C in AnyProblemClass]: CertificateTypeOf<C> }[AnyProblemClass];

/** A lower bound of class C recomputable from the problem alone. */
export interface FloorBoundOf<C extends AnyProblemClass> {
  readonly name: string;
  readonly problemClass: C;
  bound(problem: ProblemOfClass[C]): number;
}

export type FloorBound = { [C in AnyProblemClass]: FloorBoundOf<C> }[AnyProblemClass];

/** What a solver family registers about its proofs. */
export interface FamilyProofs {
  readonly certificates: readonly CertificateType[];
  readonly floors?: readonly FloorBound[];
  /** Solvers whose lower bound may come from a tree search / outer approximation (re-provable only by a re-run). */
  readonly searchSolvers: readonly string[];
}
