// Login in demo mode: choose one of the demo accounts. Production will sign in through OIDC
// (SPID/CIE) in its own module; the rest of the app only needs `GET /v1/session`.

import { ApiError } from '../api';
import type { DemoAccount, Principal } from '../booking/types';
import { bookingErrorText } from '../messages';
import { h } from '../ui/dom';
import { demoAccounts, demoLogin } from './staffSession';

/** The roles that have pages here (the comune's user administrator does not, yet). */
const GROUPS: { legend: string; roles: DemoAccount['role'][] }[] = [
  { legend: 'Comuni', roles: ['operator'] },
  { legend: 'INPS', roles: ['official', 'inps_admin'] },
];

function accountLabel(a: DemoAccount): string {
  return a.label;
}

export async function renderDemoLogin(root: HTMLElement, params: URLSearchParams, done: (p: Principal) => void): Promise<void> {
  const error = h('div', { class: 'alert alert-danger mt-4', role: 'alert', id: 'login-error', hidden: true });
  const heading = h('h1', { tabindex: '-1' }, 'Accesso');
  let accounts: DemoAccount[];
  try {
    accounts = await demoAccounts();
  } catch (err) {
    root.replaceChildren(h('div', { class: 'login' }, heading,
      h('div', { class: 'alert alert-danger', role: 'alert' },
        err instanceof ApiError && err.status === 404
          ? 'Questo server non è in modalità dimostrativa: l’accesso con i profili di prova non è disponibile.'
          : bookingErrorText(err instanceof ApiError ? err.code : 'internal'))));
    return;
  }

  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg btn-wide' }, 'Accedi');
  const form = h('form', { class: 'sp-form', novalidate: true, 'aria-describedby': 'login-help' },
    ...GROUPS.map((g) => {
      const list = accounts.filter((a) => g.roles.includes(a.role));
      if (list.length === 0) return null;
      return h('fieldset', { class: 'choice-list mb-4' },
        h('legend', {}, g.legend),
        ...list.map((a) => {
          const id = `account-${a.account.replace(/[^a-z0-9]/gi, '-')}`;
          return h('div', { class: 'form-check choice' },
            h('input', { class: 'form-check-input', type: 'radio', name: 'account', id, value: a.account }),
            h('label', { class: 'form-check-label', for: id }, accountLabel(a)));
        }));
    }),
    submit,
    error);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>('input[name="account"]:checked');
    if (!chosen) {
      error.textContent = 'Scelga un profilo, poi prema “Accedi”.';
      error.hidden = false;
      form.querySelector<HTMLInputElement>('input[name="account"]')?.focus();
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    demoLogin(chosen.value).then(done, (err: unknown) => {
      submit.disabled = false;
      error.textContent = bookingErrorText(err instanceof ApiError ? err.code : 'internal');
      error.hidden = false;
    });
  });

  root.replaceChildren(
    h('div', { class: 'login' },
      heading,
      h('p', { class: 'lead mb-4', id: 'login-help' },
        'Versione dimostrativa: scelga con quale profilo entrare, poi prema “Accedi”.'),
      params.get('torna') ? h('p', { class: 'alert alert-info' }, 'Per continuare è necessario accedere.') : null,
      form));
}
