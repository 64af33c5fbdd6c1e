// @ts-check
// Enrolled agents: name, user, host address, version, last heartbeat (stale
// after a minute), the servers each monitors, whether it runs on a PEM
// backend, when it registered. Read-only for everyone: an agent is enrolled
// on its host (`pharos agent enrol` with a token from the Enrolment tokens
// tab) and unregistered there (`pharos agent unregister`, which also removes
// the files enrol wrote).
import { Badge } from '../../../components/badges.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { listAgents } from '../../../lib/fleet-api.js';
import { when } from '../../../lib/format.js';
import { html } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { Heartbeat } from '../fleet-ui.js';

/** @typedef {import('../../../lib/fleet-api.js').FleetAgentView} FleetAgentView */

/** @param {{ a: FleetAgentView }} props */
function Row({ a }) {
  return html`<tr data-id=${a.id} data-name=${a.displayName}>
    <td class="num">${a.id}</td>
    <td>${a.displayName}${a.pemBackend ? html` <${Badge} tone="info" text="PEM backend" />` : ''}${
      a.active ? '' : html` <${Badge} tone="off" text="inactive" />`
    }</td>
    <td>${a.user}</td>
    <td>${a.hostAddress ?? html`<span class="muted">unknown</span>`}</td>
    <td>${a.version ?? ''}</td>
    <td class="agent-heartbeat"><${Heartbeat} ageS=${a.heartbeatAgeS} /></td>
    <td class="num">${a.servers}</td>
    <td>${when(a.registeredAt)}</td>
  </tr>`;
}

const HEAD = ['Id', 'Agent', 'User', 'Host address', 'Version', 'Heartbeat', 'Servers', 'Registered'];

/**
 * The agents list.
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean }} props
 */
export function AgentsPage({ prefs, canEdit }) {
  const poll = usePoll(listAgents, 'fleet-agents', prefs.refreshIntervalS);
  const d = poll.data;
  return html`<section id="agents-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head"><h2>Agents <span class="count">${d ? `(${d.length})` : ''}</span></h2></div>
    <p class="muted">An agent is enrolled on its own host with <code>pharos agent enrol</code> and a one-time token${
      canEdit ? html` (<a href=${href.fleet('tokens')}>Enrolment tokens</a>)` : ' an administrator creates'
    }; <code>pharos agent unregister</code> removes it.</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-agents">No agent is enrolled yet.</p>`
          : html`<${Table} id="fleet-agents" head=${HEAD}>${d.map((a) => html`<${Row} key=${a.id} a=${a} />`)}</${Table}>`
    }
  </section>`;
}
