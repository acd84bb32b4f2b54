/** Problem builders, chunking, scale rules, synthetic generators, layer files and the `.npy` writer. */
export * from './build.js';
export * from './chunks.js';
export { im2col, im2colRows, convGram, columnsGram, convOutSize, type Conv2dGeometry, type ConvInput, type Pair } from './im2col.js';
export * from '../src/formats/scale.js';
export * from './synthetic.js';
export * from '../src/io/layer-file.js';
export * from '../src/io/npy-write.js';
export { shippedInstances, defaultLayerInputs, type ShippedInstance } from './instances.js';
export { shippedProblemPath, SHIPPED_PROBLEMS } from './shipped.js';
