import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ListenFailedError, Listener } from './listen.js';
import {
  normaliseBaseUrl,
  ParleyAbortedError,
  ParleyClient,
  ParleyHttpError,
  ParleyProtocolError,
  ParleySession,
  ParleyUnreachableError,
} from './parley-client.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborting it stops `listen` cleanly (exit 0) and interrupts requests under way. */
  signal?: AbortSignal;
  /** Where PARLEY_URL and PARLEY_PASSWORD are read from; process.env by default. */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_URL = 'http://localhost:3000';

export const USAGE = [
  'Usage:',
  '  parley send --as <username> --password <password> --to <username> <text>',
  '  parley send --as <username> --password <password> --thread <id> <text>',
  '  parley listen --as <username> --password <password>',
  '',
  'Commands:',
  '  send     send a message: to a user (opening your direct thread with them if needed) or into a thread',
  '  listen   print live events (new messages, reads, typing, presence, threads) until Ctrl-C',
  '',
  'Options:',
  `  --url <url>          the Parley server (default: $PARLEY_URL, else ${DEFAULT_URL})`,
  '  --as <username>      sign in as this user (username or email)',
  '  --password <secret>  their password (default: $PARLEY_PASSWORD)',
  '  --to <username>      send: the recipient of a direct message',
  '  --thread <id>        send: an existing thread of yours',
  '  -h, --help           show this help',
  '',
  'Run it with: npm run cli -- <command> [options]   (or: node dist/apps/cli/src/main.js <command> [options])',
  'Example:     npm run cli -- send --as jamessmith --password password --to davidjones "Hi David"',
];

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/** Bad command-line usage: reported with the usage text and exit code 2. */
class UsageError extends Error {}

/** A failure already phrased for the user: one line, exit code 1. */
class CliFailure extends Error {}

