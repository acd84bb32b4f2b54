/**
 * Child process of the kill -9 test: run the jobs in argv[2] (a JSON file) into the store argv[3] with
 * runJobs (argv[4] workers), then print "done". The test kills it while it runs.
 */
import { readFileSync } from 'node:fs';
import type { Job } from '../../../study/run/jobs.js';
import { runJobs } from '../../../study/run/schedule.js';

const [jobsFile, storePath, workers] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as Job[];
await runJobs(jobs, { storePath, workers: Number(workers), storeIdentity: { model: 'synthetic', options: 'test' } });
process.stdout.write('done\n');
