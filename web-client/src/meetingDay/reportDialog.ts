// "Segnala un problema" (the meeting's operator or official, during the call or after the close):
// the kind of problem and a short text, sent to the referenti.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import type { ReportKind } from '../generated/ReportKind';
import { meetingErrorText, REPORT_KIND_LABEL } from '../messages';
import { h } from '../widgets/dom';
import { openModal } from '../widgets/modal';

const TEXT_MAX = 1000;

/** Opens the dialog; resolves true once a report was sent, false when cancelled. */
export function reportProblemDialog(appointmentId: string): Promise<boolean> {
  return new Promise((resolve) => {
    const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'report-error', hidden: true });
    const kinds = Object.entries(REPORT_KIND_LABEL) as [ReportKind, string][];
    const radios = h('fieldset', { class: 'choice-list report-kinds' },
      h('legend', {}, 'Che tipo di problema?'),
      ...kinds.map(([value, label]) => {
        const id = `report-kind-${value}`;
        return h('div', { class: 'form-check choice' },
          h('input', { class: 'form-check-input', type: 'radio', name: 'report-kind', id, value }),
          h('label', { class: 'form-check-label', for: id }, label));
      }));
    const text = h('textarea', { class: 'form-control', id: 'report-text', maxlength: String(TEXT_MAX), rows: '2' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg', id: 'btn-report-send' }, 'Invia la segnalazione');
    const cancel = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Annulla');
    const form = h('form', { class: 'sp-form', novalidate: true },
      radios,
      h('div', { class: 'field' },
        h('label', { for: 'report-text' }, 'Che cosa è successo? ', h('span', { class: 'optional' }, '(facoltativo, al massimo 1000 caratteri)')),
        text),
      error,
      h('div', { class: 'sp-modal-buttons' }, submit, cancel));
    const modal = openModal('Segnala un problema', [
      h('p', { class: 'sp-modal-text' }, 'La segnalazione arriva ai referenti del servizio. Non scriva dati personali del cittadino.'),
      form,
    ], () => { resolve(false); });
    cancel.addEventListener('click', () => { modal.close(); resolve(false); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>('input[name="report-kind"]:checked');
      if (!chosen) {
        error.textContent = meetingErrorText('bad_report_kind');
        error.hidden = false;
        form.querySelector<HTMLInputElement>('input[name="report-kind"]')?.focus();
        return;
      }
      error.hidden = true;
      submit.disabled = true;
      const body = text.value.trim();
      booking.reportProblem(appointmentId, { kind: chosen.value, ...(body ? { text: body } : {}) })
        .then(() => {
          // Said in the dialog, then the dialog goes when the person closes it.
          const ok = h('button', { type: 'button', class: 'btn btn-primary btn-lg', id: 'btn-report-done' }, 'Chiudi');
          ok.addEventListener('click', () => { modal.close(); resolve(true); });
          form.replaceChildren(
            h('p', { class: 'alert alert-success', role: 'status', id: 'report-sent' }, 'Segnalazione inviata. Grazie.'),
            h('div', { class: 'sp-modal-buttons' }, ok));
          ok.focus();
        }, (err: unknown) => {
          submit.disabled = false;
          error.textContent = meetingErrorText(err instanceof ApiError ? err.code : 'network');
          error.hidden = false;
        });
    });
    form.querySelector<HTMLInputElement>('input[name="report-kind"]')?.focus();
  });
}

/** The "Segnala un problema" button of a staff page (quiet: not the page's main action). */
export function reportProblemButton(appointmentId: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg btn-report', id: 'btn-report-problem' }, 'Segnala un problema');
  b.addEventListener('click', () => { void reportProblemDialog(appointmentId); });
  return b;
}
