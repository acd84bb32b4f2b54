import type { Command } from 'commander';
import { PvqInputError } from '../../../src/core/errors.js';
import { parseNonNegInt } from '../common.js';

interface WorkerCliOptions {
  concurrency?: string;
  queue: string;
  lockDuration: string;
  stalledInterval: string;
  verbose?: boolean;
}

function positiveInt(value: string, flag: string): number {
  const v = parseNonNegInt(value, flag);
  if (v < 1) throw new PvqInputError(flag, `expected a positive integer, got ${JSON.stringify(value)}`);
  return v;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process sub-problems from a Redis queue (BullMQ) filled by `pvq model --queue URL`; run it on any number of machines, stop it with Ctrl-C')
    .argument('<url>', 'the Redis server, redis://HOST:PORT[/DB] (rediss:// for TLS)')
    .option('--concurrency <n>', 'sub-problems at once on this machine, one worker thread each (default: all cores)')
    .option('--queue <name>', 'queue name (must match the coordinator)', 'pvq')
    .option('--lock-duration <ms>', 'a job lock lasts this long without renewal; a killed worker\'s job is retried elsewhere after it', '30000')
    .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers', '30000')
    .option('--verbose', 'one line per sub-problem on stderr')
    .action(async (url: string, opts: WorkerCliOptions) => {
      const concurrency = opts.concurrency !== undefined ? positiveInt(opts.concurrency, '--concurrency') : undefined;
      const lockDurationMs = positiveInt(opts.lockDuration, '--lock-duration');
      const stalledIntervalMs = positiveInt(opts.stalledInterval, '--stalled-interval');
      const log = (line: string): void => void process.stderr.write(`pvq worker: ${line}\n`);
      // bullmq / ioredis / piscina load only for this command, not at every pvq start.
      const { startQueueWorker } = await import('../../../study/run/queue.js');
      const handle = await startQueueWorker({ url, queueName: opts.queue, concurrency, lockDurationMs, stalledIntervalMs, log: opts.verbose ? log : undefined });
      log(`waiting for jobs on ${url} queue ${opts.queue}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          log(`stopping after the running jobs (${handle.processed()} done)`);
          handle.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
