// Calls to the booking API (`/v1/booking/...`).

import { requestJson, setCsrfToken, uploadFile } from '../api';
import type { CitizenSession, CloseRequest, DayTicket, HandoverTicket, MeetingClosed } from '../meetingDay/wire';
import type { FeedbackRequest } from '../generated/FeedbackRequest';
import type { ReportCreated } from '../generated/ReportCreated';
import type { ReportPage } from '../generated/ReportPage';
import type { ReportRequest } from '../generated/ReportRequest';
import type {
  Appointment, AppointmentRequest, CaseFile, FollowUp, CitizenRequest, DocumentEntry, PrintEntry, Comune, Hold, HoldRequest, Holidays, MeetingTicket, PrivacyNotice, Proposals, SedeDetail,
  Service, Slots,
} from './types';

const enc = encodeURIComponent;

export async function services(): Promise<Service[]> {
  return (await requestJson<Service[]>('/v1/booking/services')).body;
}

export async function proposals(istat: string, service: string): Promise<Proposals> {
  return (await requestJson<Proposals>(`/v1/booking/comuni/${enc(istat)}/proposals?service=${enc(service)}`)).body;
}

/** Free slots of a sportello, days `from`..`to` inclusive (at most 31 days). */
export async function freeSlots(sportelloId: string, from: string, to: string): Promise<Slots> {
  return (await requestJson<Slots>(`/v1/booking/sportelli/${enc(sportelloId)}/slots?from=${from}&to=${to}`)).body;
}

/** A held slot and the local time (ms) when the hold lapses, corrected for clock skew. */
export interface PlacedHold {
  hold: Hold;
  expiresAtLocal: number;
}

export async function placeHold(req: HoldRequest): Promise<PlacedHold> {
  const sent = Date.now();
  const ans = await requestJson<Hold>('/v1/booking/holds', { method: 'POST', body: req });
  // The time left is counted on the server's own clock (with `--demo-clock` it may be years away
  // from this computer's and from the HTTP Date header): expires_at − server_now, from the moment
  // the request left, so the countdown never promises more time than there is.
  const left = Date.parse(ans.body.expires_at) - Date.parse(ans.body.server_now);
  return { hold: ans.body, expiresAtLocal: sent + left };
}

/** Releases a hold; the request outlives the page when it is being closed. */
export async function releaseHold(id: string): Promise<void> {
  await requestJson<null>(`/v1/booking/holds/${enc(id)}`, { method: 'DELETE', keepalive: true });
}

/** "Prenota": the same `idempotencyKey` on a retry returns the same appointment. */
export async function confirmHold(id: string, idempotencyKey: string, req: CitizenRequest): Promise<Appointment> {
  return (await requestJson<Appointment>(`/v1/booking/holds/${enc(id)}/confirm`, {
    method: 'POST', body: req, headers: { 'idempotency-key': idempotencyKey },
  })).body;
}

/** Booked appointments of a comune, days `from`..`to` inclusive (at most 31 days). */
export async function comuneRange(istat: string, from: string, to: string): Promise<Appointment[]> {
  return (await requestJson<Appointment[]>(`/v1/booking/comuni/${enc(istat)}/appointments?from=${from}&to=${to}`)).body;
}

/** Booked of a comune on one day (YYYY-MM-DD). */
export async function comuneDay(istat: string, day: string): Promise<Appointment[]> {
  return (await requestJson<Appointment[]>(`/v1/booking/comuni/${enc(istat)}/appointments?date=${day}`)).body;
}

/** Appointments of a comune (booked or cancelled) by booking code or start of the family name. */
export async function searchAppointments(istat: string, q: string): Promise<Appointment[]> {
  return (await requestJson<Appointment[]>(`/v1/booking/comuni/${enc(istat)}/appointments?q=${enc(q)}`)).body;
}

/** One appointment. */
export async function appointment(id: string): Promise<Appointment> {
  return (await requestJson<Appointment>(`/v1/booking/appointments/${enc(id)}`)).body;
}

/** An appointment with the citizen's request, to reprint its form (personal data, never cached). */
export async function appointmentRequest(id: string): Promise<AppointmentRequest> {
  return (await requestJson<AppointmentRequest>(`/v1/booking/appointments/${enc(id)}/request`)).body;
}

