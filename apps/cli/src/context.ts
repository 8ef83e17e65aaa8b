import { normaliseBaseUrl, ParleyClient, ParleyHttpError, ParleySession } from './parley-client.js';

/** What every command gets: its parsed arguments, where to write, and how to reach the server. */

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborting it stops `listen` cleanly (exit 0) and interrupts requests under way. */
  signal?: AbortSignal;
  /** Where PARLEY_URL and PARLEY_PASSWORD are read from; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Whether readable output may use terminal escape codes (bold search matches); off by default. */
  color?: boolean;
}

export const DEFAULT_URL = 'http://localhost:3000';

export const OPTIONS = {
  url: { type: 'string' },
  as: { type: 'string' },
  password: { type: 'string' },
  json: { type: 'boolean' },
  to: { type: 'string' },
  thread: { type: 'string' },
  message: { type: 'string' },
  seq: { type: 'string' },
  after: { type: 'string' },
  before: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof OPTIONS;

export type Values = {
  [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

export interface Context {
  values: Values;
  /** The positional arguments after the command: a message's text, search words. */
  words: string[];
  io: CliIo;
  env: Record<string, string | undefined>;
}

/** Bad command-line usage: reported with the command's usage text and exit code 2. */
export class UsageError extends Error {}

/** A failure already phrased for the user: one line, exit code 1. */
export class CliFailure extends Error {}

export function baseUrl(context: Context): string {
  const raw = context.values.url ?? (context.env.PARLEY_URL || DEFAULT_URL);
  try {
    return normaliseBaseUrl(raw);
  } catch (error) {
    throw new UsageError(`${context.values.url === undefined ? 'PARLEY_URL' : '--url'}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** --as and --password (or $PARLEY_PASSWORD), required by every command. */
export function credentials(context: Context, command: string): { username: string; password: string } {
  const username = context.values.as?.trim();
  const password = context.values.password ?? context.env.PARLEY_PASSWORD;
  if (!username) throw new UsageError(`${command} needs --as <username>`);
  if (!password) throw new UsageError(`${command} needs --password <password> (or PARLEY_PASSWORD in the environment)`);
  return { username, password };
}

/** Signs in; a 401 becomes the one message for a wrong username or password. */
export async function signIn(client: ParleyClient, username: string, password: string): Promise<ParleySession> {
  try {
    return await ParleySession.signIn(client, username, password);
  } catch (error) {
    if (error instanceof ParleyHttpError && error.status === 401) throw new CliFailure('sign-in failed: wrong username or password');
    if (error instanceof ParleyHttpError && error.status === 400) throw new CliFailure(`sign-in failed: ${error.serverMessage}`);
    throw error;
  }
}

/** Checks the arguments first (bad usage never costs a request), then signs in. */
export async function openSession(context: Context, command: string): Promise<ParleySession> {
  const url = baseUrl(context);
  const { username, password } = credentials(context, command);
  return signIn(new ParleyClient(url, { signal: context.io.signal }), username, password);
}

const PG_INTEGER_MAX = 2_147_483_647;

/** A whole-number option (an id, a seq, a page size), at least `min`; undefined when not given. */
export function wholeNumber(context: Context, option: 'thread' | 'message' | 'seq' | 'after' | 'before' | 'limit' | 'offset', min: number): number | undefined {
  const raw = context.values[option];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < min || value > PG_INTEGER_MAX) {
    const what = option === 'thread' || option === 'message' ? `a ${option} id (a positive whole number)` : `a whole number of at least ${min}`;
    throw new UsageError(`--${option} must be ${what}, not "${raw}"`);
  }
  return value;
}

/** Like wholeNumber, for an option the command cannot do without. */
export function requiredNumber(context: Context, command: string, option: 'thread' | 'message', placeholder: string): number {
  const value = wholeNumber(context, option, 1);
  if (value === undefined) throw new UsageError(`${command} needs --${option} <${placeholder}>`);
  return value;
}

/** --json output: one JSON document, the API's objects as the server sent them. */
export function printJson(context: Context, value: unknown): void {
  context.io.out(JSON.stringify(value, null, 2));
}
