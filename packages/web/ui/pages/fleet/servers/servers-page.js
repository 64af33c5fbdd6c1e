// @ts-check
// Monitored servers: every server with its kind (standalone, or member of a
// Patroni cluster), cluster, agent, address, sslmode, tags and what was last
// observed (role, up or down); for pem_admin also "Add server", Edit and
// Remove (confirmed; the history stays until retention unless purged).
// #/fleet/servers/add and #/fleet/servers/<id>/edit show the form
// (server-form.js).
import { Badge } from '../../../components/badges.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { listAgents, listServers, removeServer } from '../../../lib/fleet-api.js';
import { duration } from '../../../lib/format.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { ReadOnlyNote, RemoveButton, Tags } from '../fleet-ui.js';
import { ServerForm } from './server-form.js';

/** @typedef {import('../../../lib/fleet-api.js').MonitoredServer} MonitoredServer */

/**
 * Up, down (with the probe's error as its title), or not seen yet.
 * @param {{ s: MonitoredServer }} props
 */
function UpBadge({ s }) {
  const o = s.observed;
  if (o.missingSince)
    return html`<${Badge} tone="warn" text="left the cluster" title=${`since ${o.missingSince}`} />`;
  if (o.up === null) return html`<${Badge} tone="off" text="no data yet" />`;
  const age = o.lastSampleAgeS === null ? '' : `, ${duration(o.lastSampleAgeS)} ago`;
  return o.up
    ? html`<${Badge} tone="ok" text="up" title=${`last sample${age}`} />`
    : html`<${Badge} tone="bad" text="down" title=${o.error ?? ''} />`;
}

/** @param {MonitoredServer} s */
function kindText(s) {
  if (s.isPemBackend) return 'PEM backend';
  return s.kind === 'patroni-member' ? 'Patroni member' : 'standalone';
}

/**
 * @param {{ s: MonitoredServer, canEdit: boolean, reload: (note: string) => void, onError: (text: string) => void }} props
 */
function Row({ s, canEdit, reload, onError }) {
  const role = s.observed.patroniRole ?? s.observed.role;
  return html`<tr data-id=${s.id} data-name=${s.displayName}>
    <td><a href=${href.server(s.id)}>${s.displayName}</a></td>
    <td>${kindText(s)}</td>
    <td>${s.clusterName ?? ''}${s.patroniMember ? html` <span class="muted">(${s.patroniMember})</span>` : ''}</td>
    <td>${role ?? ''}</td>
    <td><${UpBadge} s=${s} /></td>
    <td>${s.host}:${s.port}</td>
    <td>${s.user}</td>
    <td>${s.sslmode}</td>
    <td>${s.agentName ?? html`<span class="muted">none</span>`}</td>
    <td class="wrap"><${Tags} tags=${s.tags} /></td>
    ${
      canEdit
        ? html`<td class="actions">
            <a href=${href.editServer(s.id)} class="server-edit">Edit</a>
            ${
              s.isPemBackend || s.kind === 'patroni-member'
                ? html`<span class="muted" title=${s.isPemBackend ? 'removed with pharos configure on the backends' : 'removed with its cluster'}>${s.isPemBackend ? '' : 'remove its cluster'}</span>`
                : html`<${RemoveButton} what=${`server ${s.displayName}`} idPrefix="server"
                    gone="Its binding, alerts and latest values go at once, and its agent stops monitoring it."
                    onRemove=${async (/** @type {boolean} */ purge) => {
                      await removeServer(s.id, purge);
                      reload(
                        `Server ${s.displayName} removed${purge ? ' with its history' : '; its history stays until retention'}.`,
                      );
                    }} onError=${onError} />`
            }
          </td>`
        : ''
    }
  </tr>`;
}

const HEAD = ['Name', 'Kind', 'Cluster', 'Role', 'State', 'Address', 'Role name', 'sslmode', 'Agent', 'Tags'];

/**
 * The servers list; `notice` is the last change's sentence (kept by the area across the form).
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean, notice: string, setNotice: (text: string) => void }} props
 */
export function ServersPage({ prefs, canEdit, notice, setNotice }) {
  const poll = usePoll(() => listServers(), 'fleet-servers', prefs.refreshIntervalS);
  const [error, setError] = useState('');
  const d = poll.data;
  /** @param {string} note */
  const reload = (note) => {
    setNotice(note);
    setError('');
    poll.reload();
  };
  return html`<section id="servers-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <${ReadOnlyNote} canEdit=${canEdit} />
    <div class="page-head">
      <h2>Monitored servers <span class="count">${d ? `(${d.length})` : ''}</span></h2>
      ${canEdit ? html`<a class="button" id="server-add" href=${href.addServer()}>Add server</a>` : ''}
    </div>
    <p class="ok-text" id="servers-notice" role="status" hidden=${!notice}>${notice}</p>
    <p class="error" id="servers-error" role="alert" hidden=${!error}>${error}</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-servers">No server is monitored yet.${canEdit ? ' Add one: its agent tests the connection first.' : ''}</p>`
          : html`<${Table} id="fleet-servers" head=${canEdit ? [...HEAD, ''] : HEAD}>${d.map(
              (s) =>
                html`<${Row} key=${s.id} s=${s} canEdit=${canEdit} reload=${reload} onError=${setError} />`,
            )}</${Table}>`
    }
  </section>`;
}

/**
 * The Add server form (`id` undefined) or server `id`'s settings; back to
 * the list once saved, `onDone(sentence)` saying what was done.
 * @param {{ id?: number, onDone: (note: string) => void }} props
 */
export function ServerFormPage({ id, onDone }) {
  const agents = usePoll(listAgents, 'fleet-agents', 0);
  const servers = usePoll(
    () => (id === undefined ? Promise.resolve([]) : listServers()),
    `fleet-server-${id}`,
    0,
  );
  const back = () => {
    location.hash = href.fleet('servers');
  };
  if (!agents.data || !servers.data)
    return html`<${StatusBar} poll=${agents.error ? agents : servers} intervalS=${0} />`;
  const server = id === undefined ? undefined : servers.data.find((s) => s.id === id);
  if (id !== undefined && !server)
    return html`<p class="error" id="server-missing">There is no server ${id}: it may have been removed. <a href=${href.fleet('servers')}>Back to the servers</a></p>`;
  if (agents.data.length === 0)
    return html`<p class="muted" id="no-agents">No agent is enrolled yet: a server is monitored by an agent. Create an <a href=${href.fleet('tokens')}>enrolment token</a> and run <code>pharos agent enrol</code> on the host that will monitor it.</p>`;
  return html`<${ServerForm} server=${server} agents=${agents.data} onCancel=${back}
    onSaved=${(/** @type {MonitoredServer} */ s) => {
      onDone(`Server ${s.displayName} ${server ? 'saved' : 'added'}.`);
      back();
    }} />`;
}
