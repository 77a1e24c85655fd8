// The kiosk's pages outside a call: the end of the videochiamata and the idle workstation. Each
// says what happens next, for the citizen and for the operator, and gives the operator the way
// back to today's appointments (a login first when the kiosk has no staff session).

import { h } from '../widgets/dom';

/** The operator's way back: today's appointments ("/operatore" asks for the login first). */
function operatorWayBack(): HTMLElement {
  return h('p', { class: 'kiosk-way-back' },
    h('a', { class: 'btn btn-outline-primary btn-lg', href: '/operatore' }, 'Operatore: accedi agli appuntamenti di oggi'));
}

/** A kiosk page: its title, what happens next, the operator's way back. */
export function kioskPage(id: string, title: string, ...lines: string[]): HTMLElement {
  return h('div', { class: 'ended-page kiosk-page', id },
    h('h1', { tabindex: '-1', class: 'ended-title' }, title),
    ...lines.map((text) => h('p', { class: 'lead kiosk-next' }, text)),
    operatorWayBack());
}

/** The end of the videochiamata on the kiosk (and at the operator's desk when the official closes). */
export function kioskEndedPage(): HTMLElement {
  return kioskPage('meeting-ended', 'La videochiamata è terminata. Grazie.',
    'Il funzionario INPS ha chiuso la videochiamata. Se deve ricevere documenti o un nuovo appuntamento, l’operatore del Comune glielo dirà.',
    'Può lasciare la postazione.');
}

/** The kiosk with no videochiamata: no citizen session on this workstation. */
export function kioskIdlePage(): HTMLElement {
  return kioskPage('kiosk-message', 'Nessuna videochiamata in corso su questa postazione',
    'All’ora dell’appuntamento l’operatore del Comune apre la videochiamata e poi la passa al cittadino.');
}
