/**
 * Definitions of the shipped instances (`problems/*.json`), all built through the builders from seeded
 * synthetic data. `problems/generate.ts` writes them; tests check that the files equal a fresh build.
 */
import type { LayerProblem } from '../src/core/types.js';
import { buildConv2dLayer, buildDepthwiseConv2dLayer, buildLinearLayer, type Tensor } from './build.js';
import { firstConvLayer, syntheticLayer, syntheticWeights, toeplitzActivations } from './synthetic.js';

export interface ShippedInstance {
  /** File name without `.json` (also the layer name). */
  file: string;
  description: string;
  problems: LayerProblem[];
  /** Raw inputs written as `.npy` next to the instance (problems/data/<file>_<key>.npy). */
  npy?: Record<string, Tensor>;
}

/** Inputs of the default instance: a small Linear layer, X [256, 32] (ReLU activations), W [8, 32]. */
export function defaultLayerInputs(): { X: Tensor; W: Tensor } {
  const X = toeplitzActivations({ n: 32, m: 256, rho: 0.6, activation: 'relu', bias: 0.3, seed: 2023 });
  const W = syntheticWeights({ out: 8, n: 32, wDist: 'student-t', nu: 5, wScale: 0.1, seed: 2024 });
  return { X: { shape: X.shape, data: X.data }, W };
}

function convInputs(): { X: Tensor; W: Tensor } {
  // 4 images of 8 channels x 8 x 8: AR(1)-correlated along the flattened (C, H, W) index, then ReLU
  const A = toeplitzActivations({ n: 8 * 8 * 8, m: 4, rho: 0.9, activation: 'relu', bias: 0.2, seed: 31 });
  const W = syntheticWeights({ out: 4, n: 8 * 9, wDist: 'gaussian', wScale: 0.12, seed: 32 });
  return { X: { shape: [4, 8, 8, 8], data: A.data }, W: { shape: [4, 8, 3, 3], data: W.data } };
}

function depthwiseInputs(): { X: Tensor; W: Tensor } {
  const A = toeplitzActivations({ n: 8 * 10 * 10, m: 6, rho: 0.8, activation: 'relu', bias: 0.1, seed: 41 });
  const W = syntheticWeights({ out: 8, n: 9, wDist: 'student-t', nu: 4, wScale: 0.3, seed: 42 });
  return { X: { shape: [6, 8, 10, 10], data: A.data }, W: { shape: [8, 1, 3, 3], data: W.data } };
}

export function shippedInstances(): ShippedInstance[] {
  const def = defaultLayerInputs();
  const conv = convInputs();
  const dw = depthwiseInputs();
  return [
    {
      file: 'default',
      description:
        'Default instance: Linear layer, 32 inputs (ReLU activations with Toeplitz correlation 0.6, 256 rows), 8 output channels (Student-t weights), 4 bits, full rows, paper grid scale per tensor, k = 8, paper box. Raw inputs in problems/data/default_X.npy and default_W.npy.',
      problems: buildLinearLayer(def.X, def.W, { bits: 4, layer: 'default' }),
      npy: { X: def.X, W: def.W },
    },
    {
      file: 'conv-chunked',
      description:
        'Conv2d 3x3, 8 -> 4 channels, 4 images of 8x8, chunked with optDim 32 (ceil(72/32) = 3 chunks of 3, 3, 2 input channels: n = 27, 27, 18), 4 bits, one paper-grid scale per chunk.',
      problems: buildConv2dLayer(conv.X, conv.W, { bits: 4, optDim: 32, layer: 'conv-chunked' }),
    },
    {
      file: 'linear-2bit',
      description: 'Linear layer, n = 32 (ReLU activations, rho 0.8), 8 output channels, 2 bits (grid [-2, 1], k = 4).',
      problems: syntheticLayer({ n: 32, m: 128, rho: 0.8, activation: 'relu', bias: 0.2, outChannels: 8, bits: 2, wDist: 'gaussian', seed: 7, layer: 'linear-2bit' }),
    },
    {
      file: 'rankdef',
      description: 'Rank-deficient Linear layer: n = 20 inputs, only 12 rows and 2 dead inputs (rank 12), 4 output channels, 3 bits.',
      problems: syntheticLayer({ n: 20, m: 12, dead: 2, rho: 0.5, outChannels: 4, bits: 3, seed: 11, layer: 'rankdef' }),
    },
    {
      file: 'first-conv',
      description: 'First-conv-like layer: smooth random RGB images, 3x3 patches (n = 27), condition ~1e5 with a dominant mean-intensity direction, 8 output channels, 4 bits.',
      problems: firstConvLayer({ bits: 4, seed: 5, layer: 'first-conv' }),
    },
    {
      file: 'depthwise',
      description: 'Depthwise Conv2d 3x3 (padding 1), 8 channels of 10x10, 6 images: one n = 9 problem per channel, 4 bits.',
      problems: buildDepthwiseConv2dLayer(dw.X, dw.W, { bits: 4, padding: 1, layer: 'depthwise' }),
    },
    {
      file: 'heavy-8bit',
      description: 'Linear layer, n = 16, heavy-tailed Student-t (nu = 3) weights, 8 bits, exact MSE-optimal scale per output channel, 4 channels.',
      problems: syntheticLayer({ n: 16, m: 64, rho: 0.3, outChannels: 4, bits: 8, wDist: 'student-t', nu: 3, scaleRule: 'mse-exact', scaleGranularity: 'channel', seed: 13, layer: 'heavy-8bit' }),
    },
  ];
}
