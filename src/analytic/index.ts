export * from './distribution.js';
export * from './errors.js';
export * from './empirical.js';
export { ExpressionDistribution, expressionDensity, samplesDistribution } from './custom.js';
export { integrate, integrateToInfinity, cellMoments } from './quadrature.js';
