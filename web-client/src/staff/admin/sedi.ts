// Sedi and Poli nazionali: a form to add or change one, and its competence — the comuni of a
// Sede (each comune has one competent Sede) or the services of a Polo nazionale.

import { formatDay } from '../../booking/dates';
import type { SedeDetail, Service } from '../../booking/types';
import { h } from '../../widgets/dom';
import { textField } from '../../widgets/form';
import * as api from './api';
import { comunePicker } from '../../widgets/comunePicker';
import { type Saved, button, checkboxes, disclosure, outcome, section, selectField, table } from './ui';

const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre',
  'ottobre', 'novembre', 'dicembre'];

const pad = (n: number): string => String(n).padStart(2, '0');

/** "12-06" → "6 dicembre". */
function patronDay(md: string | null): string {
  const [m, d] = (md ?? '').split('-').map(Number);
  const month = MONTHS[(m ?? 0) - 1];
  return month && d ? `${d} ${month}` : 'non indicato';
}

function sedeForm(saved: Saved): { form: HTMLElement; edit: (s: SedeDetail) => void } {
  const result = outcome('sede-outcome');
  const id = textField('sede-id', 'Codice', { hint: 'Lettere minuscole, cifre e trattini, ad esempio sede-sassari. Un codice esistente modifica quella Sede.', maxlength: 40 });
  const kind = selectField('sede-kind', 'Tipo', [{ value: 'sede', label: 'Sede territoriale' }, { value: 'polo', label: 'Polo nazionale' }]);
  const name = textField('sede-name', 'Nome', { maxlength: 100 });
  const city = comunePicker('sede-city', 'Città della Sede');
  const day = selectField('sede-patron-day', 'Santo patrono: giorno', [{ value: '', label: 'non indicato' },
    ...Array.from({ length: 31 }, (_, i) => ({ value: pad(i + 1), label: String(i + 1) }))]);
  const month = selectField('sede-patron-month', 'Santo patrono: mese', [{ value: '', label: 'non indicato' },
    ...MONTHS.map((m, i) => ({ value: pad(i + 1), label: m }))]);
  let cityIstat: string | null = null;
  const editing = h('p', { class: 'field-hint', 'aria-live': 'polite' });
  const form = h('form', { class: 'catalogue-form', novalidate: true, 'aria-labelledby': 'sede-form-title' },
    h('h3', { id: 'sede-form-title' }, 'Nuova Sede o Polo, o modifica'),
    editing, id.wrap, kind.wrap, name.wrap, city.wrap,
    h('div', { class: 'catalogue-row' }, day.wrap, month.wrap),
    button('Salva la Sede'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.clear();
    const patron = day.input.value && month.input.value ? `${month.input.value}-${day.input.value}` : null;
    api.saveSede(id.input.value.trim(), {
      kind: kind.input.value, name: name.input.value, comune_istat: city.istat() ?? cityIstat ?? '', patron_day: patron,
    }).then((s) => { saved(s.created ? `Sede ${s.id} creata.` : `Sede ${s.id} aggiornata.`, 'sedi-admin-title'); })
      .catch((err: unknown) => { result.fail(err); });
  });
  const edit = (s: SedeDetail): void => {
    id.input.value = s.id; kind.input.value = s.kind; name.input.value = s.name; cityIstat = s.comune_istat;
    const [m, d] = (s.patron_day ?? '-').split('-');
    month.input.value = m ?? ''; day.input.value = d ?? '';
    editing.textContent = `Modifica di ${s.name} (città: ${s.comune_name}; per cambiarla ne cerchi un’altra).`;
    name.input.focus();
  };
  return { form, edit };
}

