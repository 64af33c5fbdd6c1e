/**
 * The administration functions the web application uses, run as a member of
 * pem_web (the web instances' service role) against a real PostgreSQL
 * (127.0.12.53): the grants suffice, bad input is refused with a message,
 * secrets are write-only, a pem_user cannot change anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InputError } from '@pharos/core/errors';
import type { HaConnection } from '@pharos/core/ha/connection';
import { deliveryAttempts, listDeliveries, requeueDelivery } from '../notify/admin-deliveries.js';
import {
  getSmtpSettings,
  listWebhooks,
  saveEmailGroup,
  saveSmtpSettings,
  saveWebhook,
  testWebhook,
} from '../notify/admin-targets.js';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';
import { alertOf } from '../testing/probe-data.js';
import { acknowledgeAlert, getAlert, listAlerts, listProblems, updateAlert } from './admin-alerts.js';
import { deleteTemplate, listTemplates, saveTemplate } from './admin-templates.js';

describe('alert administration as the web service role (real PostgreSQL)', { timeout: 120_000 }, () => {
  let b: AlertBackend;
  let web: HaConnection;
  let reader: HaConnection;

  before(async () => {
    b = await startAlertBackend({ address: '127.0.12.53' });
    await b.addAgent(1, { backend: true });
    await b.addAgent(2);
    await b.sql("CREATE ROLE web_svc LOGIN PASSWORD 'web-pw' IN ROLE pem_web");
    await b.sql("CREATE ROLE viewer LOGIN PASSWORD 'viewer-pw' IN ROLE pem_user");
    web = b.connAs('web_svc', 'web-pw');
    reader = b.connAs('viewer', 'viewer-pw');
  });
  after(async () => {
    await b?.stop();
  });

  it('lists, shows, configures and acknowledges alerts; refuses thresholds out of order', async () => {
    const all = await listAlerts(web, { agentId: 2 });
    assert.ok(all.length >= 6);
    const id = (await alertOf(b.admin, 'Memory used', { agentId: 2 })).id;
    const u = await updateAlert(web, id, {
      low: 70,
      medium: 80,
      high: 90,
      intervalS: 30,
      reminderS: 3600,
      params: { max_age_s: 60 },
    });
    assert.deepEqual([u.low, u.medium, u.high, u.interval_s, u.reminder_s], [70, 80, 90, 30, 3600]);
    await assert.rejects(
      updateAlert(web, id, { high: 75 }),
      (e: Error) => e instanceof InputError && /out of order.*low 70, medium 80, high 75/.test(e.message),
    );
    await assert.rejects(updateAlert(web, id, { intervalS: 0 }), InputError);
    await assert.rejects(updateAlert(web, id, { state: 'none' } as never), /unknown alert field/);
    assert.equal(await acknowledgeAlert(web, id, 'alice'), false, 'not raised: nothing to acknowledge');
    await b.sql("UPDATE pem.alert SET state = 'high' WHERE id = $1", [id]);
    assert.equal(await acknowledgeAlert(web, id, 'alice', 'looking'), true);
    const one = await getAlert(web, id);
    assert.equal(one!.acknowledged_by, 'alice');
    assert.ok(Array.isArray(one!.history));
    await assert.rejects(
      web.query("UPDATE pem.alert SET state = 'none' WHERE id = $1", [id]),
      /permission denied/,
    );
    await assert.rejects(
      reader.query('UPDATE pem.alert SET low = 1 WHERE id = $1', [id]),
      /permission denied/,
    );
    assert.ok((await listAlerts(reader, { states: ['high'] })).length >= 1, 'a pem_user reads alerts');
    assert.deepEqual(await listProblems(reader), []);
  });

  it('saves templates whose SQL runs, refuses one that fails, protects built-in ones', async () => {
    await saveTemplate(web, {
      name: 'Custom count',
      level: 'server',
      sql: "SELECT count(*)::float8 AS value FROM pemdata.latest WHERE server_id = $2 AND probe = $4->>'probe'",
      operator: '>',
      low: 1,
      medium: 2,
      high: 3,
      intervalS: 60,
      params: { probe: 'x' },
    });
    assert.ok((await listTemplates(reader)).some((t) => t.name === 'Custom count'));
    await assert.rejects(
      saveTemplate(web, {
        name: 'Bad',
        level: 'agent',
        sql: 'SELECT nope FROM nowhere',
        operator: '>',
        low: 1,
        medium: 2,
        high: 3,
        intervalS: 60,
      }),
      /its SQL fails: relation "nowhere" does not exist/,
    );
    await assert.rejects(deleteTemplate(web, 'Agent Down'), /built in/);
    // the plan choice measured for a template's SQL is kept while the SQL is, and dropped with it
    const planMode = async () =>
      (
        await b.sql<{ m: string }>(
          "SELECT plan_cache_mode AS m FROM pem.alert_template WHERE name = 'Custom count'",
        )
      )[0]!.m;
    const custom = {
      name: 'Custom count',
      level: 'server' as const,
      sql: "SELECT count(*)::float8 AS value FROM pemdata.latest WHERE server_id = $2 AND probe = $4->>'probe'",
      operator: '>' as const,
      low: 1,
      medium: 2,
      high: 3,
      intervalS: 60,
      params: { probe: 'x' },
    };
    await b.sql(
      "UPDATE pem.alert_template SET plan_cache_mode = 'force_generic_plan' WHERE name = 'Custom count'",
    );
    await saveTemplate(web, { ...custom, high: 4 });
    assert.equal(await planMode(), 'force_generic_plan');
    await saveTemplate(web, { ...custom, sql: `${custom.sql} AND object = ''` });
    assert.equal(await planMode(), 'auto');
    await deleteTemplate(web, 'Custom count');
  });

  it('keeps webhook header values and the SMTP password write-only; validates targets', async () => {
    const id = await saveWebhook(web, {
      name: 'ops',
      url: 'https://hooks.example.com/x',
      headers: { Authorization: 'Bearer t0ken' },
    });
    const [w] = await listWebhooks(reader);
    assert.deepEqual(w!.header_names, ['Authorization']);
    assert.ok(!JSON.stringify(w).includes('t0ken'));
    await assert.rejects(reader.query('SELECT headers FROM pem.webhook'), /permission denied/);
    await assert.rejects(saveWebhook(web, { name: 'x', url: 'ftp://h/x' }), /http or https/);
    await assert.rejects(
      saveWebhook(web, { name: 'x', url: 'http://h/x', payloadTemplate: { a: '%Nope%' } }),
      /unknown placeholder\(s\) %Nope%/,
    );
    await saveWebhook(web, { id, name: 'ops', url: 'https://hooks.example.com/y' });
    assert.equal(
      (
        await b.sql<{ h: Record<string, string> }>('SELECT headers AS h FROM pem.webhook WHERE id = $1', [id])
      )[0]!.h.Authorization,
      'Bearer t0ken',
      'headers kept when not given',
    );
    await saveSmtpSettings(web, {
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      userName: 'u',
      password: 'pw-secret',
      fromAddress: 'pharos@example.com',
    });
    await saveSmtpSettings(web, {
      host: 'smtp2.example.com',
      port: 587,
      security: 'starttls',
      userName: 'u',
      fromAddress: 'pharos@example.com',
    });
    const s = await getSmtpSettings(reader);
    assert.equal(s!.password_set, true);
    assert.equal(s!.host, 'smtp2.example.com');
    assert.equal(
      (await b.sql<{ p: string }>('SELECT password AS p FROM pem.smtp_settings'))[0]!.p,
      'pw-secret',
    );
    await assert.rejects(web.query('SELECT password FROM pem.smtp_settings'), /permission denied/);
    await assert.rejects(
      saveEmailGroup(web, { name: 'g', recipients: ['not an address'] }),
      /not an address/,
    );
    await saveEmailGroup(web, { name: 'g', recipients: ['dba@example.com'] });
  });

  it('queues a test notification, shows deliveries and attempts, requeues a failed one', async () => {
    const [w] = await listWebhooks(web);
    const id = (await testWebhook(web, w!.id as number, 'alice'))!;
    const list = await listDeliveries(reader, { webhookId: w!.id as number });
    assert.equal(Number(list[0]!.id), id);
    assert.equal(list[0]!.status, 'pending');
    assert.deepEqual(await deliveryAttempts(reader, id), []);
    assert.equal(await requeueDelivery(web, id), false, 'only failed ones');
    await b.sql(
      "UPDATE pem.notification_outbox SET status = 'failed', attempts = 4, max_attempts = 4 WHERE id = $1",
      [id],
    );
    assert.equal(await requeueDelivery(web, id), true);
    assert.equal((await listDeliveries(reader, { status: 'pending' })).length, 1);
  });
});
