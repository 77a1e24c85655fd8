// "Gestione degli operatori" (`/utenze`): the comune's user administrator (or the INPS
// administrator) lists the operator accounts, enables new ones, changes the days in which they
// may log in, revokes and re-enables them.

import { ApiError } from '../api';
import { italianDate } from '../booking/dates';
import * as identity from '../identity/api';
import type { NewOperator, OperatorEntry } from '../identity/types';
import { showPasswordToggle } from '../login/passwordForm';
import { identityErrorText, OPERATOR_STATUS_LABEL } from '../messages';
import { linkTo } from '../navigation';
import { h } from '../widgets/dom';
import { type Field, textField } from '../widgets/form';
import { comunePicker } from '../widgets/comunePicker';
import * as booking from '../booking/api';
import { openModal } from '../widgets/modal';
import type { PageContext } from './pages';
import { ACTIVITY_PATH } from '../monitoring/activity';
import { MONITORING_PATH } from '../monitoring/dashboard';

export const USERS_PATH = '/utenze';

/** The roles managed on this page. */
type ManagedRole = 'operator' | 'referente_comune' | 'user_admin' | 'official' | 'referente_inps' | 'referente_anci' | 'inps_admin';

const ROLE_LABEL: Record<ManagedRole, string> = {
  operator: 'Operatore dello sportello',
  referente_comune: 'Referente del Comune (monitoraggio)',
  user_admin: 'Amministratore utenze del Comune',
  official: 'Funzionario INPS',
  referente_inps: 'Referente INPS (monitoraggio per regione)',
  referente_anci: 'Referente ANCI (dati aggregati)',
  inps_admin: 'Amministratore INPS',
};

/** The roles that belong to a comune. */
const COMUNE_ROLES: readonly ManagedRole[] = ['operator', 'referente_comune', 'user_admin'];

const ACCOUNT_RE = /^[a-z0-9._-]{1,64}$/;
const PASSWORD_MIN = 12;

function codeOf(err: unknown): string {
  return err instanceof ApiError ? err.code : 'network';
}

/** "23/11/2026", or "nessun limite" for a missing date. */
function dayText(day: string | null): string {
  return day ? italianDate(day) || day : 'nessun limite';
}

/** What the dates mean, in a sentence: "dal 01/12/2026 al 31/12/2026", "senza limiti di data". */
function validityText(from: string | null, until: string | null): string {
  if (!from && !until) return 'senza limiti di data';
  if (from && until) return `dal ${italianDate(from)} al ${italianDate(until)}`;
  return from ? `dal ${italianDate(from)}, senza scadenza` : `fino al ${italianDate(until ?? '')}`;
}

/** The value of a date field: YYYY-MM-DD, '' when empty, or null when half written. */
function dateValue(f: Field): string | null {
  if (f.input.validity.badInput) return null;
  return f.input.value;
}

/** Checks a pair of date fields; returns the dates or null after marking the wrong field. */
function readDates(from: Field, until: Field): { from: string; until: string } | null {
  const a = dateValue(from);
  const b = dateValue(until);
  from.setError(a === null ? 'La data non è completa: indichi giorno, mese e anno.' : null);
  until.setError(b === null ? 'La data non è completa: indichi giorno, mese e anno.' : null);
  if (a === null) { from.input.focus(); return null; }
  if (b === null) { until.input.focus(); return null; }
  if (a && b && b < a) {
    until.setError('La data di fine non può essere prima della data di inizio.');
    until.input.focus();
    return null;
  }
  return { from: a, until: b };
}

