import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * `--profile`: loaded into the server under test with --import. Samples the CPU from start to SIGTERM and writes a
 * .cpuprofile (Chrome DevTools format) to BENCH_PROFILE_DIR. `--cpu-prof` cannot be used: Nest re-raises the signal
 * after closing, so the process never exits normally and Node would not write the profile.
 */
const directory = process.env.BENCH_PROFILE_DIR ?? 'bench-results/profiles';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');

process.prependOnceListener('SIGTERM', () => {
  // The main thread's inspector session answers synchronously, so the file is written before Nest shuts down.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `parley-${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(result.profile));
  });
});
