// Entry point: the staff pages (`/accesso`, `/operatore`, `/operatore/prenota`, `/agenda`,
// `/admin`, `/utenze`), the citizen kiosk (`/sportello`), or the demo landing page, or straight into a meeting from the URL
// (`?room=demo&name=Mario&role=citizen&autojoin=1`, or `?room=...&token=...`).

import 'bootstrap-italia/dist/css/bootstrap-italia.min.css';
import './fonts.css';
import './styles.css';

import { currentCall, setCurrentCall } from './call/currentCall';
import { fetchDevToken } from './api';
import type { Role } from './generated/Role';
import { Call } from './call/call';
import { exposeHook } from './testHook';
import { byId } from './widgets/dom';
import { renderKiosk } from './meetingDay/kiosk';
import { type JoinRequest, renderLanding } from './callView/landing';
import { MeetingView } from './callView/meetingView';
import { KIOSK_PATH } from './meetingDay/meetingDesk';
import { isStaffPath, startStaffApp } from './staff/pages';
import { LOGIN_DONE_PATH, renderLoginDone } from './login/popupLogin';

const ROLES: readonly Role[] = ['citizen', 'operator', 'official'];

exposeHook(currentCall);

function parseRole(value: string | null): Role | undefined {
  return ROLES.find((r) => r === value);
}

/**
 * Enters a meeting. `token` is a token from the URL, used for the first join only (tickets are
 * single-use); every other (re)join fetches a new dev token.
 */
function enter(root: HTMLElement, req: JoinRequest, token: string | null): void {
  const view = new MeetingView(root, req.room, {
    toggle: (kind) => { currentCall()?.toggle(kind); },
    chooseDevice: (kind, id) => { void currentCall()?.chooseDevice(kind === 'audioinput' ? 'audio' : 'video', id); },
    leave: () => { void currentCall()?.leave(); },
    rejoin: () => { enter(root, req, null); },
  });
  let first = token;
  const current = new Call({
    view,
    token: async () => {
      if (first !== null) {
        const t = first;
        first = null;
        return t;
      }
      return (await fetchDevToken({ room: req.room, display_name: req.name, role: req.role })).token;
    },
  });
  setCurrentCall(current);
  void current.start();
}

function main(): void {
  const root = byId('main');
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  if (path === KIOSK_PATH) {
    void renderKiosk(root);
    return;
  }
  if (path === LOGIN_DONE_PATH) {
    renderLoginDone(root);
    return;
  }
  if (isStaffPath(path)) {
    startStaffApp(root);
    return;
  }
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token');
  if (token !== null) {
    // Keep the token out of the address bar and the history.
    params.delete('token');
    const query = params.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
  }
  const initial: Partial<JoinRequest> = {
    room: params.get('room') ?? 'demo',
    name: params.get('name') ?? '',
    role: parseRole(params.get('role')) ?? 'citizen',
  };
  window.addEventListener('pagehide', () => { currentCall()?.leaveNow(); });

  if (token !== null) {
    enter(root, { room: initial.room ?? '', name: initial.name ?? '', role: initial.role ?? 'citizen' }, token);
    return;
  }
  if (params.get('autojoin') === '1' && initial.name) {
    enter(root, { room: initial.room ?? 'demo', name: initial.name, role: initial.role ?? 'citizen' }, null);
    return;
  }
  renderLanding(root, initial, (req) => { enter(root, req, null); });
}

main();
