/**
 * Unread messages of a participant, in O(1): everything after its marker except its own messages there
 * (own_after_marker, kept when the marker moves). Own messages never count as unread.
 */
export function unreadCount(threadLastSeq: number, marker: { lastReadSeq: number; ownAfterMarker: number }): number {
  return Math.max(0, threadLastSeq - marker.lastReadSeq - marker.ownAfterMarker);
}
