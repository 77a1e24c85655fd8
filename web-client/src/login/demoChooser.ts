// Demo mode: log in by choosing one of the demo accounts, without a password.

import { ApiError } from '../api';
import type { DemoAccount, Principal } from '../booking/types';
import { loginErrorText } from '../messages';
import { h } from '../widgets/dom';
import { demoLogin } from './staffSession';

/** The roles that have pages here, grouped as the chooser shows them. */
const GROUPS: { legend: string; roles: DemoAccount['role'][] }[] = [
  { legend: 'Comuni', roles: ['operator', 'user_admin'] },
  { legend: 'INPS', roles: ['official', 'inps_admin'] },
  { legend: 'Monitoraggio', roles: ['referente_comune', 'referente_inps', 'referente_anci'] },
];

/** The chooser form; `done` runs with the principal once the server opened the session. */
export function demoChooser(accounts: DemoAccount[], done: (p: Principal) => void): HTMLFormElement {
  const error = h('div', { class: 'alert alert-danger mt-4', role: 'alert', id: 'login-error', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg btn-wide' }, 'Accedi con il profilo scelto');
  const form = h('form', { class: 'sp-form', novalidate: true, 'aria-describedby': 'demo-help' },
    ...GROUPS.map((g) => {
      const list = accounts.filter((a) => g.roles.includes(a.role));
      if (list.length === 0) return null;
      return h('fieldset', { class: 'choice-list mb-4' },
        h('legend', {}, g.legend),
        ...list.map((a) => {
          const id = `account-${a.account.replace(/[^a-z0-9]/gi, '-')}`;
          return h('div', { class: 'form-check choice' },
            h('input', { class: 'form-check-input', type: 'radio', name: 'account', id, value: a.account }),
            h('label', { class: 'form-check-label', for: id }, a.label));
        }));
    }),
    submit,
    error);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>('input[name="account"]:checked');
    if (!chosen) {
      error.textContent = 'Scelga un profilo, poi prema “Accedi con il profilo scelto”.';
      error.hidden = false;
      form.querySelector<HTMLInputElement>('input[name="account"]')?.focus();
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    demoLogin(chosen.value).then(done, (err: unknown) => {
      submit.disabled = false;
      error.textContent = loginErrorText(err instanceof ApiError ? err.code : 'network', err instanceof ApiError ? err.retryAfter : null);
      error.hidden = false;
      error.focus();
    });
  });
  return form;
}