const OPTIONS = {
  url: { type: 'string' },
  as: { type: 'string' },
  password: { type: 'string' },
  to: { type: 'string' },
  thread: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

interface Context {
  values: Values;
  text: string[];
  io: CliIo;
  env: Record<string, string | undefined>;
}

/** Runs one command; resolves with the process exit code. Never throws for expected failures, never prints a stack. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const [command, ...text] = positionals;
  if (values.help || command === 'help') {
    for (const line of USAGE) io.out(line);
    return EXIT_OK;
  }

  try {
    const context: Context = { values, text, io, env };
    switch (command) {
      case 'send':
        return await send(context);
      case 'listen':
        return await listen(context);
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message);
    if (error instanceof ParleyAbortedError || io.signal?.aborted) {
      io.err('interrupted');
      return EXIT_INTERRUPTED;
    }
    io.err(describeFailure(error));
    return EXIT_FAILED;
  }
}

function usageError(io: CliIo, problem: string): number {
  io.err(`error: ${problem}`);
  io.err('');
  for (const line of USAGE) io.err(line);
  return EXIT_USAGE;
}

/** The one line a failure is reported as. */
function describeFailure(error: unknown): string {
  if (error instanceof CliFailure || error instanceof ListenFailedError) return error.message;
  if (error instanceof ParleyUnreachableError || error instanceof ParleyProtocolError) return error.message;
  if (error instanceof ParleyHttpError) {
    if (error.status === 401) return `Parley refused the credentials: ${error.serverMessage}`;
    if (error.status >= 500) return `Parley failed (HTTP ${error.status}): ${error.serverMessage}`;
    return `Parley refused the request (HTTP ${error.status}): ${error.serverMessage}`;
  }
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

function baseUrl(context: Context): string {
  const raw = context.values.url ?? (context.env.PARLEY_URL || DEFAULT_URL);
  try {
    return normaliseBaseUrl(raw);
  } catch (error) {
    throw new UsageError(`${context.values.url === undefined ? 'PARLEY_URL' : '--url'}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** --as and --password (or $PARLEY_PASSWORD), required by every command. */
function credentials(context: Context, command: string): { username: string; password: string } {
  const username = context.values.as?.trim();
  const password = context.values.password ?? context.env.PARLEY_PASSWORD;
  if (!username) throw new UsageError(`${command} needs --as <username>`);
  if (!password) throw new UsageError(`${command} needs --password <password> (or PARLEY_PASSWORD in the environment)`);
  return { username, password };
}

/** Signs in; a 401 becomes the one message for a wrong username or password. */
async function signIn(client: ParleyClient, username: string, password: string): Promise<ParleySession> {
  try {
    return await ParleySession.signIn(client, username, password);
  } catch (error) {
    if (error instanceof ParleyHttpError && error.status === 401) throw new CliFailure('sign-in failed: wrong username or password');
    if (error instanceof ParleyHttpError && error.status === 400) throw new CliFailure(`sign-in failed: ${error.serverMessage}`);
    throw error;
  }
}

const threadNotFound = (threadId: number): CliFailure =>
  new CliFailure(`thread ${threadId} not found (it does not exist, or you are not one of its participants)`);

function parseThreadId(raw: string): number {
  const trimmed = raw.trim();
  const id = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
    throw new UsageError(`--thread must be a thread id (a positive whole number), not "${raw}"`);
  }
  return id;
}

async function send(context: Context): Promise<number> {
  const { values, io } = context;
  const url = baseUrl(context);
  const { username, password } = credentials(context, 'send');
  if ((values.to === undefined) === (values.thread === undefined)) throw new UsageError('send needs either --to <username> or --thread <id> (one of them)');
  // Several words without quotes are one message, as a shell user would expect.
  const text = context.text.join(' ').trim();
  if (!text) throw new UsageError('send needs the message text, e.g. "Hi David" (quote it)');
  const threadId = values.thread === undefined ? undefined : parseThreadId(values.thread);
  const recipient = values.to?.trim();
  if (recipient === '') throw new UsageError('--to needs a username');

  const client = new ParleyClient(url, { signal: io.signal });
  const session = await signIn(client, username, password);

  let target: { threadId: number; created: boolean; label: string };
  if (recipient !== undefined) {
    const user = await session.findUser(recipient);
    if (!user) {
      // The user list leaves out the caller; say so rather than "no user named" yourself.
      const me = await session.me();
      if (me.username.toLowerCase() === recipient.toLowerCase()) throw new CliFailure('you cannot send a direct message to yourself');
      throw new CliFailure(`no user named ${recipient}`);
    }
    const { thread, created } = await session.openDirectThread(user.id);
    target = { threadId: thread.id, created, label: `to ${user.username}` };
  } else {
    target = { threadId: threadId as number, created: false, label: `to thread ${threadId}` };
  }

  let message;
  try {
    message = await session.sendMessage(target.threadId, text, randomUUID());
  } catch (error) {
    if (error instanceof ParleyHttpError && error.status === 404) throw threadNotFound(target.threadId);
    if (error instanceof ParleyHttpError && error.status === 400) throw new CliFailure(`message not sent: ${error.serverMessage}`);
    throw error;
  }
  const where = recipient !== undefined ? `thread ${message.threadId}${target.created ? ' (new)' : ''}, ` : '';
  io.out(`sent ${target.label}: ${where}seq ${message.seq}, message ${message.id}`);
  return EXIT_OK;
}

async function listen(context: Context): Promise<number> {
  const { values, io } = context;
  const url = baseUrl(context);
  const { username, password } = credentials(context, 'listen');
  if (values.to !== undefined || values.thread !== undefined) throw new UsageError('listen takes no --to or --thread (it shows every thread of yours)');
  if (context.text.length > 0) throw new UsageError(`listen takes no text, got "${context.text.join(' ')}"`);

  const client = new ParleyClient(url, { signal: io.signal });
  const session = await signIn(client, username, password);
  io.err(`listening as ${username} on ${url} (Ctrl-C to stop)`);
  await new Listener(session, io).run();
  io.err('stopped');
  return EXIT_OK;
}
