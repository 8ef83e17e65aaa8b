import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ThreadDeliveryOrder, type SequencedItem } from './thread-delivery-order.js';

const NOW = 1_000_000;
const item = (seq: number, previousAt: number | null = NOW - 60_000, threadId = 1): SequencedItem => ({ threadId, seq, previousAt });

function keeper(readMissing: (threadId: number, afterSeq: number, beforeSeq: number) => Promise<SequencedItem[]> = () => Promise.resolve([])) {
  const delivered: number[] = [];
  const order = new ThreadDeliveryOrder<SequencedItem>({
    gapWaitMs: 100,
    stragglerWindowMs: 2_000,
    idleForgetMs: 60_000,
    deliver: (items) => delivered.push(...items.map((i) => i.seq)),
    readMissing,
    onError: () => undefined,
    now: () => NOW,
  });
  return { order, delivered };
}

describe('ThreadDeliveryOrder', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('delivers at once what comes in order, and holds a later message until the missing one arrives', () => {
    const { order, delivered } = keeper();
    order.accept(item(5));
    order.accept(item(7));
    order.accept(item(8));
    expect(delivered).toEqual([5]);
    order.accept(item(6));
    expect(delivered).toEqual([5, 6, 7, 8]);
    order.close();
  });

  it('tells whether a seq went out: not while held or while its place is unknown, yes once delivered or for a thread it has no state for', () => {
    const { order } = keeper();
    expect(order.hasDelivered(1, 9)).toBe(true);
    order.accept(item(5));
    order.accept(item(7));
    expect([order.hasDelivered(1, 5), order.hasDelivered(1, 6), order.hasDelivered(1, 7)]).toEqual([true, false, false]);
    order.accept(item(6));
    expect(order.hasDelivered(1, 7)).toBe(true);
    // A predecessor stored a moment ago may still be on its way: the thread's place is unknown until it comes.
    order.accept(item(3, NOW - 10, 2));
    expect(order.hasDelivered(2, 3)).toBe(false);
    order.close();
  });

  it('drops duplicates and what is older than what it delivered', () => {
    const { order, delivered } = keeper();
    order.accept(item(3));
    order.accept(item(4));
    order.accept(item(4));
    order.accept(item(2));
    expect(delivered).toEqual([3, 4]);
    order.close();
  });

  it('reads a message still missing after the wait from the database and delivers it in its place', async () => {
    jest.useFakeTimers();
    const reads: [number, number][] = [];
    const { order, delivered } = keeper((_, afterSeq, beforeSeq) => {
      reads.push([afterSeq, beforeSeq]);
      return Promise.resolve([item(2), item(3)]);
    });
    order.accept(item(1, null));
    order.accept(item(4));
    expect(delivered).toEqual([1]);
    await jest.advanceTimersByTimeAsync(100);
    expect(reads).toEqual([[1, 4]]);
    expect(delivered).toEqual([1, 2, 3, 4]);
    order.close();
  });

  it('goes on after a message the database no longer has', async () => {
    jest.useFakeTimers();
    const { order, delivered } = keeper();
    order.accept(item(1, null));
    order.accept(item(3));
    await jest.advanceTimersByTimeAsync(100);
    expect(delivered).toEqual([1, 3]);
    order.accept(item(4));
    expect(delivered).toEqual([1, 3, 4]);
    order.close();
  });

  it("waits briefly on a thread's first message when its predecessor was stored a moment ago", async () => {
    jest.useFakeTimers();
    const { order, delivered } = keeper();
    order.accept(item(9, NOW - 5));
    expect(delivered).toEqual([]);
    order.accept(item(8, NOW - 10));
    await jest.advanceTimersByTimeAsync(100);
    expect(delivered).toEqual([8, 9]);
    order.close();
  });

  it('keeps threads apart', () => {
    const { order, delivered } = keeper();
    order.accept(item(5, NOW - 60_000, 1));
    order.accept(item(7, NOW - 60_000, 2));
    order.accept(item(7, NOW - 60_000, 1));
    order.accept(item(8, NOW - 60_000, 2));
    expect(delivered).toEqual([5, 7, 8]);
    order.close();
  });
});
