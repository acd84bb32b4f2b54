export * from './distribution.js';
export * from './errors.js';
export * from './empirical.js';
export { ExpressionDistribution, expressionDensity, samplesDistribution } from './custom.js';
export { integrate, integrateToInfinity, cellMoments } from './quadrature.js';
export * from './levels.js';
export * from './nm.js';
export * from './formats.js';
