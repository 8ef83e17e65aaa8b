import { afterEach, describe, expect, it } from '@jest/globals';
import { MessageUpdateOrder, type RevisedItem } from './message-update-order.js';

const update = (revision: number, messageId = 10, seq = 3, threadId = 1): RevisedItem => ({ messageId, threadId, seq, revision });

/** An order whose `message:new` deliveries are simulated by `deliveredThrough` (the thread's last delivered seq). */
function orderWith(deliveredThrough: Map<number, number>) {
  const delivered: string[] = [];
  const order = new MessageUpdateOrder<RevisedItem>({
    deliver: (items) => delivered.push(...items.map((item) => `${item.messageId}@${item.revision}`)),
    newDelivered: (threadId, seq) => (deliveredThrough.get(threadId) ?? Number.POSITIVE_INFINITY) >= seq,
    forgetMs: 60_000,
  });
  return { order, delivered };
}

describe('MessageUpdateOrder', () => {
  const orders: MessageUpdateOrder<RevisedItem>[] = [];
  afterEach(() => {
    for (const order of orders.splice(0)) order.close();
  });
  const make = (deliveredThrough = new Map<number, number>()) => {
    const made = orderWith(deliveredThrough);
    orders.push(made.order);
    return made;
  };

  it('delivers updates in revision order and drops one older than (or equal to) one delivered', () => {
    const { order, delivered } = make();
    order.accept(update(1));
    order.accept(update(3));
    order.accept(update(2));
    order.accept(update(3));
    order.accept(update(4));
    expect(delivered).toEqual(['10@1', '10@3', '10@4']);
  });

  it('keeps messages apart: an old revision of one message does not hide another', () => {
    const { order, delivered } = make();
    order.accept(update(5, 10));
    order.accept(update(1, 11));
    expect(delivered).toEqual(['10@5', '11@1']);
  });

  it('holds an update until its message:new went out, then sends only the newest, right after it', () => {
    const through = new Map([[1, 2]]);
    const { order, delivered } = make(through);
    order.accept(update(1));
    order.accept(update(2));
    expect(delivered).toEqual([]);
    through.set(1, 3);
    order.afterNew(1, [{ messageId: 10, seq: 3, revision: 0 }]);
    expect(delivered).toEqual(['10@2']);
    order.accept(update(2));
    expect(delivered).toEqual(['10@2']);
  });

  it('drops a held update when the message:new that went out already carried that state or a newer one', () => {
    const through = new Map([[1, 2]]);
    const { order, delivered } = make(through);
    order.accept(update(1));
    through.set(1, 3);
    // Read from the database after a gap: the tombstone of revision 2.
    order.afterNew(1, [{ messageId: 10, seq: 3, revision: 2 }]);
    order.accept(update(1));
    order.accept(update(2));
    expect(delivered).toEqual([]);
    order.accept(update(3));
    expect(delivered).toEqual(['10@3']);
  });

  it('releases a held update once the thread delivered past its seq without its message:new', () => {
    const through = new Map([[1, 2]]);
    const { order, delivered } = make(through);
    order.accept(update(1, 10, 3));
    through.set(1, 5);
    order.afterNew(1, [{ messageId: 12, seq: 5, revision: 0 }]);
    expect(delivered).toEqual(['10@1']);
  });

  it('follows a message:new that went out after a newer update with that update again', () => {
    const { order, delivered } = make();
    order.accept(update(2));
    order.afterNew(1, [{ messageId: 10, seq: 3, revision: 0 }]);
    expect(delivered).toEqual(['10@2', '10@2']);
  });
});
