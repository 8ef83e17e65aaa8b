import { describe, expect, it } from '@jest/globals';
import type { MessageRecord } from '../../messages/src/message.mapper.js';
import type { Participant } from './participant.entity.js';
import type { Thread } from './thread.entity.js';
import { toThreadDto, toThreadViewsByViewer } from './thread.mapper.js';
import type { ParticipantWithUser } from './threads.repository.js';

const thread = {
  id: 7,
  type: 'group',
  title: 'Launch',
  createdById: 1,
  createdAt: new Date('2026-11-01T10:00:00Z'),
  updatedAt: new Date('2026-11-02T10:00:00Z'),
  lastSeq: 12,
} as Thread;

const lastMessage: MessageRecord = {
  id: 99,
  threadId: 7,
  seq: 12,
  senderId: 2,
  text: 'ship it',
  clientMessageId: null,
  createdAt: new Date('2026-11-02T10:00:00Z'),
  editedAt: null,
  deletedAt: null,
  revision: 0,
  sender: { id: 2, username: 'u2', displayName: 'User 2', online: true },
};

/** Members 1…n: markers spread over a few values, one member with own messages after its marker. */
function members(n: number): { rows: Participant[]; participants: ParticipantWithUser[] } {
  const rows = Array.from(
    { length: n },
    (_, i) => ({ threadId: 7, userId: i + 1, role: i === 0 ? 'owner' : 'member', lastReadSeq: 9 + (i % 4), ownAfterMarker: i === 5 ? 1 : 0 }) as Participant,
  );
  const participants = rows.map((row) => ({
    threadId: 7,
    userId: row.userId,
    role: row.role,
    lastReadSeq: row.lastReadSeq,
    user: { id: row.userId, username: `u${row.userId}`, displayName: `User ${row.userId}`, online: row.userId % 2 === 0 },
  }));
  return { rows, participants };
}

describe('toThreadViewsByViewer', () => {
  it('gives every viewer exactly the view toThreadDto gives it, once', () => {
    const { rows, participants } = members(40);
    const groups = toThreadViewsByViewer(thread, rows, participants, lastMessage);
    const seen = groups.flatMap((group) => group.userIds);
    expect([...seen].sort((a, b) => a - b)).toEqual(rows.map((row) => row.userId));
    for (const group of groups) {
      for (const userId of group.userIds) {
        const viewer = rows.find((row) => row.userId === userId) as Participant;
        expect(group.thread).toEqual(toThreadDto(thread, viewer, participants, lastMessage));
      }
    }
  });

  it('groups viewers who see the same thread: one view per distinct unread count and read state', () => {
    const { rows, participants } = members(1000);
    const groups = toThreadViewsByViewer(thread, rows, participants, lastMessage);
    // One view per marker value (9 to 12), one for the sender (it has read its own message, whatever its marker) and
    // one for the member with an own message after its marker: 6 at most, however many members.
    expect(groups.length).toBeLessThanOrEqual(6);
    expect(groups.reduce((sum, group) => sum + group.userIds.length, 0)).toBe(1000);
  });

  it('answers the same for a thread without messages', () => {
    const { rows, participants } = members(3);
    const groups = toThreadViewsByViewer({ ...thread, lastSeq: 0 } as Thread, rows, participants, undefined);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.thread.lastMessage).toBeNull();
    expect(groups[0]?.userIds).toEqual([1, 2, 3]);
  });
});
