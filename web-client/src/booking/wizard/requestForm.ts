// The printable request form ("Modulo di richiesta") with the GDPR notice and the authorisation
// to process the personal data, printed before "Prenota" for the citizen to sign (and reprinted
// with the booking code afterwards). Rendered here from the wizard's data, with the notice served by the server
// (`GET /v1/booking/privacy-notice`: the administrator's file or the server's built-in text, the
// one copy of it). Shown only when printing (see styles.css).

import { dayOf, formatDay, formatRange, italianDate } from '../dates';
import type { CitizenRequest, Comune, PrivacyNotice, Service } from '../types';
import { h } from '../../widgets/dom';

export interface FormContext {
  services: Service[];
  comune: Comune | null;
  operatorName: string | null;
  residenceName: string | null;
  /** The birthplace's code with its name, "H501 – Roma (RM)" (the code alone when unknown). */
  birthplace: string;
  /** The GDPR notice served by the server. */
  notice: PrivacyNotice;
}

/** The appointment on the form: an Appointment, or the held slot before "Prenota" (no code yet). */
export interface FormBooking {
  code: string | null;
  starts_at: string;
  ends_at: string;
  sede_name: string;
  sportello_name: string;
}

/** The notice's paragraphs (separated by blank lines in the text). */
function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '');
}

function row(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value || '–')];
}

function signature(label: string): HTMLElement {
  return h('div', { class: 'signature' }, h('span', { class: 'signature-line' }), h('span', {}, label));
}

export function requestForm(a: FormBooking, req: CitizenRequest, ctx: FormContext): HTMLElement {
  const p = req.applicant;
  const d = req.delegate;
  const comune = ctx.comune?.name ?? ctx.operatorName ?? '';
  return h('article', { class: 'request-form', 'aria-label': 'Modulo di richiesta da stampare' },
    h('header', {},
      h('p', { class: 'form-org' }, `INPS – Punto Utente Evoluto del Comune di ${comune}`),
      h('h2', {}, 'Modulo di richiesta di appuntamento in videochiamata')),
    h('h3', {}, 'Appuntamento'),
    h('dl', {},
      ...row('Codice di prenotazione', a.code ?? 'assegnato alla conferma della prenotazione'),
      ...row('Giorno e ora', `${formatDay(dayOf(a.starts_at))}, ${formatRange(a.starts_at, a.ends_at)}`),
      ...row('Sede', a.sede_name),
      ...row('Sportello', a.sportello_name),
      ...row('Servizi richiesti', ctx.services.map((s) => s.name).join('; '))),
    h('h3', {}, 'Richiedente'),
    h('dl', {},
      ...row('Cognome e nome', `${p.family_name} ${p.given_name}`),
      ...row('Codice fiscale', p.codice_fiscale),
      ...row('Data di nascita', italianDate(p.birth_date)),
      ...row('Luogo di nascita', ctx.birthplace),
      ...row('Comune di residenza', ctx.residenceName || `codice ISTAT ${p.residence_istat}`),
      ...row('E-mail', p.email ?? ''),
      ...row('Telefono', p.phone ?? '')),
    d ? h('h3', {}, 'Delegato') : null,
    d ? h('dl', {},
      ...row('Cognome e nome', `${d.family_name} ${d.given_name}`),
      ...row('Codice fiscale', d.codice_fiscale),
      ...row('Delega', d.digital_delegation
        ? 'Delega dell’identità digitale già registrata presso l’INPS'
        : `Atto di delega: ${d.delegation_act ?? ''}`)) : null,
    req.notes ? h('p', {}, h('strong', {}, 'Note: '), req.notes) : null,
    h('p', {}, d
      ? `Documenti da allegare: copia del documento d’identità del richiedente e del delegato${d.digital_delegation ? '' : ', atto di delega firmato'}.`
      : 'Documenti da allegare: copia del documento d’identità del richiedente.'),
    h('section', { class: 'notice-text' },
      h('h3', {}, ctx.notice.title),
      ...paragraphs(ctx.notice.text).map((t) => h('p', {}, t))),
    h('h3', {}, 'Dichiarazione e autorizzazione al trattamento dei dati personali'),
    h('p', { class: 'authorisation' },
      'Il/La sottoscritto/a dichiara di aver ricevuto e letto l’informativa sul trattamento dei dati personali qui sopra '
      + '(art. 13 Reg. UE 2016/679) e autorizza il Comune e l’INPS a trattare i propri dati personali per la gestione '
      + 'di questa richiesta e dell’appuntamento in videochiamata.'),
    h('div', { class: 'signatures' },
      signature('Luogo e data'),
      signature('Firma del richiedente'),
      d ? signature('Firma del delegato') : null,
      signature('Firma dell’operatore del Comune')));
}
