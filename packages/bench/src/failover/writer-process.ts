/**
 * One measured writer in a process of its own (forked by remote-writer.ts),
 * so that a stall of the benchmark's event loop, or of another writer's,
 * does not delay this writer's acknowledgements or their timestamps. Told
 * what to run by its first IPC message:
 *
 * - `ha`: an AckWriter (suites/faults/writer.ts: HaConnection on the lab's
 *   multi-host string, one INSERT per period), `holdOtherHosts` as given;
 * - `per-host`: one backend's writer of the cluster's own gap
 *   (suites/faults/per-host-writer.ts), on a single-host string;
 * - `psql`: the psql loop (psql-writer.ts).
 *
 * Timestamps are `Date.now()` taken in this process when the acknowledgement
 * (ReadyForQuery after the COMMIT, or psql's exit) reached its event loop:
 * CLOCK_REALTIME, the clock every process on the machine reads, so times from
 * different writer processes compare directly.
 *
 * Messages out: `{type: 'ready'}`; `{type: 'ack', atMs, seq, startedMs}` per
 * acknowledged write; `{type: 'failure', startedMs, atMs, code?, error}` per
 * failed write (psql: its exit code and stderr); `{type: 'trace', event}`
 * (HaConnection's trace, `ha` only); `{type: 'lag', atMs, lateMs}` when this
 * process's event loop ran more than 100 ms late; `{type: 'beat', atMs}`
 * every 200 ms (the parent knows everything before `atMs` has arrived);
 * `{type: 'stopped'}`. In: the start message, then `{type: 'stop'}`.
 */
import type { HaTraceEvent } from '@pharos/core/ha/trace';
import { PerHostWriter } from '@pharos/suites/faults/per-host-writer';
import { AckWriter } from '@pharos/suites/faults/writer';
import { PsqlWriter } from './psql-writer.js';

/** The start message: which writer to run and its options. */
export type WriterStart =
  | {
      type: 'start';
      kind: 'ha';
      label: string;
      conninfo: string;
      password: string;
      intervalMs: number;
      holdOtherHosts: boolean;
    }
  | {
      type: 'start';
      kind: 'per-host';
      label: string;
      /** One backend: `{address, port}` with the lab's dir for its CA. */
      backend: { name: string; address: string };
      port: number;
      labDir: string;
      password: string;
      intervalMs: number;
    }
  | { type: 'start'; kind: 'psql'; label: string; conninfo: string; password: string; intervalMs: number };

/** Every message a writer process sends. */
export type WriterMessage =
  | { type: 'ready' }
  | { type: 'ack'; atMs: number; seq: number; startedMs: number }
  | { type: 'failure'; startedMs: number; atMs: number; code?: string; error: string }
  | { type: 'trace'; event: HaTraceEvent }
  | { type: 'lag'; atMs: number; lateMs: number }
  | { type: 'beat'; atMs: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

function send(m: WriterMessage): void {
  process.send?.(m);
}

/** A writer whose acknowledgements this process forwards as they come. */
interface Running {
  stop(): Promise<void>;
}

function startWriter(m: WriterStart): Running {
  if (m.kind === 'ha') {
    const w = new AckWriter({
      conninfo: m.conninfo,
      env: { PGPASSWORD: m.password },
      label: m.label,
      intervalMs: m.intervalMs,
      holdOtherHosts: m.holdOtherHosts,
      trace: (event) => send({ type: 'trace', event }),
      onAck: (atMs, seq, startedMs) => send({ type: 'ack', atMs, seq, startedMs }),
      onFailure: (f) => send({ type: 'failure', ...f }),
    });
    w.start();
    return w;
  }
  if (m.kind === 'per-host') {
    const w = new PerHostWriter({
      topo: { backends: [m.backend], postgres: { port: m.port } },
      labDir: m.labDir,
      password: m.password,
      label: m.label,
      intervalMs: m.intervalMs,
      onAck: (atMs, seq, startedMs) => send({ type: 'ack', atMs, seq, startedMs }),
      onFailure: (f) => send({ type: 'failure', ...f }),
    });
    w.start();
    return w;
  }
  const w = new PsqlWriter({
    conninfo: m.conninfo,
    password: m.password,
    label: m.label,
    intervalMs: m.intervalMs,
    onAck: (atMs, seq, startedMs) => send({ type: 'ack', atMs, seq, startedMs }),
    onFailure: (f) =>
      send({
        type: 'failure',
        startedMs: f.startedMs,
        atMs: f.atMs,
        code: f.code === null ? 'killed' : `exit ${f.code}`,
        error: f.stderr,
      }),
  });
  w.start();
  return w;
}

let running: Running | undefined;
let expected = Date.now() + 50;
const lagTimer = setInterval(() => {
  const now = Date.now();
  if (now - expected > 100) send({ type: 'lag', atMs: expected, lateMs: now - expected });
  expected = now + 50;
}, 50);
const beatTimer = setInterval(() => send({ type: 'beat', atMs: Date.now() }), 200);

process.on('message', (m: WriterStart | { type: 'stop' }) => {
  if (m.type === 'start' && running === undefined) {
    try {
      running = startWriter(m);
      send({ type: 'ready' });
    } catch (err) {
      send({ type: 'error', message: (err as Error).message });
    }
  } else if (m.type === 'stop') {
    clearInterval(lagTimer);
    clearInterval(beatTimer);
    void (running?.stop() ?? Promise.resolve())
      .catch(() => {})
      .finally(() => {
        send({ type: 'stopped' });
        process.disconnect?.();
      });
  }
});
// The parent gone (IPC closed): stop at once.
process.on('disconnect', () => process.exit(0));
