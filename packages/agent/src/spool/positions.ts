/**
 * Known byte offsets of records in the spool's segment files, so reading a
 * batch does not decode a segment from its start: the spool notes where the
 * record after each read ends (the next batch, and the oldest unshipped
 * sample, start there) and where a batch's first record is (a retained batch
 * read again for a re-ship). In memory only; at most {@link MAX_POSITIONS}
 * entries, the oldest sample ids forgotten first.
 */

/** Entries kept at most (a few hundred batches of retention need far fewer). */
export const MAX_POSITIONS = 4096;

/** Byte offset, within one segment file, of the record of one sample id. */
interface Position {
  segment: string;
  offset: number;
}

/** Sample id -> where its record starts. See the module comment. */
export class RecordPositions {
  private readonly byId = new Map<number, Position>();

  /**
   * Notes that the record of `sampleId` starts at byte `offset` of `segment`
   * (or will, once appended: `offset` may equal the segment's current length).
   */
  note(sampleId: number, segment: string, offset: number): void {
    this.byId.delete(sampleId);
    this.byId.set(sampleId, { segment, offset });
    if (this.byId.size > MAX_POSITIONS) {
      const lowest = Math.min(...this.byId.keys());
      this.byId.delete(lowest);
    }
  }

  /**
   * The best place to start reading `segment` for sample ids >= `fromId`: the
   * offset of the noted record with the highest id <= `fromId` in that
   * segment, or 0 (the segment's start) when none is noted.
   */
  startFor(segment: string, fromId: number): number {
    let bestId = -1;
    let offset = 0;
    for (const [id, p] of this.byId) {
      if (p.segment === segment && id <= fromId && id > bestId) {
        bestId = id;
        offset = p.offset;
      }
    }
    return offset;
  }

  /** Forgets every position in `segment` (removed, or truncated). */
  forgetSegment(segment: string): void {
    for (const [id, p] of this.byId) if (p.segment === segment) this.byId.delete(id);
  }
}
