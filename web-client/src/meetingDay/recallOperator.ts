// "Richiama operatore" on the kiosk: the operator signs in again with their own profile (in demo
// mode by choosing a demo operator, otherwise with account and password), without leaving the call.

import { ApiError } from '../api';
import type { DemoAccount, Principal } from '../booking/types';
import { passwordForm } from '../login/passwordForm';
import { demoAccounts, demoLogin, logout } from '../login/staffSession';
import { bookingErrorText } from '../messages';
import { h } from '../widgets/dom';
import { openModal } from '../widgets/modal';

/** Shows the login overlay; resolves true once an operator signed in, false when cancelled. */
export function recallOperatorDialog(): Promise<boolean> {
  return new Promise((resolve) => {
    const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'recall-error', hidden: true });
    const list = h('fieldset', { class: 'choice-list' }, h('legend', {}, 'Operatore'));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg', id: 'btn-recall-login' }, 'Accedi');
    const cancel = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Annulla');
    const form = h('form', { class: 'sp-form', novalidate: true },
      h('p', { class: 'loading', id: 'recall-loading' }, 'Caricamento dei profili…'), error,
      h('div', { class: 'sp-modal-buttons' }, submit, cancel));
    const modal = openModal('Accesso dell’operatore', [
      h('p', { class: 'sp-modal-text' }, 'L’operatore del Comune accede con il suo profilo per tornare nella videochiamata.'),
      form,
    ], () => { resolve(false); });
    cancel.addEventListener('click', () => { modal.close(); resolve(false); });
    const fail = (err: unknown): void => {
      error.textContent = err instanceof ApiError && err.status === 404
        ? 'Su questo server l’accesso con i profili di prova non è disponibile.'
        : bookingErrorText(err instanceof ApiError ? err.code : 'network');
      error.hidden = false;
    };
    submit.disabled = true;
    demoAccounts().then((accounts: DemoAccount[]) => {
      form.querySelector('#recall-loading')?.remove();
      const operators = accounts.filter((a) => a.role === 'operator');
      list.append(...operators.map((a) => {
        const id = `recall-${a.account.replace(/[^a-z0-9]/gi, '-')}`;
        return h('div', { class: 'form-check choice' },
          h('input', { class: 'form-check-input', type: 'radio', name: 'account', id, value: a.account }),
          h('label', { class: 'form-check-label', for: id }, a.label));
      }));
      form.prepend(list);
      submit.disabled = false;
      list.querySelector<HTMLInputElement>('input')?.focus();
    }, (err: unknown) => {
      form.querySelector('#recall-loading')?.remove();
      if (!(err instanceof ApiError && err.status === 404)) {
        fail(err);
        return;
      }
      // Not in demo mode: the operator types account and password.
      const pwForm = passwordForm((p: Principal) => {
        if (p.role === 'operator') {
          modal.close();
          resolve(true);
          return;
        }
        void logout().catch(() => undefined);
        const alert = pwForm.querySelector<HTMLElement>('[role="alert"]');
        if (alert) {
          alert.textContent = 'Da questa postazione può tornare nella videochiamata solo l’operatore del Comune.';
          alert.hidden = false;
          alert.focus();
        }
      });
      pwForm.append(h('div', { class: 'sp-modal-buttons' }, cancel));
      form.replaceWith(pwForm);
      pwForm.querySelector<HTMLInputElement>('input')?.focus();
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>('input[name="account"]:checked');
      if (!chosen) {
        error.textContent = 'Scelga il suo profilo, poi prema “Accedi”.';
        error.hidden = false;
        list.querySelector<HTMLInputElement>('input')?.focus();
        return;
      }
      error.hidden = true;
      submit.disabled = true;
      demoLogin(chosen.value).then(() => { modal.close(); resolve(true); }, (err: unknown) => {
        submit.disabled = false;
        fail(err);
      });
    });
    cancel.focus();
  });
}