/** Asks before revoking; resolves true on "Sì, revoca l’accesso". */
function confirmRevoke(account: string): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger btn-lg', id: 'btn-revoke-confirm' }, 'Sì, revoca l’accesso');
    const no = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Annulla');
    const modal = openModal(`Revocare l’accesso di ${account}?`, [
      h('p', { class: 'sp-modal-text' },
        'L’operatore non potrà più entrare. Se è collegato in questo momento, viene fatto uscire subito, anche da una videochiamata in corso.'),
      h('p', { class: 'sp-modal-text' }, 'Potrà ridargli l’accesso in seguito con il pulsante “Riabilita”.'),
      h('div', { class: 'sp-modal-buttons' }, yes, no),
    ], () => { resolve(false); });
    yes.addEventListener('click', () => { modal.close(); resolve(true); });
    no.addEventListener('click', () => { modal.close(); resolve(false); });
    no.focus();
  });
}

/** The person's name as checked here and by the server: 2-100 characters, a letter at least. */
function nameError(name: string): string | null {
  if (!name) return 'Scriva il nome e il cognome dell’operatore.';
  const n = Array.from(name).length;
  return n >= 2 && n <= 100 && /\p{L}/u.test(name) ? null : identityErrorText('invalid_name');
}

/** "Modifica": name and validity dates; resolves with the updated entry, or null when cancelled. */
function editOperator(op: OperatorEntry): Promise<OperatorEntry | null> {
  return new Promise((resolve) => {
    const fullName = textField('edit-name', 'Nome e cognome', { required: true, maxlength: 100, value: op.full_name ?? '', autocomplete: 'off' });
    const from = textField('edit-from', 'Valido dal', { type: 'date', required: false, value: op.valid_from ?? '', hint: 'Se lo lascia vuoto: da subito.' });
    const until = textField('edit-until', 'Valido fino al', { type: 'date', required: false, value: op.valid_until ?? '', hint: 'Se lo lascia vuoto: senza scadenza.' });
    const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'edit-error', tabindex: '-1', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-lg' }, 'Salva');
    const cancel = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Annulla');
    const form = h('form', { class: 'sp-form', novalidate: true },
      fullName.wrap, from.wrap, until.wrap, error, h('div', { class: 'sp-modal-buttons' }, save, cancel));
    const modal = openModal(`Modifica l’accesso di ${op.account}`, [
      h('p', { class: 'sp-modal-text' }, 'L’operatore può entrare solo nei giorni indicati, compresi il primo e l’ultimo.'),
      form,
    ], () => { resolve(null); });
    cancel.addEventListener('click', () => { modal.close(); resolve(null); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      error.hidden = true;
      const name = fullName.input.value.trim();
      fullName.setError(nameError(name));
      if (nameError(name)) { fullName.input.focus(); return; }
      const dates = readDates(from, until);
      if (!dates) return;
      save.disabled = true;
      identity.updateOperator(op.account, {
        valid_from: dates.from || null, valid_until: dates.until || null,
        ...(name !== (op.full_name ?? '') ? { full_name: name } : {}),
      })
        .then((entry) => { modal.close(); resolve(entry); }, (err: unknown) => {
          save.disabled = false;
          const code = codeOf(err);
          const field = code === 'bad_dates' ? until : code === 'invalid_name' ? fullName : null;
          if (field) {
            field.setError(identityErrorText(code));
            field.input.focus();
            return;
          }
          error.textContent = identityErrorText(code);
          error.hidden = false;
          error.focus();
        });
    });
    fullName.input.focus();
  });
}

interface RowActions {
  revoke(op: OperatorEntry): void;
  enable(op: OperatorEntry): void;
  edit(op: OperatorEntry): void;
  /** INPS enables an operator named by the comune (null when the page cannot). */
  pueEnable: ((op: OperatorEntry) => void) | null;
}

/** The Italian name of a state (a state unknown to this page shows as the server wrote it). */
function statusLabel(status: string): string {
  return (OPERATOR_STATUS_LABEL as Record<string, string | undefined>)[status] ?? status;
}

/** A button whose visible text is `label` and whose accessible name also says which account. */
function rowButton(label: string, account: string, cls: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: `btn ${cls}` }, label, h('span', { class: 'visually-hidden' }, ` ${account}`));
  b.addEventListener('click', onClick);
  return b;
}

