import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  baseUrl,
  CliFailure,
  credentials,
  OPTIONS,
  requiredNumber,
  signIn,
  UsageError,
  type CliIo,
  type Context,
  type OptionName,
  DEFAULT_URL,
} from './context.js';
import { edit, history, read, remove, search, threads, unread, users } from './inbox.js';
import { ListenFailedError, Listener } from './listen.js';
import { ParleyAbortedError, ParleyClient, ParleyHttpError, ParleyProtocolError, ParleyUnreachableError } from './parley-client.js';

export type { CliIo } from './context.js';
export { DEFAULT_URL } from './context.js';

interface Command {
  /** Usage lines, without the leading "parley ". */
  synopsis: string[];
  summary: string;
  /** The options it takes besides --url, --as, --password, --json and --help, each with what it means here. */
  options: Partial<Record<OptionName, string>>;
  run: (context: Context) => Promise<number>;
}

const SIGN_IN = '--as <username> --password <password>';

const COMMANDS: Record<string, Command> = {
  threads: {
    synopsis: [`threads ${SIGN_IN} [--limit N] [--offset N]`],
    summary: 'your threads, most recently active first: name, unread count, last message',
    options: { limit: 'how many (default 50, at most 200)', offset: 'skip that many (the next page)' },
    run: threads,
  },
  history: {
    synopsis: [`history ${SIGN_IN} --thread <id> [--after SEQ] [--before SEQ] [--limit N]`],
    summary: "a thread's messages, oldest first: the newest page, or the ones after / before a seq",
    options: {
      thread: 'the thread (its id, as `threads` shows it)',
      after: 'only messages after this seq (reading forward, catching up)',
      before: 'the messages right before this seq (scrolling back)',
      limit: 'how many (default 50, at most 200)',
    },
    run: history,
  },
  read: {
    synopsis: [`read ${SIGN_IN} --thread <id> [--seq SEQ]`],
    summary: 'mark a thread read, up to a seq (default: all of it)',
    options: { thread: 'the thread', seq: 'read up to and including this message' },
    run: read,
  },
  unread: {
    synopsis: [`unread ${SIGN_IN} --thread <id> [--seq SEQ]`],
    summary: 'mark a message and every later one unread (default: the last message)',
    options: { thread: 'the thread', seq: 'the first message to become unread' },
    run: unread,
  },
  send: {
    synopsis: [`send ${SIGN_IN} --to <username> <text>`, `send ${SIGN_IN} --thread <id> <text>`],
    summary: 'send a message: to a user (opening your direct thread with them if needed) or into a thread',
    options: { to: 'the recipient of a direct message', thread: 'an existing thread of yours' },
    run: send,
  },
  edit: {
    synopsis: [`edit ${SIGN_IN} --message <id> <new text>`],
    summary: 'change the text of a message you sent',
    options: { message: 'the message (its id, as `history --json` shows it)' },
    run: edit,
  },
  delete: {
    synopsis: [`delete ${SIGN_IN} --message <id>`],
    summary: 'delete a message you sent (it stays in the thread as a tombstone)',
    options: { message: 'the message' },
    run: remove,
  },
  search: {
    synopsis: [`search ${SIGN_IN} [--thread <id>] [--limit N] [--offset N] [--] <words>`],
    summary: 'find messages in your threads, newest first: words, "quoted phrases", -excluded words (after --)',
    options: { thread: 'only in this thread', limit: 'how many (default 50, at most 200)', offset: 'skip that many (the next page)' },
    run: search,
  },
  users: {
    synopsis: [`users ${SIGN_IN} [--limit N] [--offset N] [<name>]`],
    summary: 'the other users, or those whose username or display name contains <name>',
    options: { limit: 'how many (default 50, at most 200)', offset: 'skip that many (the next page)' },
    run: users,
  },
  listen: {
    synopsis: [`listen ${SIGN_IN}`],
    summary: 'print live events (new, edited and deleted messages, reads, typing, presence, threads) until Ctrl-C; --json: one event a line',
    options: {},
    run: listen,
  },
};

const COMMON_OPTIONS: [string, string][] = [
  ['--url <url>', `the Parley server (default: $PARLEY_URL, else ${DEFAULT_URL})`],
  ['--as <username>', 'sign in as this user (username or email)'],
  ['--password <secret>', 'their password (default: $PARLEY_PASSWORD)'],
  ['--json', "print the API's objects as one JSON document (for scripts); errors as JSON on stderr"],
  ['-h, --help', 'show this help'],
];

const PLACEHOLDERS: Partial<Record<OptionName, string>> = {
  to: '<username>',
  thread: '<id>',
  message: '<id>',
  seq: 'SEQ',
  after: 'SEQ',
  before: 'SEQ',
  limit: 'N',
  offset: 'N',
};

const optionLines = (options: [string, string][]): string[] => {
  const width = Math.max(...options.map(([name]) => name.length));
  return options.map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`);
};

const RUN_IT = [
  'Run it with: npm run cli -- <command> [options]   (or: node dist/apps/cli/src/main.js <command> [options])',
  'Example:     npm run cli -- send --as jamessmith --password password --to davidjones "Hi David"',
];

export const USAGE = [
  'Usage:',
  ...Object.values(COMMANDS).flatMap((command) => command.synopsis.map((line) => `  parley ${line}`)),
  '',
  'Commands:',
  ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`),
  '',
  'Options of every command:',
  ...optionLines(COMMON_OPTIONS),
  '',
  'parley <command> --help shows what one command takes.',
  ...RUN_IT,
];

