// One workstation's part in the meeting of an appointment, across its changes of role: the
// operator hands the kiosk to the citizen ("Passa al cittadino"), the operator comes back
// ("Richiama operatore"), the official closes the meeting ("Chiudi la videochiamata"). One Call and
// one MeetingView live through all of it: the call is never torn down for a change of role.

import { setCurrentCall } from '../call/currentCall';
import { ApiError } from '../api';
import * as booking from '../booking/api';
import { logout } from '../login/staffSession';
import type { DayTicket } from './wire';
import { meetingErrorText, OUTCOME_LABEL } from '../messages';
import type { Role } from '../generated/Role';
import { linkTo } from '../navigation';
import { Call } from '../call/call';
import { closeMeetingDialog } from '../callView/closeDialog';
import { confirmHandover } from './confirmHandover';
import { h } from '../widgets/dom';
import type { Awaited } from '../callView/lobby';
import { MeetingView } from '../callView/meetingView';
import { kioskEndedPage } from './kioskPages';
import { kioskFeedbackPage } from './feedbackPage';
import { reportProblemButton, reportProblemDialog } from './reportDialog';
import { recallOperatorDialog } from './recallOperator';
import { casePanel } from './casePanel';
import { DocumentsPanel } from './documentsPanel';
import { PrintPanel } from './printPanel';

/** The citizen kiosk's own address (a reload there resumes from the citizen session). */
export const KIOSK_PATH = '/sportello';

export interface DeskStart {
  root: HTMLElement;
  appointmentId: string;
  /** What the meeting is, for people ("appuntamento delle 10:00"). */
  title: string;
  /** The ticket this page joins with (operator, official or citizen). */
  ticket: DayTicket;
  /** The citizen's name from the appointment card (the official's lobby shows it). */
  citizenName?: string;
  /** The CSRF token of the kiosk's citizen session, when it already has one. */
  citizenCsrf?: string;
}

export interface Desk {
  /** Best effort when the page goes away. */
  leaveNow(): void;
}

function awaitedOf(ticket: DayTicket, citizenName: string | undefined): Awaited[] {
  return ticket.expected.map((e) => ({
    role: e.role,
    name: e.role === 'citizen' && citizenName ? citizenName : e.display_name,
  }));
}

