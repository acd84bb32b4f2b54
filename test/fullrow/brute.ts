/** Exhaustive pruning optimum for tiny n: every support of size <= k, refit by the independent helper. */
import type { PruningProblem } from '../../src/core/types.js';
import { bruteSupport } from '../pruning/helpers.js';

export function bruteForcePrune(p: PruningProblem): number {
  const { n, G, w } = p.objective;
  const k = Math.min(p.k, n);
  let best = Infinity;
  const rec = (start: number, S: number[]): void => {
    best = Math.min(best, bruteSupport(G, n, w, S, p.box).err);
    if (S.length === k) return;
    for (let i = start; i < n; i++) {
      S.push(i);
      rec(i + 1, S);
      S.pop();
    }
  };
  rec(0, []);
  return best;
}
