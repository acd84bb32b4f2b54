/**
 * Worker-thread entry of the pool (study/run/pool.ts): run one job in this thread. Piscina calls the default
 * export with the job and sends the result back by structured clone.
 */
import { runJob, type Job, type JobResult } from './jobs.js';

export default async function runPoolJob(job: Job): Promise<JobResult> {
  return runJob(job);
}
