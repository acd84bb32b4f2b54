export * from './dense.js';
export * from './eigen.js';
export * from './shift.js';
