// @ts-check
// One statement of pg_stat_statements over time (issue 17): its normalised
// text, what it did over the range, and its history (calls, execution time,
// rows and shared blocks per second) from the statements probe's samples of
// its object (`database/role/queryid[/nested]`).
import { ChartGrid, loadCharts } from '../../components/chart-grid.js';
import { noDataContext } from '../../components/no-data-note.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getLatest, getSeries, getServer } from '../../lib/api.js';
import { byField } from '../../lib/chart-lines.js';
import { quantity } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { NotFoundPage } from '../not-found/not-found-page.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */

/** @type {readonly import('../../lib/chart-lines.js').Chart[]} */
export const STATEMENT_CHARTS = [
  {
    id: 'statement_calls',
    title: 'Calls per second',
    unit: '/s',
    sources: [{ probe: 'statements', fields: ['calls'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'statement_time',
    title: 'Execution and planning time per second (ms/s)',
    unit: '/s',
    sources: [{ probe: 'statements', fields: ['total_exec_time_ms', 'total_plan_time_ms'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'statement_rows',
    title: 'Rows per second',
    unit: '/s',
    sources: [{ probe: 'statements', fields: ['rows'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'statement_blocks',
    title: 'Shared blocks per second',
    unit: '/s',
    sources: [
      {
        probe: 'statements',
        fields: ['shared_blks_hit', 'shared_blks_read', 'shared_blks_written'],
        mode: 'rate',
      },
    ],
    lines: byField,
  },
];

/**
 * @param {number} id
 * @param {string} key
 * @param {number} rangeS
 */
async function loadStatement(id, key, rangeS) {
  const detail = await getServer(id);
  const present = new Set(detail.probes.map((p) => p.probe));
  const [charts, texts, latest] = await Promise.all([
    loadCharts((p) => getSeries(id, { ...p, object: key }), STATEMENT_CHARTS, present, rangeS),
    present.has('statement_texts')
      ? getLatest(id, 'statement_texts', key).then(
          (r) =>
            /** @type {import('../../lib/api.js').LatestValue<ProbeValues['statement_texts']>[]} */ (r.rows),
        )
      : [],
    present.has('statements')
      ? getLatest(id, 'statements', key).then(
          (r) => /** @type {import('../../lib/api.js').LatestValue<ProbeValues['statements']>[]} */ (r.rows),
        )
      : [],
  ]);
  return {
    detail,
    charts,
    text: texts.find((t) => t.object === key)?.value.query ?? null,
    latest: latest.find((t) => t.object === key)?.value,
  };
}

/**
 * The page of statement `statementKey` of server `serverId`.
 * @param {{ serverId: number, statementKey: string, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function StatementPage({ serverId, statementKey, prefs, onSave }) {
  const rangeS = (TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h']).seconds;
  const poll = usePoll(
    () => loadStatement(serverId, statementKey, rangeS),
    `statement|${serverId}|${statementKey}|${prefs.timeRange}`,
    prefs.refreshIntervalS,
  );
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`server ${serverId}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const [database, role, queryid] = statementKey.split('/');
  return html`<section id="statement-view" data-server-id=${serverId} data-key=${statementKey}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="statement-title">Statement ${queryid ?? ''} <span class="count">${database} · ${role} ·
        <a href=${href.topSql(serverId)}>Top SQL</a> of <a href=${href.server(serverId)}>${d ? d.detail.name : `server ${serverId}`}</a></span></h2>
      <div class="tools">
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
      </div>
    </div>
    ${
      d
        ? html`<pre class="statement-text" id="statement-text">${d.text ?? 'The text of this statement has not been read yet (probe statement_texts, every 5 minutes).'}</pre>
          ${
            d.latest
              ? html`<p class="muted" id="statement-totals">${`Since the entry was made: ${d.latest.calls ?? '?'} calls, ${d.latest.rows ?? '?'} rows, mean ${quantity(d.latest.mean_exec_time_ms, 'ms') || '?'}.`}</p>`
              : ''
          }
          <${ChartGrid} items=${d.charts} ctx=${noDataContext(d.detail)} />`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
