/**
 * A read-only look at an agent's spool directory from outside the agent
 * (the format of packages/agent/src/spool: `state.json` and
 * `seg-<first id>.spool` files of records `[u32 LE length][u32 LE CRC-32]
 * [JSON array whose first element is the sample id]`), for fault tests:
 *
 * - what the spool acknowledged (`consumedThrough`: every sample id up to it
 *   was stored by the backend or dropped, `droppedSamples`);
 * - right after the agent was killed, the last durable sample id and the id
 *   the restarted agent will give next (the spool's own rule: one above the
 *   largest of consumedThrough, issuedThrough, the last durable record and
 *   the pending batch's end). Ids between the two were handed out in memory
 *   but never became durable, so no append with them was ever acknowledged:
 *   they are legitimately absent from the backend.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { parse } from 'yaml';

/** What `state.json` holds (packages/agent/src/spool/state.ts). */
export interface SpoolStateView {
  consumedThrough: number;
  issuedThrough: number;
  droppedSamples: number;
  pending: { batchId: string; firstSampleId: number; lastSampleId: number } | null;
}

/** The spool directory configured in an agent configuration file (`spool_dir`). */
export function spoolDirOf(agentYml: string): string {
  const cfg = parse(readFileSync(agentYml, 'utf8')) as { spool_dir?: string };
  if (!cfg.spool_dir) throw new Error(`${agentYml} has no spool_dir`);
  return cfg.spool_dir;
}

/** Reads `<spoolDir>/state.json`. @throws Error when it is missing or malformed (names the file). */
export function readSpoolState(spoolDir: string): SpoolStateView {
  const path = join(spoolDir, 'state.json');
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Partial<SpoolStateView>;
    if (!Number.isSafeInteger(s.consumedThrough)) throw new Error('no consumedThrough');
    return {
      consumedThrough: s.consumedThrough!,
      issuedThrough: s.issuedThrough ?? s.consumedThrough!,
      droppedSamples: s.droppedSamples ?? 0,
      pending: s.pending ?? null,
    };
  } catch (err) {
    throw new Error(`spool state ${path} is unreadable: ${(err as Error).message}`);
  }
}

/** Largest sample id in a complete, CRC-valid record of any segment file, or undefined when there is none. */
export function lastDurableSampleId(spoolDir: string): number | undefined {
  let last: number | undefined;
  for (const name of readdirSync(spoolDir).filter((n) => /^seg-\d+\.spool$/.test(n))) {
    const buf = readFileSync(join(spoolDir, name));
    let off = 0;
    while (off + 8 <= buf.length) {
      const len = buf.readUInt32LE(off);
      if (len === 0 || off + 8 + len > buf.length) break;
      const payload = buf.subarray(off + 8, off + 8 + len);
      if (crc32(payload) !== buf.readUInt32LE(off + 4)) break;
      const id = (JSON.parse(payload.toString('utf8')) as unknown[])[0];
      if (typeof id !== 'number') break;
      last = last === undefined ? id : Math.max(last, id);
      off += 8 + len;
    }
  }
  return last;
}

/**
 * For a spool whose agent was just killed: the last durable id and the range
 * of ids the restarted agent will skip (`skipped` is empty when `from > to`).
 */
export function afterKill(spoolDir: string): { lastDurable: number; skipped: { from: number; to: number } } {
  const st = readSpoolState(spoolDir);
  const durable = lastDurableSampleId(spoolDir);
  const lastDurable = Math.max(st.consumedThrough, durable ?? 0);
  const next =
    Math.max(st.consumedThrough, st.issuedThrough, durable ?? 0, st.pending?.lastSampleId ?? 0) + 1;
  return { lastDurable, skipped: { from: lastDurable + 1, to: next - 1 } };
}
