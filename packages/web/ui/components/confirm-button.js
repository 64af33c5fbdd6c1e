// @ts-check
// A button for an action that cannot be undone (delete, revoke): the first
// click arms it ("Really delete?", drawn as danger), the second runs the
// action; leaving the button (blur) disarms it. No browser dialog, so it
// works the same in every browser and in headless tests.
import { html, useState } from '../lib/html.js';

/**
 * @param {{
 *   label: string,
 *   className: string,
 *   action: () => Promise<unknown>,
 *   onDone: () => void,
 *   onError: (err: unknown) => void,
 * }} props `label` the verb ("Delete"), `className` the button's own class
 *   (tests find it by it), `action` the request; `onDone` after it succeeded,
 *   `onError` with what it threw (the button is disarmed again).
 */
export function ConfirmButton({ label, className, action, onDone, onError }) {
  const [armed, setArmed] = useState(false);
  const go = async () => {
    if (!armed) return setArmed(true);
    try {
      await action();
      onDone();
    } catch (err) {
      setArmed(false);
      onError(err);
    }
  };
  return html`<button type="button" class=${`small ${className}${armed ? ' danger' : ''}`} onClick=${go}
    onBlur=${() => setArmed(false)}>${armed ? `Really ${label.toLowerCase()}?` : label}</button>`;
}