function commandUsage(name: string, command: Command): string[] {
  const own = Object.entries(command.options).map(([option, meaning]): [string, string] => [
    `--${option} ${PLACEHOLDERS[option as OptionName] ?? ''}`.trimEnd(),
    meaning,
  ]);
  return [
    'Usage:',
    ...command.synopsis.map((line) => `  parley ${line}`),
    '',
    `${name}: ${command.summary}`,
    '',
    'Options:',
    ...optionLines([...own, ...COMMON_OPTIONS]),
    '',
    ...RUN_IT.slice(0, 1),
  ];
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

const COMMON: OptionName[] = ['url', 'as', 'password', 'json', 'help'];

/** Own keys only: "toString" or "constructor" are not commands. */
const commandNamed = (name: string | undefined): Command | undefined => (name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

/** Runs one command; resolves with the process exit code. Never throws for expected failures, never prints a stack. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  let values: Context['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error), USAGE);
  }
  const [name, ...words] = positionals;
  const command = commandNamed(name);
  if (name === 'help' || (values.help && command === undefined)) {
    const about = commandNamed(words[0]);
    for (const line of about && words[0] ? commandUsage(words[0], about) : USAGE) io.out(line);
    return EXIT_OK;
  }
  if (!name || !command) return usageError(io, name === undefined ? 'no command given' : `unknown command "${name}"`, USAGE);
  const usage = commandUsage(name, command);
  if (values.help) {
    for (const line of usage) io.out(line);
    return EXIT_OK;
  }

  try {
    const foreign = (Object.keys(values) as OptionName[]).filter((option) => !COMMON.includes(option) && !(option in command.options));
    if (foreign.length > 0) throw new UsageError(`${name} takes no ${foreign.map((option) => `--${option}`).join(' or ')}`);
    return await command.run({ values, words, io, env });
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, usage);
    if (error instanceof ParleyAbortedError || io.signal?.aborted) {
      io.err('interrupted');
      return EXIT_INTERRUPTED;
    }
    io.err(values.json ? JSON.stringify(failureJson(error)) : describeFailure(error));
    return EXIT_FAILED;
  }
}

function usageError(io: CliIo, problem: string, usage: string[]): number {
  io.err(`error: ${problem}`);
  io.err('');
  for (const line of usage) io.err(line);
  return EXIT_USAGE;
}

/** The one line a failure is reported as: the API's code and message when the API refused. */
function describeFailure(error: unknown): string {
  if (error instanceof CliFailure || error instanceof ListenFailedError) return error.message;
  if (error instanceof ParleyUnreachableError || error instanceof ParleyProtocolError) return error.message;
  if (error instanceof ParleyHttpError) {
    const status = `HTTP ${error.status}${error.code ? ` ${error.code}` : ''}`;
    if (error.status === 401) return `Parley refused the credentials (${status}): ${error.serverMessage}`;
    if (error.status >= 500) return `Parley failed (${status}): ${error.serverMessage}`;
    return `Parley refused the request (${status}): ${error.serverMessage}`;
  }
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A failure under --json: the API's error body when the API refused; the same shape, with the CLI's own code, otherwise. */
function failureJson(error: unknown): object {
  if (error instanceof ParleyHttpError && error.body) return error.body;
  if (error instanceof ParleyUnreachableError) return { error: 'Unreachable', code: 'unreachable', message: error.message };
  if (error instanceof ParleyProtocolError) return { error: 'Not Parley', code: 'protocol_error', message: error.message };
  return { error: 'Failed', code: 'cli_failed', message: describeFailure(error) };
}

const threadNotFound = (threadId: number): CliFailure =>
  new CliFailure(`thread ${threadId} not found (it does not exist, or you are not one of its participants)`);

async function send(context: Context): Promise<number> {
  const { values, io } = context;
  const url = baseUrl(context);
  const { username, password } = credentials(context, 'send');
  if ((values.to === undefined) === (values.thread === undefined)) throw new UsageError('send needs either --to <username> or --thread <id> (one of them)');
  // Several words without quotes are one message, as a shell user would expect.
  const text = context.words.join(' ').trim();
  if (!text) throw new UsageError('send needs the message text, e.g. "Hi David" (quote it)');
  const threadId = values.thread === undefined ? undefined : requiredNumber(context, 'send', 'thread', 'id');
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
    if (values.json) throw error;
    if (error instanceof ParleyHttpError && error.status === 404) throw threadNotFound(target.threadId);
    if (error instanceof ParleyHttpError && error.status === 400) throw new CliFailure(`message not sent: ${error.serverMessage}`);
    throw error;
  }
  if (values.json) {
    io.out(JSON.stringify(message, null, 2));
    return EXIT_OK;
  }
  const where = recipient !== undefined ? `thread ${message.threadId}${target.created ? ' (new)' : ''}, ` : '';
  io.out(`sent ${target.label}: ${where}seq ${message.seq}, message ${message.id}`);
  return EXIT_OK;
}

async function listen(context: Context): Promise<number> {
  const { io } = context;
  const url = baseUrl(context);
  const { username, password } = credentials(context, 'listen');
  if (context.words.length > 0) throw new UsageError(`listen takes no text, got "${context.words.join(' ')}"`);

  const client = new ParleyClient(url, { signal: io.signal });
  const session = await signIn(client, username, password);
  io.err(`listening as ${username} on ${url} (Ctrl-C to stop)`);
  await new Listener(session, { ...io, json: context.values.json }).run();
  io.err('stopped');
  return EXIT_OK;
}
