// The citizen kiosk page (`/sportello`): after "Passa al cittadino" a reload lands here and
// resumes the call from the citizen session (HttpOnly cookie `sportello_citizen`).

import { currentCall } from '../call/currentCall';
import { ApiError } from '../api';
import * as booking from '../booking/api';
import { formatTime } from '../booking/dates';
import type { CitizenSession, DayTicket } from './wire';
import { meetingErrorText } from '../messages';
import { h } from '../widgets/dom';
import { endedMessage } from '../callView/meetingView';
import { startDesk } from './meetingDesk';

function message(root: HTMLElement, title: string, text: string | null): void {
  root.replaceChildren(h('div', { class: 'ended-page', id: 'kiosk-message' },
    h('h1', { tabindex: '-1', class: 'ended-title' }, title),
    text ? h('p', { class: 'lead' }, text) : null));
  root.querySelector<HTMLElement>('h1')?.focus();
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
      root.replaceChildren(endedMessage());
    } else if (err instanceof ApiError && err.status === 401) {
      message(root, 'Nessun incontro in corso su questa postazione',
        'L’operatore del Comune apre l’incontro e poi passa la videochiamata al cittadino.');
    } else {
      message(root, 'Non è stato possibile riprendere l’incontro', meetingErrorText(code));
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
