/**
 * A probe writer for measuring write gaps: commits one row every
 * `intervalMs` (default 100 ms) through an {@link HaConnection} on a
 * multi-host connection string with `target_session_attrs=read-write`, and
 * records when each commit was acknowledged. The longest stretch without an
 * acknowledgement during a fault is its write gap (gap.ts).
 *
 * The lab's string for it ({@link labWriterConninfo}) lists every backend as
 * the agents' strings do, as Patroni's superuser `patroni_super`, whom the
 * reference's HBA rules admit from 127.0.0.1 (where an unbound loopback
 * connection comes from), with TLS verified against the lab's CA.
 */
import { HaConnection } from '@pharos/core/ha/connection';
import { failureOf, type HaTraceEvent } from '@pharos/core/ha/trace';
import { sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import { labLayout } from '@pharos/ops/lab/layout';
import { sleep } from '@pharos/ops/lab/processes';
import type { LabSecrets } from '@pharos/ops/lab/secrets';
import type { Topology } from '@pharos/ops/topology/types';

/** Table the writers insert into (database `postgres` of the backend cluster): writer label, sequence number, time. */
export const WRITE_TABLE = 'public.pharos_write_probe';

/**
 * The multi-host string of the probe writer: every backend of `topo` in
 * topology order, database `postgres`, user `patroni_super`,
 * `target_session_attrs=read-write`, `connect_timeout` seconds (default 2),
 * `sslmode=verify-full` with the lab's CA (`<labDir>/pki/ca.crt`). No password:
 * pass `PGPASSWORD` in the environment (libpq and HaConnection both read it).
 */
export function labWriterConninfo(topo: Topology, labDir: string, connectTimeoutS = 2): string {
  return [
    `host=${topo.backends.map((b) => b.address).join(',')}`,
    `port=${topo.postgres.port}`,
    'dbname=postgres user=patroni_super target_session_attrs=read-write',
    `connect_timeout=${connectTimeoutS}`,
    `sslmode=verify-full sslrootcert=${labLayout(labDir).pkiDir}/ca.crt`,
  ].join(' ');
}

/**
 * Function the per-host writers call (per-host-writer.ts): inserts the row and
 * returns true on a primary; returns false without trying on a standby, so a
 * standby's session is not ended by a read-only error.
 */
export const WRITE_FUNCTION = 'public.pharos_write_probe_if_primary';

/**
 * Creates {@link WRITE_TABLE} and {@link WRITE_FUNCTION} (idempotent) on the
 * PostgreSQL at `leaderAddress`, as patroni_super.
 */
export async function createWriteTable(
  ctx: { topo: Topology; secrets: LabSecrets },
  leaderAddress: string,
): Promise<void> {
  await sqlOnBackend(
    ctx,
    leaderAddress,
    'postgres',
    `CREATE TABLE IF NOT EXISTS ${WRITE_TABLE} (writer text NOT NULL, seq bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (writer, seq));
     CREATE OR REPLACE FUNCTION ${WRITE_FUNCTION}(p_writer text, p_seq bigint) RETURNS boolean
       LANGUAGE plpgsql AS $$
       BEGIN
         IF pg_is_in_recovery() THEN RETURN false; END IF;
         INSERT INTO ${WRITE_TABLE} (writer, seq) VALUES (p_writer, p_seq);
         RETURN true;
       END $$`,
  );
}

/** Options of {@link AckWriter}. */
export interface AckWriterOptions {
  conninfo: string;
  /** Environment for PG* variables (PGPASSWORD); default process.env. */
  env?: Record<string, string | undefined>;
  /** Label stored with each row. */
  label: string;
  /** Period between write starts, ms (default 100). */
  intervalMs?: number;
  /** Deadline of one write, selection included, ms (default 3000). */
  deadlineMs?: number;
  /** Passed to the HaConnection: each host attempt, re-check, drop and selection (core ha/trace.ts). */
  trace?: (event: HaTraceEvent) => void;
  /** Passed to the HaConnection (`holdOtherHosts`): keep sessions on the other hosts for the next selection. */
  holdOtherHosts?: boolean;
  /** Called at each acknowledgement with its time (ms since the epoch), sequence number and the write's start. */
  onAck?: (atMs: number, seq: number, startedMs: number) => void;
  /** Called at each failed write, with what `failures` records. */
  onFailure?: (failure: WriteFailure) => void;
}

/**
 * What the fault measurements read of a writer (measure.ts): its
 * acknowledgement times, label and acknowledged sequence numbers; an
 * {@link AckWriter} or a writer in another process reporting its own
 * (bench failover/remote-writer.ts).
 */
export type AckLog = Pick<AckWriter, 'acks' | 'label' | 'lastAckMs' | 'ackedBetween'>;

/** A write that failed: when it started and ended (ms since the epoch) and why. */
export interface WriteFailure {
  startedMs: number;
  atMs: number;
  code?: string;
  error: string;
}

/**
 * Writes one row (label, sequence number) per period through an
 * HaConnection until {@link stop}; `acks` holds the acknowledgement times (ms
 * since the epoch, ascending) and `ackedSeqs` the sequence numbers of the
 * acknowledged rows, in the same order.
 * Failed writes are counted in `errors` and retried at the next period
 * (HaConnection selects a host again after a failover-class error).
 */
export class AckWriter {
  readonly acks: number[] = [];
  readonly ackedSeqs: number[] = [];
  /** Every failed write, in order. */
  readonly failures: WriteFailure[] = [];
  errors = 0;
  private seq = 0;
  private readonly conn: HaConnection;
  private readonly opts: AckWriterOptions;
  private running = false;
  private loop: Promise<void> | undefined;

  /** @throws what HaConnection's constructor throws (malformed string, unreadable TLS file). */
  constructor(opts: AckWriterOptions) {
    this.opts = opts;
    this.conn = new HaConnection({
      conninfo: opts.conninfo,
      env: opts.env,
      queryTimeoutMs: opts.deadlineMs ?? 3000,
      trace: opts.trace,
      holdOtherHosts: opts.holdOtherHosts,
    });
  }

  /** Starts writing (idempotent). */
  start(): void {
    if (this.loop) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the write in flight and closes the connection. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.conn.close();
  }

  /** The label stored with each row. */
  get label(): string {
    return this.opts.label;
  }

  /** Sequence numbers of the writes acknowledged in [fromMs, toMs] (ms since the epoch). */
  ackedBetween(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    this.acks.forEach((t, i) => {
      if (t >= fromMs && t <= toMs) out.push(this.ackedSeqs[i]!);
    });
    return out;
  }

  /** Time of the newest acknowledgement (ms since the epoch), or undefined. */
  get lastAckMs(): number | undefined {
    return this.acks.at(-1);
  }

  private async run(): Promise<void> {
    const period = this.opts.intervalMs ?? 100;
    while (this.running) {
      const started = Date.now();
      const seq = ++this.seq;
      try {
        await this.conn.query(`INSERT INTO ${WRITE_TABLE} (writer, seq) VALUES ($1, $2)`, [
          this.opts.label,
          seq,
        ]);
        const at = Date.now();
        this.acks.push(at);
        this.ackedSeqs.push(seq);
        this.opts.onAck?.(at, seq, started);
      } catch (err) {
        this.errors++;
        const f = { startedMs: started, atMs: Date.now(), ...failureOf(err) };
        this.failures.push(f);
        this.opts.onFailure?.(f);
      }
      await sleep(Math.max(0, started + period - Date.now()));
    }
  }
}
