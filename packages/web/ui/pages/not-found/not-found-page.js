// @ts-check
// What a link to nothing shows: a route the UI does not know (#/nonsense),
// or a server, database, table, query or agent that does not exist (the API
// answered 404). It says what was asked for and links to the overview,
// instead of showing another page or retrying forever (review C9).
import { html } from '../../lib/html.js';
import { href } from '../../lib/route.js';

/**
 * "No such page" for `what` (a route or "server 999").
 * @param {{ what: string, why?: string }} props `why`: the API's words, when it answered 404
 */
export function NotFoundPage({ what, why }) {
  return html`<section id="not-found">
    <h2>Not found</h2>
    <p id="not-found-what">There is no ${what}${why ? html` <span class="muted">(${why})</span>` : ''}.</p>
    <p><a href=${href.overview()} id="not-found-home">Go to the overview</a></p>
  </section>`;
}
