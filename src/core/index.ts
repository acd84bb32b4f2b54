export * from './types.js';
export * from './errors.js';
export * from './objective.js';
export * from './result.js';
export * from './solver.js';
export * from './random.js';
export * from './options.js';
