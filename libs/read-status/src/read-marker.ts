/**
 * Read markers move "up to": reading message N reads everything before it; marking N unread puts the marker
 * at N - 1, so N and everything after it are unread again.
 */

/** Reading only ever moves the marker forward. */
export function markerAfterReading(current: number, readSeq: number): number {
  return Math.max(current, readSeq);
}

/** Marking unread only ever moves the marker back: marking an already-unread message changes nothing. */
export function markerAfterMarkingUnread(current: number, unreadSeq: number): number {
  return Math.min(current, unreadSeq - 1);
}
