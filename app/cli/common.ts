import { PvqInputError } from '../../src/core/errors.js';
import { shippedProblemPath } from '../../problems/shipped.js';


/** The shipped default problem (problems/default.json). */
export function defaultProblemPath(): string {
  return shippedProblemPath('default');
}

export function parsePositiveNumber(value: string, flag: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0) throw new PvqInputError(flag, `expected a positive number, got ${JSON.stringify(value)}`);
  return v;
}

export function parseNonNegInt(value: string, flag: string): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 0) throw new PvqInputError(flag, `expected a non-negative integer, got ${JSON.stringify(value)}`);
  return v;
}

export function parseInteger(value: string, flag: string): number {
  const v = Number(value);
  if (!Number.isInteger(v)) throw new PvqInputError(flag, `expected an integer, got ${JSON.stringify(value)}`);
  return v;
}
