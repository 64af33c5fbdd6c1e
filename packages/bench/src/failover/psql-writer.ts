/**
 * The libpq side of the failover comparison: `psql` in a loop on the same
 * multi-host connection string as Pharos's probe writer, one invocation per
 * period (default 100 ms), each inserting one row (label, sequence number)
 * into the same table. An invocation that exits 0 is an acknowledged write;
 * its time is when psql exited. libpq walks the host list itself
 * (target_session_attrs, connect_timeout per host), as every libpq client
 * would after a failover: a new connection each time, nothing remembered.
 */
import { spawn } from 'node:child_process';
import { WRITE_TABLE } from '@pharos/suites/faults/writer';

/** Options of {@link PsqlWriter}. */
export interface PsqlWriterOptions {
  conninfo: string;
  /** Password for the string's user (PGPASSWORD). */
  password: string;
  label: string;
  intervalMs?: number;
  /** Kill an invocation that has not exited after this long, ms (default 30000). */
  timeoutMs?: number;
  /** Called at each acknowledged write: psql's exit (ms since the epoch), sequence number, start. */
  onAck?: (atMs: number, seq: number, startedMs: number) => void;
  /** Called at each failed invocation. */
  onFailure?: (failure: PsqlFailure) => void;
}

/**
 * Runs `psql` with `args` and `env`; resolves with its exit code (null when
 * killed after `timeoutMs`). `onStderr` gets what psql wrote to stderr (its
 * libpq error messages: one "connection to server at ... failed: ..." per
 * host tried), once it exited.
 */
export function runPsql(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  onStderr?: (text: string) => void,
): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('psql', args, { env, stdio: ['ignore', 'ignore', onStderr ? 'pipe' : 'ignore'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      onStderr?.(stderr);
      resolve(null);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      onStderr?.(stderr);
      resolve(code);
    });
  });
}

/** A psql invocation that did not exit 0: when it started and exited (ms since the epoch), its exit code and stderr. */
export interface PsqlFailure {
  startedMs: number;
  atMs: number;
  code: number | null;
  stderr: string;
}

/** The environment psql runs with: PATH, HOME and the password only (no other PG* variable leaks in). */
export function psqlEnv(password: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    PGPASSWORD: password,
  };
}

/** The psql loop; `acks`/`ackedSeqs` as in AckWriter (suites/faults/writer.ts). */
export class PsqlWriter {
  readonly acks: number[] = [];
  readonly ackedSeqs: number[] = [];
  /** Start times of the acknowledged invocations (same order as `acks`). */
  readonly ackStarts: number[] = [];
  /** Every failed invocation, in order. */
  readonly failures: PsqlFailure[] = [];
  errors = 0;
  private seq = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly opts: PsqlWriterOptions;

  constructor(opts: PsqlWriterOptions) {
    this.opts = opts;
  }

  /** The label stored with each row. */
  get label(): string {
    return this.opts.label;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.loop) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the invocation in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Sequence numbers of the writes acknowledged in [fromMs, toMs]. */
  ackedBetween(fromMs: number, toMs: number): number[] {
    return this.ackedSeqs.filter((_, i) => this.acks[i]! >= fromMs && this.acks[i]! <= toMs);
  }

  private async run(): Promise<void> {
    const period = this.opts.intervalMs ?? 100;
    const env = psqlEnv(this.opts.password);
    while (this.running) {
      const started = Date.now();
      const seq = ++this.seq;
      const sql = `INSERT INTO ${WRITE_TABLE} (writer, seq) VALUES ('${this.opts.label.replaceAll("'", "''")}', ${seq})`;
      let stderr = '';
      const code = await runPsql(
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', this.opts.conninfo, '-c', sql],
        env,
        this.opts.timeoutMs ?? 30_000,
        (text) => {
          stderr = text;
        },
      );
      if (code === 0) {
        const at = Date.now();
        this.acks.push(at);
        this.ackStarts.push(started);
        this.ackedSeqs.push(seq);
        this.opts.onAck?.(at, seq, started);
      } else {
        this.errors++;
        const f = { startedMs: started, atMs: Date.now(), code, stderr: stderr.trim() };
        this.failures.push(f);
        this.opts.onFailure?.(f);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, started + period - Date.now())));
    }
  }
}