function operatorTable(list: OperatorEntry[], caption: string, showComune: boolean, actions: RowActions): HTMLElement {
  if (list.length === 0) return h('p', { class: 'empty' }, 'Non ci sono ancora operatori abilitati.');
  const headers = ['Operatore', ...(showComune ? ['Comune'] : []), 'Stato', 'Valido dal', 'Valido fino al', 'Azioni'];
  // By name (accounts without one after), then by account.
  const key = (o: OperatorEntry): string => o.full_name ?? '\u{10FFFF}';
  const sorted = [...list].sort((a, b) => key(a).localeCompare(key(b), 'it') || a.account.localeCompare(b.account));
  return h('div', { class: 'table-responsive' },
    h('table', { class: 'table data-table users-table', id: 'operators' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...sorted.map((op) => h('tr', { 'data-account': op.account },
        h('th', { scope: 'row' },
          h('span', { class: 'user-name' }, op.full_name ?? 'Nome non indicato'),
          h('span', { class: 'user-account' }, h('span', { class: 'visually-hidden' }, 'nome utente: '), op.account),
          op.data_authorisation_act
            ? h('span', { class: 'user-note' }, `Autorizzato al trattamento dei dati: ${op.data_authorisation_act} del ${italianDate(op.data_authorisation_date ?? '')}`)
            : op.role === 'operator' ? h('span', { class: 'user-note' }, 'Atto di autorizzazione al trattamento dei dati non registrato') : null,
          op.role === 'operator' ? null : h('span', { class: 'user-note user-role' },
            (ROLE_LABEL as Record<string, string | undefined>)[op.role] ?? op.role,
            op.regions.length > 0 ? `: ${op.regions.join(', ')}` : ''),
          op.has_password ? null : h('span', { class: 'user-note' }, 'senza password: entra solo con l’identità digitale')),
        showComune ? h('td', {}, op.comune_name || op.comune_istat) : null,
        h('td', {}, h('span', { class: 'user-status', 'data-status': op.status }, statusLabel(op.status))),
        h('td', {}, dayText(op.valid_from)),
        h('td', {}, dayText(op.valid_until)),
        h('td', {}, h('div', { class: 'user-actions' },
          op.status === 'awaiting_enablement' && actions.pueEnable
            ? rowButton('Abilita al PUE', op.account, 'btn-primary', () => { actions.pueEnable?.(op); })
            : null,
          op.status === 'revoked'
            ? rowButton('Riabilita', op.account, 'btn-outline-primary', () => { actions.enable(op); })
            : rowButton('Revoca', op.account, 'btn-outline-danger', () => { actions.revoke(op); }),
          rowButton('Modifica', op.account, 'btn-outline-primary', () => { actions.edit(op); }))))))));
}

/**
 * The form "Abilita un nuovo operatore"; `submitted` runs on every submit (the page clears the
 * message of its previous action), `created` once the server enabled the operator.
 */
