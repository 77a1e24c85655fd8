// PUE conventions: which comune may book which Sede or Polo, from when to when. The comune is
// picked by name.

import { formatDay } from '../../booking/dates';
import type { SedeDetail } from '../../booking/types';
import type { Convention } from '../../generated/Convention';
import { h } from '../../widgets/dom';
import { textField } from '../../widgets/form';
import * as api from './api';
import { comunePicker } from '../../widgets/comunePicker';
import { type Saved, button, outcome, section, selectField, table } from './ui';

export function conventionsSection(list: Convention[], sedi: SedeDetail[], saved: Saved): HTMLElement {
  const result = outcome('conventions-outcome');
  const comune = comunePicker('convention-comune', 'Comune');
  const sede = selectField('convention-sede', 'Sede o Polo', sedi.map((s) => ({ value: s.id, label: s.name })));
  const from = textField('convention-from', 'Valida dal', { type: 'date', required: false });
  const until = textField('convention-until', 'Valida fino al', { type: 'date', required: false, hint: 'Giorno compreso. Vuoto: senza scadenza.' });
  const form = h('form', { class: 'catalogue-form', novalidate: true, 'aria-labelledby': 'convention-form-title' },
    h('h3', { id: 'convention-form-title' }, 'Nuova convenzione o nuove date'),
    comune.wrap, sede.wrap, h('div', { class: 'catalogue-row' }, from.wrap, until.wrap),
    button('Salva la convenzione'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.clear();
    const istat = comune.istat();
    if (!istat) { result.warn('Cerchi il comune per nome e lo scelga dall’elenco.'); return; }
    api.saveConvention(istat, sede.input.value, { valid_from: from.input.value || null, valid_until: until.input.value || null })
      .then((s) => { saved(s.created ? 'Convenzione registrata.' : 'Convenzione aggiornata.', 'conventions-title'); })
      .catch((err: unknown) => { result.fail(err); });
  });
  const end = (c: Convention): HTMLButtonElement => {
    const b = button('Elimina', 'outline-danger', 'button');
    b.setAttribute('aria-label', `Elimina la convenzione di ${c.comune_name} con ${c.sede_name}`);
    b.addEventListener('click', () => {
      if (!window.confirm(`Eliminare la convenzione di ${c.comune_name} con ${c.sede_name}? Il Comune non potrà più prenotare questa Sede.`)) return;
      api.deleteConvention(c.comune_istat, c.sede_id).then(() => { saved('Convenzione eliminata.', 'conventions-title'); })
        .catch((err: unknown) => { result.fail(err); });
    });
    return b;
  };
  const day = (d: string | null, none: string): string => (d ? formatDay(d) : none);
  return section('conventions-title', 'Convenzioni PUE', 'Un Comune prenota solo le Sedi e i Poli con cui ha una convenzione valida nel giorno dell’appuntamento.',
    table('Convenzioni', ['Comune', 'Provincia', 'Sede o Polo', 'Dal', 'Al', ''],
      list.map((c) => [c.comune_name, c.province, c.sede_name, day(c.valid_from, 'sempre'), day(c.valid_until, 'senza scadenza'), end(c)]),
      'Non ci sono convenzioni.'),
    sedi.length === 0 ? h('p', {}, 'Prima crei una Sede.') : form);
}
