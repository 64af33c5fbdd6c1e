/**
 * Issue 18's acceptance for maintenance windows against the real lab
 * (startTestLab, prefix 127.0.27: etcd, Patroni, PostgreSQL, the agents, the
 * web instances) with a real webhook receiver on 127.0.27.60, admitted by
 * the agents' webhook_allow. The backend agents evaluate and notify.
 *
 * "Patroni: failover detected" is enabled on two backend servers: the
 * leader's, which the DBA puts in maintenance with `pharos maintenance
 * start` (through a web instance's API), and another one left out of it
 * (the control: the same alert, notifying as usual). A Patroni switchover
 * of the pem cluster moves the timeline: both alerts are raised and recorded
 * in the alert history; only the control's webhook arrives; the one in
 * maintenance is recorded with notified = false and the window's id, with no
 * outbox row. `pharos maintenance stop` ends the window with the alert still
 * raised: exactly one webhook arrives for it, and no more after several
 * further evaluations. The overview (GET /api/fleet) shows the server in
 * maintenance with who set it, why and until when.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliRun, runPharos } from '@pharos/cli/testing/configure';
import { HaConnection } from '@pharos/core/ha/connection';
import * as patroni from '@pharos/ops/lab/patroni-api';
import { webGet, webLogin } from '@pharos/ops/lab/web-client';
import { startTestLab, type TestLab } from '@pharos/ops/testing/test-lab';
import { startWebhookReceiver, type WebhookReceiver } from '@pharos/testkit/receivers/webhook-receiver';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { FLEET_CACHE_MS } from '@pharos/web/api/fleet-cache';

const TEMPLATE = 'Patroni: failover detected';

describe('maintenance windows in the lab: a switchover under a window notifies nobody, its end notifies once', {
  timeout: 600_000,
}, () => {
  let lab: TestLab;
  let hook: WebhookReceiver;
  let db: HaConnection;
  let cache: string;
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    (await db.query<R>(text, params, { deadlineMs: 20_000 })).rows;
  const cliEnv = () => ({
    PHAROS_URL: lab.state.webUrls[0]!,
    PHAROS_CA_FILE: join(lab.dir, 'pki/ca.crt'),
    PHAROS_USER: lab.topo.pem.superuser,
    PHAROS_PASSWORD: lab.secrets.pemsuper,
    XDG_CACHE_HOME: cache,
  });
  const pharos = (args: string[]) => runPharos(args, cliEnv());
  const ok = (r: CliRun) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const hooksFor = (server: string) =>
    hook.received.filter(
      (r) =>
        (r.body.alert as { name: string }).name === TEMPLATE &&
        (r.body.object as { name: string }).name === server,
    );

  before(async () => {
    const t0 = Date.now();
    cache = mkdtempSync(join(tmpdir(), 'pharos-maintenance-cli-'));
    lab = await startTestLab({
      name: 'maintenance',
      prefix: '127.0.27',
      probeIntervalS: 2,
      webhookAllow: ['127.0.27.60'],
    });
    console.log(`# lab up in ${Date.now() - t0} ms`);
    hook = await startWebhookReceiver('127.0.27.60');
    const hosts = lab.topo.backends.map((b) => b.address).join(',');
    db = new HaConnection({
      conninfo: `host=${hosts} port=${lab.topo.postgres.port} dbname=pem user=patroni_super sslmode=prefer connect_timeout=3 target_session_attrs=read-write application_name=pharos-maintenance-lab-test`,
      env: { PGPASSWORD: lab.secrets.patroni_super },
      queryTimeoutMs: 20_000,
    });
    await sql('UPDATE pem.alert SET enabled = false');
    await sql(
      "INSERT INTO pem.webhook (name, url, timeout_ms, max_retries) VALUES ('lab receiver', $1, 3000, 20)",
      [hook.url],
    );
  });

  after(async () => {
    await db?.close().catch(() => {});
    await hook?.close();
    await lab?.down();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('a switchover under a window is recorded but not notified; the end of the window notifies once', async () => {
    const getCluster = (addr: string) => patroni.getCluster(addr, lab.access.patroni);
    const leader = await waitFor(
      'the leader',
      async () => {
        for (const b of lab.topo.backends) {
          const c = await getCluster(b.address).catch(() => undefined);
          const l = c?.members.find((m) => m.role === 'leader');
          if (l) return lab.topo.backends.find((x) => x.name === l.name);
        }
        return undefined;
      },
      { deadlineMs: 20_000 },
    );
    const candidate = lab.topo.backends.find((b) => b.name !== leader.name)!;
    const control = candidate.name;
    const alerts = await sql<{ id: number; server: string }>(
      `SELECT al.id, s.display_name AS server FROM pem.alert al JOIN pem.server s ON s.id = al.server_id
        WHERE al.template = $1 AND s.display_name = ANY($2)`,
      [TEMPLATE, [leader.name, control]],
    );
    assert.equal(alerts.length, 2, 'the failover alert is bound to both backend servers');
    const covered = alerts.find((a) => a.server === leader.name)!.id;
    const open = alerts.find((a) => a.server === control)!.id;
    // fresh patroni_cluster samples on both, then the alerts evaluated every 2 s
    await waitFor(
      'patroni_cluster samples of both backends',
      async () =>
        (
          await sql<{ n: number }>(
            `SELECT count(DISTINCT l.server_id)::int AS n FROM pemdata.latest l JOIN pem.server s ON s.id = l.server_id
              WHERE l.probe = 'patroni_cluster' AND l.collected_at > now() - interval '20 seconds'
                AND s.display_name = ANY($1)`,
            [[leader.name, control]],
          )
        )[0]!.n === 2,
      { deadlineMs: 60_000 },
    );
    await sql(
      'UPDATE pem.alert SET enabled = true, interval_s = 2, flap_detection = false WHERE id = ANY($1)',
      [[covered, open]],
    );
    await waitFor(
      'both alerts evaluated, in state none',
      async () =>
        (
          await sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pem.alert WHERE id = ANY($1) AND evaluations > 1 AND state = 'none'",
            [[covered, open]],
          )
        )[0]!.n === 2,
      { deadlineMs: 30_000 },
    );

    // the DBA's window on the leader's server, through the CLI and a web instance
    const started = await pharos([
      'maintenance',
      'start',
      '--server',
      leader.name,
      '--for',
      '30m',
      '--reason',
      'planned switchover',
      '--json',
    ]);
    ok(started);
    const w = JSON.parse(started.stdout) as { id: number; status: string; createdBy: string; target: string };
    assert.equal(w.status, 'active');
    assert.equal(w.createdBy, lab.topo.pem.superuser);
    const listed = await pharos(['maintenance', 'list']);
    ok(listed);
    assert.match(listed.stdout, new RegExp(`${w.id}\\s+server \\d+ \\(${leader.name}\\)\\s+active until`));
    assert.match(listed.stdout, /planned switchover/);
    // the overview says so, with who, why and until when
    const ca = `${lab.dir}/pki/ca.crt`;
    const session = await webLogin(
      lab.state.webUrls[1]!,
      lab.topo.pem.superuser,
      lab.secrets.pemsuper,
      readFileSync(ca, 'utf8'),
    );
    // Each web instance serves one overview answer for FLEET_CACHE_MS (2 s) and the lab's readiness
    // check read this instance's moments ago: the window shows within that period, not at once.
    type FleetServer = {
      name: string;
      maintenance: { windowId: number; setBy: string; reason: string; until: string } | null;
    };
    const inMaintenance = await waitFor(
      'the overview of the second web instance showing the window',
      async () => {
        const fleet = await webGet<{ servers: FleetServer[] }>(
          lab.state.webUrls[1]!,
          '/api/fleet',
          session,
          readFileSync(ca, 'utf8'),
        );
        const shown = fleet.body.servers.filter((s) => s.maintenance !== null);
        return shown.length > 0 ? shown : undefined;
      },
      { deadlineMs: 3 * FLEET_CACHE_MS },
    );
    assert.deepEqual(
      inMaintenance.map((s) => [
        s.name,
        s.maintenance!.windowId,
        s.maintenance!.setBy,
        s.maintenance!.reason,
      ]),
      [[leader.name, w.id, lab.topo.pem.superuser, 'planned switchover']],
    );
    assert.ok(Date.parse(inMaintenance[0]!.maintenance!.until) > Date.now() + 25 * 60_000);

    // the switchover
    const t0 = Date.now();
    await patroni.switchover(leader.address, leader.name, candidate.name, lab.access.patroni);
    await waitFor(
      'the new leader',
      async () => {
        const c = await getCluster(candidate.address);
        return c.members.some((m) => m.name === candidate.name && m.role === 'leader');
      },
      { deadlineMs: 60_000 },
    );
    console.log(`# switchover ${leader.name} -> ${candidate.name} took ${Date.now() - t0} ms`);
    // both raised and recorded; the control's webhook arrives, the covered one's does not
    await waitFor('the control alert notified', async () => hooksFor(control).length > 0, {
      deadlineMs: 90_000,
    });
    await waitFor(
      'the covered alert raised and recorded',
      async () =>
        (
          await sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pem.alert_history WHERE alert_id = $1 AND event = 'raised'",
            [covered],
          )
        )[0]!.n > 0,
      { deadlineMs: 90_000 },
    );
    const hist = await sql<{
      event: string;
      notified: boolean;
      maintenance_id: number | null;
      new_state: string;
    }>(
      'SELECT event, notified, maintenance_id, new_state FROM pem.alert_history WHERE alert_id = $1 ORDER BY id',
      [covered],
    );
    assert.ok(hist.length >= 1);
    for (const h of hist) {
      assert.equal(h.notified, false, `${h.event} ${h.new_state}: not notified`);
      assert.equal(h.maintenance_id, w.id, 'withheld by the window');
    }
    const [st] = await sql<{ state: string; maintenance_held: boolean }>(
      'SELECT state, maintenance_held FROM pem.alert WHERE id = $1',
      [covered],
    );
    assert.notEqual(st!.state, 'none', 'still raised');
    assert.equal(st!.maintenance_held, true);
    assert.equal(
      (
        await sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM pem.notification_outbox WHERE alert_id = $1',
          [covered],
        )
      )[0]!.n,
      0,
      'no outbox row for the alert in maintenance',
    );
    assert.deepEqual(hooksFor(leader.name), [], 'no webhook for the server in maintenance');
    assert.ok(
      (
        await sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM pem.alert_history WHERE alert_id = $1 AND notified',
          [open],
        )
      )[0]!.n > 0,
      'the control alert was recorded as notified',
    );

    // end the window with the alert still raised: exactly one delivery
    const stopped = await pharos(['maintenance', 'stop', String(w.id), '--json']);
    ok(stopped);
    assert.equal((JSON.parse(stopped.stdout) as { wasActive: boolean }).wasActive, true);
    await waitFor('one webhook after the window', async () => hooksFor(leader.name).length > 0, {
      deadlineMs: 60_000,
    });
    const [{ n: evaluationsAtEnd }] = (await sql<{ n: number }>(
      'SELECT evaluations::int AS n FROM pem.alert WHERE id = $1',
      [covered],
    )) as [{ n: number }];
    await waitFor(
      'three more evaluations of the alert',
      async () =>
        (await sql<{ n: number }>('SELECT evaluations::int AS n FROM pem.alert WHERE id = $1', [covered]))[0]!
          .n >=
        evaluationsAtEnd + 3,
      { deadlineMs: 60_000 },
    );
    await waitFor(
      'every outbox row delivered',
      async () =>
        (
          await sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pem.notification_outbox WHERE status <> 'delivered'",
          )
        )[0]!.n === 0,
      { deadlineMs: 60_000 },
    );
    const after = hooksFor(leader.name);
    assert.equal(after.length, 1, `exactly one delivery: ${JSON.stringify(after.map((r) => r.body.event))}`);
    assert.equal(after[0]!.body.event, 'raised');
    assert.notEqual(after[0]!.body.state, 'none');
    assert.equal(hook.duplicates().length, 0);
    const [held] = await sql<{ maintenance_held: boolean }>(
      'SELECT maintenance_held FROM pem.alert WHERE id = $1',
      [covered],
    );
    assert.equal(held!.maintenance_held, false);
    const none = await pharos(['maintenance', 'list', '--json']);
    ok(none);
    assert.deepEqual(JSON.parse(none.stdout), [], 'no open window');
  });
});
