import { runCli } from '../../apps/cli/src/cli.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

export interface Captured {
  out: string[];
  err: string[];
  io: { out: (line: string) => void; err: (line: string) => void; signal?: AbortSignal; env: Record<string, string | undefined>; color?: boolean };
}

/** An io for runCli that records the lines; no environment, so PARLEY_URL / PARLEY_PASSWORD of the shell do not leak in. */
export const capture = (signal?: AbortSignal, options: { color?: boolean } = {}): Captured => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line) => out.push(line), err: (line) => err.push(line), signal, env: {}, color: options.color } };
};

/** Runs the CLI in this process to the end: its exit code and the lines it wrote. */
export async function cli(argv: string[], options: { color?: boolean } = {}): Promise<CliRun> {
  const run = capture(undefined, options);
  const code = await runCli(argv, run.io);
  return { code, out: run.out, err: run.err };
}

/** The one JSON document a --json run printed. */
export const jsonOf = (run: CliRun): unknown => JSON.parse(run.out.join('\n'));
