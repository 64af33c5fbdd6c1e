/**
 * Reads recent probe failures for the probe log page.
 *
 * Source of facts: pem.probe_log (003_web.sql), appended by agents through
 * pem.log_probe_failure: agent, server (0 = the agent's host), probe, object,
 * failure time and the error text. Newest first; `serverId` narrows to one
 * server, `before` pages back (failures strictly older than it).
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import type { ProbeFailure } from './shapes/probe-log.js';

export type { ProbeFailure };

/** Filters of {@link readProbeLog}. */
export interface ProbeLogFilter {
  limit: number;
  serverId?: number | undefined;
  probe?: string | undefined;
  /** ISO 8601: only failures before this time. */
  before?: string | undefined;
}

interface Row {
  id: string;
  failed_at: Date;
  agent_id: number;
  agent_name: string | null;
  server_id: number;
  server_name: string | null;
  probe: string;
  object: string;
  error: string;
}

const PROBE_LOG_SQL = `
SELECT l.id, l.failed_at, l.agent_id, a.display_name AS agent_name, l.server_id, s.display_name AS server_name,
       l.probe, l.object, l.error
  FROM pem.probe_log l
  LEFT JOIN pem.agent a ON a.id = l.agent_id
  LEFT JOIN pem.server s ON s.id = l.server_id
 WHERE ($2::int IS NULL OR l.server_id = $2) AND ($3::text IS NULL OR l.probe = $3)
   AND ($4::timestamptz IS NULL OR l.failed_at < $4)
 ORDER BY l.failed_at DESC, l.id DESC
 LIMIT $1`;

/** Reads failures newest first. Throws BackendFailingOverError. */
export async function readProbeLog(
  db: Queryable,
  filter: ProbeLogFilter,
  logger?: LogSink,
): Promise<ProbeFailure[]> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<Row>(
          PROBE_LOG_SQL,
          [filter.limit, filter.serverId ?? null, filter.probe ?? null, filter.before ?? null],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        )
      ).rows,
    { logger, what: 'read probe log' },
  );
  return rows.map((r) => ({
    id: Number(r.id),
    failedAt: r.failed_at.toISOString(),
    agentId: r.agent_id,
    agentName: r.agent_name,
    serverId: r.server_id === 0 ? null : r.server_id,
    serverName: r.server_name,
    probe: r.probe,
    object: r.object,
    error: r.error,
  }));
}
