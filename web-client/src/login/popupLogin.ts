// Logging in with SPID/CIE in a popup window, for a page that must not be left: the kiosk's
// "Richiama operatore" during a videochiamata. The popup goes through the identity provider and
// comes back to `/accesso/fatto` (LOGIN_DONE_PATH), which tells its opener and closes itself; the
// session cookie is the browser's, so the opener is then signed in.

import { oidcStartUrl } from '../identity/api';
import type { OidcProvider } from '../identity/types';
import { h } from '../widgets/dom';

/** Where the popup's login ends. */
export const LOGIN_DONE_PATH = '/accesso/fatto';

/** The message the popup sends its opener. */
const DONE = 'sportello-login-done';

/**
 * Opens the login with `provider` in a popup; resolves when the popup reports the login done
 * (then the caller checks who signed in), or with false when the popup was blocked or closed
 * before that. `signal` gives up waiting.
 */
export function popupLogin(provider: OidcProvider, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const popup = window.open(oidcStartUrl(provider, LOGIN_DONE_PATH), 'sportello-login', 'popup,width=640,height=760');
    if (!popup) {
      resolve(false);
      return;
    }
    const finish = (ok: boolean): void => {
      window.removeEventListener('message', onMessage);
      window.clearInterval(watch);
      resolve(ok);
    };
    const onMessage = (ev: MessageEvent): void => {
      if (ev.origin !== window.location.origin || ev.source !== popup) return;
      if ((ev.data as { type?: unknown } | null)?.type === DONE) finish(true);
    };
    window.addEventListener('message', onMessage);
    // A popup closed by hand ends the wait.
    const watch = window.setInterval(() => { if (popup.closed) finish(false); }, 500);
    signal.addEventListener('abort', () => { popup.close(); finish(false); }, { once: true });
  });
}

/** The page at LOGIN_DONE_PATH: tells the opener (same origin only) and closes itself. */
export function renderLoginDone(root: HTMLElement): void {
  const opener = window.opener as Window | null;
  if (!opener) {
    // Opened on its own: go to the login page, which leads a signed-in person home.
    window.location.replace('/accesso');
    return;
  }
  root.replaceChildren(h('div', { class: 'login-done' },
    h('h1', { tabindex: '-1' }, 'Accesso eseguito'),
    h('p', { class: 'lead' }, 'Può chiudere questa finestra e tornare alla videochiamata.')));
  opener.postMessage({ type: DONE }, window.location.origin);
  window.close();
}
