// The identity providers (SPID, CIE, the comune's own) offered by the server: one large link
// each, to the server's `/v1/oidc/{name}/start` (a full-page navigation to the provider).

import { oidcStartUrl } from '../identity/api';
import type { OidcProvider } from '../identity/types';
import { h } from '../widgets/dom';

/** The list of provider buttons; `torna` is the page to come back to after the login. */
export function oidcButtons(providers: OidcProvider[], torna: string): HTMLElement {
  return h('ul', { class: 'oidc-list' }, ...providers.map((p) =>
    h('li', {}, h('a', { class: 'btn btn-primary btn-lg btn-wide btn-oidc', href: oidcStartUrl(p, torna) }, p.label))));
}
