// "Chiudi la videochiamata" (official): choose the outcome, optional notes, then close for everyone.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import type { MeetingClosed, Outcome } from '../meetingDay/wire';
import { meetingErrorText, OUTCOME_LABEL } from '../messages';
import { h } from '../widgets/dom';
import { openModal } from '../widgets/modal';

const NOTES_MAX = 2000;

/**
 * Shows the close dialog; resolves with the server's answer, `'already_closed'` when the
 * meeting was closed meanwhile (e.g. from another window), or null when cancelled.
 */
export function closeMeetingDialog(appointmentId: string): Promise<MeetingClosed | 'already_closed' | null> {
  return new Promise((resolve) => {
    const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'close-error', hidden: true });
    const outcomes = Object.entries(OUTCOME_LABEL) as [Outcome, string][];
    const radios = h('fieldset', { class: 'choice-list' },
      h('legend', {}, 'Esito dell’appuntamento'),
      ...outcomes.map(([value, label]) => {
        const id = `outcome-${value}`;
        return h('div', { class: 'form-check choice' },
          h('input', { class: 'form-check-input', type: 'radio', name: 'outcome', id, value }),
          h('label', { class: 'form-check-label', for: id }, label));
      }));
    const notes = h('textarea', { class: 'form-control', id: 'close-notes', maxlength: String(NOTES_MAX), rows: '2' });
    const submit = h('button', { type: 'submit', class: 'btn btn-danger btn-lg', id: 'btn-close-confirm' }, 'Chiudi la videochiamata per tutti');
    const cancel = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Annulla');
    const form = h('form', { class: 'sp-form', novalidate: true },
      radios,
      h('div', { class: 'field' },
        h('label', { for: 'close-notes' }, 'Note ', h('span', { class: 'optional' }, '(facoltative, al massimo 2000 caratteri)')),
        notes),
      error,
      h('div', { class: 'sp-modal-buttons' }, submit, cancel));
    const modal = openModal('Chiudere la videochiamata?', [
      h('p', { class: 'sp-modal-text' }, 'La videochiamata termina per tutti i partecipanti e non si potrà riaprire.'),
      form,
    ], () => { resolve(null); });
    cancel.addEventListener('click', () => { modal.close(); resolve(null); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>('input[name="outcome"]:checked');
      if (!chosen) {
        error.textContent = meetingErrorText('bad_outcome');
        error.hidden = false;
        form.querySelector<HTMLInputElement>('input[name="outcome"]')?.focus();
        return;
      }
      error.hidden = true;
      submit.disabled = true;
      const text = notes.value.trim();
      booking.closeMeeting(appointmentId, { outcome: chosen.value, ...(text ? { notes: text } : {}) })
        .then((closed) => { modal.close(); resolve(closed); }, (err: unknown) => {
          const code = err instanceof ApiError ? err.code : 'network';
          if (code === 'meeting_closed') {
            // Already closed (by another window of the official): the meeting is over all the same.
            modal.close();
            resolve('already_closed');
            return;
          }
          submit.disabled = false;
          error.textContent = meetingErrorText(code);
          error.hidden = false;
        });
    });
    form.querySelector<HTMLInputElement>('input[name="outcome"]')?.focus();
  });
}
