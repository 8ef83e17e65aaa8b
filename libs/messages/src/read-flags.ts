import { MAX_SEQ } from './message.entity.js';

/** A participant's read marker: it has read every message with seq <= lastReadSeq. */
export interface ReadMarker {
  readonly userId: number;
  readonly lastReadSeq: number;
}

/**
 * Answers "has everyone but the sender read seq N?" from the two lowest markers of a thread:
 * the lowest marker among everyone except X is the lowest overall, unless X holds it, then the second lowest.
 */
export class ReadersIndex {
  private constructor(
    private readonly lowest: ReadMarker | undefined,
    private readonly secondLowest: ReadMarker | undefined,
  ) {}

  static fromMarkers(markers: readonly ReadMarker[]): ReadersIndex {
    const sorted = [...markers].sort((a, b) => a.lastReadSeq - b.lastReadSeq);
    return new ReadersIndex(sorted[0], sorted[1]);
  }

  /** The highest seq every participant has read. */
  get readByAllSeq(): number {
    return this.lowest?.lastReadSeq ?? 0;
  }

  /** Lowest marker among all participants except `userId`; Infinity when nobody else is left. */
  lowestMarkerExcept(userId: number): number {
    const candidate = this.lowest?.userId === userId ? this.secondLowest : this.lowest;
    return candidate?.lastReadSeq ?? Number.POSITIVE_INFINITY;
  }
}

/** isReadBy in SQL: `message` is a relation with sender_id and seq, the viewer's id and marker are SQL. */
export const isReadBySql = (message: string, viewerId: string, viewerMarker: string): string =>
  `(${message}.sender_id = ${viewerId} OR ${message}.seq <= ${viewerMarker})`;

/** isReadByOthers in SQL, from the lowest marker of everyone but the sender (NULL when nobody else is left). */
export const isReadByOthersSql = (message: string, lowestOtherMarker: string): string => `(coalesce(${lowestOtherMarker}, ${MAX_SEQ}) >= ${message}.seq)`;

/** The viewer has read a message when it is its own or lies at or before its marker. */
export function isReadBy(viewer: ReadMarker, message: { seq: number; senderId: number }): boolean {
  return message.senderId === viewer.userId || message.seq <= viewer.lastReadSeq;
}

/** Every participant other than the sender has read the message. */
export function isReadByOthers(readers: ReadersIndex, message: { seq: number; senderId: number }): boolean {
  return readers.lowestMarkerExcept(message.senderId) >= message.seq;
}
