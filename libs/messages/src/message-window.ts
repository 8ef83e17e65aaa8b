import { MAX_SEQ } from './message.entity.js';
import { BadRequestError, resolvePageWindow, type PageLinks, type PageWindow } from '../../common/src/index.js';

export interface MessageWindowQuery {
  limit?: number;
  offset?: number;
  afterSeq?: number;
  beforeSeq?: number;
}

/**
 * Which seqs a history request covers. Seqs are gapless, so an offset is just a seq (afterSeq + offset):
 * every page, however deep, is an index range scan, and the count needs no COUNT(*).
 */
export type MessageWindow =
  | { kind: 'forward'; afterSeq: number; limit: number; count: number; window: PageWindow }
  | { kind: 'backward'; afterSeq: number; beforeSeq: number; limit: number; count: number; window: PageWindow };

/**
 * Seqs are PostgreSQL integers: a bound past the largest cannot be sent in a query (a 500 before this clamp), and
 * selects the same messages as the largest (only a thread with 2^31 - 1 messages could tell the difference).
 */
const seqBound = (value: number): number => Math.min(value, MAX_SEQ);

/** The seqs a request covers, known before the thread is read: the page is read in the same statement as the thread. */
export type MessageRange = Omit<Extract<MessageWindow, { kind: 'backward' }>, 'count'> | Omit<Extract<MessageWindow, { kind: 'forward' }>, 'count'>;

export function planMessageRange(query: MessageWindowQuery): MessageRange {
  const window = resolvePageWindow(query);
  const afterSeq = query.afterSeq ?? 0;
  if (query.beforeSeq !== undefined) {
    if (query.offset !== undefined)
      throw new BadRequestError('offset_with_before_seq', 'offset cannot be combined with beforeSeq; page back with beforeSeq instead.');
    return { kind: 'backward', afterSeq: seqBound(afterSeq), beforeSeq: seqBound(query.beforeSeq), limit: window.limit, window };
  }
  return { kind: 'forward', afterSeq: seqBound(afterSeq + window.offset), limit: window.limit, window };
}

/** The range with its count, once the thread's last seq is known: messages after `afterSeq` (and before `beforeSeq`). */
export function withCount(range: MessageRange, query: MessageWindowQuery, threadLastSeq: number): MessageWindow {
  const afterSeq = query.afterSeq ?? 0;
  if (range.kind === 'backward') return { ...range, count: Math.max(0, Math.min(range.beforeSeq - 1, threadLastSeq) - afterSeq) };
  return { ...range, count: Math.max(0, threadLastSeq - afterSeq) };
}

export function planMessageWindow(query: MessageWindowQuery, threadLastSeq: number): MessageWindow {
  return withCount(planMessageRange(query), query, threadLastSeq);
}

/** Neighbouring pages: offsets for forward pages; for backward pages `next` is the older page and `previous` the newer one. */
export function messagePageLinks(plan: MessageWindow, seqs: number[], threadLastSeq: number): PageLinks {
  if (plan.kind === 'forward') {
    const { limit, offset } = plan.window;
    return {
      next: offset + limit < plan.count ? { limit, offset: offset + limit } : null,
      previous: offset > 0 ? { limit, offset: Math.max(0, offset - limit) } : null,
    };
  }
  const first = seqs[0];
  const last = seqs[seqs.length - 1];
  return {
    next: first !== undefined && first > plan.afterSeq + 1 ? { limit: plan.limit, beforeSeq: first } : null,
    previous: last !== undefined && last < threadLastSeq ? { limit: plan.limit, beforeSeq: undefined, afterSeq: last } : null,
  };
}
