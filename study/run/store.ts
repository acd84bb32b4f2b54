/**
 * The resumable result store: one SQLite file (better-sqlite3 12), one row per finished job keyed by its job
 * key, written the moment the result arrives, one transaction per result.
 *
 * Durability: WAL journal, synchronous=NORMAL. In WAL mode a committed transaction is in the WAL file (the OS
 * page cache) before the write returns, so killing the process at any moment (kill -9) loses nothing that was
 * committed and cannot corrupt the file: SQLite replays or ignores the WAL tail on the next open. What
 * NORMAL gives up against FULL is the fsync per commit, i.e. the last few results on a power cut or kernel
 * crash (the database stays consistent then too). A lost result is only recomputed (keys are idempotent), so
 * an fsync per sub-problem would buy nothing worth its cost.
 *
 * Identity: a `meta` table records what the run is (e.g. model hash and options hash). Opening a store with
 * another identity fails with one clear line (PvqInputError, exit 2) unless `allowOtherRun` is set; then the
 * new identity is recorded and earlier rows stay (their keys differ, so they are never mistaken for this run's).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { PvqInputError } from '../../src/core/errors.js';
import { canonicalJson, type JobResult } from './jobs.js';

const SCHEMA_VERSION = '1';

export interface StoreOpenOptions {
  /** What this run is (e.g. { model: hash, options: hash }); compared with what the store recorded. */
  identity?: Record<string, unknown>;
  /** Open a store written by another run anyway (and record this run's identity). */
  allowOtherRun?: boolean;
  /** Open read-only (no writes, no identity check). */
  readonly?: boolean;
}

/** A result as JSON text with non-finite numbers kept (Infinity / -Infinity / NaN as tagged strings). */
export function encodeResult(r: JobResult): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__pvq_num:${v}` : v));
}
export function decodeResult(s: string): JobResult {
  return JSON.parse(s, (_k, v) => (typeof v === 'string' && v.startsWith('__pvq_num:') ? Number(v.slice(10)) : v)) as JobResult;
}

export class ResultStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, string, number]> | null;
  private readonly select: Database.Statement<[string], { result: string }>;
  private readonly exists: Database.Statement<[string], { one: number }>;

  private constructor(path: string, db: Database.Database, readonly: boolean) {
    this.path = path;
    this.db = db;
    this.insert = readonly ? null : db.prepare('INSERT OR IGNORE INTO results (key, result, finished_at) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT result FROM results WHERE key = ?');
    this.exists = db.prepare('SELECT 1 AS one FROM results WHERE key = ?');
  }

  /** Open (or create) a store; fails with PvqInputError on a file that is not a pvq store or belongs to another run. */
  static open(path: string, opts: StoreOpenOptions = {}): ResultStore {
    const file = resolve(path);
    const fresh = !existsSync(file);
    if (opts.readonly && fresh) throw new PvqInputError(path, 'no such store');
    if (!opts.readonly) mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: opts.readonly === true, fileMustExist: opts.readonly === true });
      // Reading the schema fails here on a file that is not SQLite.
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    } catch (e) {
      throw new PvqInputError(path, `not a pvq result store (${e instanceof Error ? e.message : String(e)})`);
    }
    try {
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      }
      const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
      if (tables.size > 0 && !(tables.has('meta') && tables.has('results'))) throw new PvqInputError(path, 'not a pvq result store (an SQLite file with other tables)');
      if (!opts.readonly) {
        db.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
        db.exec('CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, result TEXT NOT NULL, finished_at INTEGER NOT NULL)');
      }
      const meta = (name: string): string | undefined => (db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined)?.value;
      const version = meta('schema');
      if (version !== undefined && version !== SCHEMA_VERSION) throw new PvqInputError(path, `result store schema ${version}, this pvq reads schema ${SCHEMA_VERSION}`);
      if (!opts.readonly) {
        const wanted = canonicalJson(opts.identity ?? {});
        const recorded = meta('identity');
        if (recorded !== undefined && recorded !== wanted && !opts.allowOtherRun) {
          throw new PvqInputError(path, `result store written by another run (${describeDiff(recorded, wanted)}); use another store file, or allow reusing it explicitly`);
        }
        const set = db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
        db.transaction(() => {
          set.run('schema', SCHEMA_VERSION);
          set.run('identity', wanted);
        })();
      }
      return new ResultStore(file, db, opts.readonly === true);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** The identity recorded in the store. */
  identity(): Record<string, unknown> {
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'identity'").get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as Record<string, unknown>) : {};
  }

  has(key: string): boolean {
    return this.exists.get(key) !== undefined;
  }

  get(key: string): JobResult | undefined {
    const row = this.select.get(key);
    return row ? decodeResult(row.result) : undefined;
  }

  /** Write one result (its own transaction, committed on return). A key already stored is kept as it is. */
  put(r: JobResult): void {
    if (!this.insert) throw new Error('result store opened read-only');
    this.insert.run(r.key, encodeResult(r), Date.now());
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n;
  }

  keys(): string[] {
    return (this.db.prepare('SELECT key FROM results ORDER BY key').all() as { key: string }[]).map((r) => r.key);
  }

  /** SQLite's own consistency check ('ok' when sound). */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  close(): void {
    this.db.close();
  }
}

function describeDiff(recorded: string, wanted: string): string {
  try {
    const a = JSON.parse(recorded) as Record<string, unknown>;
    const b = JSON.parse(wanted) as Record<string, unknown>;
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
    return fields.map((k) => `${k} ${short(a[k])} != ${short(b[k])}`).join(', ');
  } catch {
    return 'identity differs';
  }
}

function short(v: unknown): string {
  const s = v === undefined ? 'none' : typeof v === 'string' ? v : canonicalJson(v);
  return s.length > 16 ? `${s.slice(0, 12)}...` : s;
}