/** Cancels an appointment with the operator's reason. */
export async function cancelAppointment(id: string, reason: string): Promise<Appointment> {
  return (await requestJson<Appointment>(`/v1/booking/appointments/${enc(id)}/cancel`, { method: 'POST', body: { reason } })).body;
}

/** Moves an appointment into the slot of a live hold (the hold is used up). */
export async function moveIntoHold(id: string, holdId: string): Promise<Appointment> {
  return (await requestJson<Appointment>(`/v1/booking/appointments/${enc(id)}/reschedule`, { method: 'POST', body: { hold_id: holdId } })).body;
}

/** Comuni whose name starts with `prefix` (at most 20). */
export async function searchComuni(prefix: string): Promise<Comune[]> {
  return (await requestJson<Comune[]>(`/v1/booking/comuni?q=${enc(prefix)}`)).body;
}

/** Sedi and Poli with competence, sportelli, opening hours and closures (INPS staff). */
export async function sedi(): Promise<SedeDetail[]> {
  return (await requestJson<SedeDetail[]>('/v1/booking/sedi')).body;
}

/** Public holidays of a year (with `sede`, also its city's patron day). */
export async function holidays(year: number, sede?: string): Promise<Holidays> {
  const q = sede ? `&sede=${enc(sede)}` : '';
  return (await requestJson<Holidays>(`/v1/booking/holidays?year=${year}${q}`)).body;
}

/** The GDPR notice printed on the request form, as configured by the administrator. */
export async function privacyNotice(): Promise<PrivacyNotice> {
  return (await requestJson<PrivacyNotice>('/v1/booking/privacy-notice')).body;
}

/** The agenda of a sportello, days `from`..`to` inclusive (at most 31 days). */
export async function agenda(sportelloId: string, from: string, to: string): Promise<Appointment[]> {
  return (await requestJson<Appointment[]>(`/v1/booking/sportelli/${enc(sportelloId)}/agenda?from=${from}&to=${to}`)).body;
}

export function icsUrl(appointmentId: string): string {
  return `/v1/booking/appointments/${enc(appointmentId)}/ics`;
}

/** "Apri la videochiamata" (operator of the comune): opens the appointment's meeting, returns a join token. */
export async function openMeeting(appointmentId: string): Promise<MeetingTicket> {
  return (await requestJson<MeetingTicket>(`/v1/booking/appointments/${enc(appointmentId)}/meeting`, { method: 'POST', body: {} })).body;
}

/** "Entra nella videochiamata" (official of the sportello): a join token for the meeting the operator opened. */
export async function joinMeeting(appointmentId: string): Promise<MeetingTicket> {
  return (await requestJson<MeetingTicket>(`/v1/booking/appointments/${enc(appointmentId)}/meeting/join`, { method: 'POST', body: {} })).body;
}

/** The case of an appointment for the official of its sportello (personal data: never cached). */
export async function caseFile(appointmentId: string): Promise<CaseFile> {
  return (await requestJson<CaseFile>(`/v1/booking/appointments/${enc(appointmentId)}/case`)).body;
}

/** The documents of a meeting (its operator while it is open, its officials). */
export async function documents(appointmentId: string): Promise<DocumentEntry[]> {
  return (await requestJson<DocumentEntry[]>(`/v1/booking/appointments/${enc(appointmentId)}/documents`)).body;
}

/** Where the official downloads a document. */
export function documentUrl(appointmentId: string, documentId: string): string {
  return `/v1/booking/appointments/${enc(appointmentId)}/documents/${enc(documentId)}`;
}

/** Uploads a document for INPS (the meeting's operator); `progress` gets the share sent. */
export function uploadDocument(appointmentId: string, file: File, progress: (sent: number) => void): Promise<DocumentEntry> {
  const path = `/v1/booking/appointments/${enc(appointmentId)}/documents?name=${enc(file.name)}`;
  return uploadFile<DocumentEntry>(path, file, progress);
}

/** "Attesta conforme all’originale" (the meeting's operator). */
export async function attestDocument(appointmentId: string, documentId: string): Promise<DocumentEntry> {
  return (await requestJson<DocumentEntry>(`${documentUrl(appointmentId, documentId)}/attest`, { method: 'POST', body: {} })).body;
}

