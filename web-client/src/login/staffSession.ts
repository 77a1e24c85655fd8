// The staff session (HttpOnly cookie set by the server): who am I, log in, log out. The session's
// CSRF token is learned from every answer that carries it and forgotten on logout.

import { ApiError, learnCsrfToken, requestJson, setCsrfToken } from '../api';
import { setServerNow } from '../booking/dates';
import type { DemoAccount, Principal, SessionInfo } from '../booking/types';
import type { LoginAnswer, LoginRequest } from '../identity/types';
import { clearDraft } from '../booking/wizard/draft';

/** The signed-in staff member, or null when there is no valid session. */
export async function currentPrincipal(): Promise<SessionInfo | null> {
  try {
    const info = (await requestJson<SessionInfo>('/v1/session')).body;
    learnCsrfToken(info);
    setServerNow(info.server_now);
    return info;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export async function demoAccounts(): Promise<DemoAccount[]> {
  return (await requestJson<DemoAccount[]>('/v1/demo/accounts')).body;
}

/** Demo mode: log in as a demo account, without a password. */
export async function demoLogin(account: string): Promise<Principal> {
  const { body } = await requestJson<LoginAnswer>('/v1/demo/login', { method: 'POST', body: { account } });
  learnCsrfToken(body);
  return body;
}

/** Log in with account and password (`POST /v1/login`). */
export async function passwordLogin(req: LoginRequest): Promise<Principal> {
  const { body } = await requestJson<LoginAnswer>('/v1/login', { method: 'POST', body: req });
  learnCsrfToken(body);
  return body;
}

export async function logout(): Promise<void> {
  // The booking wizard's draft is personal data: it does not outlive the operator's session
  // (also on "Passa al cittadino", which logs the operator out).
  clearDraft();
  try {
    await requestJson<null>('/v1/session', { method: 'DELETE' });
  } finally {
    setCsrfToken(null);
  }
}
