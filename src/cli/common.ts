import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PvqInputError } from '../core/errors.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The shipped default problem (problems/default.json), from src/cli or dist/src/cli. */
export function defaultProblemPath(): string {
  for (const p of [resolve(here, '../../problems/default.json'), resolve(here, '../../../problems/default.json')]) if (existsSync(p)) return p;
  throw new PvqInputError('FILE', 'no file given and the shipped default problems/default.json was not found');
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
