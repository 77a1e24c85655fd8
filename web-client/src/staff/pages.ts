// The staff pages: login, operator home, booking wizard, agenda, admin, user administration. Each needs a session
// with the right role; without one the login page is shown.

import { ApiError } from '../api';
import type { SessionInfo, StaffRole } from '../booking/types';
import { currentPrincipal, logout } from '../login/staffSession';
import { renderLoginPage } from '../login/loginPage';
import { bookingErrorText } from '../messages';
import { linkTo, navigate, onNavigate } from '../navigation';
import { PASSWORD_PATH, renderChangePassword } from '../login/changePassword';
import { renderAdmin } from './admin';
import { CATALOGUE_PATH, renderCatalogue } from './admin/catalogue';
import { renderAgenda } from '../meetingDay/agenda';
import { h } from '../widgets/dom';
import { renderOperatorHome } from '../meetingDay/operatorHome';
import { MEETING_PATH, renderStaffMeeting } from '../meetingDay/staffMeeting';
import { USERS_PATH, renderUserAdmin } from './userAdmin';
import { renderWizard } from '../booking/wizard/wizard';
import { ACTIVITY_PATH, renderActivity } from '../monitoring/activity';
import { MONITORING_PATH, renderMonitoring } from '../monitoring/dashboard';

/** What a page needs: where to draw, who is signed in, and a way to register its cleanup. */
export interface PageContext {
  root: HTMLElement;
  principal: SessionInfo;
  params: URLSearchParams;
  /** Runs when the user leaves the page (timers, holds); logout waits for the returned promise. */
  onLeave(fn: () => void | Promise<void>): void;
}

interface StaffPage {
  title: string;
  roles: readonly StaffRole[];
  render(ctx: PageContext): void | Promise<void>;
}

const ALL_STAFF: readonly StaffRole[] = [
  'operator', 'user_admin', 'official', 'inps_admin', 'referente_comune', 'referente_inps', 'referente_anci',
];

const PAGES: Record<string, StaffPage> = {
  '/operatore': { title: 'Area operatore', roles: ['operator'], render: renderOperatorHome },
  '/operatore/prenota': { title: 'Prenota appuntamento', roles: ['operator'], render: renderWizard },
  '/agenda': { title: 'Agenda dello sportello', roles: ['official'], render: renderAgenda },
  '/admin': { title: 'Amministrazione INPS', roles: ['inps_admin'], render: renderAdmin },
  [CATALOGUE_PATH]: { title: 'Gestione del catalogo', roles: ['inps_admin'], render: (ctx) => renderCatalogue(ctx) },
  [USERS_PATH]: { title: 'Gestione degli operatori', roles: ['user_admin', 'inps_admin'], render: renderUserAdmin },
  [MEETING_PATH]: { title: 'Videochiamata', roles: ['operator', 'official'], render: renderStaffMeeting },
  [MONITORING_PATH]: {
    title: 'Monitoraggio del servizio',
    roles: ['referente_comune', 'referente_inps', 'referente_anci', 'inps_admin', 'user_admin'],
    render: renderMonitoring,
  },
  [ACTIVITY_PATH]: { title: 'Attività degli operatori', roles: ['user_admin', 'inps_admin'], render: renderActivity },
  [PASSWORD_PATH]: { title: 'Cambia la password', roles: ALL_STAFF, render: renderChangePassword },
};

export const LOGIN_PATH = '/accesso';

export function isStaffPath(path: string): boolean {
  return path === LOGIN_PATH || path in PAGES;
}

/** The first page of a role. */
export function homeOf(role: StaffRole): string {
  switch (role) {
    case 'operator': return '/operatore';
    case 'official': return '/agenda';
    case 'inps_admin': return '/admin';
    case 'user_admin': return USERS_PATH;
    case 'referente_comune':
    case 'referente_inps':
    case 'referente_anci': return MONITORING_PATH;
  }
}

/** "Operatore del Comune di Villanova Monteleone", as the server names it. */
export function principalLabel(p: SessionInfo): string {
  return p.label;
}

function staffBar(p: SessionInfo, path: string): HTMLElement {
  const out = h('button', { type: 'button', class: 'btn btn-outline-primary btn-logout' }, 'Esci dall’account');
  out.addEventListener('click', () => {
    out.disabled = true;
    // Release what the page holds (a slot) while the session is still valid, then log out.
    void leavePage()
      .then(() => logout())
      .catch(() => undefined)
      .finally(() => { navigate(LOGIN_PATH); });
  });
  // Not during a videochiamata: its bar stays as small as it can.
  const password = path === MEETING_PATH || path === PASSWORD_PATH
    ? null
    : linkTo(h('a', { href: PASSWORD_PATH, class: 'staff-password' }, 'Cambia la password'));
  return h('div', { class: 'staff-bar no-print' },
    h('p', { class: 'staff-who' }, h('span', { class: 'visually-hidden' }, 'Ha eseguito l’accesso come: '), principalLabel(p)),
    h('div', { class: 'staff-actions' }, password, out));
}

let leaving: (() => void | Promise<void>)[] = [];

async function leavePage(): Promise<void> {
  const fns = leaving;
  leaving = [];
  await Promise.all(fns.map(async (fn) => {
    try { await fn(); } catch { /* a cleanup must not stop the others */ }
  }));
}

function showError(root: HTMLElement, err: unknown): void {
  const code = err instanceof ApiError ? err.code : 'internal';
  root.replaceChildren(h('div', { class: 'alert alert-danger', role: 'alert' },
    h('p', { class: 'mb-3' }, bookingErrorText(code)),
    h('a', { class: 'btn btn-outline-primary btn-lg', href: window.location.pathname }, 'Ricarica la pagina')));
}

async function show(root: HTMLElement): Promise<void> {
  void leavePage();
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(window.location.search);
  if (path === LOGIN_PATH) {
    document.title = 'Accesso – Sportello INPS';
    // Only a known staff page: never send the person elsewhere from a link.
    const back = params.get('torna');
    const torna = back !== null && Object.hasOwn(PAGES, back) ? back : null;
    await renderLoginPage(root, params, { torna, oidcReturn: torna ?? LOGIN_PATH }, (p) => {
      const staffPage = torna !== null ? PAGES[torna] : undefined;
      navigate(staffPage?.roles.includes(p.role) && torna !== null ? torna : homeOf(p.role), { replace: true });
    });
    return;
  }
  const staffPage = PAGES[path];
  if (!staffPage) return;
  let principal: SessionInfo | null;
  try {
    principal = await currentPrincipal();
  } catch (err) {
    showError(root, err);
    return;
  }
  if (!principal) {
    navigate(`${LOGIN_PATH}?torna=${encodeURIComponent(path)}`, { replace: true });
    return;
  }
  if (!staffPage.roles.includes(principal.role)) {
    navigate(homeOf(principal.role), { replace: true });
    return;
  }
  document.title = `${staffPage.title} – Sportello INPS`;
  const page = h('div', { class: 'staff-page' });
  root.replaceChildren(staffBar(principal, path), page);
  try {
    await staffPage.render({ root: page, principal, params, onLeave: (fn) => { leaving.push(fn); } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      navigate(`${LOGIN_PATH}?torna=${encodeURIComponent(path)}`, { replace: true });
      return;
    }
    showError(page, err);
  }
  page.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
}

/** Starts the staff app on the current path. */
export function startStaffApp(root: HTMLElement): void {
  onNavigate(() => { void show(root); });
  window.addEventListener('pagehide', () => { void leavePage(); });
  void show(root);
}
