// @ts-check
// Monitored Patroni clusters: each with its REST endpoints, the agent that
// follows it, the leader and timeline of its last look (or the error of the
// last failed one), and its members with their roles; pem_admin also adds a
// cluster by its REST endpoints (cluster-form.js) and removes one
// (confirmed: every member's server goes; history stays until retention
// unless purged).
import { Badge } from '../../../components/badges.js';
import { StatusBar } from '../../../components/status-bar.js';
import { listAgents, listClusters, removeCluster } from '../../../lib/fleet-api.js';
import { duration } from '../../../lib/format.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { ReadOnlyNote, RemoveButton, Tags } from '../fleet-ui.js';
import { ClusterForm } from './cluster-form.js';
import { MembersTable } from './members-table.js';

/** @typedef {import('../../../lib/fleet-api.js').MonitoredClusterView} MonitoredClusterView */

/**
 * One cluster as a card.
 * @param {{ c: MonitoredClusterView, canEdit: boolean, reload: (note: string) => void, onError: (text: string) => void }} props
 */
function ClusterCard({ c, canEdit, reload, onError }) {
  const o = c.observed;
  const look =
    o.error !== null
      ? html`<${Badge} tone="bad" text="unreadable" title=${o.error} /> <span class="muted">${o.error}</span>`
      : o.ageS === null
        ? html`<${Badge} tone="off" text="not read yet" />`
        : html`leader <strong>${o.leader ?? 'none'}</strong>${o.timeline !== null ? `, timeline ${o.timeline}` : ''}${' '}<span
              class="muted">(read ${duration(o.ageS)} ago${o.from ? ` through ${o.from}` : ''})</span>`;
  return html`<article class="cluster-card" data-id=${c.id} data-name=${c.name}>
    <div class="page-head">
      <h3>${c.name}${c.scope && c.scope !== c.name ? html` <span class="muted">(scope ${c.scope})</span>` : ''}</h3>
      ${
        canEdit
          ? html`<${RemoveButton} what=${`cluster ${c.name}`} idPrefix="cluster"
              gone=${`Its ${c.members.length} member server(s), their bindings, alerts and latest values go at once.`}
              onRemove=${async (/** @type {boolean} */ purge) => {
                await removeCluster(c.id, purge);
                reload(
                  `Cluster ${c.name} removed${purge ? ' with its history' : '; its history stays until retention'}.`,
                );
              }} onError=${onError} />`
          : ''
      }
    </div>
    <p class="cluster-look">${look}</p>
    ${o.problems.length > 0 ? html`<ul class="cluster-problems">${o.problems.map((p) => html`<li key=${p}>${p}</li>`)}</ul>` : ''}
    <p class="muted">${`Followed by ${c.agentName ?? 'no agent'} through ${c.restEndpoints.join(', ')} · members monitored as ${c.memberDefaults.user} (sslmode ${c.memberDefaults.sslmode}) `}<${Tags} tags=${c.tags} /></p>
    <${MembersTable} id=${`cluster-${c.id}-members`} registered=${true} members=${c.members.map((m) => ({
      member: m.member,
      host: m.host,
      port: m.port,
      role: m.role,
      state: m.state,
      lagBytes: m.lagBytes,
      serverId: m.serverId,
      agentName: m.agentName,
      missingSince: m.missingSince,
    }))} />
  </article>`;
}

/**
 * The clusters tab; `adding` shows the form (#/fleet/clusters/add).
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean, adding: boolean, notice: string, setNotice: (text: string) => void }} props
 */
export function ClustersPage({ prefs, canEdit, adding, notice, setNotice }) {
  const poll = usePoll(listClusters, 'fleet-clusters', prefs.refreshIntervalS);
  const agents = usePoll(listAgents, 'fleet-agents', 0);
  const [error, setError] = useState('');
  const d = poll.data;
  /** @param {string} note */
  const reload = (note) => {
    setNotice(note);
    setError('');
    poll.reload();
  };
  const back = () => {
    location.hash = href.fleet('clusters');
  };
  return html`<section id="clusters-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <${ReadOnlyNote} canEdit=${canEdit} />
    <div class="page-head">
      <h2>Patroni clusters <span class="count">${d ? `(${d.length})` : ''}</span></h2>
      ${canEdit && !adding ? html`<a class="button" id="cluster-add" href=${href.addCluster()}>Add Patroni cluster</a>` : ''}
    </div>
    ${
      canEdit && adding && agents.data
        ? html`<${ClusterForm} agents=${agents.data} onCancel=${back}
            onAdded=${(/** @type {MonitoredClusterView} */ c) => {
              reload(`Cluster ${c.name} added with ${c.members.length} member(s).`);
              back();
            }} />`
        : ''
    }
    <p class="ok-text" id="clusters-notice" role="status" hidden=${!notice}>${notice}</p>
    <p class="error" id="clusters-error" role="alert" hidden=${!error}>${error}</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-clusters">No Patroni cluster is monitored yet.${canEdit ? ' Add one by its REST API endpoints: each member becomes a server.' : ''}</p>`
          : d.map(
              (c) =>
                html`<${ClusterCard} key=${c.id} c=${c} canEdit=${canEdit} reload=${reload} onError=${setError} />`,
            )
    }
  </section>`;
}
