// @ts-check
// An agent's host (review "Top 10" #5): what the agent's OS probes collect
// (packages/agent/src/probes/os): the operating system, CPU, load, memory,
// swap, disk space per mount (statfs, like df), disk I/O per device and
// network per interface, over the chosen time range; the agent itself
// (version, heartbeat) and the servers it monitors.
import { Badge } from '../../components/badges.js';
import { ChartGrid, loadCharts } from '../../components/chart-grid.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { Table } from '../../components/table.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getHost, getHostLatest, getHostSeries } from '../../lib/api.js';
import { byField, byObject, byObjectField } from '../../lib/chart-lines.js';
import { bytes, duration, num, quantity, when } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { NotFoundPage } from '../not-found/not-found-page.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */
/**
 * @template V
 * @typedef {import('../../lib/api.js').LatestValue<V>} LatestValue
 */

/**
 * The host's charts.
 * @type {readonly import('../../lib/chart-lines.js').Chart[]}
 */
export const HOST_CHARTS = [
  {
    id: 'cpu',
    title: 'CPU',
    unit: '%',
    sources: [{ probe: 'cpu', fields: ['user_pct', 'system_pct', 'iowait_pct', 'steal_pct'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'load',
    title: 'Load average',
    unit: 'count',
    sources: [{ probe: 'load_avg', fields: ['load1', 'load5', 'load15'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'memory',
    title: 'Memory',
    unit: 'bytes',
    sources: [{ probe: 'memory', fields: ['used_bytes', 'cached_bytes', 'available_bytes'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'swap',
    title: 'Swap used',
    unit: 'bytes',
    sources: [{ probe: 'swap', fields: ['used_bytes'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'swap_io',
    title: 'Swap pages in and out',
    unit: '/s',
    sources: [{ probe: 'swap', fields: ['pages_in', 'pages_out'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'disk_space',
    title: 'Disk space used per mount',
    unit: '%',
    sources: [{ probe: 'disk_space', fields: ['used_pct'], mode: 'gauge' }],
    lines: byObject,
  },
  {
    id: 'disk_io',
    title: 'Disk I/O per device',
    unit: 'bytes/s',
    sources: [{ probe: 'disk_io', fields: ['read_bytes', 'write_bytes'], mode: 'rate' }],
    lines: byObjectField,
  },
  {
    id: 'disk_busy',
    title: 'Disk busy per device',
    unit: '%',
    sources: [{ probe: 'disk_io', fields: ['busy_pct'], mode: 'gauge' }],
    lines: byObject,
  },
  {
    id: 'network',
    title: 'Network per interface',
    unit: 'bytes/s',
    sources: [{ probe: 'network', fields: ['rx_bytes', 'tx_bytes'], mode: 'rate' }],
    lines: byObjectField,
  },
];

/**
 * The host of agent `id`: the agent, its OS facts, disk space per mount and the charts.
 * @param {number} id
 * @param {number} rangeS
 */
async function loadHost(id, rangeS) {
  const detail = await getHost(id);
  const present = new Set(detail.probes.map((p) => p.probe));
  const [charts, os, disks, status] = await Promise.all([
    loadCharts((p) => getHostSeries(id, p), HOST_CHARTS, present, rangeS),
    present.has('os_info')
      ? getHostLatest(id, 'os_info').then(
          (r) => /** @type {LatestValue<ProbeValues['os_info']> | undefined} */ (r.rows[0]),
        )
      : undefined,
    present.has('disk_space')
      ? getHostLatest(id, 'disk_space').then(
          (r) => /** @type {LatestValue<ProbeValues['disk_space']>[]} */ (r.rows),
        )
      : undefined,
    present.has('agent_status')
      ? getHostLatest(id, 'agent_status').then(
          (r) => /** @type {LatestValue<ProbeValues['agent_status']> | undefined} */ (r.rows[0]),
        )
      : undefined,
  ]);
  return { detail, charts, os, disks, status };
}

/**
 * Space per mounted file system, as the agent's statfs read it (like df).
 * @param {{ rows: LatestValue<ProbeValues['disk_space']>[] }} props
 */
function DiskSpace({ rows }) {
  /** @param {unknown} x */
  const sized = (x) =>
    html`<td class="num" data-bytes=${num(x) ?? ''} title=${num(x) === undefined ? '' : `${num(x)} bytes`}>${bytes(x)}</td>`;
  return html`<${Table} id="disk-space" head=${['Mount point', 'Device', 'Type', 'Size', 'Used', 'Available', 'Used %', 'Inodes used %']}>${rows.map(
    (r) => html`<tr key=${r.object} data-mount=${r.object}>
      <td class="wrap">${r.value.mount_point}</td>
      <td class="wrap">${r.value.device}</td>
      <td>${r.value.fs_type}</td>
      ${sized(r.value.total_bytes)}${sized(r.value.used_bytes)}${sized(r.value.available_bytes)}
      <td class="num">${quantity(r.value.used_pct, 'percent')}</td>
      <td class="num">${quantity(r.value.inodes_used_pct, 'percent')}</td>
    </tr>`,
  )}</${Table}>`;
}

/**
 * The host page of agent `id`.
 * @param {{ id: number, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function HostPage({ id, prefs, onSave }) {
  const rangeS = (TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h']).seconds;
  const poll = usePoll(() => loadHost(id, rangeS), `host|${id}|${prefs.timeRange}`, prefs.refreshIntervalS);
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`agent ${id}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const os = d?.os?.value;
  const ctx = {
    role: null,
    versionNum: null,
    settings: [],
    agentUptimeS: num(d?.status?.value.uptime_s) ?? null,
    subject: 'this host',
  };
  return html`<section id="host-view" data-agent-id=${id}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="host-title">${d ? d.detail.name : `Host of agent ${id}`}
        ${d ? html` <span class="count">${d.detail.hostAddress ?? ''} · agent ${d.detail.id}</span>` : ''}</h2>
      <div class="tools">
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
      </div>
    </div>
    ${
      d
        ? html`<div class="host-facts">
            <dl class="facts" id="host-facts">
              <dt>Agent</dt><dd><${Badge} tone=${d.detail.alive ? 'ok' : 'bad'} text=${d.detail.alive ? 'alive' : 'down'} />
                ${d.detail.version ? ` version ${d.detail.version}` : ''}${d.detail.heartbeatAgeS === null ? ' · never seen' : ` · last heartbeat ${duration(d.detail.heartbeatAgeS)} ago`}</dd>
              ${
                os
                  ? html`<dt>System</dt><dd>${os.hostname} · ${os.os} · kernel ${os.kernel} · ${os.arch}</dd>
                <dt>CPUs, memory</dt><dd>${os.cpus} CPUs · ${bytes(os.memory_total_bytes)}</dd>
                <dt>Booted</dt><dd>${when(os.booted_at)}</dd>`
                  : ''
              }
              <dt>Servers</dt><dd id="host-servers">${
                d.detail.servers.length === 0
                  ? html`<span class="muted">none</span>`
                  : d.detail.servers.map(
                      (s, i) => html`${i > 0 ? ', ' : ''}<a href=${href.server(s.id)}>${s.name}</a>`,
                    )
              }</dd>
            </dl>
          </div>
          <h2>Disk space</h2>
          ${d.disks && d.disks.length > 0 ? html`<${DiskSpace} rows=${d.disks} />` : html`<p class="no-data">No data from the disk_space probe for this host.</p>`}
          <h2>Over time</h2>
          <${ChartGrid} items=${d.charts} ctx=${ctx} />`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
