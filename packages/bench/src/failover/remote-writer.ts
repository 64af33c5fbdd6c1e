/**
 * The parent side of a writer process (writer-process.ts): forks it, sends
 * the start message, and records what it reports — acknowledgement times
 * (taken in the writer's process, CLOCK_REALTIME), sequence numbers, failed
 * writes, HaConnection trace events and that process's event-loop lateness.
 * The benchmark's own event loop only receives these: its stalls delay when a
 * message arrives, never the time it carries. {@link RemoteWriter} has the
 * shape the fault measurements read (suites/faults/writer.ts `AckLog`);
 * {@link RemotePerHost} runs one process per backend and merges their
 * acknowledgements into the cluster's own.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HaTraceEvent } from '@pharos/core/ha/trace';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import type { WriterMessage, WriterStart } from './writer-process.js';

const WRITER_JS = fileURLToPath(new URL('./writer-process.js', import.meta.url));

/** A failed write as the writer process reported it (psql: `code` is `exit N` or `killed`, `error` its stderr). */
export interface RemoteFailure {
  startedMs: number;
  atMs: number;
  code?: string;
  error: string;
}

/** Inserts `x` into ascending `a` (acknowledgements of several processes arrive out of order). */
function insertSorted(a: number[], x: number): void {
  let i = a.length;
  while (i > 0 && a[i - 1]! > x) i--;
  a.splice(i, 0, x);
}

/** One writer process and what it reported. `acks` ascending, ms since the epoch. */
export class RemoteWriter {
  readonly acks: number[] = [];
  readonly ackedSeqs: number[] = [];
  /** Start of each acknowledged write (same order as `acks`). */
  readonly ackStarts: number[] = [];
  readonly failures: RemoteFailure[] = [];
  readonly events: HaTraceEvent[] = [];
  /** When this writer's process ran late, by how much (ms). */
  readonly lags: { atMs: number; lateMs: number }[] = [];
  /** Time of the newest heartbeat: every message from before it has arrived. */
  beatMs = 0;
  private readonly child: ChildProcess;
  private readonly start: WriterStart;
  private stopped: Promise<void> | undefined;
  private error: string | undefined;

  constructor(start: WriterStart) {
    this.start = start;
    this.child = fork(WRITER_JS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: WriterMessage) => this.receive(m));
    this.child.on('exit', () => {
      this.error ??= 'the writer process exited';
    });
  }

  /** The label stored with each row. */
  get label(): string {
    return this.start.label;
  }

  get lastAckMs(): number | undefined {
    return this.acks.at(-1);
  }

  /** Whether the writer process has exited. */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get errors(): number {
    return this.failures.length;
  }

  /** Sequence numbers of the writes acknowledged in [fromMs, toMs]. */
  ackedBetween(fromMs: number, toMs: number): number[] {
    return this.ackedSeqs.filter((_, i) => this.acks[i]! >= fromMs && this.acks[i]! <= toMs);
  }

  /** Starts the writer; resolves once its process runs it. @throws Error when the process failed to start it within 30 s. */
  async run(): Promise<void> {
    let ready = false;
    this.child.on('message', (m: WriterMessage) => {
      if (m.type === 'ready') ready = true;
    });
    this.child.send(this.start);
    await waitFor(
      `the ${this.label} writer process to start`,
      async () => {
        if (this.error !== undefined) throw new Error(`${this.label} writer: ${this.error}`);
        return ready;
      },
      { deadlineMs: 30_000, intervalMs: 50 },
    );
  }

  /** Resolves once a heartbeat sent at or after `ms` has arrived (so every acknowledgement before `ms` is in). */
  async reportedUntil(ms: number): Promise<void> {
    await waitFor(
      `the ${this.label} writer to report up to ${new Date(ms).toISOString()}`,
      async () => {
        if (this.error !== undefined && this.beatMs < ms)
          throw new Error(`${this.label} writer: ${this.error}`);
        return this.beatMs >= ms;
      },
      { deadlineMs: 30_000, intervalMs: 50 },
    );
  }

  /** Stops the writer after its write in flight; the process exits (SIGKILL after 15 s). */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.child.connected) this.child.send({ type: 'stop' });
      else this.child.kill('SIGTERM');
    });
    return this.stopped;
  }

  /** Called for each acknowledgement (RemotePerHost merges them). */
  onAck?: (atMs: number) => void;

  private receive(m: WriterMessage): void {
    switch (m.type) {
      case 'ack': {
        // One process reports in order; keep the arrays aligned anyway.
        let i = this.acks.length;
        while (i > 0 && this.acks[i - 1]! > m.atMs) i--;
        this.acks.splice(i, 0, m.atMs);
        this.ackedSeqs.splice(i, 0, m.seq);
        this.ackStarts.splice(i, 0, m.startedMs);
        this.onAck?.(m.atMs);
        break;
      }
      case 'failure':
        this.failures.push({
          startedMs: m.startedMs,
          atMs: m.atMs,
          error: m.error,
          ...(m.code ? { code: m.code } : {}),
        });
        break;
      case 'trace':
        this.events.push(m.event);
        break;
      case 'lag':
        this.lags.push({ atMs: m.atMs, lateMs: m.lateMs });
        break;
      case 'beat':
        this.beatMs = m.atMs;
        break;
      case 'error':
        this.error = m.message;
        break;
      default:
        break;
    }
  }
}

/**
 * The cluster's own writers (suites/faults/per-host-writer.ts), one process
 * per backend; `acks` merges theirs (ascending), `byHost` keeps each.
 */
export class RemotePerHost {
  readonly acks: number[] = [];
  readonly byHost = new Map<string, RemoteWriter>();

  constructor(opts: {
    backends: readonly { name: string; address: string }[];
    port: number;
    labDir: string;
    password: string;
    label: string;
    intervalMs: number;
  }) {
    for (const b of opts.backends) {
      const w = new RemoteWriter({
        type: 'start',
        kind: 'per-host',
        // A label per backend: each process numbers its rows from 1.
        label: `${opts.label}-${b.name}`,
        backend: { name: b.name, address: b.address },
        port: opts.port,
        labDir: opts.labDir,
        password: opts.password,
        intervalMs: opts.intervalMs,
      });
      w.onAck = (at) => insertSorted(this.acks, at);
      this.byHost.set(b.address, w);
    }
  }

  /** Starts every backend's writer process. */
  async run(): Promise<void> {
    await Promise.all([...this.byHost.values()].map((w) => w.run()));
  }

  /** Resolves once every backend's writer has reported up to `ms`. */
  async reportedUntil(ms: number): Promise<void> {
    await Promise.all([...this.byHost.values()].map((w) => w.reportedUntil(ms)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byHost.values()].map((w) => w.stop()));
  }
}
