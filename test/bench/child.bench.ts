import { executeRun, kernelPeakRss, type RunJob } from './harness.bench';

/**
 * Entry of one benchmark run in a process of its own (bundled by run.ts like a Lambda bundle): receives the
 * job over IPC, runs the flow once, answers with the outcome and the process's peak RSS.
 */

const baseline = process.memoryUsage().rss;
let sampled = baseline;
const sampler = setInterval(() => {
  sampled = Math.max(sampled, process.memoryUsage().rss);
}, 20);

process.once('message', (job: RunJob) => {
  executeRun(job)
    .then((outcome) => {
      clearInterval(sampler);
      sampled = Math.max(sampled, process.memoryUsage().rss);
      process.send!({ ok: true, outcome: { ...outcome, peakRssBytes: Math.max(sampled, kernelPeakRss() ?? 0), baselineRssBytes: baseline } });
    })
    .catch((err: unknown) => {
      clearInterval(sampler);
      process.send!({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    });
});
process.on('disconnect', () => process.exit(0));
