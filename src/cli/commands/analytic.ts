import type { Command } from 'commander';

/** `pvq analytic`: registered by the analytic module (issue 4). */
export function registerAnalytic(_program: Command): void {}
