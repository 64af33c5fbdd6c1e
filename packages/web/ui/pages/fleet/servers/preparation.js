// @ts-check
// "What the server needs" (POST /api/servers/prepare): the monitoring role
// to create, its pg_hba.conf rule for the agent's address, the passfile line
// on the agent's host (the password as <password>: never shown or asked for
// here), the TLS note and the command that tests it all.
import { html } from '../../../lib/html.js';

/**
 * @param {{ prep: import('../../../lib/fleet-api.js').Preparation }} props
 */
export function Preparation({ prep: p }) {
  return html`<div id="server-prepare" class="prepare-box">
    <h4>What the server needs</h4>
    <p>1. The monitoring role (a member of pg_monitor only), as a superuser on the server:</p>
    <pre id="prepare-role">${p.roleSql.join('\n')}</pre>
    <p>2. Its pg_hba.conf rule (${p.hbaNote}):</p>
    <pre id="prepare-hba">${p.hbaRule}</pre>
    <p>3. The agent’s password (${p.passfileNote}):</p>
    <pre id="prepare-passfile">${p.passfileLine}</pre>
    <p>4. TLS: ${p.tlsNote}</p>
    <p>Then test it from the agent: <code>${p.testCommand}</code>, or “Test connection” here.</p>
  </div>`;
}
