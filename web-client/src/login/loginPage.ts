// The login page `/accesso`: the identity providers first (when the server has any), then
// account and password, and in demo mode the chooser of the demo profiles. After a failed OIDC
// login the server comes back here with `?errore=CODE`.

import { ApiError } from '../api';
import type { DemoAccount, Principal } from '../booking/types';
import { oidcProviders } from '../identity/api';
import type { OidcProvider } from '../identity/types';
import { bookingErrorText, oidcErrorText } from '../messages';
import { h } from '../widgets/dom';
import { demoChooser } from './demoChooser';
import { oidcButtons } from './oidcButtons';
import { passwordForm } from './passwordForm';
import { currentPrincipal, demoAccounts } from './staffSession';

export interface LoginPageOptions {
  /** The page to go back to after the login (a known staff page), or null. */
  torna: string | null;
  /** Where the OIDC login comes back to. */
  oidcReturn: string;
}

/** The demo accounts; null when the server is not in demo mode (404) or could not say. */
async function demoList(): Promise<{ accounts: DemoAccount[] | null; error: string | null }> {
  try {
    return { accounts: await demoAccounts(), error: null };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { accounts: null, error: null };
    return { accounts: null, error: err instanceof ApiError ? err.code : 'network' };
  }
}

function section(id: string, title: string, ...children: (Node | null)[]): HTMLElement {
  // Not a named region: its title would also match the labels of its fields ("Nome utente").
  return h('section', { class: 'login-way' }, h('h2', { id }, title), ...children);
}

/** Drops `errore` from the address bar, so that a reload does not show the old message again. */
function forgetErrorParam(params: URLSearchParams): void {
  const rest = new URLSearchParams(params);
  rest.delete('errore');
  const query = rest.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
}

export async function renderLoginPage(
  root: HTMLElement, params: URLSearchParams, opts: LoginPageOptions, done: (p: Principal) => void,
): Promise<void> {
  const errore = params.get('errore');
  if (errore === null) {
    // Already signed in (e.g. back from the identity provider): straight to the page.
    const principal = await currentPrincipal().catch(() => null);
    if (principal) {
      done(principal);
      return;
    }
  }
  const [providers, demo] = await Promise.all([
    oidcProviders().catch((): OidcProvider[] => []),
    demoList(),
  ]);

  const heading = h('h1', { tabindex: '-1' }, 'Accesso');
  // Text only, never markup: the code comes from the address bar.
  const oidcAlert = errore !== null
    ? h('div', { class: 'alert alert-danger', role: 'alert', id: 'oidc-error', tabindex: '-1' }, oidcErrorText(errore))
    : null;
  if (errore !== null) forgetErrorParam(params);

  root.replaceChildren(
    h('div', { class: 'login' },
      heading,
      oidcAlert,
      opts.torna ? h('p', { class: 'alert alert-info' }, 'Per continuare è necessario accedere.') : null,
      providers.length > 0
        ? section('login-oidc-title', 'Con la sua identità digitale', oidcButtons(providers, opts.oidcReturn))
        : null,
      section('login-password-title', providers.length > 0 ? 'Oppure con nome utente e password' : 'Con nome utente e password',
        passwordForm(done)),
      demo.accounts !== null
        ? section('login-demo-title', 'Con un profilo di prova',
          h('p', { class: 'lead mb-4', id: 'demo-help' },
            'Versione dimostrativa: scelga con quale profilo accedere, poi prema “Accedi con il profilo scelto”. '
            + 'Con nome utente e password, tutti i profili di prova hanno la password “demo-sportello”.'),
          demoChooser(demo.accounts, done))
        : null,
      demo.error !== null
        ? h('div', { class: 'alert alert-warning', role: 'alert' }, bookingErrorText(demo.error))
        : null));
  (oidcAlert ?? heading).focus({ preventScroll: true });
}
