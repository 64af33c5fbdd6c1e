/**
 * The backend's own write gap, as an omniscient client would see it: one
 * writer per backend, each on a single-host connection to that backend only
 * (no host selection at all), calling the write function every `intervalMs`
 * (default 50 ms; writer.ts WRITE_FUNCTION: inserts on a primary, answers
 * false on a standby). Their acknowledgements merged are the moments some
 * server accepted a write: the longest gap in them is the time the cluster
 * itself had no writable primary. A client's write gap minus this is what
 * finding the primary cost that client.
 */
import { HaConnection } from '@pharos/core/ha/connection';
import { labLayout } from '@pharos/ops/lab/layout';
import { sleep } from '@pharos/ops/lab/processes';
import { WRITE_FUNCTION, type WriteFailure } from './writer.js';

/** Options of {@link PerHostWriter}. */
export interface PerHostWriterOptions {
  /** The backends to write on (a lab's Topology, or one backend of it) and PostgreSQL's port. */
  topo: { backends: readonly { address: string }[]; postgres: { port: number } };
  labDir: string;
  /** patroni_super's password. */
  password: string;
  label: string;
  intervalMs?: number;
  /** Deadline of one call, ms (default 5000: a statement slowed by a loaded machine must not cost the session, whose reconnection takes longer still); connect_timeout is 1 s (libpq: counts as 2). */
  deadlineMs?: number;
  /** Called at each acknowledged write (ms since the epoch), with the call's sequence number and start. */
  onAck?: (atMs: number, seq: number, startedMs: number) => void;
  /** Called at each failed call. */
  onFailure?: (failure: WriteFailure) => void;
}

/** Per-backend writers; `acks` merges the acknowledgement times of all (ms since the epoch, ascending). */
export class PerHostWriter {
  readonly acks: number[] = [];
  /** Per backend address: its acknowledgement times and its failed calls (ms since the epoch). */
  readonly byHost = new Map<string, { acks: number[]; failures: { atMs: number; error: string }[] }>();
  errors = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly conns: HaConnection[];
  private readonly opts: PerHostWriterOptions;
  private seq = 0;

  /** @throws what HaConnection's constructor throws. */
  constructor(opts: PerHostWriterOptions) {
    this.opts = opts;
    const ca = `${labLayout(opts.labDir).pkiDir}/ca.crt`;
    this.conns = opts.topo.backends.map(
      (b) =>
        new HaConnection({
          conninfo: `host=${b.address} port=${opts.topo.postgres.port} dbname=postgres user=patroni_super connect_timeout=1 sslmode=verify-full sslrootcert=${ca}`,
          env: { PGPASSWORD: opts.password },
          queryTimeoutMs: opts.deadlineMs ?? 5000,
        }),
    );
  }

  /** Starts one loop per backend (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = this.conns.map((c, i) => this.run(c, this.opts.topo.backends[i]!.address));
  }

  /** Stops the loops and closes the connections. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.conns.map((c) => c.close()));
  }

  private async run(conn: HaConnection, address: string): Promise<void> {
    const period = this.opts.intervalMs ?? 50;
    const mine = { acks: [] as number[], failures: [] as { atMs: number; error: string }[] };
    this.byHost.set(address, mine);
    while (this.running) {
      const started = Date.now();
      const seq = ++this.seq;
      try {
        const r = await conn.query<{ ok: boolean }>(`SELECT ${WRITE_FUNCTION}($1, $2) AS ok`, [
          this.opts.label,
          seq,
        ]);
        if (r.rows[0]?.ok === true) {
          const now = Date.now();
          this.acks.push(now);
          mine.acks.push(now);
          this.opts.onAck?.(now, seq, started);
        }
      } catch (err) {
        this.errors++;
        const atMs = Date.now();
        mine.failures.push({ atMs, error: (err as Error).message });
        this.opts.onFailure?.({ startedMs: started, atMs, error: (err as Error).message });
      }
      await sleep(Math.max(0, started + period - Date.now()));
    }
  }
}
