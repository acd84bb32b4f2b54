/** Number formats: level sets, group scales, bits-per-weight accounting. */
export * from './levels.js';
export * from './groups.js';
export * from './bits.js';
export * from './spec.js';
