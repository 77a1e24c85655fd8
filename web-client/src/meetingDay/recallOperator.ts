// "Richiama operatore" on the kiosk: the operator signs in again with their own profile (in demo
// mode by choosing a demo operator, otherwise with account and password), without leaving the call.

import { ApiError } from '../api';
import type { DemoAccount, Principal } from '../booking/types';
import { passwordForm } from '../login/passwordForm';
import { currentPrincipal, demoAccounts, demoLogin, logout } from '../login/staffSession';
import { oidcProviders } from '../identity/api';
import type { OidcProvider } from '../identity/types';
import { popupLogin } from '../login/popupLogin';
import { bookingErrorText } from '../messages';
import { h } from '../widgets/dom';
import { openModal } from '../widgets/modal';

/** Shows the login overlay; resolves true once an operator signed in, false when cancelled. */
export function recallOperatorDialog(): Promise<boolean> {
  return new Promise((resolve) => {
    const waiting = new AbortController();
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
    ], () => { waiting.abort(); resolve(false); });
    // SPID/CIE in a popup window: the call stays as it is in this page.
    const oidcBox = h('div', { class: 'recall-oidc', id: 'recall-oidc' });
    const onlyOperator = 'Da questa postazione può tornare nella videochiamata solo l’operatore del Comune.';
    const viaPopup = (p: OidcProvider, button: HTMLButtonElement): void => {
      error.hidden = true;
      button.disabled = true;
      void popupLogin(p, waiting.signal).then(async (done) => {
        button.disabled = false;
        if (!done) {
          error.textContent = 'La finestra dell’identità digitale è stata chiusa prima dell’accesso, oppure il browser non l’ha aperta. Riprovi.';
          error.hidden = false;
          return;
        }
        const who = await currentPrincipal().catch(() => null);
        if (who?.role === 'operator') {
          modal.close();
          resolve(true);
          return;
        }
        if (who) await logout().catch(() => undefined);
        error.textContent = who ? onlyOperator : 'L’accesso con l’identità digitale non è riuscito. Riprovi.';
        error.hidden = false;
      });
    };
    oidcProviders().then((providers) => {
      if (providers.length === 0) return;
      oidcBox.replaceChildren(
        h('p', { class: 'sp-modal-text' }, 'Con l’identità digitale (si apre una finestra; la videochiamata resta qui):'),
        h('ul', { class: 'oidc-list' }, ...providers.map((p) => {
          const b = h('button', { type: 'button', class: 'btn btn-primary btn-lg btn-wide btn-oidc' }, p.label);
          b.addEventListener('click', () => { viaPopup(p, b); });
          return h('li', {}, b);
        })));
    }, () => undefined);
    form.before(oidcBox);
    cancel.addEventListener('click', () => { waiting.abort(); modal.close(); resolve(false); });
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
          alert.textContent = onlyOperator;
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
