// The demo landing page: room, name, role, "Entra nella videochiamata".

import { ROLE_LABEL } from '../messages';
import type { Role } from '../generated/Role';
import { h } from '../widgets/dom';

export interface JoinRequest {
  room: string;
  name: string;
  role: Role;
}

const ROLES: Role[] = ['citizen', 'operator', 'official'];
/** Room ids the server accepts (src/http/dev_token.rs). */
const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function renderLanding(root: HTMLElement, initial: Partial<JoinRequest>, onJoin: (req: JoinRequest) => void): void {
  const room = h('input', {
    class: 'form-control form-control-lg', id: 'room', name: 'room', type: 'text', required: true,
    autocomplete: 'off', value: initial.room ?? 'demo', maxlength: '64',
  });
  const name = h('input', {
    class: 'form-control form-control-lg', id: 'display-name', name: 'name', type: 'text', required: true,
    autocomplete: 'name', value: initial.name ?? '', maxlength: '64', 'aria-describedby': 'display-name-help',
  });
  const role = h('select', { class: 'form-select form-select-lg', id: 'role', name: 'role' },
    ...ROLES.map((r) => h('option', { value: r, selected: r === (initial.role ?? 'citizen') }, ROLE_LABEL[r])));
  const error = h('div', { class: 'alert alert-danger mt-4', role: 'alert', id: 'landing-error', hidden: true });

  const form = h('form', { class: 'landing-form', novalidate: true },
    h('div', { class: 'form-group mb-5' },
      h('label', { for: 'display-name', class: 'active' }, 'Il suo nome'),
      name,
      h('small', { id: 'display-name-help', class: 'form-text' }, 'Gli altri partecipanti vedranno questo nome.')),
    h('div', { class: 'form-group mb-5' },
      h('label', { for: 'room', class: 'active' }, 'Nome della videochiamata'),
      room),
    h('div', { class: 'select-wrapper mb-5' },
      h('label', { for: 'role' }, 'Ruolo'),
      role),
    h('button', { type: 'submit', class: 'btn btn-primary btn-lg btn-join' }, 'Entra nella videochiamata'),
    error);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const req: JoinRequest = { room: room.value.trim(), name: name.value.trim(), role: role.value as Role };
    const problem = !req.name
      ? 'Scriva il suo nome per entrare.'
      : !ROOM_PATTERN.test(req.room)
        ? 'Il nome della videochiamata può contenere solo lettere senza accenti, numeri, trattino (-) e trattino basso (_).'
        : null;
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      (!req.name ? name : room).focus();
      return;
    }
    error.hidden = true;
    onJoin(req);
  });

  root.replaceChildren(
    h('div', { class: 'landing' },
      h('h1', { class: 'mb-3' }, 'Entra nella videochiamata'),
      h('p', { class: 'lead mb-5' },
        'Pagina dimostrativa: scelga un nome e un ruolo, poi prema “Entra nella videochiamata”. ',
        'Il browser chiederà di usare videocamera e microfono.'),
      form,
      h('p', { class: 'staff-link' }, h('a', { href: '/accesso' }, 'Accesso per operatori dei Comuni e funzionari INPS'))));
  if (!name.value) name.focus();
}
