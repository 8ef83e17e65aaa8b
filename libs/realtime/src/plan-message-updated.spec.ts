import { describe, expect, it } from '@jest/globals';
import type { MessageRecord } from '../../common/src/index.js';
import { planMessageUpdated } from './live-updates.service.js';

const message: MessageRecord = {
  id: 42,
  threadId: 7,
  seq: 5,
  senderId: 1,
  text: '',
  clientMessageId: null,
  createdAt: new Date('2026-12-01T10:00:00Z'),
  editedAt: null,
  deletedAt: new Date('2026-12-01T10:05:00Z'),
  revision: 2,
  sender: { id: 1, username: 'ann', displayName: 'Ann', online: false },
};

describe('planMessageUpdated', () => {
  it('gives each participant its own readByMe (the sender always true) and everyone the same isRead', () => {
    const readers = [
      { userId: 1, lastReadSeq: 2 },
      { userId: 2, lastReadSeq: 5 },
      { userId: 3, lastReadSeq: 4 },
      { userId: 4, lastReadSeq: 9 },
    ];
    const emits = planMessageUpdated({ type: 'message.updated', threadId: 7, message, readers });
    const flagsOf = (userId: number) => {
      const emit = emits.find((e) => e.userIds.includes(userId));
      return (emit?.data as { message: { readByMe: boolean; isRead: boolean } }).message;
    };
    expect(emits.flatMap((e) => e.userIds).sort()).toEqual([1, 2, 3, 4]);
    expect(emits.every((e) => e.event === 'message:updated')).toBe(true);
    expect([1, 2, 3, 4].map((id) => flagsOf(id).readByMe)).toEqual([true, true, false, true]);
    // User 3 has not read seq 5: not read by everyone else.
    expect([1, 2, 3, 4].map((id) => flagsOf(id).isRead)).toEqual([false, false, false, false]);
    expect(flagsOf(2)).toMatchObject({ id: 42, seq: 5, text: '', deletedAt: '2026-12-01T10:05:00.000Z', editedAt: null });
    // Two groups: those who see it read, those who do not.
    expect(emits).toHaveLength(2);
  });

  it('is read when everyone but the sender has read it', () => {
    const emits = planMessageUpdated({
      type: 'message.updated',
      threadId: 7,
      message,
      readers: [
        { userId: 1, lastReadSeq: 0 },
        { userId: 2, lastReadSeq: 5 },
      ],
    });
    expect(emits.map((e) => (e.data as { message: { isRead: boolean } }).message.isRead)).toEqual([true]);
  });
});
