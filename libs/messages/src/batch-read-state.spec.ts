import { describe, expect, it } from '@jest/globals';
import { readStatesAfterEachMessage, type BatchStateBefore } from './batch-read-state.js';

const ALICE = 1;
const BOB = 2;
const CAROL = 3;

/** A direct thread 10 (alice, bob) at seq 4, a group 20 (alice, bob, carol) at seq 7; bob has 5 unread elsewhere. */
function before(): BatchStateBefore {
  return {
    threadLastSeq: new Map([
      [10, 4],
      [20, 7],
    ]),
    participants: [
      { threadId: 10, userId: ALICE, lastReadSeq: 4, ownAfterMarker: 0 },
      { threadId: 10, userId: BOB, lastReadSeq: 2, ownAfterMarker: 0 },
      { threadId: 20, userId: ALICE, lastReadSeq: 7, ownAfterMarker: 0 },
      { threadId: 20, userId: BOB, lastReadSeq: 7, ownAfterMarker: 0 },
      // Carol marked 6 unread after sending 7 herself: seq 6 is unread, her own 7 never counts.
      { threadId: 20, userId: CAROL, lastReadSeq: 5, ownAfterMarker: 1 },
    ],
    unreadElsewhere: new Map([[BOB, 5]]),
  };
}

const countsOf = (state: ReturnType<typeof readStatesAfterEachMessage>[number], userId: number): { unreadCount: number; totalUnread: number } => {
  const found = state.participants.find((p) => p.userId === userId);
  if (!found) throw new Error(`no counts for ${userId}`);
  return { unreadCount: found.unreadCount, totalUnread: found.totalUnread };
};

describe('readStatesAfterEachMessage', () => {
  it("gives every participant's counts right after each message of the batch, across its threads", () => {
    const states = readStatesAfterEachMessage(before(), [
      { threadId: 10, seq: 5, senderId: ALICE },
      { threadId: 20, seq: 8, senderId: ALICE },
      { threadId: 10, seq: 6, senderId: BOB },
      { threadId: 20, seq: 9, senderId: CAROL },
    ]);
    // Bob: 2 unread in the direct thread, 5 elsewhere → 3 and 8 after alice's message.
    expect(countsOf(states[0], BOB)).toEqual({ unreadCount: 3, totalUnread: 8 });
    expect(countsOf(states[0], ALICE)).toEqual({ unreadCount: 0, totalUnread: 0 });
    // Alice's group message: one more for bob and carol.
    expect(countsOf(states[1], BOB)).toEqual({ unreadCount: 1, totalUnread: 9 });
    expect(countsOf(states[1], CAROL)).toEqual({ unreadCount: 2, totalUnread: 2 });
    // Bob's reply reads the direct thread for him: his 3 there are gone.
    expect(countsOf(states[2], BOB)).toEqual({ unreadCount: 0, totalUnread: 6 });
    expect(countsOf(states[2], ALICE)).toEqual({ unreadCount: 1, totalUnread: 1 });
    // Carol's message reads the group for her.
    expect(countsOf(states[3], CAROL)).toEqual({ unreadCount: 0, totalUnread: 0 });
    expect(countsOf(states[3], BOB)).toEqual({ unreadCount: 2, totalUnread: 7 });
    expect(countsOf(states[3], ALICE)).toEqual({ unreadCount: 1, totalUnread: 2 });
  });

  it('tells readByAllSeq and isRead after each message', () => {
    const states = readStatesAfterEachMessage(before(), [
      { threadId: 20, seq: 8, senderId: ALICE },
      { threadId: 10, seq: 5, senderId: BOB },
    ]);
    expect(states[0]).toMatchObject({ readByAllSeq: 5, isRead: false });
    // Bob's send moves his marker to 5, alice's is at 4.
    expect(states[1]).toMatchObject({ readByAllSeq: 4, isRead: false });
  });

  it('counts a message in a thread where the sender is alone as read by everyone else', () => {
    const states = readStatesAfterEachMessage(
      { threadLastSeq: new Map([[30, 0]]), participants: [{ threadId: 30, userId: ALICE, lastReadSeq: 0, ownAfterMarker: 0 }], unreadElsewhere: new Map() },
      [{ threadId: 30, seq: 1, senderId: ALICE }],
    );
    expect(states[0]).toEqual({ readByAllSeq: 1, isRead: true, participants: [{ userId: ALICE, unreadCount: 0, totalUnread: 0 }] });
  });
});
