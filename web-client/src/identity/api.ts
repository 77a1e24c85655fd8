// Calls of the identity API: operator enablement by the comune's user administrator (and the
// INPS administrator), and the OIDC providers of the login page.

import { ApiError, requestJson } from '../api';
import type { NewOperator, OidcProvider, OperatorEntry, OperatorState, OperatorChange } from './types';

const enc = encodeURIComponent;

/** The operators the signed-in administrator manages (a user administrator: their comune's). */
export async function listOperators(): Promise<OperatorEntry[]> {
  return (await requestJson<OperatorEntry[]>('/v1/identity/operators')).body;
}

/** "Abilita un nuovo operatore". */
export async function createOperator(req: NewOperator): Promise<OperatorEntry> {
  return (await requestJson<OperatorEntry>('/v1/identity/operators', { method: 'POST', body: req })).body;
}

/** Changes the validity dates (or the password) of an operator. */
export async function updateOperator(account: string, req: OperatorChange): Promise<OperatorEntry> {
  return (await requestJson<OperatorEntry>(`/v1/identity/operators/${enc(account)}`, { method: 'PATCH', body: req })).body;
}

/** Revokes an operator: the server also ends their sessions and meeting connections at once. */
export async function revokeOperator(account: string): Promise<OperatorState> {
  return (await requestJson<OperatorState>(`/v1/identity/operators/${enc(account)}/revoke`, { method: 'POST', body: {} })).body;
}

/** INPS enables an operator named by the comune for the PUE. */
export async function enableForPue(account: string): Promise<OperatorEntry> {
  return (await requestJson<OperatorEntry>(`/v1/identity/operators/${enc(account)}/pue-enable`, { method: 'POST', body: {} })).body;
}

export async function enableOperator(account: string): Promise<OperatorState> {
  return (await requestJson<OperatorState>(`/v1/identity/operators/${enc(account)}/enable`, { method: 'POST', body: {} })).body;
}

/** The OIDC providers of the login page; none on a server without OIDC (or an older one: 404). */
export async function oidcProviders(): Promise<OidcProvider[]> {
  try {
    const list = (await requestJson<unknown>('/v1/oidc/providers')).body;
    if (!Array.isArray(list)) return [];
    return list.filter((p): p is OidcProvider => typeof p === 'object' && p !== null
      && typeof (p as OidcProvider).name === 'string' && typeof (p as OidcProvider).label === 'string');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}

/** Where a provider's button leads (a full-page navigation to the identity provider). */
export function oidcStartUrl(provider: OidcProvider, torna: string): string {
  return `/v1/oidc/${enc(provider.name)}/start?torna=${enc(torna)}`;
}
