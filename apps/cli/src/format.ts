import type { Message, Thread, User } from './parley-client.js';

/** Readable output for people: terminal-safe text, short local dates, aligned columns. No I/O here. */

// Control characters and bidirectional overrides in someone else's text must not drive the terminal.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A server-provided string made safe for one terminal line: newlines shown as ⏎, other controls escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\n') return ' ⏎ ';
    if (c === '\t') return ' ';
    if (c === '\r') return '';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** A time in the local zone, as short as is still clear: "14:05" today, "Dec 7 14:05" this year, "2025-12-07" before. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return printable(iso);
  const clock = `${two(at.getHours())}:${two(at.getMinutes())}`;
  if (at.getFullYear() !== now.getFullYear()) return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  if (at.getMonth() === now.getMonth() && at.getDate() === now.getDate()) return clock;
  return `${MONTHS[at.getMonth()]} ${at.getDate()} ${clock}`;
}

/** Width in terminal columns, near enough: one per code point (wide CJK and emoji are rare in names). */
const width = (text: string): number => [...text].length;

/** Cuts text to `max` columns, with an ellipsis when something was cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Rows as aligned columns, two spaces apart. Columns listed in `right` are right-aligned (numbers); the last column
 * is never padded, so lines carry no trailing spaces.
 */
export function table(rows: string[][], right: number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && !right.includes(i)) return cell;
        const pad = ' '.repeat((widths[i] ?? 0) - width(cell));
        return right.includes(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The usernames of a thread's members other than `meId`, alphabetical: an untitled group goes by them, the same every time. */
export const otherMembers = (thread: Thread, meId: number | undefined): string[] =>
  (thread.participants ?? [])
    .filter((user) => user.id !== meId)
    .map((user) => printable(user.username))
    .sort((a, b) => a.localeCompare(b));

/** "with davidjones" for a direct thread, '"Hiring team"' for a titled group, "group: marybrown, sarahjohnson" untitled. */
export function threadName(thread: Thread, meId: number | undefined): string {
  if (thread.type === 'group') {
    if (thread.title) return `"${printable(thread.title)}"`;
    return `group: ${otherMembers(thread, meId).join(', ') || 'just you'}`;
  }
  const other = thread.participants.find((user) => user.id !== meId);
  return `with ${other ? printable(other.username) : '?'}`;
}

/** A message's text for one line: a deleted one as its tombstone, an edited one marked. */
export function messageBody(message: Pick<Message, 'text' | 'editedAt' | 'deletedAt'>): string {
  if (message.deletedAt) return '(message deleted)';
  return `${printable(message.text)}${message.editedAt ? ' (edited)' : ''}`;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML character references back to characters, in one pass ("&amp;lt;" is the text "&lt;"). Unknown ones stay as they are. */
export function decodeEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (reference, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : reference;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? reference;
  });
}

/** Bold on a terminal that shows colours; *asterisks* where escape codes would be noise (a pipe, a file, NO_COLOR). */
export const emphasis =
  (color: boolean) =>
  (text: string): string =>
    color ? `\u001b[1m${text}\u001b[22m` : `*${text}*`;

/**
 * A search result's `highlight` (HTML: the matches in <mark>, the rest escaped) as one terminal line: the matches
 * emphasised, entities decoded, and the decoded text made terminal-safe (it is someone else's text again).
 */
export function renderHighlight(html: string, emphasise: (text: string) => string): string {
  let line = '';
  let marked = false;
  for (const part of html.split(/(<\/?mark>)/)) {
    if (part === '<mark>' || part === '</mark>') {
      marked = part === '<mark>';
      continue;
    }
    if (part === '') continue;
    const text = printable(decodeEntities(part));
    line += marked ? emphasise(text) : text;
  }
  return line;
}

/** Users as aligned columns under a header (nothing for none), with a status column when the server says who is online. */
export function userTable(users: User[]): string[] {
  if (users.length === 0) return [];
  const withStatus = users.some((user) => typeof user.online === 'boolean');
  const status = (user: User): string[] => (withStatus ? [user.online ? 'online' : 'offline'] : []);
  return table([
    ['USERNAME', 'NAME', ...(withStatus ? ['STATUS'] : [])],
    ...users.map((user) => [printable(user.username), printable(user.displayName), ...status(user)]),
  ]);
}
