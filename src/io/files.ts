import { readFileSync } from 'node:fs';
import { PvqInputError } from '../core/errors.js';

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** Read a file's bytes; an unreadable file is a PvqInputError naming the path. */
export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new PvqInputError(path, `cannot read file (${reason(e)})`);
  }
}

/** Read and parse a JSON file; errors name the file (unreadable file, invalid JSON). */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PvqInputError(path, `cannot read file (${reason(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PvqInputError(path, `invalid JSON (${(e as Error).message})`);
  }
}