function newOperatorForm(isInps: boolean, submitted: () => void, created: (op: OperatorEntry) => void): HTMLFormElement {
  const fullName = textField('new-name', 'Nome e cognome', { required: true, maxlength: 100, autocomplete: 'off' });
  const account = textField('new-account', 'Nome utente', {
    required: true, maxlength: 64, hint: 'Solo lettere minuscole, numeri e i segni . - _ (ad esempio mario.rossi).',
  });
  account.input.setAttribute('autocapitalize', 'none');
  const password = textField('new-password', 'Password iniziale', {
    type: 'password', autocomplete: 'new-password', required: true,
    hint: `Almeno ${PASSWORD_MIN} caratteri. La comunichi all’operatore di persona.`,
  });
  const comune = isInps ? comunePicker('new-comune', 'Comune') : null;
  // An official's Sede or Polo (all its sportelli), for the INPS administrator.
  const sede = h('select', { class: 'form-select form-select-lg', id: 'new-sede', 'aria-describedby': 'new-sede-error' }, h('option', { value: '' }, 'Scelga la Sede o il Polo'));
  const sedeWrap = h('div', { class: 'sp-select', hidden: true }, h('label', { for: 'new-sede' }, 'Sede o Polo del funzionario'), sede);
  const sedeError = h('p', { class: 'form-feedback just-validate-error-label', id: 'new-sede-error', hidden: true });
  sedeWrap.append(sedeError);
  if (isInps) {
    void booking.sedi().then((list) => {
      sede.append(...list.map((s) => h('option', { value: s.id }, `${s.name} (${s.comune_name})`)));
    }, () => undefined);
  }
  const from = textField('new-from', 'Valido dal', { type: 'date', required: false, hint: 'Se lo lascia vuoto: da subito.' });
  const until = textField('new-until', 'Valido fino al', { type: 'date', required: false, hint: 'Se lo lascia vuoto: senza scadenza.' });
  const roles = (Object.keys(ROLE_LABEL) as ManagedRole[]).filter((r) => isInps || r === 'operator' || r === 'referente_comune');
  const role = h('select', { class: 'form-select form-select-lg', id: 'new-role' }, ...roles.map((r) => h('option', { value: r }, ROLE_LABEL[r])));
  const regions = isInps
    ? textField('new-regions', 'Regioni', { required: false, maxlength: 400, hint: 'Per un referente INPS: le regioni separate da virgole (ad esempio Sardegna, Abruzzo), oppure * per tutta Italia.' })
    : null;
  const roleChanged = (): void => {
    const r = role.value as ManagedRole;
    if (comune) comune.wrap.hidden = !COMUNE_ROLES.includes(r);
    sedeWrap.hidden = r !== 'official';
    if (regions) regions.wrap.hidden = r !== 'referente_inps';
    authBox.hidden = r !== 'operator';
  };
  role.addEventListener('change', roleChanged);
  const authDate = textField('new-auth-date', 'Data dell’atto di autorizzazione al trattamento dei dati', {
    type: 'date', required: false, hint: 'L’atto con cui il Comune autorizza l’operatore a trattare i dati personali per conto dell’INPS.',
  });
  const authAct = textField('new-auth-act', 'Estremi dell’atto', { required: false, maxlength: 200, hint: 'Ad esempio: Decreto sindacale n. 12/2026.' });
  const authBox = h('fieldset', { class: 'auth-fields' },
    h('legend', {}, 'Autorizzazione al trattamento dei dati'),
    h('div', { class: 'field-row' }, authDate.wrap, authAct.wrap));
  const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'new-error', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg' }, 'Abilita l’operatore');
  const form = h('form', { class: 'sp-form new-operator', novalidate: true, id: 'new-operator' },
    h('div', { class: 'sp-select' }, h('label', { for: 'new-role' }, 'Ruolo'), role),
    fullName.wrap, account.wrap, password.wrap, showPasswordToggle('new-show-password', password.input),
    comune?.wrap ?? null, isInps ? sedeWrap : null, regions?.wrap ?? null,
    h('div', { class: 'field-row' }, from.wrap, until.wrap),
    authBox,
    error, submit);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submitted();
    const person = fullName.input.value.trim();
    const name = account.input.value.trim().toLowerCase();
    account.input.value = name;
    fullName.setError(nameError(person));
    const pw = password.input.value;
    const istat = comune?.istat() ?? '';
    const chosen = role.value as ManagedRole;
    const needsComune = comune !== null && !comune.wrap.hidden;
    const regionList = (regions?.input.value ?? '').split(',').map((r) => r.trim()).filter((r) => r !== '');
    account.setError(!name ? 'Scriva il nome utente del nuovo operatore.' : ACCOUNT_RE.test(name) ? null : identityErrorText('bad_account_id'));
    password.setError(Array.from(pw).length >= PASSWORD_MIN ? null : identityErrorText('weak_password'));
    comune?.setError(!needsComune || istat ? null : 'Scriva il nome del comune e lo scelga nell’elenco.');
    regions?.setError(chosen !== 'referente_inps' || regionList.length > 0 ? null : identityErrorText('bad_regions'));
    const firstBad = [fullName, account, password, ...(comune ? [comune.field] : []), ...(regions ? [regions] : [])]
      .find((f) => f.input.getAttribute('aria-invalid') === 'true');
    if (firstBad) { firstBad.input.focus(); return; }
    const noSede = chosen === 'official' && !sede.value;
    sedeError.textContent = noSede ? 'Scelga la Sede o il Polo del funzionario.' : '';
    sedeError.hidden = !noSede;
    if (noSede) { sede.setAttribute('aria-invalid', 'true'); sede.focus(); return; }
    sede.removeAttribute('aria-invalid');
    const dates = readDates(from, until);
    if (!dates) return;
    const req: NewOperator = {
      account: name, password: pw, full_name: person,
      ...(dates.from ? { valid_from: dates.from } : {}),
      ...(dates.until ? { valid_until: dates.until } : {}),
      ...(needsComune ? { comune_istat: istat } : {}),
      role: chosen,
      ...(chosen === 'referente_inps' ? { regions: regionList } : {}),
      ...(chosen === 'official' ? { sede_id: sede.value } : {}),
      ...(chosen === 'operator' && (authDate.input.value || authAct.input.value.trim())
        ? { data_authorisation_date: authDate.input.value, data_authorisation_act: authAct.input.value.trim() } : {}),
    };
    submit.disabled = true;
    identity.createOperator(req).then((op) => {
      submit.disabled = false;
      form.reset();
      comune?.reset();
      roleChanged();
      password.input.type = 'password';
      created(op);
    }, (err: unknown) => {
      submit.disabled = false;
      const code = codeOf(err);
      const field = code === 'invalid_name' ? fullName
        : code === 'bad_account_id' || code === 'account_exists' ? account
        : code === 'weak_password' ? password
          : code === 'bad_dates' ? until
            : code === 'unknown_comune' ? comune?.field ?? null
              : code === 'bad_regions' ? regions
                : code === 'bad_authorisation' ? authAct : null;
      if (field) {
        field.setError(identityErrorText(code));
        field.input.focus();
        return;
      }
      error.textContent = identityErrorText(code);
      error.hidden = false;
      error.focus();
    });
  });
  return form;
}

