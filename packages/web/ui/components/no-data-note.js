// @ts-check
// The note a chart or list shows instead of data: why its probe has none
// for the server (lib/no-data.js), with a link to the probe log when that
// may say more.
import { html } from '../lib/html.js';
import { whyNoData } from '../lib/no-data.js';
import { href } from '../lib/route.js';

/**
 * Why `probe` has no data for the server (lib/no-data.js), with a link to the probe log when it may say more.
 * @param {{ probe: string, ctx: import('../lib/no-data.js').NoDataContext }} props
 */
export function NoData({ probe, ctx }) {
  const why = whyNoData(probe, ctx);
  return html`<p class="no-data" data-probe=${probe}>${why.text}${
    why.probeLog ? html` <a href=${href.probeLog()}>Probe log</a>` : ''
  }</p>`;
}

/** @param {import('../lib/api.js').ServerDetail} d */
export function noDataContext(d) {
  return {
    role: d.status.role,
    versionNum: d.status.versionNum,
    settings: d.settings,
    agentUptimeS: d.status.agentUptimeS,
  };
}
