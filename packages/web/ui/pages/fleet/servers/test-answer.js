// @ts-check
// The answer of a "Test connection" (or of an add or change the API refused
// because its test failed): on failure a heading naming the cause
// (contract CAUSE_TEXT: refused, no HBA rule, authentication, TLS, missing
// pg_monitor, timeout, not PostgreSQL...) and the agent's sentence saying
// what happened and what to do, the passfile line to add when the agent has
// no password; on success what the server is. Warnings either way.
import { CAUSE_TEXT } from '../../../contract/fleet.js';
import { html } from '../../../lib/html.js';

/** @typedef {import('../../../lib/fleet-api.js').TestConnectionResult} TestConnectionResult */

/**
 * "PostgreSQL 16.4, primary, TLS, pg_monitor".
 * @param {NonNullable<TestConnectionResult['server']>} s
 */
function factsText(s) {
  return [
    `PostgreSQL ${s.version}`,
    s.role,
    s.tls ? 'TLS' : 'no TLS',
    s.superuser ? 'superuser' : s.pgMonitor ? 'pg_monitor' : 'not pg_monitor',
    s.pgStatStatements ? 'pg_stat_statements' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The answer box (id `<prefix>-test`, `data-cause` the cause, `data-ok` true/false).
 * @param {{ prefix: string, result: TestConnectionResult, agentName?: string }} props
 */
export function TestAnswer({ prefix, result: r, agentName }) {
  const title = r.ok ? 'Connected' : CAUSE_TEXT[r.cause ?? 'other'].title;
  const from = agentName ? ` (tested from ${agentName}, ${r.elapsedMs} ms)` : ` (${r.elapsedMs} ms)`;
  return html`<div id=${`${prefix}-test`} class=${`test-answer ${r.ok ? 'test-ok' : 'test-bad'}`}
      data-ok=${String(r.ok)} data-cause=${r.cause ?? ''} role=${r.ok ? 'status' : 'alert'}>
    <h4 id=${`${prefix}-test-title`}>${title}<span class="muted">${from}</span></h4>
    <p id=${`${prefix}-test-message`}>${r.message}</p>
    ${r.passfileLine ? html`<p>Passfile line: <code id=${`${prefix}-test-passfile`}>${r.passfileLine}</code></p>` : ''}
    ${r.server ? html`<p class="muted" id=${`${prefix}-test-facts`}>${factsText(r.server)}</p>` : ''}
    ${
      r.warnings.length > 0
        ? html`<ul class="test-warnings" id=${`${prefix}-test-warnings`}>${r.warnings.map((w) => html`<li key=${w}>${w}</li>`)}</ul>`
        : ''
    }
    ${!r.ok && r.detail && r.detail !== r.message ? html`<p class="muted detail">${r.detail}${r.sqlstate ? ` (SQLSTATE ${r.sqlstate})` : ''}</p>` : ''}
  </div>`;
}