export async function renderUserAdmin(ctx: PageContext): Promise<void> {
  const isInps = ctx.principal.role === 'inps_admin';
  const comuneName = ctx.principal.comune_name ?? ctx.principal.comune_istat ?? '';
  const caption = isInps ? 'Operatori dei Comuni' : `Operatori del Comune di ${comuneName}`;
  const notice = h('div', { class: 'alert alert-success', role: 'status', id: 'users-notice', tabindex: '-1', hidden: true });
  const problem = h('div', { class: 'alert alert-danger', role: 'alert', id: 'users-error', tabindex: '-1', hidden: true });
  const listBox = h('div', {});

  const say = (text: string): void => {
    problem.hidden = true;
    notice.textContent = text;
    notice.hidden = false;
    notice.focus();
  };
  const fail = (err: unknown): void => {
    notice.hidden = true;
    problem.textContent = identityErrorText(codeOf(err));
    problem.hidden = false;
    problem.focus();
  };

  let busy = false;
  /** Runs one action at a time; then reloads the list and says what happened. */
  const act = (work: () => Promise<((list: OperatorEntry[]) => string) | null>): void => {
    if (busy) return;
    busy = true;
    clearMessages();
    work().then(async (message) => {
      if (message === null) return;
      say(message(await refresh()));
    }).catch(fail).finally(() => { busy = false; });
  };

  const stillBlocked = (op: OperatorEntry): string => op.status === 'expired'
    ? ' Attenzione: il periodo di validità è finito, quindi non può ancora entrare. Usi “Modifica validità”.'
    : op.status === 'not_yet_valid' ? ` Potrà entrare dal ${italianDate(op.valid_from ?? '')}.` : '';

  const actions: RowActions = {
    revoke: (op) => { act(async () => {
      if (!await confirmRevoke(op.account)) return null;
      await identity.revokeOperator(op.account);
      return () => `L’accesso di ${op.account} è stato revocato.`;
    }); },
    enable: (op) => { act(async () => {
      await identity.enableOperator(op.account);
      return (list) => {
        const entry = list.find((o) => o.account === op.account);
        return `L’accesso di ${op.account} è stato riabilitato.${entry ? stillBlocked(entry) : ''}`;
      };
    }); },
    edit: (op) => { act(async () => {
      const entry = await editOperator(op);
      if (!entry) return null;
      return () => `Accesso di ${op.account} aggiornato: ${validityText(entry.valid_from, entry.valid_until)}.${stillBlocked(entry)}`;
    }); },
    pueEnable: isInps ? (op) => { act(async () => {
      await identity.enableForPue(op.account);
      return () => `${op.full_name ?? op.account} è abilitato al Punto Utente Evoluto: da ora può entrare.`;
    }); } : null,
  };

  const refresh = async (): Promise<OperatorEntry[]> => {
    const list = await identity.listOperators();
    listBox.replaceChildren(operatorTable(list, caption, isInps, actions));
    return list;
  };
  await refresh();

  // A new attempt: the message of the previous action no longer applies.
  const clearMessages = (): void => {
    notice.hidden = true;
    problem.hidden = true;
  };
  const form = newOperatorForm(isInps, clearMessages, (op) => {
    void refresh().then(() => {
      say(op.status === 'awaiting_enablement'
        ? `L’operatore ${op.full_name ?? op.account} (nome utente ${op.account}) è stato registrato. Potrà entrare dopo l’abilitazione da parte dell’INPS; intanto gli comunichi il nome utente e la password iniziale.`
        : `L’operatore ${op.full_name ?? op.account} (nome utente ${op.account}) è stato abilitato (${validityText(op.valid_from, op.valid_until)}). Gli comunichi il nome utente e la password iniziale.`);
    }, fail);
  });

  ctx.root.replaceChildren(
    h('div', { class: 'users' },
      isInps ? h('p', { class: 'back-link' }, linkTo(h('a', { href: '/admin' }, 'Torna all’amministrazione INPS'))) : null,
      h('h1', { tabindex: '-1' }, 'Gestione degli operatori'),
      h('p', { class: 'lead' }, isInps ? 'Operatori di tutti i Comuni con il Punto Utente Evoluto.' : `Comune di ${comuneName}`),
      h('p', {}, 'Qui può abilitare gli operatori allo sportello e i referenti del monitoraggio, decidere in quali giorni possono entrare e revocare il loro accesso.'),
      h('p', { class: 'admin-links' },
        linkTo(h('a', { class: 'btn btn-outline-primary', href: ACTIVITY_PATH }, 'Attività degli operatori')), ' ',
        linkTo(h('a', { class: 'btn btn-outline-primary', href: MONITORING_PATH }, 'Monitoraggio del servizio'))),
      h('section', { class: 'mt-4', 'aria-labelledby': 'users-list-title' },
        h('h2', { id: 'users-list-title' }, 'Operatori abilitati'),
        notice, problem, listBox),
      h('section', { class: 'mt-5', 'aria-labelledby': 'users-new-title' },
        h('h2', { id: 'users-new-title' }, 'Abilita un nuovo operatore'),
        form)));
}
