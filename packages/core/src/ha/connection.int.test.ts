import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { pino } from 'pino';
import { ConnectError } from '../errors/index.js';
import { holdLock } from '../testing/hold-lock.js';
import { HaConnection } from './connection.js';
import { DeadlineError, isFailoverError, NoHostError, StatementTimeoutError } from './errors.js';
import type { HaTraceEvent } from './trace.js';

const NOENV = { HOME: '/nonexistent-home', USER: 'nobody' };

/*
 * HaConnection against real PostgreSQL servers (and psql for comparison): host selection,
 * sessions, deadlines, transactions, failover, TLS. The parts that need no server are in
 * errors.test.ts and tls-material.test.ts.
 */

/** A listener that accepts connections and never answers (a frozen or black-holed server). */
async function blackHole(
  address: string,
  port = 5432,
): Promise<{ server: Server; close: () => Promise<void> }> {
  const held: Socket[] = [];
  const server = createServer((s) => {
    held.push(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function psqlTimed(
  conninfo: string,
  sql: string,
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-At', '-d', conninfo, '-c', sql], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...NOENV },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim(), ms: Date.now() - t0 }));
  });
}

function memoryLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('HaConnection: host selection', () => {
  const P = '127.0.2.40';
  const S = '127.0.2.41';
  const BH = '127.0.2.42';
  const DOWN = '127.0.2.43';
  const OTHER = '127.0.2.44';
  let primary: TestPostgres;
  let standby: TestPostgres;
  let other: TestPostgres;
  let hole: Awaited<ReturnType<typeof blackHole>>;
  const cred = 'user=postgres password=postgres dbname=postgres';

  before(async () => {
    primary = await startPostgres({ address: P });
    standby = await startStandby(primary, { address: S });
    other = await startPostgres({ address: OTHER, superuserPassword: 'different' });
    hole = await blackHole(BH);
  });
  after(async () => {
    await hole?.close();
    await other?.stop();
    await standby?.stop();
    await primary?.stop();
  });

  const serverAddr = async (
    conninfo: string,
    extra?: Partial<ConstructorParameters<typeof HaConnection>[0]>,
  ) => {
    const c = new HaConnection({ conninfo, env: NOENV, ...extra });
    try {
      const r = await c.query<{ a: string }>('select host(inet_server_addr()) as a');
      assert.deepEqual(c.current, { host: r.rows[0]!.a, port: 5432 });
      return r.rows[0]!.a;
    } finally {
      await c.close();
    }
  };

  for (const [tsa, want] of [
    ['any', S],
    ['read-write', P],
    ['primary', P],
    ['read-only', S],
    ['standby', S],
    ['prefer-standby', S],
  ] as const) {
    it(`target_session_attrs=${tsa} with the standby listed first picks ${want === P ? 'the primary' : 'the standby'}, as psql does`, async () => {
      const conninfo = `host=${S},${P} ${cred} target_session_attrs=${tsa}`;
      assert.equal(await serverAddr(conninfo), want);
      const theirs = await psqlTimed(conninfo, 'select host(inet_server_addr())');
      assert.equal(theirs.out, want, theirs.err);
    });
  }

  it('target_session_attrs=prefer-standby and read-write with the primary first', async () => {
    assert.equal(await serverAddr(`host=${P},${S} ${cred} target_session_attrs=prefer-standby`), S);
    assert.equal(await serverAddr(`host=${P},${S} ${cred} target_session_attrs=read-write`), P);
    assert.equal(await serverAddr(`host=${DOWN},${P} ${cred} target_session_attrs=prefer-standby`), P);
  });

  it('read-write skips a primary whose default_transaction_read_only is on', async () => {
    const conninfo = `host=${P},${S} ${cred} options='-c default_transaction_read_only=on'`;
    await assert.rejects(
      serverAddr(`${conninfo} target_session_attrs=read-write`),
      (e: unknown) =>
        e instanceof NoHostError && /does not match target_session_attrs=read-write/.test(e.message),
    );
    assert.equal(await serverAddr(`${conninfo} target_session_attrs=primary`), P);
    assert.equal(await serverAddr(`${conninfo} target_session_attrs=read-only`), P);
  });

  it('standby fails when only primaries are listed, naming each host', async () => {
    await assert.rejects(
      serverAddr(`host=${P},${DOWN} ${cred} target_session_attrs=standby connect_timeout=2`),
      (e: unknown) =>
        e instanceof NoHostError &&
        e.message.includes(`${P}:5432: does not match target_session_attrs=standby`) &&
        e.message.includes(`${DOWN}:5432: connect ECONNREFUSED`) &&
        isFailoverError(e),
    );
  });

  it('a black-holed first host costs the hedge delay, not connect_timeout (psql waits it out)', async () => {
    const conninfo = `host=${BH},${P} ${cred} connect_timeout=2 target_session_attrs=read-write`;
    const t0 = Date.now();
    assert.equal(await serverAddr(conninfo), P);
    const ms = Date.now() - t0;
    assert.ok(ms >= 450 && ms < 1500, `took ${ms} ms`);
    const theirs = await psqlTimed(conninfo, 'select host(inet_server_addr())');
    assert.equal(theirs.out, P);
    assert.ok(theirs.ms >= 1900, `psql took ${theirs.ms} ms`);
  });

  it('the target facts come from the startup report (no query, as libpq with PostgreSQL 14+)', async () => {
    for (const [tsa, want] of [
      ['read-write', P],
      ['primary', P],
      ['standby', S],
    ] as const) {
      const events: HaTraceEvent[] = [];
      assert.equal(
        await serverAddr(`host=${S},${P} ${cred} target_session_attrs=${tsa}`, {
          trace: (e) => events.push(e),
        }),
        want,
      );
      // attempts that opened a session (the other host's may be abandoned once the winner is known)
      const attempts = events.filter((e) => e.kind === 'attempt' && e.connectMs !== undefined);
      assert.ok(
        attempts.some((a) => a.kind === 'attempt' && a.host === `${want}:5432`),
        JSON.stringify(events),
      );
      for (const a of attempts) {
        if (a.kind !== 'attempt') continue;
        assert.equal(a.target, 'startup', JSON.stringify(a));
        assert.equal(a.inRecovery, a.host.startsWith(S), JSON.stringify(a));
        assert.equal(a.readOnly, a.host.startsWith(S), JSON.stringify(a));
      }
    }
  });

  it('after the hedge, list order still decides among the hosts that answered', async () => {
    // any: the standby listed before the primary wins, the black hole is passed over
    assert.equal(await serverAddr(`host=${BH},${S},${P} ${cred} connect_timeout=2`), S);
    // prefer-standby: a standby listed after the primary wins over it
    const t0 = Date.now();
    assert.equal(
      await serverAddr(`host=${BH},${P},${S} ${cred} connect_timeout=2 target_session_attrs=prefer-standby`),
      S,
    );
    assert.ok(Date.now() - t0 < 1500, `prefer-standby took ${Date.now() - t0} ms`);
    const theirs = await psqlTimed(
      `host=${BH},${P},${S} ${cred} connect_timeout=2 target_session_attrs=prefer-standby`,
      'select host(inet_server_addr())',
    );
    assert.equal(theirs.out, S, theirs.err);
  });

  it('prefer-standby with no standby waits for a silent host before taking a primary (it may be a standby)', async () => {
    const conninfo = `host=${BH},${P} ${cred} connect_timeout=2 target_session_attrs=prefer-standby`;
    const t0 = Date.now();
    assert.equal(await serverAddr(conninfo), P);
    const ms = Date.now() - t0;
    assert.ok(ms >= 1900 && ms < 3000, `took ${ms} ms`);
  });

  it('a fatal error after a silent host ends the walk only once the silent host failed, as in libpq', async () => {
    // libpq: the black hole times out (2 s), then OTHER refuses the password: the walk stops there
    const conninfo = `host=${BH},${OTHER},${P} ${cred} connect_timeout=2 target_session_attrs=read-write`;
    const t0 = Date.now();
    await assert.rejects(
      serverAddr(conninfo),
      (e: unknown) =>
        e instanceof NoHostError &&
        /password authentication failed/.test(e.message) &&
        !e.message.includes(`${P}:`) &&
        !e.retryable,
    );
    assert.ok(
      Date.now() - t0 >= 1900,
      `gave up after ${Date.now() - t0} ms, before the black hole's connect_timeout`,
    );
    const theirs = await psqlTimed(conninfo, 'select 1');
    assert.notEqual(theirs.code, 0);
    assert.match(theirs.err, /password authentication failed/);
  });

  it('connect_timeout=1 counts as 2 seconds, as in libpq', async () => {
    // nothing after the black hole matches, so the walk waits for its timeout
    const t0 = Date.now();
    await assert.rejects(
      serverAddr(`host=${BH},${S} ${cred} connect_timeout=1 target_session_attrs=read-write`),
      (e: unknown) => e instanceof NoHostError && /timeout expired/.test(e.message),
    );
    const ms = Date.now() - t0;
    assert.ok(ms >= 1900 && ms < 3000, `took ${ms} ms`);
  });

  it('without connect_timeout a black hole is bounded by the call deadline', async () => {
    const c = new HaConnection({
      conninfo: `host=${BH},${S} ${cred} target_session_attrs=read-write`,
      env: NOENV,
    });
    const t0 = Date.now();
    await assert.rejects(c.query('select 1', [], { deadlineMs: 700 }), DeadlineError);
    const ms = Date.now() - t0;
    assert.ok(ms >= 650 && ms < 1500, `took ${ms} ms`);
    await c.close();
  });

  it('an authentication failure on the first host stops the walk, as in libpq', async () => {
    const conninfo = `host=${OTHER},${P} ${cred}`;
    await assert.rejects(
      serverAddr(conninfo),
      (e: unknown) =>
        e instanceof NoHostError &&
        /password authentication failed/.test(e.message) &&
        !e.message.includes(P) && // the walk stopped there, even though P was dialled concurrently
        !e.retryable &&
        !isFailoverError(e),
    );
    const theirs = await psqlTimed(conninfo, 'select 1');
    assert.notEqual(theirs.code, 0);
    assert.match(theirs.err, /password authentication failed/);
  });

  it('binds the source address from the conninfo or the option', async () => {
    const q = async (conninfo: string, sourceAddress?: string) => {
      const c = new HaConnection({ conninfo, env: NOENV, sourceAddress });
      try {
        return (await c.query<{ c: string }>('select host(inet_client_addr()) as c')).rows[0]!.c;
      } finally {
        await c.close();
      }
    };
    assert.equal(await q(`host=${P} ${cred} source_address=127.0.2.45`), '127.0.2.45');
    assert.equal(await q(`host=${P} ${cred} source_address=127.0.2.45`, '127.0.2.46'), '127.0.2.46');
    assert.equal(await q(`host=${P} ${cred}`), '127.0.0.1');
  });

  it('connects through a Unix socket directory', async () => {
    const c = new HaConnection({
      conninfo: `host=${primary.socketDir} user=postgres dbname=postgres source_address=127.0.2.45`,
      env: NOENV,
    });
    const r = await c.query<{ unix: boolean }>('select inet_server_addr() is null as unix');
    assert.equal(r.rows[0]!.unix, true);
    assert.deepEqual(c.current, { host: primary.socketDir, port: 5432 });
    await c.close();
  });

  it('uses .pgpass when no password is given; ignores it when group-readable', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pharos-home-'));
    try {
      const pass = join(home, '.pgpass');
      writeFileSync(pass, `${P}:5432:postgres:postgres:postgres\n`);
      chmodSync(pass, 0o600);
      const env = { HOME: home, USER: 'nobody' };
      const ok = new HaConnection({ conninfo: `host=${P} user=postgres dbname=postgres`, env });
      assert.equal((await ok.query<{ x: number }>('select 1 as x')).rows[0]!.x, 1);
      await ok.close();
      chmodSync(pass, 0o644);
      const { logger, lines } = memoryLogger();
      const bad = new HaConnection({ conninfo: `host=${P} user=postgres dbname=postgres`, env, logger });
      await assert.rejects(bad.query('select 1'), /no password supplied/);
      assert.ok(lines.some((l) => l.includes('has group or world access')));
      await bad.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('never logs or reports the password', async () => {
    const secret = 'Zx9-very-secret-pw';
    await primary.psql(`create role secretive login password '${secret}'`);
    const { logger, lines } = memoryLogger();
    const good = new HaConnection({
      conninfo: `host=${DOWN},${P} user=secretive password=${secret} dbname=postgres connect_timeout=2`,
      env: NOENV,
      logger,
    });
    await good.query('select 1');
    await primary.psql("select pg_terminate_backend(pid) from pg_stat_activity where usename = 'secretive'");
    await waitFor('the terminated session to be dropped', () => good.current === undefined);
    await good.query('select 1');
    await good.close();
    const bad = new HaConnection({
      conninfo: `host=${P} user=secretive password=${secret}-wrong dbname=postgres`,
      env: NOENV,
      logger,
    });
    const err = await bad.query('select 1').then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, 'wrong password must fail');
    assert.doesNotMatch(`${err.message} ${err.stack}`, new RegExp(secret));
    assert.ok(lines.length >= 2, 'logs were written');
    for (const l of lines) assert.doesNotMatch(l, new RegExp(secret));
  });
});

describe('HaConnection: sessions, deadlines and transactions', () => {
  const P = '127.0.2.47';
  const S = '127.0.2.48';
  let primary: TestPostgres;
  let standby: TestPostgres;
  let conn: HaConnection;

  before(async () => {
    primary = await startPostgres({ address: P });
    standby = await startStandby(primary, { address: S });
    await primary.psql('create table t (id int primary key, v text)');
    conn = new HaConnection({
      conninfo: `host=${S},${P} user=postgres password=postgres dbname=postgres target_session_attrs=read-write`,
      env: NOENV,
      queryTimeoutMs: 5000,
    });
  });
  after(async () => {
    await conn?.close();
    await standby?.stop();
    await primary?.stop();
  });

  it('a deadline destroys the session and the next call reconnects', async () => {
    const pid1 = (await conn.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
    const t0 = Date.now();
    await assert.rejects(conn.query('select pg_sleep(5)', [], { deadlineMs: 300 }), DeadlineError);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(conn.current, undefined);
    const pid2 = (await conn.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
    assert.notEqual(pid2, pid1);
    assert.deepEqual(conn.current, { host: P, port: 5432 });
  });

  it('a frozen backend (SIGSTOP) costs the deadline, not a hang', async () => {
    const pid = (await conn.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      await assert.rejects(conn.query('select 1', [], { deadlineMs: 500 }), DeadlineError);
      assert.ok(Date.now() - t0 < 1200);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.equal((await conn.query<{ x: number }>('select 1 as x')).rows[0]!.x, 1);
  });

  it('an idle session terminated by the server does not crash the process', async () => {
    const pid = (await conn.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
    assert.equal(await primary.psql(`select pg_terminate_backend(${pid})`), 't');
    await waitFor('the terminated session to be dropped', () => conn.current === undefined);
    const pid2 = (await conn.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
    assert.notEqual(pid2, pid);
  });

  it('a session terminated during a statement fails with 57P01, a failover error', async () => {
    const pid = (await conn.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
    const running = conn.query('select pg_sleep(3)');
    await waitFor(
      'the statement to run',
      async () =>
        (await primary.psql(`select query from pg_stat_activity where pid = ${pid}`)) ===
        'select pg_sleep(3)',
    );
    await primary.psql(`select pg_terminate_backend(${pid})`);
    const err = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal((err as { code?: string }).code, '57P01');
    assert.equal(isFailoverError(err), true);
    assert.equal(conn.current, undefined);
  });

  it('a write on a standby fails with 25006, a failover error that drops the session', async () => {
    const c = new HaConnection({ conninfo: `host=${S} user=postgres password=postgres`, env: NOENV });
    const err = await c.query("insert into t values (1, 'x')").then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal((err as { code?: string }).code, '25006');
    assert.equal(isFailoverError(err), true);
    assert.equal(c.current, undefined);
    await c.close();
  });

  it('transaction commits, and rolls back when fn throws', async () => {
    const n = await conn.transaction(async (tx) => {
      await tx.query('insert into t values ($1, $2)', [10, 'ten']);
      return (await tx.query('select count(*)::int as n from t')).rows[0]!.n;
    });
    assert.equal(n, 1);
    await assert.rejects(
      conn.transaction(async (tx) => {
        await tx.query("insert into t values (11, 'eleven')");
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual((await conn.query('select id from t order by id')).rows, [{ id: 10 }]);
  });

  it('COMMIT that rolls back (a swallowed statement error) is reported', async () => {
    await assert.rejects(
      conn.transaction(async (tx) => {
        await tx.query("insert into t values (10, 'dup')").catch(() => {});
      }),
      /COMMIT rolled the transaction back/,
    );
  });

  it('copyFrom takes a string, a Buffer, an iterable or an async iterable', async () => {
    async function* gen() {
      yield '40\tforty\n';
      yield Buffer.from('41\tforty-one\n');
    }
    const counts = await conn.transaction(async (tx) => [
      await tx.copyFrom('copy t (id, v) from stdin', '20\ttwenty\n21\ttwenty-one\n'),
      await tx.copyFrom('copy t (id, v) from stdin', Buffer.from('22\ttwenty-two\n')),
      await tx.copyFrom('copy t (id, v) from stdin', ['30\tthirty\n', '31\tthirty-one\n', '32\t\\N\n']),
      await tx.copyFrom('copy t (id, v) from stdin', gen()),
    ]);
    assert.deepEqual(counts, [2, 1, 3, 2]);
    assert.equal(
      (await conn.query<{ n: number }>('select count(*)::int as n from t where id >= 20')).rows[0]!.n,
      8,
    );
    await assert.rejects(
      conn.transaction((tx) => tx.copyFrom('copy t (id, v) from stdin', '50\tfifty\nnot-a-number\tx\n')),
      /invalid input syntax/,
    );
    assert.equal(
      (await conn.query<{ n: number }>('select count(*)::int as n from t where id = 50')).rows[0]!.n,
      0,
    );
  });

  it('a transaction past its deadline is dropped and nothing is committed', async () => {
    await assert.rejects(
      conn.transaction(
        async (tx) => {
          await tx.query("insert into t values (60, 'sixty')");
          await tx.query('select pg_sleep(3)');
        },
        { deadlineMs: 400 },
      ),
      DeadlineError,
    );
    assert.equal(
      (await conn.query<{ n: number }>('select count(*)::int as n from t where id = 60')).rows[0]!.n,
      0,
    );
  });

  it('calls are serialised: a query issued during a transaction runs after it', async () => {
    let issued!: () => void;
    const queryIssued = new Promise<void>((r) => {
      issued = r;
    });
    let answered = false;
    const tx = conn.transaction(async (t) => {
      await t.query("insert into t values (70, 'seventy')");
      await queryIssued;
      await t.query('select 1'); // a round trip on the session, with the query waiting
      assert.equal(answered, false, 'the query waits for the transaction');
    });
    const q = conn.query<{ n: number }>('select count(*)::int as n from t where id = 70').then((r) => {
      answered = true;
      return r;
    });
    issued();
    await tx;
    assert.equal((await q).rows[0]!.n, 1, 'it ran after the COMMIT (on another session it would see 0)');
  });

  it('calling the connection itself inside its transaction callback fails fast instead of deadlocking', async () => {
    await assert.rejects(
      conn.transaction(async () => {
        await conn.query('select 1');
      }),
      /inside its own transaction callback/,
    );
    assert.equal((await conn.query<{ x: number }>('select 1 as x')).rows[0]!.x, 1);
  });

  /** Holds `LOCK TABLE t IN SHARE MODE` (an INSERT waits for it) in an open transaction until release() is called. */
  const lockTable = () =>
    holdLock(
      new HaConnection({ conninfo: `host=${P} user=postgres password=postgres`, env: NOENV }),
      'lock table t in share mode',
      60_000,
    );

  /** Statements waiting for a lock on the primary, seen from a session of its own. */
  const lockWaiters = async () =>
    Number(
      await primary.psql("select count(*) from pg_locks where not granted and relation = 't'::regclass"),
    );

  it('serverDeadline: a slow statement on a healthy server is cancelled by the server and the session kept', async () => {
    const c = new HaConnection({
      conninfo: `host=${P} user=postgres password=postgres`,
      env: NOENV,
      serverDeadline: true,
    });
    try {
      const pid1 = (await c.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
      // connected: a 4 s call runs under the deadline less a tenth (3.6 s, a ms less if a ms went by)
      const shown = await c.query<{ t: string }>('select current_setting($1) as t', ['statement_timeout'], {
        deadlineMs: 4000,
      });
      const timeoutMs = Number(/^(\d+)ms$/.exec(shown.rows[0]!.t)?.[1]);
      assert.ok(timeoutMs >= 3500 && timeoutMs <= 3600, `statement_timeout ${shown.rows[0]!.t}`);
      const t0 = Date.now();
      const err = await c.query('select pg_sleep(5)', [], { deadlineMs: 3000 }).then(
        () => assert.fail('pg_sleep(5) finished within 3 s'),
        (e: unknown) => e,
      );
      const ms = Date.now() - t0;
      assert.ok(err instanceof StatementTimeoutError, String(err));
      assert.equal(err.code, 'PHAROS_CONNECT_STATEMENT_TIMEOUT');
      assert.match(
        err.message,
        new RegExp(
          `^statement on ${P.replaceAll('.', '\\.')}:5432 did not finish within its deadline and took no effect \\(cancelled by the server's statement_timeout after 2700 ms\\): select pg_sleep\\(5\\)$`,
        ),
      );
      assert.equal(isFailoverError(err), false, 'a slow server is not a failover');
      assert.ok(ms >= 2700 && ms < 3000, `answered after ${ms} ms, before the client's deadline`);
      const pid2 = (await c.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
      assert.equal(pid2, pid1, 'the session is kept');
      // a transaction that sets its own, tighter statement_timeout keeps it (the server's 57014 as it is)
      const own = await c
        .transaction(
          async (tx) => {
            await tx.query('set local statement_timeout = 200');
            await tx.query('select pg_sleep(2)');
          },
          { deadlineMs: 3000 },
        )
        .then(
          () => assert.fail('pg_sleep(2) finished under a 200 ms statement_timeout'),
          (e: unknown) => e,
        );
      assert.equal((own as { code?: string }).code, '57014', String(own));
      assert.equal((await c.query<{ x: number }>('select 1 as x')).rows[0]!.x, 1);
    } finally {
      await c.close();
    }
  });

  it('serverDeadline: a write that waits past its deadline is cancelled on the server and never commits later', async () => {
    const c = new HaConnection({
      conninfo: `host=${P} user=postgres password=postgres`,
      env: NOENV,
      serverDeadline: true,
    });
    const lock = await lockTable();
    try {
      await assert.rejects(
        c.query("insert into t values (80, 'eighty')", [], { deadlineMs: 2000 }),
        StatementTimeoutError,
      );
      assert.equal(await lockWaiters(), 0, 'the INSERT no longer waits on the server');
      await assert.rejects(
        c.transaction(async (tx) => tx.query("insert into t values (81, 'eighty-one')"), {
          deadlineMs: 2000,
        }),
        StatementTimeoutError,
      );
      assert.equal(await lockWaiters(), 0, 'nor does the transaction');
    } finally {
      await lock.release();
    }
    assert.equal(await primary.psql('select count(*) from t where id in (80, 81)'), '0');
    assert.equal((await c.query<{ x: number }>('select 1 as x')).rows[0]!.x, 1, 'the session still works');
    await c.close();
  });

  it('without serverDeadline the same write goes on waiting after DeadlineError, and commits once the lock is gone', async () => {
    const c = new HaConnection({ conninfo: `host=${P} user=postgres password=postgres`, env: NOENV });
    const lock = await lockTable();
    try {
      await assert.rejects(
        c.query("insert into t values (82, 'eighty-two')", [], { deadlineMs: 2000 }),
        DeadlineError,
      );
      assert.equal(await lockWaiters(), 1, 'the dropped session still waits on the server');
    } finally {
      await lock.release();
    }
    await waitFor(
      'the abandoned INSERT to commit',
      async () => (await primary.psql('select count(*) from t where id = 82')) === '1',
    );
    await c.close();
  });

  it('close() ends the session; later calls fail', async () => {
    const c = new HaConnection({ conninfo: `host=${P} user=postgres password=postgres`, env: NOENV });
    await c.query('select 1');
    await c.close();
    assert.equal(c.current, undefined);
    await assert.rejects(c.query('select 1'), ConnectError);
  });
});

describe('HaConnection: failover', () => {
  const A = '127.0.2.50';
  const B = '127.0.2.51';
  const BH = '127.0.2.52';
  let a: TestPostgres;
  let b: TestPostgres;
  let hole: Awaited<ReturnType<typeof blackHole>>;

  before(async () => {
    a = await startPostgres({ address: A });
    b = await startStandby(a, { address: B });
    hole = await blackHole(BH);
  });
  after(async () => {
    await hole?.close();
    await b?.stop();
    await a?.stop();
  });

  it('after the primary dies and the standby is promoted, one round finds it (libpq walks the timeouts)', async () => {
    const conninfo = `host=${A},${BH},${B} user=postgres password=postgres dbname=postgres connect_timeout=2 target_session_attrs=read-write`;
    const { logger, lines } = memoryLogger();
    const c = new HaConnection({ conninfo, env: NOENV, logger });
    await c.query('create table f (x int)');
    assert.deepEqual(c.current, { host: A, port: 5432 });
    await a.stop();
    assert.equal(await b.psql('select pg_promote()'), 't');
    await waitFor(
      'the standby to leave recovery',
      async () => (await b.psql('select pg_is_in_recovery()')) === 'f',
    );
    const t0 = Date.now();
    await c.query('insert into f values (1)');
    const ms = Date.now() - t0;
    assert.deepEqual(c.current, { host: B, port: 5432 });
    assert.ok(ms < 1500, `failover selection took ${ms} ms`);
    // libpq walks A (refused), the black hole (connect_timeout) and then B.
    const theirs = await psqlTimed(conninfo, 'select host(inet_server_addr())');
    assert.equal(theirs.out, B);
    assert.ok(theirs.ms >= 1900, `psql took ${theirs.ms} ms`);
    assert.ok(lines.some((l) => l.includes('selected database host') && l.includes(B)));
    await c.close();
  });
});

describe('HaConnection: TLS', () => {
  const T = '127.0.2.60'; // cert with SAN IP:127.0.2.60, DNS:pg.test
  const WRONG = '127.0.2.61'; // serves the same cert: its IP is not in it
  const REV = '127.0.2.62'; // cert revoked in revoked.crl
  const PLAIN = '127.0.2.63'; // no TLS
  let dir: string;
  let tls: TestPostgres;
  let wrong: TestPostgres;
  let rev: TestPostgres;
  let plain: TestPostgres;
  const f = (n: string) => join(dir, n);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-tls-'));
    const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ossl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=pharos-test-ca',
      '-days',
      '2',
    );
    const issue = (name: string, cn: string, san?: string) => {
      ossl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      const ext = f(`${name}.ext`);
      writeFileSync(ext, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
      ossl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        ext,
      );
      chmodSync(f(`${name}.key`), 0o600);
    };
    issue('server', T, `IP:${T},DNS:pg.test`);
    issue('revoked', REV, `IP:${REV}`);
    issue('client', 'certuser');
    writeFileSync(
      f('ca.cnf'),
      `[ca]\ndefault_ca=d\n[d]\ndatabase=${f('index.txt')}\ncrlnumber=${f('crlnumber')}\ndefault_md=sha256\ndefault_crl_days=2\n`,
    );
    writeFileSync(f('index.txt'), '');
    writeFileSync(f('crlnumber'), '01\n');
    ossl('ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-gencrl', '-out', 'empty.crl');
    ossl('ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-revoke', 'revoked.crt');
    ossl(
      'ca',
      '-config',
      'ca.cnf',
      '-keyfile',
      'ca.key',
      '-cert',
      'ca.crt',
      '-gencrl',
      '-out',
      'revoked.crl',
    );
    const hba = [
      'hostssl all certuser 0.0.0.0/0 cert',
      'hostssl all all 0.0.0.0/0 scram-sha-256',
      'hostnossl all all 0.0.0.0/0 reject',
    ];
    const ssl = { certFile: f('server.crt'), keyFile: f('server.key'), caFile: f('ca.crt') };
    tls = await startPostgres({ address: T, hba, ssl });
    wrong = await startPostgres({ address: WRONG, hba, ssl });
    rev = await startPostgres({
      address: REV,
      hba,
      ssl: { ...ssl, certFile: f('revoked.crt'), keyFile: f('revoked.key') },
    });
    plain = await startPostgres({ address: PLAIN });
    await tls.psql('create role certuser login');
  });
  after(async () => {
    await tls?.stop();
    await wrong?.stop();
    await rev?.stop();
    await plain?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const usesTls = async (conninfo: string): Promise<boolean> => {
    const c = new HaConnection({ conninfo, env: NOENV });
    try {
      const r = await c.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
      return r.rows[0]!.ssl;
    } finally {
      await c.close();
    }
  };
  const cred = 'user=postgres password=postgres dbname=postgres';

  it('verify-full accepts the dialled IP in the IP SANs, and the host name with hostaddr', async () => {
    assert.equal(await usesTls(`host=${T} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`), true);
    assert.equal(
      await usesTls(`host=pg.test hostaddr=${T} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`),
      true,
    );
  });

  it('verify-full rejects a certificate without the dialled name; verify-ca accepts it', async () => {
    await assert.rejects(
      usesTls(`host=${WRONG} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`),
      /IP: 127\.0\.2\.61 is not in the cert's list|does not match certificate/,
    );
    await assert.rejects(
      usesTls(`host=other.test hostaddr=${T} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`),
      /other\.test/,
    );
    assert.equal(await usesTls(`host=${WRONG} ${cred} sslmode=verify-ca sslrootcert=${f('ca.crt')}`), true);
    const theirs = await psqlTimed(
      `host=${WRONG} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`,
      'select 1',
    );
    assert.notEqual(theirs.code, 0, 'psql rejects it too');
  });

  it('a certificate that fails verification on the first host stops the walk, as in libpq', async () => {
    const conninfo = `host=${WRONG},${T} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`;
    await assert.rejects(usesTls(conninfo), (e: unknown) => e instanceof NoHostError && !isFailoverError(e));
    const theirs = await psqlTimed(conninfo, 'select 1');
    assert.notEqual(theirs.code, 0);
    assert.match(theirs.err, /does not match host name/);
  });

  it('verify-ca rejects a server certificate from another CA', async () => {
    await assert.rejects(
      usesTls(`host=${T} ${cred} sslmode=verify-ca sslrootcert=${f('client.crt')}`),
      /certificate/i,
    );
  });

  it('sslcrl: a revoked server certificate is refused', async () => {
    const base = `host=${REV} ${cred} sslmode=verify-full sslrootcert=${f('ca.crt')}`;
    assert.equal(await usesTls(`${base} sslcrl=${f('empty.crl')}`), true);
    await assert.rejects(usesTls(`${base} sslcrl=${f('revoked.crl')}`), /revoked/i);
  });

  it('client certificate authentication with sslcert/sslkey', async () => {
    const base = `host=${T} user=certuser dbname=postgres sslmode=verify-full sslrootcert=${f('ca.crt')}`;
    assert.equal(await usesTls(`${base} sslcert=${f('client.crt')} sslkey=${f('client.key')}`), true);
    await assert.rejects(usesTls(base), /certificate|no password supplied/i);
  });

  it('sslmode prefer/allow/require/disable against TLS-only and plain servers', async () => {
    assert.equal(await usesTls(`host=${T} ${cred} sslmode=prefer`), true);
    assert.equal(
      await usesTls(`host=${T} ${cred} sslmode=allow`),
      true,
      'allow retries with TLS when plain is rejected',
    );
    assert.equal(await usesTls(`host=${T} ${cred} sslmode=require`), true);
    await assert.rejects(
      usesTls(`host=${T} ${cred} sslmode=disable`),
      /no pg_hba.conf entry|rejects connection/,
    );
    assert.equal(await usesTls(`host=${PLAIN} ${cred} sslmode=prefer`), false);
    assert.equal(await usesTls(`host=${PLAIN} ${cred} sslmode=allow`), false);
    await assert.rejects(usesTls(`host=${PLAIN} ${cred} sslmode=require`), /does not support SSL/);
  });
});

/** PIDs of `pid`'s children (/proc/<n>/stat field 4): a postmaster's backends, to freeze a server whole. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const st = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('HaConnection: a frozen last primary', () => {
  const A = '127.0.14.60';
  const B = '127.0.14.61';
  let a: TestPostgres;
  let b: TestPostgres;

  before(async () => {
    a = await startPostgres({ address: A });
    b = await startStandby(a, { address: B });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('after its session is dropped, read-write dials every host at once; any tries it first for the hedge delay', async () => {
    const events: HaTraceEvent[] = [];
    const open = (tsa: string) =>
      new HaConnection({
        conninfo: `host=${A},${B} user=postgres password=postgres dbname=postgres connect_timeout=10 target_session_attrs=${tsa}`,
        env: NOENV,
        queryTimeoutMs: 15_000,
        trace: (e) => {
          events.push(e);
        },
      });
    const rw = open('read-write');
    const any = open('any');
    await rw.query('select 1');
    await any.query('select 1');
    assert.deepEqual(rw.current, { host: A, port: 5432 });
    assert.deepEqual(any.current, { host: A, port: 5432 });
    const frozen = [a.pid, ...childrenOf(a.pid)];
    for (const p of frozen) process.kill(p, 'SIGSTOP');
    /** ms from the start of the selection that follows `from` to the start of the attempt on B. */
    const bDialledAfter = (from: number): number => {
      const sel = events.findIndex((e, i) => i >= from && e.kind === 'select');
      const start = events[sel]!.atMs;
      const b = events.find((e, i) => i >= from && e.kind === 'attempt' && e.host === `${B}:5432`);
      assert.ok(b, 'B was dialled');
      return b.atMs - start;
    };
    try {
      await assert.rejects(rw.query('select 1', [], { deadlineMs: 500 }), DeadlineError);
      await assert.rejects(any.query('select 1', [], { deadlineMs: 500 }), DeadlineError);
      assert.equal(await b.psql('select pg_promote()'), 't');
      let from = events.length;
      let t0 = Date.now();
      await rw.query('select 1');
      let ms = Date.now() - t0;
      assert.deepEqual(rw.current, { host: B, port: 5432 });
      assert.ok(ms < 2500, `selection took ${ms} ms (connect_timeout is 10 s)`);
      assert.ok(bDialledAfter(from) < 300, `B dialled ${bDialledAfter(from)} ms into the selection`);
      from = events.length;
      t0 = Date.now();
      await any.query('select 1');
      ms = Date.now() - t0;
      assert.deepEqual(any.current, { host: B, port: 5432 });
      assert.ok(ms >= 450 && ms < 2500, `selection took ${ms} ms (connect_timeout is 10 s)`);
      assert.ok(bDialledAfter(from) >= 450, `B dialled ${bDialledAfter(from)} ms into the selection`);
    } finally {
      for (const p of frozen.reverse()) process.kill(p, 'SIGCONT');
      await rw.close();
      await any.close();
    }
  });
});

describe('HaConnection: a standby promoted while a selection waits for a frozen host', () => {
  const A = '127.0.14.62';
  const B = '127.0.14.63';
  let a: TestPostgres;
  let b: TestPostgres;

  before(async () => {
    a = await startPostgres({ address: A });
    b = await startStandby(a, { address: B });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('is selected within the recheck interval, not after connect_timeout', async () => {
    const c = new HaConnection({
      conninfo: `host=${A},${B} user=postgres password=postgres dbname=postgres connect_timeout=10 target_session_attrs=read-write`,
      env: NOENV,
      queryTimeoutMs: 15_000,
    });
    await c.query('select 1');
    const frozen = [a.pid, ...childrenOf(a.pid)];
    for (const p of frozen) process.kill(p, 'SIGSTOP');
    try {
      await assert.rejects(c.query('select 1', [], { deadlineMs: 500 }), DeadlineError);
      const t0 = Date.now();
      const selecting = c.query<{ r: boolean }>('select pg_is_in_recovery() as r');
      // the round: A (frozen) pending, B answered "standby" and is asked again on its open session
      await waitFor('the selection to hold a checked session on the standby', async () => {
        const n = await b.psql(
          "select count(*) from pg_stat_activity where pid <> pg_backend_pid() and query like '%pg_is_in_recovery() AS in_recovery%'",
        );
        return n !== '0';
      });
      assert.equal(await b.psql('select pg_promote()'), 't');
      const promoted = Date.now();
      const r = await selecting;
      assert.equal(r.rows[0]!.r, false);
      assert.deepEqual(c.current, { host: B, port: 5432 });
      assert.ok(Date.now() - promoted < 1500, `seen ${Date.now() - promoted} ms after the promotion`);
      assert.ok(Date.now() - t0 < 5000, `selection took ${Date.now() - t0} ms (connect_timeout is 10 s)`);
    } finally {
      for (const p of frozen.reverse()) process.kill(p, 'SIGCONT');
      await c.close();
    }
  });
});

describe('HaConnection: a selection that waits for a promotion (awaitTargetMs)', () => {
  const A = '127.0.14.64';
  const B = '127.0.14.65';
  let a: TestPostgres;
  let b: TestPostgres;

  before(async () => {
    a = await startPostgres({ address: A });
    b = await startStandby(a, { address: B });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('fails at once without it; with it, keeps the standby session open and uses it once promoted', async () => {
    const c = new HaConnection({
      conninfo: `host=${A},${B} user=postgres password=postgres dbname=postgres connect_timeout=2 target_session_attrs=read-write`,
      env: NOENV,
      queryTimeoutMs: 15_000,
    });
    try {
      await c.query('select 1');
      assert.deepEqual(c.current, { host: A, port: 5432 });
      await a.stop();
      await assert.rejects(c.query('select 1'), (e: unknown) => isFailoverError(e));
      // libpq's answer: no host matches now
      const t0 = Date.now();
      await assert.rejects(
        c.query('select 1'),
        (e: unknown) => e instanceof NoHostError && isFailoverError(e) && /does not match/.test(e.message),
      );
      assert.ok(Date.now() - t0 < 1500, `failed after ${Date.now() - t0} ms`);
      const selecting = c.query<{ pid: number; r: boolean }>(
        'select pg_backend_pid() as pid, pg_is_in_recovery() as r',
        [],
        { awaitTargetMs: 20_000 },
      );
      const held = await waitFor('the selection to ask the standby again on its open session', async () => {
        const pid = await b.psql(
          "select pid from pg_stat_activity where pid <> pg_backend_pid() and query like '%pg_is_in_recovery() AS in_recovery%'",
        );
        return pid !== '' && !pid.includes('\n') ? Number(pid) : undefined;
      });
      assert.equal(await b.psql('select pg_promote()'), 't');
      const promoted = Date.now();
      const r = await selecting;
      assert.equal(r.rows[0]!.r, false);
      assert.equal(r.rows[0]!.pid, held, 'the session opened before the promotion is the one used');
      assert.deepEqual(c.current, { host: B, port: 5432 });
      assert.ok(Date.now() - promoted < 1000, `used ${Date.now() - promoted} ms after the promotion`);
    } finally {
      await c.close();
    }
  });

  it('gives up with NoHostError when nothing matches within awaitTargetMs', async () => {
    const c = new HaConnection({
      // never matches, whatever B is by now: its sessions are read-only
      conninfo: `host=${B} user=postgres password=postgres dbname=postgres options='-c default_transaction_read_only=on' target_session_attrs=read-write`,
      env: NOENV,
    });
    try {
      const t0 = Date.now();
      await assert.rejects(
        c.query('select 1', [], { awaitTargetMs: 600 }),
        (e: unknown) => e instanceof NoHostError && /waited \d+ ms for a host to match/.test(e.message),
      );
      const ms = Date.now() - t0;
      assert.ok(ms >= 550 && ms < 2000, `gave up after ${ms} ms`);
    } finally {
      await c.close();
    }
  });
});

describe('HaConnection: sessions kept for the next selection (the watch, holdOtherHosts)', () => {
  const A1 = '127.0.14.66';
  const B1 = '127.0.14.67';
  const A2 = '127.0.14.68';
  const B2 = '127.0.14.69';
  let a1: TestPostgres;
  let b1: TestPostgres;
  let a2: TestPostgres;
  let b2: TestPostgres;

  before(async () => {
    a1 = await startPostgres({ address: A1 });
    b1 = await startStandby(a1, { address: B1 });
    a2 = await startPostgres({ address: A2 });
    b2 = await startStandby(a2, { address: B2 });
  });
  after(async () => {
    await b1?.stop();
    await a1?.stop();
    await b2?.stop();
    await a2?.stop();
  });

  /** PIDs of the client sessions on `pg` other than psql's own. */
  const clientPids = async (pg: TestPostgres): Promise<number[]> =>
    (
      await pg.psql(
        "select pid from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() order by pid",
      )
    )
      .split('\n')
      .filter((x) => x !== '')
      .map(Number);

  it('a selection that found no match keeps the standby session; the next one asks it again and uses it once promoted', async () => {
    const c = new HaConnection({
      conninfo: `host=${B1} user=postgres password=postgres dbname=postgres connect_timeout=2 target_session_attrs=read-write`,
      env: NOENV,
    });
    try {
      await assert.rejects(
        c.query('select 1'),
        (e: unknown) => e instanceof NoHostError && isFailoverError(e),
      );
      const kept = await clientPids(b1);
      assert.equal(kept.length, 1, `client sessions on the standby: ${kept.join(', ')}`);
      await assert.rejects(c.query('select 1'), (e: unknown) => e instanceof NoHostError);
      assert.deepEqual(await clientPids(b1), kept, 'asked again on the same session, no new connection');
      assert.equal(await b1.psql('select pg_promote()'), 't');
      const r = await c.query<{ pid: number; r: boolean }>(
        'select pg_backend_pid() as pid, pg_is_in_recovery() as r',
      );
      assert.equal(r.rows[0]!.r, false);
      assert.equal(r.rows[0]!.pid, kept[0], 'the session opened before the promotion is the one used');
    } finally {
      await c.close();
    }
    await waitFor('the kept sessions to be closed with the connection', async () =>
      (await clientPids(b1)).length === 0 ? true : undefined,
    );
  });

  it('holdOtherHosts keeps a session on the standby while the primary is used (replaced when the server ends it); after a failover it is the one used', async () => {
    const c = new HaConnection({
      conninfo: `host=${A2},${B2} user=postgres password=postgres dbname=postgres connect_timeout=2 target_session_attrs=read-write`,
      env: NOENV,
      holdOtherHosts: true,
    });
    try {
      await c.query('select 1');
      assert.deepEqual(c.current, { host: A2, port: 5432 });
      const first = await waitFor('a session held on the standby', async () => {
        const pids = await clientPids(b2);
        return pids.length === 1 ? pids[0] : undefined;
      });
      // the server ends it: another is dialled in the background
      assert.equal(await b2.psql(`select pg_terminate_backend(${first})`), 't');
      const held = await waitFor('the held session replaced', async () => {
        const pids = await clientPids(b2);
        return pids.length === 1 && pids[0] !== first ? pids[0] : undefined;
      });
      await a2.stop();
      await assert.rejects(c.query('select 1'), (e: unknown) => isFailoverError(e));
      assert.equal(await b2.psql('select pg_promote()'), 't');
      const t0 = Date.now();
      const r = await c.query<{ pid: number; r: boolean }>(
        'select pg_backend_pid() as pid, pg_is_in_recovery() as r',
      );
      assert.equal(r.rows[0]!.r, false);
      assert.equal(r.rows[0]!.pid, held, 'the session held since the first selection is the one used');
      assert.deepEqual(c.current, { host: B2, port: 5432 });
      assert.ok(Date.now() - t0 < 1500, `selected after ${Date.now() - t0} ms`);
    } finally {
      await c.close();
    }
  });
});

/**
 * An impostor at `address`:`port`: refuses TLS ('N' to SSLRequest), asks for
 * the password in cleartext, and records every password message it gets
 * (what security review M3 demonstrated).
 */
async function impostor(
  address: string,
  port = 5432,
): Promise<{ passwords: string[]; close: () => Promise<void> }> {
  const passwords: string[] = [];
  const held: Socket[] = [];
  const server = createServer((s) => {
    held.push(s);
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    let started = false;
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          if (code === 80877103) {
            s.write('N'); // no TLS here
            continue;
          }
          started = true;
          const ask = Buffer.alloc(9);
          ask.write('R', 0);
          ask.writeInt32BE(8, 1);
          ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
          s.write(ask);
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) return;
        if (buf[0] === 0x70) passwords.push(buf.subarray(5, len).toString('utf8').replace(/\0$/, ''));
        buf = buf.subarray(len + 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return {
    passwords,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('HaConnection: password exchanges only with a verified server (security review M3)', () => {
  const A = '127.0.2.70'; // TLS, password and md5 rules
  const FAKE = '127.0.2.71'; // an impostor asking for a cleartext password
  let dir: string;
  let pg: TestPostgres;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-m3-'));
    const { makeTestPki } = await import('@pharos/testkit/pki/test-pki');
    const pki = makeTestPki(dir);
    ca = pki.caCert;
    const cert = pki.issue('server', [A]);
    pg = await startPostgres({
      address: A,
      ssl: { certFile: cert.cert, keyFile: cert.key },
      hba: [
        'local all clear password',
        'host all clear 0.0.0.0/0 password',
        'host all digest 0.0.0.0/0 md5',
        'host all all 0.0.0.0/0 scram-sha-256',
      ],
    });
    await pg.psql(
      "CREATE ROLE clear LOGIN PASSWORD 'clear-pw'; SET password_encryption = 'md5'; CREATE ROLE digest LOGIN PASSWORD 'digest-pw'",
    );
  });
  after(async () => {
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (conninfo: string) => {
    const c = new HaConnection({ conninfo, env: NOENV });
    try {
      return (await c.query<{ u: string }>('select current_user as u')).rows[0]!.u;
    } finally {
      await c.close();
    }
  };

  it('refuses cleartext and MD5 password requests over prefer and require, naming what to do', async () => {
    for (const mode of ['prefer', 'require', 'disable']) {
      await assert.rejects(
        connect(`host=${A} user=clear password=clear-pw dbname=postgres sslmode=${mode}`),
        (err: Error) =>
          err instanceof NoHostError &&
          /127\.0\.2\.70:5432 asked for the password in cleartext over a connection that did not verify the server/.test(
            err.message,
          ) &&
          /sslmode=verify-full/.test(err.message),
        mode,
      );
    }
    await assert.rejects(
      connect(`host=${A} user=digest password=digest-pw dbname=postgres sslmode=require`),
      /asked for the password as MD5/,
    );
  });

  it('sends them once the server is verified (verify-full, verify-ca) and over a Unix socket', async () => {
    assert.equal(
      await connect(
        `host=${A} user=clear password=clear-pw dbname=postgres sslmode=verify-full sslrootcert=${ca}`,
      ),
      'clear',
    );
    assert.equal(
      await connect(
        `host=${A} user=digest password=digest-pw dbname=postgres sslmode=verify-ca sslrootcert=${ca}`,
      ),
      'digest',
    );
    assert.equal(await connect(`host=${pg.socketDir} user=clear password=clear-pw dbname=postgres`), 'clear');
  });

  it('SCRAM stays allowed without verification (it never reveals the password)', async () => {
    assert.equal(
      await connect(`host=${A} user=postgres password=postgres dbname=postgres sslmode=require`),
      'postgres',
    );
  });

  it('an impostor that refuses TLS and asks for a cleartext password receives nothing', async () => {
    const fake = await impostor(FAKE);
    try {
      await assert.rejects(
        connect(
          `host=${FAKE} user=pem_monitor password=secret-pw dbname=postgres sslmode=prefer connect_timeout=2`,
        ),
        /asked for the password in cleartext/,
      );
      assert.deepEqual(fake.passwords, [], 'no password message reached the impostor');
    } finally {
      await fake.close();
    }
  });
});

describe('HaConnection: listen', () => {
  const A = '127.0.2.72';
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres({ address: A });
  });
  after(async () => {
    await pg?.stop();
  });

  it('delivers NOTIFY payloads, listens again on a new session and says so with undefined', async () => {
    const conninfo = `host=${A} user=postgres password=postgres dbname=postgres`;
    const c = new HaConnection({ conninfo, env: NOENV });
    const got: (string | undefined)[] = [];
    const notified = (n: number) =>
      waitFor(`${n} notifications (got ${JSON.stringify(got)})`, () => got.length >= n, {
        deadlineMs: 5000,
        intervalMs: 50,
      });
    try {
      await c.listen('pharos_test', (p) => got.push(p));
      await notified(1);
      assert.deepEqual(got, [undefined], 'the first session counts as a new one');
      await pg.psql("NOTIFY pharos_test, 'hello'");
      await notified(2);
      assert.equal(got[1], 'hello');
      await pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'");
      await waitFor('the terminated session to be dropped', () => c.current === undefined, {
        deadlineMs: 5000,
      });
      assert.equal(c.current, undefined, 'the terminated session was dropped');
      await c.query('select 1');
      await notified(3);
      assert.equal(got[2], undefined, 'a re-selection is announced');
      await pg.psql("NOTIFY pharos_test, 'again'");
      await notified(4);
      assert.equal(got[3], 'again');
      await assert.rejects(
        c.listen('Bad-Name', () => {}),
        /not a plain identifier/,
      );
    } finally {
      await c.close();
    }
  });
});
