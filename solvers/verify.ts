import { errorOf, isPruneFeasible, isQuantFeasible, pruningProblemOf, quantErrorOf, quantizationProblemOf } from '../src/core/objective.js';
import type { Certificate, LayerProblem, ProblemClass } from '../src/core/types.js';
import { verifyPerspectiveCertificate } from './pruning/index.js';
import { verifySdpCertificate } from './quantization/index.js';

/** Outcome of re-checking a certificate from scratch. */
export interface CertificateCheck {
  valid: boolean;
  /** The lower bound the certificate proves (0 when invalid). */
  bound: number;
  reason?: string;
}

/** Certificate types this build can verify, by problem class. */
export const VERIFIABLE_CERTIFICATES: Record<string, ProblemClass> = {
  'sdp-dual': 'quantization',
  'sdp-box-dual': 'quantization',
  'perspective-fw': 'pruning',
};

/**
 * Re-check a certificate against a problem, independently of the solver that produced it.
 * `useBox` selects the pruning problem with or without the file's pruneBox (as the solver was run).
 */
export function verifyCertificate(problem: LayerProblem, certificate: Certificate, opts: { useBox?: boolean } = {}): CertificateCheck {
  const cls = VERIFIABLE_CERTIFICATES[certificate.type];
  if (cls === 'quantization') {
    const r = verifySdpCertificate(quantizationProblemOf(problem), certificate);
    return { valid: r.valid, bound: r.bound, ...(r.reason ? { reason: r.reason } : {}) };
  }
  if (cls === 'pruning') {
    const r = verifyPerspectiveCertificate(pruningProblemOf(problem, { useBox: opts.useBox ?? true }), certificate);
    return { valid: r.ok, bound: r.bound, ...(r.reason ? { reason: r.reason } : {}) };
  }
  return { valid: false, bound: 0, reason: `no verifier for certificate type '${certificate.type}'` };
}

export interface ResultAudit {
  problem: string;
  ok: boolean;
  checks: string[];
  failures: string[];
}

/**
 * Audit a reported result (as printed by `pvq solve --json`) against its problem: the solution is feasible,
 * its recomputed error equals upperBound, and a certificate (if any) proves at least the reported lowerBound.
 */
export function auditResult(
  problem: LayerProblem,
  result: { problemClass: ProblemClass; lowerBound: number; upperBound: number | null; solution: ArrayLike<number> | null; certificate?: Certificate },
  opts: { useBox?: boolean; relTol?: number } = {},
): ResultAudit {
  const tol = opts.relTol ?? 1e-9;
  const checks: string[] = [];
  const failures: string[] = [];
  const r = problem.objective.r;
  const absTol = 1e-12 * Math.max(r, Number.MIN_VALUE);
  if (result.solution !== null) {
    const sol = Array.from(result.solution);
    if (result.problemClass === 'quantization') {
      const qp = quantizationProblemOf(problem);
      if (!isQuantFeasible(qp, sol)) failures.push('solution is not an integer vector inside [zmin, zmax]');
      else {
        const e = quantErrorOf(qp, sol);
        if (result.upperBound === null || Math.abs(e - result.upperBound) > tol * Math.abs(e) + absTol) failures.push(`upperBound ${result.upperBound} differs from the recomputed error ${e}`);
        else checks.push(`solution feasible, error ${e} recomputed`);
      }
    } else {
      const pp = pruningProblemOf(problem, { useBox: opts.useBox ?? true });
      if (!isPruneFeasible(pp, sol)) failures.push(`solution has more than k = ${pp.k} nonzeros or leaves the box`);
      else {
        const e = errorOf(pp.objective, sol);
        if (result.upperBound === null || Math.abs(e - result.upperBound) > tol * Math.abs(e) + absTol) failures.push(`upperBound ${result.upperBound} differs from the recomputed error ${e}`);
        else checks.push(`solution feasible, error ${e} recomputed`);
      }
    }
  }
  if (result.upperBound !== null && result.lowerBound > result.upperBound * (1 + tol) + absTol) failures.push(`lowerBound ${result.lowerBound} exceeds upperBound ${result.upperBound}`);
  if (result.certificate) {
    const c = verifyCertificate(problem, result.certificate, opts);
    if (!c.valid) failures.push(`certificate ${result.certificate.type} rejected: ${c.reason ?? 'invalid'}`);
    else {
      checks.push(`certificate ${result.certificate.type} proves error >= ${c.bound}`);
      if (result.lowerBound > c.bound * (1 + tol) + absTol) checks.push(`note: reported lowerBound ${result.lowerBound} is above the certificate's bound (it comes from another proof, e.g. a finished search)`);
    }
  }
  return { problem: problem.name, ok: failures.length === 0, checks, failures };
}
