import { describe, expect, it } from '@jest/globals';
import { isReadBy, isReadByOthers, ReadersIndex } from './read-flags.js';

describe('read flags', () => {
  const alice = 1;
  const bob = 2;
  const carol = 3;

  it('a message is read by everyone else only when the lowest other marker reached it', () => {
    // alice sent seq 5; bob read up to 5, carol only up to 3.
    const readers = ReadersIndex.fromMarkers([
      { userId: alice, lastReadSeq: 5 },
      { userId: bob, lastReadSeq: 5 },
      { userId: carol, lastReadSeq: 3 },
    ]);
    expect(isReadByOthers(readers, { seq: 5, senderId: alice })).toBe(false);
    expect(isReadByOthers(readers, { seq: 3, senderId: alice })).toBe(true);
    expect(readers.readByAllSeq).toBe(3);
  });

  it("ignores the sender's own marker, even when it is the lowest", () => {
    // carol marked older messages unread (marker 1) but her own message 4 is read by alice and bob.
    const readers = ReadersIndex.fromMarkers([
      { userId: alice, lastReadSeq: 4 },
      { userId: bob, lastReadSeq: 6 },
      { userId: carol, lastReadSeq: 1 },
    ]);
    expect(isReadByOthers(readers, { seq: 4, senderId: carol })).toBe(true);
    expect(isReadByOthers(readers, { seq: 5, senderId: carol })).toBe(false);
    expect(isReadByOthers(readers, { seq: 2, senderId: alice })).toBe(false);
  });

  it('counts a message as read when nobody but the sender is left in the thread', () => {
    const readers = ReadersIndex.fromMarkers([{ userId: alice, lastReadSeq: 2 }]);
    expect(isReadByOthers(readers, { seq: 9, senderId: alice })).toBe(true);
  });

  it('own messages are always read by their sender; others up to the marker', () => {
    const viewer = { userId: bob, lastReadSeq: 3 };
    expect(isReadBy(viewer, { seq: 9, senderId: bob })).toBe(true);
    expect(isReadBy(viewer, { seq: 3, senderId: alice })).toBe(true);
    expect(isReadBy(viewer, { seq: 4, senderId: alice })).toBe(false);
  });
});
