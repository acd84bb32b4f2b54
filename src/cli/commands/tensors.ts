import type { Command } from 'commander';

/** `pvq tensors`: registered by the tensors module (issue 4). */
export function registerTensors(_program: Command): void {}
