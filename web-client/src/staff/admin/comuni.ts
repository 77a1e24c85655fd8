// The comuni: search by name a page at a time, and a form to add or correct one.

import type { Comune } from '../../booking/types';
import { h } from '../../widgets/dom';
import { textField } from '../../widgets/form';
import * as api from './api';
import { type Saved, button, outcome, section, table } from './ui';

export function comuniSection(saved: Saved): HTMLElement {
  const result = outcome('comuni-outcome');
  const search = textField('comuni-q', 'Cerca un comune per nome', { type: 'search', maxlength: 60 });
  const list = h('div', { id: 'comuni-list', 'aria-live': 'polite' });
  let page = 1;
  const istat = textField('comune-istat', 'Codice ISTAT', { hint: '6 cifre, ad esempio 090078.', maxlength: 6, inputmode: 'numeric' });
  const name = textField('comune-name', 'Nome', { maxlength: 100 });
  const province = textField('comune-province', 'Sigla della provincia', { hint: 'Due lettere, ad esempio SS.', maxlength: 2 });
  const region = textField('comune-region', 'Regione', { maxlength: 60 });
  const population = textField('comune-population', 'Popolazione residente', { type: 'number', min: '0', inputmode: 'numeric' });
  const belfiore = textField('comune-belfiore', 'Codice catastale (Belfiore)', { hint: 'Una lettera e tre cifre, ad esempio L989.', maxlength: 4 });
  const fill = (c: Comune): void => {
    istat.input.value = c.istat; name.input.value = c.name; province.input.value = c.province;
    region.input.value = c.region; population.input.value = String(c.population); belfiore.input.value = c.belfiore;
    name.input.focus();
  };
  const load = (): void => {
    api.comuni(search.input.value.trim(), page).then((p) => {
      const edit = (c: Comune): HTMLButtonElement => {
        const b = button('Modifica', 'outline-primary', 'button');
        b.setAttribute('aria-label', `Modifica ${c.name}`);
        b.addEventListener('click', () => { fill(c); });
        return b;
      };
      const prev = button('Pagina precedente', 'outline-primary', 'button');
      prev.hidden = p.page <= 1;
      prev.addEventListener('click', () => { page -= 1; load(); });
      const next = button('Pagina successiva', 'outline-primary', 'button');
      next.hidden = !p.has_more;
      next.addEventListener('click', () => { page += 1; load(); });
      list.replaceChildren(
        table(`Comuni, pagina ${p.page}`, ['Comune', 'Provincia', 'Regione', 'ISTAT', 'Belfiore', ''],
          p.comuni.map((c) => [c.name, c.province, c.region, c.istat, c.belfiore, edit(c)]), 'Nessun comune trovato.'),
        h('p', { class: 'catalogue-pager' }, prev, ' ', h('span', {}, `Pagina ${p.page}`), ' ', next));
    }).catch((err: unknown) => { result.fail(err); });
  };
  let timer = 0;
  search.input.addEventListener('input', () => { window.clearTimeout(timer); timer = window.setTimeout(() => { page = 1; load(); }, 250); });
  load();
  const form = h('form', { class: 'catalogue-form', novalidate: true, 'aria-labelledby': 'comune-form-title' },
    h('h3', { id: 'comune-form-title' }, 'Nuovo comune o correzione'),
    istat.wrap, name.wrap, province.wrap, region.wrap, population.wrap, belfiore.wrap,
    button('Salva il comune'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.clear();
    api.saveComune(istat.input.value.trim(), {
      name: name.input.value, province: province.input.value, region: region.input.value,
      population: Number(population.input.value || '-1'), belfiore: belfiore.input.value,
    }).then((s) => {
      saved(s.created ? `Comune ${name.input.value.trim()} aggiunto.` : `Comune ${name.input.value.trim()} aggiornato.`, 'comuni-title');
    }).catch((err: unknown) => { result.fail(err); });
  });
  return section('comuni-title', 'Comuni', 'L’elenco dei comuni (codici ISTAT). Per caricarli tutti usi l’importazione da file CSV in fondo alla pagina.',
    search.wrap, list, form);
}
