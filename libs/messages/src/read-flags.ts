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

/** The viewer has read a message when it is its own or lies at or before its marker. */
export function isReadBy(viewer: ReadMarker, message: { seq: number; senderId: number }): boolean {
  return message.senderId === viewer.userId || message.seq <= viewer.lastReadSeq;
}

/** Every participant other than the sender has read the message. */
export function isReadByOthers(readers: ReadersIndex, message: { seq: number; senderId: number }): boolean {
  return readers.lowestMarkerExcept(message.senderId) >= message.seq;
}
