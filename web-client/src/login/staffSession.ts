// The staff session (HttpOnly cookie set by the server): who am I, log in, log out.
// Demo mode logs in with a demo account; production will use OIDC (SPID/CIE) in its own module.

import { ApiError, requestJson } from '../api';
import { setServerNow } from '../booking/dates';
import type { DemoAccount, Principal, SessionInfo } from '../booking/types';

/** The signed-in staff member, or null when there is no valid session. */
export async function currentPrincipal(): Promise<SessionInfo | null> {
  try {
    const info = (await requestJson<SessionInfo>('/v1/session')).body;
    setServerNow(info.server_now);
    return info;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function demoAccounts(): Promise<DemoAccount[]> {
  return (await requestJson<DemoAccount[]>('/v1/demo/accounts')).body;
}

export async function demoLogin(account: string): Promise<Principal> {
  return (await requestJson<Principal>('/v1/demo/login', { method: 'POST', body: { account } })).body;
}

export async function logout(): Promise<void> {
  await requestJson<null>('/v1/session', { method: 'DELETE' });
}
