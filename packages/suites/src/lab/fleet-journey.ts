/**
 * Helpers of the lab test's fleet journey (issue 14's first acceptance item
 * end to end, lab.int.test.ts): the Fleet pages and server pages in headless
 * Chromium against a lab web instance, the roles Pharos shows for the
 * monitored cluster's members through the web API, and what is left of
 * removed servers in the pem database.
 *
 * Page facts come from the UI's own markup: the servers table's rows
 * (`#fleet-servers tr[data-name]`, servers-page.js), a cluster's card and
 * members (`.cluster-card[data-name] tr[data-member][data-role]`,
 * clusters-page.js, members-table.js), and a chart's `data-points` (the
 * non-empty points the uPlot chart was given, server-page.js, chart.js).
 * API shapes: MonitoredServer and MonitoredCluster (backend/fleet).
 */
import type { MonitoredCluster } from '@pharos/backend/fleet/clusters';
import type { MonitoredServer } from '@pharos/backend/fleet/servers';
import { type WebSession, webGet } from '@pharos/ops/lab/web-client';
import { watchPageProblems } from '@pharos/testkit/browser/browser';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import type { Browser, Page } from 'playwright-core';

/** A lab web instance and how to reach it (its URL, the lab's CA in PEM). */
export interface LabWeb {
  url: string;
  ca: string;
}

/**
 * Opens a page on `web`, logs `user` in and waits for the Fleet area's
 * servers tab. Console errors and page errors go to `problems`.
 * @throws when the login form or the servers tab does not show within 20 s.
 */
export async function openFleet(
  browser: Browser,
  web: LabWeb,
  user: string,
  password: string,
  problems: string[],
): Promise<Page> {
  // the lab's web certificates are issued by the lab's CA, which this Chromium does not know
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  watchPageProblems(page, problems);
  await page.goto(`${web.url.replace(/\/$/, '')}/#/fleet`);
  await page.locator('#login-user').waitFor({ timeout: 20_000 });
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#fleet-servers').waitFor({ timeout: 20_000 });
  return page;
}

/** The text of the first element matching `selector` on `page` ('' when it has none). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

/**
 * Opens server `id`'s analysis page and waits (up to `deadlineMs`, reloading
 * every 3 s) until each chart of `charts` holds at least `minPoints` points.
 * Resolves to the points per chart.
 * @throws WaitTimeoutError naming the charts' last counts.
 */
export async function waitForCharts(
  page: Page,
  web: LabWeb,
  id: number,
  charts: readonly string[],
  minPoints: number,
  deadlineMs = 60_000,
): Promise<Record<string, number>> {
  await page.goto(`${web.url.replace(/\/$/, '')}/#/server/${id}`);
  let first = true;
  return waitFor(
    `server ${id}'s charts ${charts.join(', ')} to hold ${minPoints}+ points each`,
    async () => {
      if (!first) await page.reload();
      first = false;
      const counts: Record<string, number> = {};
      for (const c of charts) {
        const card = page.locator(`#server-view [data-chart="${c}"]`);
        await card.waitFor({ timeout: 15_000 });
        const n = Number(await card.getAttribute('data-points'));
        // drawn: uPlot's canvas is there when the chart has points
        counts[c] = n > 0 && (await card.locator('canvas').count()) > 0 ? n : 0;
      }
      if (Object.values(counts).every((n) => n >= minPoints)) return counts;
      throw new Error(JSON.stringify(counts));
    },
    { deadlineMs, intervalMs: 3000 },
  );
}

/** What Pharos shows of one member of a monitored cluster: its Patroni role and its server's observed role. */
export interface ShownMember {
  member: string;
  serverId: number;
  patroniRole: string | null;
  role: 'primary' | 'standby' | null;
}

/**
 * The members of cluster `clusterId` as the web API shows them: the Patroni
 * role from GET /api/clusters/:id, the observed role from GET /api/servers.
 * @throws when either answer is not 200.
 */
export async function shownMembers(
  web: LabWeb,
  session: WebSession,
  clusterId: number,
): Promise<ShownMember[]> {
  const [c, s] = await Promise.all([
    webGet<MonitoredCluster>(web.url, `/api/clusters/${clusterId}`, session, web.ca),
    webGet<MonitoredServer[]>(web.url, '/api/servers', session, web.ca),
  ]);
  if (c.status !== 200 || s.status !== 200)
    throw new Error(`GET /api/clusters/${clusterId} ${c.status}, GET /api/servers ${s.status}`);
  return c.body.members.map((m) => ({
    member: m.member,
    serverId: m.serverId,
    patroniRole: m.role,
    role: s.body.find((x) => x.id === m.serverId)?.observed.role ?? null,
  }));
}

/**
 * Rows left in the pem database for the servers `ids`, per table: the
 * server, its binding, alerts (and so their state and history: alert_history
 * cascades from pem.alert), latest values, probe log entries, probe
 * overrides and pending rollup work; then its history (samples and chart
 * rollups), which stays until retention. Tables from migrations 001, 003,
 * 004, 006.
 */
export const SERVER_LEFTOVERS_SQL = `SELECT
  (SELECT count(*) FROM pem.server WHERE id = ANY($1::int[]))::int AS server,
  (SELECT count(*) FROM pem.server_binding WHERE server_id = ANY($1::int[]))::int AS server_binding,
  (SELECT count(*) FROM pem.alert WHERE server_id = ANY($1::int[]))::int AS alert,
  (SELECT count(*) FROM pemdata.latest WHERE server_id = ANY($1::int[]))::int AS latest,
  (SELECT count(*) FROM pem.probe_log WHERE server_id = ANY($1::int[]))::int AS probe_log,
  (SELECT count(*) FROM pem.probe_override WHERE server_id = ANY($1::int[]))::int AS probe_override,
  (SELECT count(*) FROM pemhistory.rollup_dirty WHERE server_id = ANY($1::int[]))::int AS rollup_dirty,
  (SELECT count(*) FROM pemhistory.sample WHERE server_id = ANY($1::int[]))::int AS history_samples`;
