// The citizen kiosk page (`/sportello`): after "Passa al cittadino" a reload lands here and
// resumes the call from the citizen session (HttpOnly cookie `sportello_citizen`).

import { currentCall } from '../call/currentCall';
import { ApiError } from '../api';
import * as booking from '../booking/api';
import { formatTime } from '../booking/dates';
import type { CitizenSession, DayTicket } from './wire';
import { meetingErrorText } from '../messages';
import { kioskEndedPage, kioskIdlePage, kioskPage } from './kioskPages';
import { startDesk } from './meetingDesk';

function show(root: HTMLElement, page: HTMLElement): void {
  root.replaceChildren(page);
  page.querySelector<HTMLElement>('h1')?.focus();
}

export async function renderKiosk(root: HTMLElement): Promise<void> {
  document.title = 'Videochiamata con l’INPS – Sportello INPS';
  let citizen: CitizenSession;
  let ticket: DayTicket;
  try {
    citizen = await booking.citizenSession();
    ticket = await booking.citizenToken(citizen.csrf_token);
  } catch (err) {
    const code = err instanceof ApiError ? err.code : 'network';
    if (code === 'meeting_closed') {
      show(root, kioskEndedPage());
    } else if (err instanceof ApiError && err.status === 401) {
      show(root, kioskIdlePage());
    } else {
      show(root, kioskPage('kiosk-message', 'Non è stato possibile riprendere la videochiamata', meetingErrorText(code)));
    }
    return;
  }
  window.addEventListener('pagehide', () => { currentCall()?.leaveNow(); });
  startDesk({
    root,
    appointmentId: citizen.appointment_id,
    title: `appuntamento delle ${formatTime(citizen.starts_at)}`,
    ticket,
    citizenCsrf: citizen.csrf_token,
  });
}
