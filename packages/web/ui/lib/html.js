// @ts-check
// The UI's framework in one place: Preact (components, keyed diffing that
// keeps DOM nodes, so refreshes do not lose the user's place) with htm
// templates (no compiler, no eval: the CSP needs no 'unsafe-eval').
import htm from '/ui/vendor/htm.js';
import { h, render } from '/ui/vendor/preact.js';

export { useCallback, useEffect, useMemo, useRef, useState } from '/ui/vendor/preact-hooks.js';
export { h, render };

/**
 * Tagged template: html`<div class=${c}>${x}</div>` builds Preact elements
 * (an array of them when the template has several roots, which Preact
 * renders alike). Templates are not type-checked; the code around them is.
 * @type {(strings: TemplateStringsArray, ...values: unknown[]) => import('/ui/vendor/preact.js').VNode}
 */
export const html = /** @type {any} */ (htm.bind(h));
