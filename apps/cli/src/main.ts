import { runCli } from './cli.js';

// The Parley command-line client: `node dist/apps/cli/src/main.js --help` (or `npm run cli -- --help`).

const controller = new AbortController();
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  // The first Ctrl-C stops cleanly; a second one does not wait any longer.
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// `parley listen | head` closes stdout early: that is the reader going away, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const writeLine =
  (stream: NodeJS.WriteStream) =>
  (line: string): void => {
    stream.write(`${line}\n`);
  };

// Bold search matches only on a terminal, and not when the user asked for no colour (https://no-color.org).
const color = process.stdout.isTTY === true && !process.env.NO_COLOR;

runCli(process.argv.slice(2), { out: writeLine(process.stdout), err: writeLine(process.stderr), signal: controller.signal, color }).then(
  (code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  },
  (error: unknown) => {
    process.stderr.write(`unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
