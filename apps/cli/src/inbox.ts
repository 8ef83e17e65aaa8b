import { CliFailure, openSession, printJson, requiredNumber, UsageError, wholeNumber, type Context } from './context.js';
import { emphasis, messageBody, printable, renderHighlight, shortTime, table, threadName, truncate, userTable } from './format.js';
import type { Message, Page, ReadState, Thread } from './parley-client.js';

/** The commands that read and change the inbox: each one request or two, then the API's objects (--json) or readable lines. */

const EXIT_OK = 0;
/** Room for the last message in the threads list, so that a row stays on one line of a usual terminal. */
const PREVIEW_WIDTH = 60;

function noWords(context: Context, command: string): void {
  if (context.words.length > 0) throw new UsageError(`${command} takes no text, got "${context.words.join(' ')}"`);
}

/** "3 threads" when the page holds them all, else which ones it shows and the option for the next page. */
function offsetFooter(page: Page<unknown>, offset: number, noun: [one: string, many: string]): string {
  const of = (count: number): string => `${count} ${count === 1 ? noun[0] : noun[1]}`;
  if (page.results.length === 0) return page.count === 0 ? `no ${noun[1]}` : `no ${noun[1]} at offset ${offset} (${of(page.count)} in all)`;
  if (page.results.length === page.count) return of(page.count);
  const last = offset + page.results.length;
  return `${offset + 1}–${last} of ${of(page.count)}${page.next ? `; next page: --offset ${last}` : ''}`;
}

function pageWindow(context: Context): { limit?: number; offset?: number } {
  return { limit: wholeNumber(context, 'limit', 1), offset: wholeNumber(context, 'offset', 0) };
}

export async function threads(context: Context): Promise<number> {
  noWords(context, 'threads');
  const window = pageWindow(context);
  const session = await openSession(context, 'threads');
  const page = await session.threadsPage(window);
  if (context.values.json) {
    printJson(context, page);
    return EXIT_OK;
  }
  const me = await session.me();
  const rows = page.results.map((thread) => {
    const last = thread.lastMessage;
    const preview = last ? `${printable(last.sender.username)}: ${messageBody(last)}` : '(no messages yet)';
    return [
      `#${thread.id}`,
      threadName(thread, me.id),
      String(thread.unreadCount),
      shortTime(last?.createdAt ?? thread.updatedAt),
      truncate(preview, PREVIEW_WIDTH),
    ];
  });
  if (rows.length > 0) for (const line of table([['THREAD', 'NAME', 'UNREAD', 'LAST', 'MESSAGE'], ...rows], [2])) context.io.out(line);
  context.io.out(offsetFooter(page, window.offset ?? 0, ['thread', 'threads']));
  return EXIT_OK;
}

/** Messages as aligned lines: seq, time, sender, text (tombstones and edits shown as such). */
function messageLines(messages: Message[]): string[] {
  return table(
    messages.map((m) => [String(m.seq), shortTime(m.createdAt), printable(m.sender.username), messageBody(m)]),
    [0],
  );
}

export async function history(context: Context): Promise<number> {
  noWords(context, 'history');
  const threadId = requiredNumber(context, 'history', 'thread', 'id');
  const afterSeq = wholeNumber(context, 'after', 0);
  const beforeSeq = wholeNumber(context, 'before', 1);
  const limit = wholeNumber(context, 'limit', 1);
  const session = await openSession(context, 'history');
  // Without --after, the newest messages (as a chat window opens); --after alone reads forward from that seq.
  const newest = afterSeq === undefined && beforeSeq === undefined;
  const page = newest ? await session.newestPage(threadId, limit) : await session.historyPage(threadId, { afterSeq, beforeSeq, limit });
  if (context.values.json) {
    printJson(context, page);
    return EXIT_OK;
  }
  const first = page.results[0];
  const last = page.results.at(-1);
  if (!first || !last) {
    context.io.out(`thread #${threadId}: no messages${newest ? '' : ' in that range'}`);
    return EXIT_OK;
  }
  for (const line of messageLines(page.results)) context.io.out(line);
  // Backward windows (the default, --before) link older pages as `next` and newer as `previous`; forward ones the other way.
  const backward = afterSeq === undefined || beforeSeq !== undefined;
  const newer = backward ? page.previous : page.next;
  const hints = [first.seq > 1 ? `older: --before ${first.seq}` : '', newer ? `newer: --after ${last.seq}` : ''].filter(Boolean);
  context.io.out(`thread #${threadId}: seq ${first.seq}–${last.seq}${hints.length > 0 ? `; ${hints.join(', ')}` : ''}`);
  return EXIT_OK;
}

function readStateLine(state: ReadState, what: string): string {
  return `thread #${state.threadId}: ${what}; ${state.unreadCount} unread here, ${state.totalUnread} in all`;
}

