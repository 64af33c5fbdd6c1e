// @ts-check
// The HA cluster at a glance: Patroni members (role, state, timeline, lag,
// whether each REST API answered) and etcd members' health, as the web
// instance read them from Patroni's and etcd's REST APIs (GET /api/cluster).
import { Badge } from '../../components/badges.js';
import { Table } from '../../components/table.js';
import { bytes } from '../../lib/format.js';
import { html } from '../../lib/html.js';

/** @typedef {import('../../lib/api.js').ClusterStatus} ClusterStatus */
/** @typedef {ClusterStatus['patroni']['members'][number]} PatroniMember */

/**
 * ok when a leader runs or a replica streams (or runs), bad otherwise.
 * @param {PatroniMember} m
 * @returns {import('../../components/badges.js').Tone}
 */
function memberTone(m) {
  if (m.role === 'leader' || m.role === 'standby_leader') return m.state === 'running' ? 'ok' : 'bad';
  return m.state === 'streaming' || m.state === 'running' ? 'ok' : 'bad';
}

const HEAD = ['Member', 'Role', 'State', 'Host', 'Timeline', 'Lag', 'REST API'];

/** @param {{ patroni: ClusterStatus['patroni'] }} props */
function PatroniTable({ patroni }) {
  if (patroni.members.length === 0) {
    const why = patroni.apis.map((a) => `${a.url}: ${a.error ?? 'no members'}`).join('; ');
    return html`<p class="muted" id="patroni-empty">No Patroni REST API answered${why ? ` (${why})` : ''}.</p>`;
  }
  return html`<${Table} id="patroni-members" head=${HEAD}>${patroni.members.map(
    (m) => html`<tr key=${m.name} data-name=${m.name}>
        <td>${m.name}</td>
        <td>${m.role === 'replica' ? 'replica (standby)' : m.role}</td>
        <td><${Badge} tone=${memberTone(m)} text=${m.state} /></td>
        <td>${m.host ?? ''}${m.port ? `:${m.port}` : ''}</td>
        <td class="num">${m.timeline ?? ''}</td>
        <td class="num">${m.lagBytes === null ? '' : bytes(m.lagBytes)}</td>
        <td>${m.apiReachable === null ? '' : m.apiReachable ? 'answers' : 'no answer'}</td>
      </tr>`,
  )}</${Table}>`;
}

/** @param {{ etcd: ClusterStatus['etcd'] }} props */
function EtcdList({ etcd }) {
  if (!etcd.configured)
    return html`<p class="muted" id="etcd-empty">etcd endpoints are not configured for this web instance (etcd_endpoints).</p>`;
  return html`<ul class="etcd" id="etcd-members">${etcd.members.map(
    (m) => html`<li key=${m.endpoint}>
      <${Badge} tone=${m.healthy ? 'ok' : 'bad'} text=${m.healthy ? 'healthy' : 'unhealthy'} />
      ${' '}${m.endpoint}${m.error ? html` <span class="muted">(${m.error})</span>` : ''}
    </li>`,
  )}</ul>`;
}

/**
 * The HA cluster panel for `cluster` (GET /api/cluster), or a note while it loads.
 * @param {{ cluster: ClusterStatus | undefined }} props
 */
export function ClusterPanel({ cluster }) {
  if (!cluster) return html`<section id="cluster"><h2>HA cluster</h2><p class="muted">Loading…</p></section>`;
  const p = cluster.patroni;
  const leader = p.members.find((m) => m.role === 'leader');
  return html`<section id="cluster">
    <h2>HA cluster ${p.scope ? html`<span class="count">(${p.scope})</span>` : ''}</h2>
    <p class="muted">
      ${leader ? `Leader ${leader.name}, timeline ${leader.timeline ?? '?'}` : 'No leader'}${p.paused ? ' · paused (maintenance mode)' : ''}${` · checked ${new Date(cluster.checkedAt).toLocaleTimeString()}`}
    </p>
    <div class="cluster-grid">
      <div><h3>Patroni</h3><${PatroniTable} patroni=${p} /></div>
      <div><h3>etcd</h3><${EtcdList} etcd=${cluster.etcd} /></div>
    </div>
  </section>`;
}
