import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { DomainEvents, DomainError, type DomainEvent } from '../../common/src/index.js';
import { loadConfig } from '../../config/src/index.js';
import type { MessagesRepository, NewMessage, StoredBatch } from './messages.repository.js';
import { MessageSendQueue } from './send-queue.js';

/** A repository whose batches finish when the test says so; every row is stored in a thread at seq 1, 2, 3 … */
class ControlledRepository {
  readonly batches: NewMessage[][] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private readonly lastSeq = new Map<number, number>();
  hold = false;

  insertMessagesIdempotent(batch: readonly NewMessage[]): Promise<StoredBatch> {
    this.batches.push([...batch]);
    const answer = (): StoredBatch => ({
      results: batch.map((message) => {
        const seq = (this.lastSeq.get(message.threadId) ?? 0) + 1;
        this.lastSeq.set(message.threadId, seq);
        return {
          record: {
            ...message,
            id: this.nextId++,
            seq,
            createdAt: new Date(),
            editedAt: null,
            deletedAt: null,
            revision: 0,
            sender: { id: message.senderId, username: 'u', displayName: 'U', online: false },
          },
          previousAt: null,
        };
      }),
      before: {
        threadLastSeq: new Map(),
        participants: batch.map((message) => ({ threadId: message.threadId, userId: message.senderId, lastReadSeq: 0, ownAfterMarker: 0 })),
        unreadElsewhere: new Map(),
      },
    });
    if (!this.hold) return Promise.resolve(answer());
    return new Promise((resolve) => this.waiting.push(() => resolve(answer())));
  }

  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }
}

const message = (n: number, clientMessageId: string | null = `c${n}`): NewMessage => ({ threadId: 1, senderId: 7, text: `m${n}`, clientMessageId });

function queueWith(env: Record<string, string>, repository = new ControlledRepository()) {
  const events = new DomainEvents();
  const published: DomainEvent[] = [];
  events.subscribe((event) => {
    published.push(event);
  });
  const queue = new MessageSendQueue(repository as unknown as MessagesRepository, events, loadConfig({ NODE_ENV: 'test', ...env }));
  return { queue, repository, published };
}

describe('MessageSendQueue', () => {
  const queues: MessageSendQueue[] = [];
  afterEach(async () => {
    jest.useRealTimers();
    for (const queue of queues.splice(0)) await queue.onModuleDestroy();
  });

  it('stores the sends of one turn as one batch, answers each caller its own row, and publishes them in seq order', async () => {
    const { queue, repository, published } = queueWith({ SEND_QUEUE_BUDGET_MS: '0' });
    queues.push(queue);
    const answers = await Promise.all([1, 2, 3].map((n) => queue.enqueue(message(n))));
    expect(repository.batches).toHaveLength(1);
    expect(answers.map((answer) => answer?.record.text)).toEqual(['m1', 'm2', 'm3']);
    expect(published.map((event) => (event.type === 'message.created' ? event.message.seq : null))).toEqual([1, 2, 3]);
  });

  it('puts a repeated clientMessageId into the next batch, never beside the first', async () => {
    const { queue, repository } = queueWith({ SEND_QUEUE_BUDGET_MS: '0' });
    queues.push(queue);
    await Promise.all([queue.enqueue(message(1, 'same')), queue.enqueue(message(2, 'same')), queue.enqueue(message(3, null))]);
    expect(repository.batches.map((batch) => batch.map((m) => m.text))).toEqual([['m1', 'm3'], ['m2']]);
  });

  it('refuses with overloaded once a batch has waited longer than the budget, and admits again when it is done', async () => {
    const { queue, repository } = queueWith({ SEND_QUEUE_BUDGET_MS: '30' });
    queues.push(queue);
    repository.hold = true;
    const first = queue.enqueue(message(1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    let refusal: unknown;
    try {
      queue.admit();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'overloaded', retryAfterMs: expect.any(Number) });
    repository.release();
    await first;
    // Admission comes back step by step (a flood right after a stall would stall it again): within a second here.
    const admittedAgainWithin = async (ms: number): Promise<boolean> => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        try {
          queue.admit();
          return true;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return false;
    };
    expect(await admittedAgainWithin(2_000)).toBe(true);
  });

  it('answers database_unavailable to a send that waited longer than the connect timeout for its batch', async () => {
    const { queue, repository } = queueWith({
      SEND_QUEUE_BUDGET_MS: '0',
      DATABASE_URL: 'postgres://nowhere/db',
      DB_POOL_SIZE: '1',
      DB_CONNECT_TIMEOUT_MS: '100',
    });
    queues.push(queue);
    repository.hold = true;
    const stuck = queue.enqueue(message(1));
    // The first batch is in flight (and the pool's only connection with it); the second send waits for it.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const waiting = queue.enqueue(message(2));
    await expect(waiting).rejects.toMatchObject({ code: 'database_unavailable' });
    repository.release();
    await expect(stuck).resolves.toMatchObject({ record: { text: 'm1' } });
  });
});
