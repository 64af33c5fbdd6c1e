// @ts-check
// The members of a Patroni cluster as a table: member name, address, role
// (leader, replica, sync_standby, standby_leader... as Patroni's GET
// /cluster names them), state, replication lag, and, for a registered
// cluster, the server each became, the agent that monitors it and since when
// it is missing from the cluster's answer.
import { Badge } from '../../../components/badges.js';
import { Table } from '../../../components/table.js';
import { PRIMARY_PATRONI_ROLES } from '../../../contract/fleet.js';
import { bytes } from '../../../lib/format.js';
import { html } from '../../../lib/html.js';
import { href } from '../../../lib/route.js';

/**
 * A member as this table shows it.
 * @typedef {{
 *   member: string, host: string | null, port: number | null, role: string | null, state: string | null,
 *   lagBytes: number | null, serverId?: number, agentName?: string | null, missingSince?: string | null,
 * }} MemberRow
 */

/** @param {{ role: string | null }} props */
function RoleBadge({ role }) {
  if (!role) return html`<span class="muted">—</span>`;
  return html`<${Badge} tone=${PRIMARY_PATRONI_ROLES.includes(role) ? 'ok' : 'info'} text=${role} />`;
}

/**
 * @param {{ id: string, members: MemberRow[], registered?: boolean }} props
 */
export function MembersTable({ id, members, registered = false }) {
  const head = ['Member', 'Address', 'Role', 'State', 'Lag', ...(registered ? ['Server', 'Agent'] : [])];
  return html`<${Table} id=${id} class="members" head=${head}>${members.map(
    (m) => html`<tr key=${m.member} data-member=${m.member} data-role=${m.role ?? ''}>
      <td>${m.member}${m.missingSince ? html` <${Badge} tone="warn" text="missing" title=${`since ${m.missingSince}`} />` : ''}</td>
      <td>${m.host ?? '?'}:${m.port ?? '?'}</td>
      <td class="member-role"><${RoleBadge} role=${m.role} /></td>
      <td>${m.state ?? ''}</td>
      <td class="num">${m.lagBytes === null ? '' : bytes(m.lagBytes)}</td>
      ${
        registered
          ? html`<td>${m.serverId ? html`<a href=${href.server(m.serverId)}>server ${m.serverId}</a>` : ''}</td>
              <td>${m.agentName ?? ''}</td>`
          : ''
      }
    </tr>`,
  )}</${Table}>`;
}
