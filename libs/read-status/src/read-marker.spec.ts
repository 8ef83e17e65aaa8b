import { describe, expect, it } from '@jest/globals';
import { unreadCount } from '../../threads/src/unread.js';
import { markerAfterMarkingUnread, markerAfterReading } from './read-marker.js';

describe('read marker arithmetic', () => {
  it('reading moves the marker forward only', () => {
    expect(markerAfterReading(3, 7)).toBe(7);
    expect(markerAfterReading(7, 3)).toBe(7);
  });

  it('marking N unread puts the marker at N - 1, and never forward', () => {
    expect(markerAfterMarkingUnread(10, 4)).toBe(3);
    expect(markerAfterMarkingUnread(2, 4)).toBe(2);
    expect(markerAfterMarkingUnread(10, 1)).toBe(0);
  });

  it("unread is the messages after the marker minus the reader's own messages there", () => {
    expect(unreadCount(10, { lastReadSeq: 3, ownAfterMarker: 0 })).toBe(7);
    // The reader marked 4 unread, but 6 and 9 are its own: 7 after the marker, 5 unread.
    expect(unreadCount(10, { lastReadSeq: 3, ownAfterMarker: 2 })).toBe(5);
    expect(unreadCount(10, { lastReadSeq: 10, ownAfterMarker: 0 })).toBe(0);
  });
});
