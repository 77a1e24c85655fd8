// The services catalogue: the list, a new service, a new name for one.

import type { Service } from '../../booking/types';
import { h } from '../../widgets/dom';
import { textField } from '../../widgets/form';
import * as api from './api';
import { type Saved, button, outcome, section, table } from './ui';

export function servicesSection(services: Service[], saved: Saved): HTMLElement {
  const result = outcome('services-outcome');
  const code = textField('service-code', 'Codice del servizio', { hint: 'Lettere minuscole, cifre e trattini, ad esempio assegno-unico. Un codice esistente cambia nome.', maxlength: 40 });
  const name = textField('service-name', 'Nome del servizio', { maxlength: 100 });
  const form = h('form', { class: 'catalogue-form', novalidate: true, 'aria-labelledby': 'services-form-title' },
    h('h3', { id: 'services-form-title' }, 'Nuovo servizio o nuovo nome'),
    code.wrap, name.wrap, button('Salva il servizio'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.clear();
    api.saveService(code.input.value.trim(), name.input.value).then((s) => {
      saved(s.created ? `Servizio ${s.id} creato.` : `Servizio ${s.id} aggiornato.`, 'services-title');
    }).catch((err: unknown) => { result.fail(err); });
  });
  const edit = (s: Service): HTMLButtonElement => {
    const b = button('Cambia nome', 'outline-primary', 'button');
    b.setAttribute('aria-label', `Cambia nome a ${s.name}`);
    b.addEventListener('click', () => { code.input.value = s.code; name.input.value = s.name; name.input.focus(); });
    return b;
  };
  return section('services-title', 'Servizi', 'I servizi che i Comuni possono prenotare. Ogni sportello ne tratta alcuni.',
    table('Servizi prenotabili', ['Servizio', 'Codice', ''],
      services.map((s) => [s.name, h('code', {}, s.code), edit(s)]), 'Non ci sono servizi.'),
    form);
}
