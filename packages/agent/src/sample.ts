/**
 * A sample: one row of one probe run, the unit the agent spools and ships.
 * Maps 1:1 onto a row of `pg_temp.incoming_sample` / `pemhistory.sample`
 * (packages/backend/sql/migrations/001_initial.sql).
 */

/** A JSON value as stored in `pemhistory.sample.value` (jsonb). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A sample before the spool has given it an id. */
export interface NewSample {
  /** Probe name, e.g. `server_info`. */
  probe: string;
  /** Monitored server id (`pem.server.id`); 0 = the agent's own host. */
  serverId: number;
  /** Object within the probe (a connection state, a standby name); '' when the probe has one row. */
  object: string;
  /** Collection time, ISO 8601 with time zone (UTC `Z`). */
  collectedAt: string;
  /** The row: column name -> value. */
  value: { [key: string]: JsonValue };
}

/** A spooled sample: {@link NewSample} plus its per-agent id (monotonically increasing, never reused once durable). */
export interface Sample extends NewSample {
  sampleId: number;
}
