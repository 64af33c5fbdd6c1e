/**
 * Samples as COPY text-format rows for `pg_temp.incoming_sample`
 * (sample_id, server_id, probe, object, collected_at, value).
 *
 * Source: PostgreSQL 15 documentation, COPY, "Text Format": columns separated
 * by a tab, rows ended by a newline, `\N` is NULL, and backslash, newline,
 * carriage return and tab inside a value are written `\\`, `\n`, `\r`, `\t`.
 */
import type { Sample } from '../sample.js';

/** The COPY statement matching {@link copyTextRow}. */
export const COPY_INCOMING_SQL =
  'COPY pg_temp.incoming_sample (sample_id, server_id, probe, object, collected_at, value) FROM STDIN';

/** Escapes one value for COPY text format. */
export function escapeCopyText(s: string): string {
  return s.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}

/** One sample as one COPY text row, newline included. */
export function copyTextRow(s: Sample): string {
  return `${[
    String(s.sampleId),
    String(s.serverId),
    escapeCopyText(s.probe),
    escapeCopyText(s.object),
    escapeCopyText(s.collectedAt),
    escapeCopyText(JSON.stringify(s.value)),
  ].join('\t')}\n`;
}

/** All samples as COPY text data. */
export function copyText(samples: readonly Sample[]): string {
  return samples.map(copyTextRow).join('');
}
