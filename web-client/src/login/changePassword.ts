// "Cambia la password" (`/password`): any staff member changes their own password with the
// current one. On success every session of the account ends (this one too): the page says so and
// leads to the login.

import { ApiError, requestJson } from '../api';
import { identityErrorText, loginErrorText } from '../messages';
import { navigate } from '../navigation';
import type { PageContext } from '../staff/pages';
import { h } from '../widgets/dom';
import { textField } from '../widgets/form';
import { showPasswordToggle } from './passwordForm';

export const PASSWORD_PATH = '/password';

const MIN = 12;

export function renderChangePassword(ctx: PageContext): void {
  const current = textField('pw-current', 'Password attuale', { type: 'password', required: true, autocomplete: 'current-password' });
  const next = textField('pw-new', 'Nuova password', { type: 'password', required: true, autocomplete: 'new-password', hint: `Almeno ${MIN} caratteri, diversa da quella attuale.` });
  const again = textField('pw-again', 'Ripeta la nuova password', { type: 'password', required: true, autocomplete: 'new-password' });
  const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'pw-error', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg' }, 'Cambia la password');
  // One toggle shows (or hides) the three passwords.
  const toggle = showPasswordToggle('pw-show', next.input);
  toggle.querySelector('input')?.addEventListener('change', () => {
    for (const f of [current, again]) f.input.type = next.input.type;
  });
  const form = h('form', { class: 'sp-form', novalidate: true, id: 'change-password' },
    current.wrap, next.wrap, again.wrap, toggle, error, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const a = current.input.value;
    const b = next.input.value;
    current.setError(a ? null : 'Scriva la password che usa ora.');
    next.setError(Array.from(b).length >= MIN ? (b === a ? identityErrorText('same_password') : null) : identityErrorText('weak_password'));
    again.setError(again.input.value === b ? null : 'Le due password nuove non sono uguali.');
    const bad = [current, next, again].find((f) => f.input.getAttribute('aria-invalid') === 'true');
    if (bad) { bad.input.focus(); return; }
    submit.disabled = true;
    requestJson('/v1/session/password', { method: 'POST', body: { current_password: a, new_password: b } })
      .then(() => {
        ctx.root.replaceChildren(h('div', { class: 'password-done' },
          h('h1', { tabindex: '-1' }, 'Password cambiata'),
          h('p', { class: 'lead', role: 'status' }, 'La password è stata cambiata. Per sicurezza tutti i suoi accessi sono stati chiusi: entri di nuovo con la nuova password.'),
          h('button', { type: 'button', class: 'btn btn-primary btn-lg', id: 'pw-login' }, 'Vai all’accesso')));
        ctx.root.querySelector<HTMLButtonElement>('#pw-login')?.addEventListener('click', () => { navigate('/accesso'); });
        ctx.root.querySelector<HTMLElement>('h1')?.focus();
      }, (err: unknown) => {
        submit.disabled = false;
        const code = err instanceof ApiError ? err.code : 'network';
        if (code === 'wrong_password') { current.setError(identityErrorText(code)); current.input.focus(); return; }
        if (code === 'same_password' || code === 'weak_password') { next.setError(identityErrorText(code)); next.input.focus(); return; }
        error.textContent = code === 'too_many_attempts'
          ? loginErrorText(code, err instanceof ApiError ? err.retryAfter : null)
          : identityErrorText(code);
        error.hidden = false;
        error.focus();
      });
  });
  ctx.root.replaceChildren(h('div', { class: 'change-password' },
    h('h1', { tabindex: '-1' }, 'Cambia la password'),
    h('p', {}, 'Dopo il cambio tutti i suoi accessi vengono chiusi, anche questo: dovrà entrare di nuovo con la nuova password.'),
    form));
}
