export * from './dense.js';
export * from './eigen.js';
