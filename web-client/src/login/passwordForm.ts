// "Nome utente" + "Password" + "Accedi": login with a password (`POST /v1/login`).

import { ApiError } from '../api';
import type { Principal } from '../booking/types';
import { loginErrorText } from '../messages';
import { h } from '../widgets/dom';
import { checkField, textField } from '../widgets/form';
import { passwordLogin } from './staffSession';

/** A checkbox "Mostra la password" that switches `input` between hidden and readable. */
export function showPasswordToggle(id: string, input: HTMLInputElement): HTMLElement {
  const toggle = checkField(id, 'Mostra la password');
  toggle.input.addEventListener('change', () => {
    input.type = toggle.input.checked ? 'text' : 'password';
  });
  return toggle.wrap;
}

/** The password form; `done` runs with the principal once the server opened the session. */
export function passwordForm(done: (p: Principal) => void): HTMLFormElement {
  const account = textField('login-account', 'Nome utente', { autocomplete: 'username', maxlength: 64 });
  account.input.setAttribute('autocapitalize', 'none');
  const password = textField('login-password', 'Password', { type: 'password', autocomplete: 'current-password' });
  const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'password-login-error', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg btn-wide' }, 'Accedi');
  const form = h('form', { class: 'sp-form', novalidate: true, id: 'password-login' },
    account.wrap, password.wrap, showPasswordToggle('login-show-password', password.input), error, submit);

  const showError = (text: string): void => {
    error.textContent = text;
    error.hidden = false;
    error.focus();
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.hidden = true;
    // Account ids are lower case: forgive a capital typed by habit (or by a tablet's keyboard).
    const name = account.input.value.trim().toLowerCase();
    account.input.value = name;
    account.setError(name ? null : 'Scriva il suo nome utente.');
    password.setError(password.input.value ? null : 'Scriva la sua password.');
    if (!name) { account.input.focus(); return; }
    if (!password.input.value) { password.input.focus(); return; }
    submit.disabled = true;
    passwordLogin({ account: name, password: password.input.value }).then(done, (err: unknown) => {
      submit.disabled = false;
      const code = err instanceof ApiError ? err.code : 'network';
      if (code === 'bad_credentials') password.input.value = '';
      showError(loginErrorText(code, err instanceof ApiError ? err.retryAfter : null));
    });
  });
  return form;
}
