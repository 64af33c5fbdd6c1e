// @ts-check
// A table in its scrolling frame: the markup every list of the UI shares
// (a header row of column titles, rows given by the page, keyed by id so a
// refresh updates them in place and the user keeps their place).
import { html } from '../lib/html.js';

/**
 * `<div class="table-wrap"><table id=…><thead>…</thead><tbody>…</tbody></table></div>`.
 * @param {{ id?: string, class?: string, head?: readonly unknown[], children?: unknown }} props
 *   `head`: the column titles (none: no header row); `children`: the rows
 */
export function Table({ id, class: cls, head, children }) {
  return html`<div class="table-wrap"><table id=${id} class=${cls}>
    ${head ? html`<thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead>` : ''}
    <tbody>${children}</tbody>
  </table></div>`;
}