export function startDesk(start: DeskStart): Desk {
  const { appointmentId } = start;
  let role: Role = start.ticket.role;
  let csrf = start.citizenCsrf ?? '';
  /** The outcome line of the "Videochiamata chiusa" page (filled when the close answer arrives). */
  const outcomeLine = h('p', { class: 'lead', id: 'closed-outcome', 'aria-live': 'polite' });
  let busy = false;

  const tokenFor = async (who: Role): Promise<string> => {
    const ticket = who === 'official'
      ? await booking.joinMeeting(appointmentId)
      : who === 'citizen' ? await booking.citizenToken(csrf) : await booking.openMeeting(appointmentId);
    view.setAwaited(awaitedOf(ticket, start.citizenName));
    return ticket.token;
  };

  const endedPage = (): HTMLElement => {
    // The citizen at the kiosk: how did it go? (The session outlives the close for this only.)
    if (role === 'citizen' && csrf) return kioskFeedbackPage(csrf);
    if (role === 'operator') {
      const page = kioskEndedPage();
      page.append(h('p', { class: 'ended-report' }, reportProblemButton(appointmentId)));
      return page;
    }
    if (role !== 'official') return kioskEndedPage();
    return h('div', { class: 'ended-page', id: 'meeting-closed' },
      h('h1', { tabindex: '-1', class: 'ended-title' }, 'Videochiamata chiusa'),
      outcomeLine,
      h('p', { class: 'ended-actions' },
        linkTo(h('a', { class: 'btn btn-primary btn-lg', href: '/agenda' }, 'Torna all’agenda')),
        reportProblemButton(appointmentId)));
  };

  /** The side panels of the role: the case (official) and the documents (official, operator). */
  const side = h('div', { class: 'side-panels' });
  let documents: DocumentsPanel | null = null;
  let prints: PrintPanel | null = null;
  let sideRole: Role | null = null;
  const sidePanels = (next: Role): void => {
    if (next === sideRole) return;
    sideRole = next;
    documents = next === 'official' || next === 'operator' ? new DocumentsPanel(appointmentId, next) : null;
    prints?.dispose();
    prints = next === 'citizen' ? new PrintPanel(() => csrf) : null;
    side.replaceChildren(
      ...(next === 'official' ? [casePanel(appointmentId)] : []),
      ...(documents ? [documents.root] : []));
  };

  let first: string | null = start.ticket.token;
  let view!: MeetingView;
  let call!: Call;
  const run = (): void => {
    view = new MeetingView(start.root, start.title, {
      toggle: (kind) => { call.toggle(kind); },
      chooseDevice: (kind, id) => { void call.chooseDevice(kind === 'audioinput' ? 'audio' : 'video', id); },
      leave: () => { void call.leave(); },
      rejoin: () => { run(); },
    }, {
      awaited: awaitedOf(start.ticket, start.citizenName),
      endedPage,
      // Beside the call: the official's case and documents, the operator's documents (set by role).
      sidePanel: side,
      onDocumentsChanged: () => { void documents?.refresh(); },
      onPrintsChanged: () => { void prints?.refresh(); },
      // The official sees the citizen by name.
      ...(start.ticket.role === 'official' && start.citizenName ? { citizenName: start.citizenName } : {}),
    });
    call = new Call({
      view,
      token: () => {
        if (first !== null) {
          const t = first;
          first = null;
          return Promise.resolve(t);
        }
        return tokenFor(role);
      },
    });
    setRole(role);
    setCurrentCall(call);
    void call.start();
  };

  /** A button of the role; `quiet` for one that is there but not the page's main action. */
  const button = (id: string, label: string, onClick: () => Promise<void>, quiet = false): HTMLButtonElement => {
    const b = h('button', { type: 'button', id, class: `btn btn-lg btn-control ${quiet ? 'btn-quiet' : 'btn-role'}` }, label);
    b.addEventListener('click', () => {
      if (busy) return;
      busy = true;
      b.disabled = true;
      view.showProblem(null);
      onClick().catch((err: unknown) => {
        view.showProblem(meetingErrorText(err instanceof ApiError ? err.code : 'network'));
      }).finally(() => {
        busy = false;
        b.disabled = false;
      });
    });
    return b;
  };

  const handOver = async (): Promise<void> => {
    if (!await confirmHandover()) return;
    const ho = await booking.handover(appointmentId);
    csrf = ho.csrf_token;
    // The server has ended the staff call; this also drops what the page kept of it.
    await logout().catch(() => undefined);
    // The staff call is gone: no staff navigation on the kiosk from now on.
    document.querySelector('.staff-bar')?.remove();
    window.history.replaceState(null, '', KIOSK_PATH);
    setRole('citizen');
    view.focusRoleControl();
    view.setAwaited(awaitedOf(ho.ticket, start.citizenName));
    await call.reauthenticate('citizen', ho.ticket.token, () => tokenFor('citizen')).catch(() => undefined);
  };

  const recall = async (): Promise<void> => {
    if (!await recallOperatorDialog()) return;
    let ticket: DayTicket;
    try {
      ticket = await booking.openMeeting(appointmentId);
    } catch (err) {
      // Not the operator of this meeting: leave no staff call behind on the kiosk.
      await logout().catch(() => undefined);
      throw err;
    }
    setRole('operator');
    view.focusRoleControl();
    view.setAwaited(awaitedOf(ticket, start.citizenName));
    await call.reauthenticate('operator', ticket.token, () => tokenFor('operator')).catch(() => undefined);
  };

  const close = async (): Promise<void> => {
    const result = await closeMeetingDialog(appointmentId);
    if (!result) return;
    // `meeting_ended` may have arrived first and shown the page already: fill in the outcome.
    if (result !== 'already_closed') outcomeLine.textContent = `Esito registrato: ${OUTCOME_LABEL[result.outcome]}.`;
    call.end();
  };

  const setRole = (next: Role): void => {
    role = next;
    sidePanels(next);
    const kiosk = next === 'citizen';
    view.setKiosk(kiosk);
    view.setTitle(kiosk ? 'Videochiamata con l’INPS' : h('span', {}, 'Videochiamata ', h('span', { class: 'room-name' }, `«${start.title}»`)));
    const report = (): HTMLButtonElement => button('btn-report-problem', 'Segnala un problema', async () => {
      await reportProblemDialog(appointmentId);
    }, true);
    if (next === 'operator') view.setExtraControls(button('btn-handover', 'Passa al cittadino', handOver), report());
    else if (next === 'citizen') view.setExtraControls(button('btn-recall', 'Richiama operatore', recall, true));
    else if (next === 'official') view.setExtraControls(button('btn-close-meeting', 'Chiudi la videochiamata', close), report());
    else view.setExtraControls();
  };

  run();
  return {
    leaveNow: () => {
      call.leaveNow();
      setCurrentCall(null);
    },
  };
}
