import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { PvqInputError } from '../../src/core/errors.js';

/**
 * Refuse an output path that cannot be written (its directory is missing, not a directory or not writable, or the
 * path is a directory), naming it. Called for every output option before anything is computed, so a typo in `-o`
 * costs nothing; pvq does not create directories.
 */
export function checkOutputPath(path: string, flag: string): void {
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new PvqInputError(flag, `cannot write ${JSON.stringify(path)}: directory ${JSON.stringify(dir)} does not exist (create it first; nothing was computed)`);
  }
  if (!st.isDirectory()) throw new PvqInputError(flag, `cannot write ${JSON.stringify(path)}: ${JSON.stringify(dir)} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new PvqInputError(flag, `cannot write ${JSON.stringify(path)}: directory ${JSON.stringify(dir)} is not writable`);
  }
  try {
    if (statSync(path).isDirectory()) throw new PvqInputError(flag, `cannot write ${JSON.stringify(path)}: it is a directory`);
  } catch (e) {
    if (e instanceof PvqInputError) throw e;
  }
}

/** The output options of the commands (`-o/--output`, `--plot`, `--plot-map`) that are set, each checked. */
export function checkOutputOptions(opts: Record<string, unknown>): void {
  const flags: Record<string, string> = { output: '--output', plot: '--plot', plotMap: '--plot-map' };
  for (const [key, flag] of Object.entries(flags)) if (typeof opts[key] === 'string') checkOutputPath(opts[key] as string, flag);
}

/** Write a file atomically (temp file + rename), so a failure never leaves a half-written output. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EACCES')
      throw new PvqInputError(path, `cannot write the output file (${code}: ${(e as Error).message})`);
    throw e;
  }
}

/** Print to stdout (the only place results go; progress and errors go to stderr). */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** JSON with Float64Array as arrays and non-finite numbers as null (JSON has no Infinity). */
export function toJSON(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array) return Array.from(v);
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      return v;
    },
    indent,
  );
}
