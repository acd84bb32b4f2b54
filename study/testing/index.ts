/**
 * pvq/testing: fast-check arbitraries for problems and solver-agnostic invariants over SolveResults.
 * Requires `fast-check` (a dev dependency of your test suite).
 */
export * from './arbitraries.js';
export * from './invariants.js';
export * from './permute.js';