function competence(s: SedeDetail, services: Service[], saved: Saved): HTMLElement {
  const result = outcome(`competence-${s.id}-outcome`);
  if (s.kind === 'polo') {
    const boxes = checkboxes(`polo-${s.id}-services`, `Servizi di competenza nazionale – ${s.name}`,
      services.map((x) => ({ value: x.code, label: x.name })), s.competent_for_services);
    const form = h('form', { class: 'catalogue-form', novalidate: true }, boxes.wrap, button('Salva i servizi del Polo'), result.el);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      api.setPoloServices(s.id, boxes.values()).then(() => { saved(`Servizi di ${s.name} salvati.`, `competence-${s.id}-box`); })
        .catch((err: unknown) => { result.fail(err); });
    });
    return form;
  }
  const current = s.competent_comuni.map((c) => c.istat);
  const send = (list: string[], text: string): void => {
    api.setSedeComuni(s.id, list).then(() => { saved(text, `competence-${s.id}-box`); }).catch((err: unknown) => { result.fail(err); });
  };
  const remove = (istat: string, label: string): HTMLButtonElement => {
    const b = button('Togli', 'outline-danger', 'button');
    b.setAttribute('aria-label', `Togli ${label} dalla competenza di ${s.name}`);
    b.addEventListener('click', () => { send(current.filter((c) => c !== istat), `${label} tolto dalla competenza di ${s.name}.`); });
    return b;
  };
  const picker = comunePicker(`competence-${s.id}`, 'Comune da aggiungere');
  const form = h('form', { class: 'catalogue-form', novalidate: true }, picker.wrap, button('Aggiungi il comune'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const istat = picker.istat();
    if (!istat) { result.warn('Cerchi il comune per nome e lo scelga dall’elenco.'); return; }
    send([...current, istat], `Comune aggiunto alla competenza di ${s.name}.`);
  });
  return h('div', {},
    table(`Comuni di competenza – ${s.name}`, ['Comune', 'Provincia', ''],
      s.competent_comuni.map((c) => [c.name, c.province, remove(c.istat, c.name)]), 'Nessun comune di competenza.'),
    form);
}

/** The extraordinary closures of a Sede, and a form for a new one. */
function closures(s: SedeDetail, saved: Saved): HTMLElement {
  const result = outcome(`closure-${s.id}-outcome`);
  const first = textField(`closure-${s.id}-first`, 'Chiusa dal', { type: 'date' });
  const last = textField(`closure-${s.id}-last`, 'Chiusa fino al (compreso)', { type: 'date' });
  const reason = textField(`closure-${s.id}-reason`, 'Motivo', { maxlength: 200 });
  const form = h('form', { class: 'catalogue-form', novalidate: true },
    h('div', { class: 'catalogue-row' }, first.wrap, last.wrap), reason.wrap, button('Registra la chiusura'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!first.input.value || !last.input.value) { result.warn('Indichi il primo e l’ultimo giorno di chiusura.'); return; }
    api.addClosure(s.id, { first_day: first.input.value, last_day: last.input.value, reason: reason.input.value })
      .then(() => { saved(`Chiusura di ${s.name} registrata.`, `competence-${s.id}-box`); })
      .catch((err: unknown) => { result.fail(err); });
  });
  return h('div', {},
    table(`Chiusure straordinarie – ${s.name}`, ['Dal', 'Al', 'Motivo'],
      s.closures.map((c) => [formatDay(c.first_day), formatDay(c.last_day), c.reason]), 'Nessuna chiusura straordinaria.'),
    form);
}

export function sediSection(sedi: SedeDetail[], services: Service[], saved: Saved): HTMLElement {
  const { form, edit } = sedeForm(saved);
  const rows = sedi.map((s) => {
    const b = button('Modifica', 'outline-primary', 'button');
    b.setAttribute('aria-label', `Modifica ${s.name}`);
    b.addEventListener('click', () => { edit(s); });
    return [s.name, s.kind === 'polo' ? 'Polo nazionale' : 'Sede territoriale', s.comune_name, patronDay(s.patron_day), b];
  });
  return section('sedi-admin-title', 'Sedi e Poli nazionali', 'Una Sede territoriale serve i comuni di sua competenza; un Polo nazionale serve alcuni servizi in tutta Italia.',
    table('Sedi e Poli', ['Nome', 'Tipo', 'Città', 'Santo patrono', ''], rows, 'Non ci sono ancora Sedi.'),
    form,
    ...sedi.map((s) => disclosure(`competence-${s.id}-box`, `Competenza e chiusure – ${s.name}`,
      h('div', {}, competence(s, services, saved), closures(s, saved)))));
}
