/**
 * A structured problem as units of choice on the live coordinates (G_ii > 0; dead inputs never matter):
 * - N:M: one unit per group that has more live inputs than N; its options are the sets of (live - N) inputs to
 *   exclude (C(live, N) patterns), exactly one is chosen;
 * - block: one unit per block with a live input, options {keep, drop the block}; at least `needDrops` blocks
 *   are dropped (live blocks - keep).
 */
import { patternGroups } from '../../src/core/objective.js';
import type { StructuredPruningProblem } from '../../src/core/types.js';
import { reduce, type Reduced } from '../pruning/common.js';
import { combinations, relaxedPruningProblem } from './common.js';

export interface Unit {
  /** Reduced indices of the unit's live inputs. */
  coords: number[];
  /** Each option: reduced indices to exclude. */
  options: number[][];
  /** 1 when the option drops a whole block (block sparsity), else 0. */
  drop: number[];
}

export interface StructuredModel {
  red: Reduced;
  units: Unit[];
  kind: 'nm' | 'block';
  needDrops: number;
}

export function buildModel(p: StructuredPruningProblem): StructuredModel {
  const red = reduce(relaxedPruningProblem(p));
  const N = p.objective.n;
  const toRed = new Int32Array(N).fill(-1);
  red.idx.forEach((orig, a) => (toRed[orig] = a));
  const units: Unit[] = [];
  let liveBlocks = 0;
  for (const g of patternGroups(p.pattern, N)) {
    const coords: number[] = [];
    for (let i = g.start; i < g.end; i++) if (toRed[i] >= 0) coords.push(toRed[i]);
    if (coords.length === 0) continue;
    if (p.pattern.kind === 'nm') {
      const e = coords.length - p.pattern.n;
      if (e <= 0) continue;
      units.push({ coords, options: combinations(coords.length, e).map((c) => c.map((a) => coords[a])), drop: [] });
    } else {
      liveBlocks++;
      units.push({ coords, options: [[], coords.slice()], drop: [0, 1] });
    }
  }
  const needDrops = p.pattern.kind === 'block' ? Math.max(0, liveBlocks - p.pattern.keep) : 0;
  if (p.pattern.kind === 'block' && needDrops === 0) units.length = 0;
  return { red, units, kind: p.pattern.kind, needDrops };
}

/** Original-index support: the live inputs not excluded. */
export function keptSupport(model: StructuredModel, excluded: Uint8Array): number[] {
  const S: number[] = [];
  for (let a = 0; a < model.red.n; a++) if (!excluded[a]) S.push(model.red.idx[a]);
  return S.sort((x, y) => x - y);
}