/** The event stream that tells the waiting official when the operator opens the meeting. */
export function meetingOpeningUrl(appointmentId: string): string {
  return `/v1/booking/appointments/${enc(appointmentId)}/meeting/opening`;
}

/**
 * "Passa al cittadino" (operator of the comune): the server logs the operator out and gives the
 * kiosk a citizen session bound to this meeting, with a citizen ticket for `reauthenticate`.
 */
export async function handover(appointmentId: string): Promise<HandoverTicket> {
  const ticket = (await requestJson<HandoverTicket>(`/v1/booking/appointments/${enc(appointmentId)}/meeting/handover`, { method: 'POST', body: {} })).body;
  // The server ended the staff session: its CSRF token is dead too (the citizen has its own).
  setCsrfToken(null);
  return ticket;
}

/** "Chiudi la videochiamata" (official of the sportello): records the outcome; everyone gets `meeting_ended`. */
export async function closeMeeting(appointmentId: string, req: CloseRequest): Promise<MeetingClosed> {
  return (await requestJson<MeetingClosed>(`/v1/booking/appointments/${enc(appointmentId)}/meeting/close`, { method: 'POST', body: req })).body;
}

/** The kiosk's citizen session (cookie `sportello_citizen`); 401 `unauthenticated` without one. */
export async function citizenSession(): Promise<CitizenSession> {
  return (await requestJson<CitizenSession>('/v1/citizen/session')).body;
}

/** A fresh citizen join token for the session's meeting (every reconnect of the kiosk). */
/** The kiosk's documents to print (citizen session). */
export async function citizenPrints(): Promise<PrintEntry[]> {
  return (await requestJson<PrintEntry[]>('/v1/citizen/prints')).body;
}

/** Where the kiosk shows a document to print. */
export function citizenPrintUrl(printId: string): string {
  return `/v1/citizen/prints/${enc(printId)}`;
}

/** The kiosk printed or dismissed a document: the server drops it. */
export async function citizenPrintDone(printId: string, csrfToken: string): Promise<void> {
  await requestJson<unknown>(`${citizenPrintUrl(printId)}/done`, { method: 'POST', body: {}, headers: { 'x-csrf-token': csrfToken } });
}

/** The official sends a PDF to be printed at the kiosk. */
export function sendToPrint(appointmentId: string, file: File, progress: (sent: number) => void): Promise<PrintEntry> {
  const path = `/v1/booking/appointments/${enc(appointmentId)}/prints?name=${enc(file.name)}`;
  return uploadFile<PrintEntry>(path, file, progress);
}

export async function citizenToken(csrfToken: string): Promise<DayTicket> {
  return (await requestJson<DayTicket>('/v1/citizen/meeting/token', {
    method: 'POST', body: {}, headers: { 'x-csrf-token': csrfToken },
  })).body;
}

/** The kiosk's feedback after the close (citizen session, in its grace): the session can do nothing more. */
export async function giveFeedback(csrfToken: string, req: FeedbackRequest): Promise<void> {
  await requestJson<null>('/v1/citizen/feedback', { method: 'POST', body: req, headers: { 'x-csrf-token': csrfToken } });
}

/** "Salta" / "esci": the kiosk's citizen session ends. */
export async function endCitizenSession(csrfToken: string): Promise<void> {
  await requestJson<null>('/v1/citizen/session', { method: 'DELETE', headers: { 'x-csrf-token': csrfToken } });
}

/** "Segnala un problema" (the meeting's operator or official), also after the close. */
export async function reportProblem(appointmentId: string, req: ReportRequest): Promise<ReportCreated> {
  return (await requestJson<ReportCreated>(`/v1/booking/appointments/${enc(appointmentId)}/reports`, { method: 'POST', body: req })).body;
}

/** The follow-ups "Da richiamare" of a comune (its operators; personal data, never cached). */
export async function followUps(istat: string): Promise<FollowUp[]> {
  return (await requestJson<FollowUp[]>(`/v1/booking/comuni/${enc(istat)}/follow-ups`)).body;
}

/** A page of the problem reports the caller (a referente, the INPS administrator) may read. */
export async function monitoringReports(page: number, limit: number): Promise<ReportPage> {
  return (await requestJson<ReportPage>(`/v1/monitoring/reports?page=${page}&limit=${limit}`)).body;
}
