/**
 * On-disk framing of one spooled sample: an 8-byte header (payload length as
 * u32 little-endian, CRC-32 of the payload as u32 little-endian) followed by the
 * payload, the sample as a compact JSON array
 * `[sampleId, probe, serverId, object, collectedAt, value]`.
 *
 * A record whose header is incomplete, whose length is 0 or above
 * {@link MAX_RECORD_BYTES}, whose payload is short, whose CRC does not match or
 * whose JSON does not decode to a sample is "torn": the tail of a write cut
 * short by a crash (kill -9, power loss) or damage.
 */
import * as zlib from 'node:zlib';
import type { JsonValue, Sample } from '../sample.js';

/** Header size in bytes. */
export const HEADER_BYTES = 8;
/** Largest payload a record may have (1 MiB); larger samples are refused by {@link encodeRecord}. */
export const MAX_RECORD_BYTES = 1024 * 1024;

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib) of `buf`; zlib's native one when Node has it (20.15+). */
export function crc32(buf: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(buf);
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Encodes a sample as one record. Throws RangeError when the payload exceeds {@link MAX_RECORD_BYTES}. */
export function encodeRecord(s: Sample): Buffer {
  const payload = Buffer.from(
    JSON.stringify([s.sampleId, s.probe, s.serverId, s.object, s.collectedAt, s.value]),
  );
  if (payload.length > MAX_RECORD_BYTES) {
    throw new RangeError(
      `sample of probe ${s.probe} is ${payload.length} bytes, above the ${MAX_RECORD_BYTES} limit`,
    );
  }
  const rec = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  rec.writeUInt32LE(payload.length, 0);
  rec.writeUInt32LE(crc32(payload), 4);
  payload.copy(rec, HEADER_BYTES);
  return rec;
}

/** Result of {@link decodeRecord}: a sample and the record's size, `torn` (with a reason), or `end` (no bytes left). */
export type DecodeResult =
  | { kind: 'ok'; sample: Sample; bytes: number }
  | { kind: 'torn'; reason: string }
  | { kind: 'end' };

/** Decodes the record starting at `offset` of `buf` (bytes after `buf.length` are not looked at). */
export function decodeRecord(buf: Buffer, offset: number): DecodeResult {
  const left = buf.length - offset;
  if (left === 0) return { kind: 'end' };
  if (left < HEADER_BYTES) return { kind: 'torn', reason: `incomplete header (${left} bytes)` };
  const len = buf.readUInt32LE(offset);
  if (len === 0 || len > MAX_RECORD_BYTES)
    return { kind: 'torn', reason: `implausible record length ${len}` };
  if (left < HEADER_BYTES + len) {
    return { kind: 'torn', reason: `incomplete payload (${left - HEADER_BYTES} of ${len} bytes)` };
  }
  const payload = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + len);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { kind: 'torn', reason: 'CRC mismatch' };
  let arr: unknown;
  try {
    arr = JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'torn', reason: 'payload is not JSON' };
  }
  if (
    !Array.isArray(arr) ||
    arr.length !== 6 ||
    !Number.isSafeInteger(arr[0]) ||
    typeof arr[1] !== 'string' ||
    !Number.isInteger(arr[2]) ||
    typeof arr[3] !== 'string' ||
    typeof arr[4] !== 'string' ||
    typeof arr[5] !== 'object' ||
    arr[5] === null
  ) {
    return { kind: 'torn', reason: 'payload is not a sample' };
  }
  const sample: Sample = {
    sampleId: arr[0] as number,
    probe: arr[1] as string,
    serverId: arr[2] as number,
    object: arr[3] as string,
    collectedAt: arr[4] as string,
    value: arr[5] as { [key: string]: JsonValue },
  };
  return { kind: 'ok', sample, bytes: HEADER_BYTES + len };
}