/** --thread and --seq of read / unread, and the session; `at` finds the message with --seq, for the routes that take an id. */
async function readStateTarget(context: Context, command: 'read' | 'unread') {
  noWords(context, command);
  const threadId = requiredNumber(context, command, 'thread', 'id');
  const seq = wholeNumber(context, 'seq', 1);
  const session = await openSession(context, command);
  const at = async (wanted: number): Promise<Message> => {
    const message = await session.messageAtSeq(threadId, wanted);
    if (!message) throw new CliFailure(`thread #${threadId} has no message with seq ${wanted}`);
    return message;
  };
  return { threadId, seq, session, at };
}

export async function read(context: Context): Promise<number> {
  const { threadId, seq, session, at } = await readStateTarget(context, 'read');
  const state = await session.readThread(threadId, seq === undefined ? undefined : (await at(seq)).id);
  if (context.values.json) printJson(context, state);
  else context.io.out(readStateLine(state, state.lastReadSeq === 0 ? 'nothing to read' : `read up to seq ${state.lastReadSeq}`));
  return EXIT_OK;
}

export async function unread(context: Context): Promise<number> {
  const { threadId, seq, session, at } = await readStateTarget(context, 'unread');
  const message = seq === undefined ? await session.lastMessage(threadId) : await at(seq);
  if (!message) throw new CliFailure(`thread #${threadId} has no messages to mark unread`);
  const state = await session.markUnread(message.id);
  if (context.values.json) printJson(context, state);
  else context.io.out(readStateLine(state, `unread from seq ${message.seq} on (read up to seq ${state.lastReadSeq})`));
  return EXIT_OK;
}

export async function edit(context: Context): Promise<number> {
  const messageId = requiredNumber(context, 'edit', 'message', 'id');
  // Several words without quotes are one text, as with send.
  const text = context.words.join(' ').trim();
  if (!text) throw new UsageError('edit needs the new text (quote it)');
  const session = await openSession(context, 'edit');
  const message = await session.editMessage(messageId, text);
  if (context.values.json) printJson(context, message);
  else context.io.out(`edited message ${message.id} (thread #${message.threadId}, seq ${message.seq}): ${messageBody(message)}`);
  return EXIT_OK;
}

export async function remove(context: Context): Promise<number> {
  noWords(context, 'delete');
  const messageId = requiredNumber(context, 'delete', 'message', 'id');
  const session = await openSession(context, 'delete');
  await session.deleteMessage(messageId);
  // The API answers 204 without a body: the JSON says what was done.
  if (context.values.json) printJson(context, { messageId, deleted: true });
  else context.io.out(`deleted message ${messageId} (it stays in the thread as a tombstone)`);
  return EXIT_OK;
}

export async function search(context: Context): Promise<number> {
  // The words as typed, quotes and -exclusions included: the server parses them as a search box would.
  const q = context.words.join(' ').trim();
  if (!q) throw new UsageError('search needs the words to look for, e.g. lunch "next week" -friday');
  const threadId = wholeNumber(context, 'thread', 1);
  const window = pageWindow(context);
  const session = await openSession(context, 'search');
  const page = await session.searchMessages(q, { threadId, ...window });
  if (context.values.json) {
    printJson(context, page);
    return EXIT_OK;
  }
  if (page.results.length > 0) {
    // Threads by name, from the first page of the caller's threads; one that is not on it goes by its id.
    const [me, known] = await Promise.all([session.me(), session.threadsPage({ limit: 200 })]);
    const names = new Map<number, Thread>(known.results.map((thread) => [thread.id, thread]));
    const emphasise = emphasis(context.io.color ?? false);
    const rows = page.results.map((hit) => {
      const thread = names.get(hit.threadId);
      return [
        shortTime(hit.createdAt),
        `#${hit.threadId}${thread ? ` ${threadName(thread, me.id)}` : ''}`,
        `seq ${hit.seq}`,
        `${printable(hit.sender.username)}: ${renderHighlight(hit.highlight, emphasise)}${hit.editedAt ? ' (edited)' : ''}`,
      ];
    });
    for (const line of table(rows)) context.io.out(line);
  }
  context.io.out(offsetFooter(page, window.offset ?? 0, ['matching message', 'matching messages']));
  return EXIT_OK;
}

export async function users(context: Context): Promise<number> {
  const text = context.words.join(' ').trim();
  const window = pageWindow(context);
  const session = await openSession(context, 'users');
  const page = await session.usersPage({ search: text || undefined, ...window });
  if (context.values.json) {
    printJson(context, page);
    return EXIT_OK;
  }
  for (const line of userTable(page.results)) context.io.out(line);
  context.io.out(
    offsetFooter(page, window.offset ?? 0, text ? [`user matching "${printable(text)}"`, `users matching "${printable(text)}"`] : ['user', 'users']),
  );
  return EXIT_OK;
}
