export * from '../formats/range.js';
export * from './stats.js';
export * from './load.js';
export * from './summary.js';
