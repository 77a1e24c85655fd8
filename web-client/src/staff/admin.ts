// Amministrazione INPS, read-only (the changes are made in "Gestione del catalogo", admin/): the services catalogue, the Sedi and Poli nazionali with the
// comuni they serve, their sportelli (services, length of an appointment, weekly opening hours),
// the extraordinary closures, and the public holidays of a year.

import * as booking from '../booking/api';
import { formatDay, todayRome } from '../booking/dates';
import type { Holidays, PrivacyNotice, SedeDetail, Service, SportelloDetail } from '../booking/types';
import { linkTo } from '../navigation';
import { MONITORING_PATH } from '../monitoring/dashboard';
import { h } from '../widgets/dom';
import type { PageContext } from './pages';
import { USERS_PATH } from './userAdmin';
import { CATALOGUE_PATH } from './admin/catalogue';

const WEEKDAYS = ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'];
const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre',
  'ottobre', 'novembre', 'dicembre'];

/** "MM-DD" → "6 dicembre". */
function monthDay(md: string): string {
  const [m, d] = md.split('-').map(Number);
  const month = MONTHS[(m ?? 0) - 1];
  return month && d ? `${d} ${month}` : md;
}

function table(caption: string, headers: string[], rows: (string | Node)[][]): HTMLElement {
  return h('table', { class: 'table data-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map(([first, ...rest]) => h('tr', {},
      h('th', { scope: 'row' }, first ?? ''), ...rest.map((c) => h('td', {}, c))))));
}

function lines(items: string[]): Node {
  if (items.length === 0) return document.createTextNode('–');
  return h('ul', { class: 'cell-list' }, ...items.map((t) => h('li', {}, t)));
}

function sportelloTables(s: SportelloDetail, serviceName: (code: string) => string): HTMLElement {
  const days = WEEKDAYS.map((name, i) => {
    const hours = s.opening_hours.filter((o) => o.weekday === i + 1).map((o) => `dalle ${o.opens} alle ${o.closes}`);
    return [name, hours.length ? hours.join(' e ') : 'chiuso'];
  });
  return h('div', { class: 'admin-sportello' },
    h('h4', {}, s.name),
    h('dl', { class: 'admin-facts' },
      h('dt', {}, 'Codice'), h('dd', {}, h('code', {}, s.id)),
      h('dt', {}, 'Durata di un appuntamento'), h('dd', {}, `${s.slot_minutes} minuti`),
      h('dt', {}, 'Servizi trattati'), h('dd', {}, lines(s.services.map(serviceName)))),
    table(`Orari di apertura settimanali – ${s.name}`, ['Giorno', 'Orario'], days));
}

function sedeSection(sede: SedeDetail, serviceName: (code: string) => string, comuneName: (istat: string) => string): HTMLElement {
  const titleId = `sede-${sede.id}`;
  const polo = sede.kind === 'polo';
  return h('section', { class: 'admin-sede mt-5', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, sede.name),
    h('dl', { class: 'admin-facts' },
      h('dt', {}, 'Tipo'), h('dd', {}, polo ? 'Polo nazionale' : 'Sede territoriale'),
      h('dt', {}, 'Città'), h('dd', {}, sede.comune_name),
      h('dt', {}, 'Santo patrono (festivo)'), h('dd', {}, sede.patron_day ? monthDay(sede.patron_day) : 'non indicato'),
      polo ? h('dt', {}, 'Competente in tutta Italia per') : null,
      polo ? h('dd', {}, lines(sede.competent_for_services.map(serviceName))) : null,
      h('dt', {}, 'Comuni con convenzione PUE'),
      h('dd', {}, lines(sede.conventions.map(comuneName)))),
    polo ? null : sede.competent_comuni.length === 0
      ? h('p', {}, 'Nessun comune di competenza territoriale.')
      : table(`Comuni di competenza – ${sede.name}`, ['Comune', 'Provincia', 'Codice ISTAT'],
        sede.competent_comuni.map((c) => [c.name, c.province, c.istat])),
    ...sede.sportelli.map((s) => sportelloTables(s, serviceName)),
    sede.closures.length === 0
      ? h('p', { class: 'admin-empty' }, 'Nessuna chiusura straordinaria.')
      : table(`Chiusure straordinarie – ${sede.name}`, ['Dal', 'Al', 'Motivo'],
        sede.closures.map((c) => [formatDay(c.first_day), formatDay(c.last_day), c.reason])));
}

function holidaysTable(list: Holidays): HTMLElement {
  return table(`Festività nazionali ${list.year}`, ['Giorno', 'Festività'],
    list.holidays.map((d) => [formatDay(d.date), d.name]));
}

export async function renderAdmin(ctx: PageContext): Promise<void> {
  const year = Number(todayRome().slice(0, 4));
  const [services, sedi, holidays, notice] = await Promise.all([
    booking.services(), booking.sedi(), booking.holidays(year), booking.privacyNotice(),
  ]);
  const names = new Map<string, string>(services.map((s: Service) => [s.code, s.name]));
  const serviceName = (code: string): string => names.get(code) ?? code;
  const comuni = new Map<string, string>();
  for (const s of sedi) {
    comuni.set(s.comune_istat, s.comune_name);
    for (const c of s.competent_comuni) comuni.set(c.istat, c.name);
  }
  const comuneName = (istat: string): string => comuni.get(istat) ?? `codice ISTAT ${istat}`;

  const yearSelect = h('select', { class: 'form-select', id: 'holiday-year' },
    ...[year - 1, year, year + 1, year + 2].map((y) => h('option', { value: String(y), selected: y === year }, String(y))));
  const holidayBox = h('div', { 'aria-live': 'polite' }, holidaysTable(holidays));
  yearSelect.addEventListener('change', () => {
    void booking.holidays(Number(yearSelect.value)).then((list) => { holidayBox.replaceChildren(holidaysTable(list)); })
      .catch(() => { holidayBox.replaceChildren(h('p', { role: 'alert' }, 'Non è stato possibile leggere le festività. Riprovi.')); });
  });

  ctx.root.replaceChildren(
    h('div', { class: 'admin' },
      h('h1', { tabindex: '-1' }, 'Amministrazione INPS'),
      h('p', { class: 'lead' }, 'Consultazione dei dati del servizio di prenotazione: Sedi, sportelli, orari, chiusure e festività.'),
      h('p', { class: 'admin-links' },
        linkTo(h('a', { class: 'btn btn-primary btn-lg', href: CATALOGUE_PATH }, 'Gestione del catalogo')), ' ',
        linkTo(h('a', { class: 'btn btn-outline-primary btn-lg', href: USERS_PATH }, 'Gestione degli operatori dei Comuni')), ' ',
        linkTo(h('a', { class: 'btn btn-outline-primary btn-lg', href: MONITORING_PATH }, 'Monitoraggio del servizio'))),
      h('nav', { 'aria-label': 'Contenuto della pagina' },
        h('ul', { class: 'admin-toc' },
          h('li', {}, h('a', { href: '#services-title' }, 'Catalogo dei servizi')),
          h('li', {}, h('a', { href: '#sedi-title' }, 'Sedi e Poli nazionali')),
          ...sedi.map((s) => h('li', { class: 'admin-toc-sub' }, h('a', { href: `#sede-${s.id}` }, s.name))),
          h('li', {}, h('a', { href: '#holidays-title' }, 'Festività')),
          h('li', {}, h('a', { href: '#notice-title' }, 'Informativa privacy')))),
      h('section', { class: 'mt-4', 'aria-labelledby': 'services-title' },
        h('h2', { id: 'services-title' }, 'Catalogo dei servizi'),
        h('table', { class: 'table data-table' },
          h('caption', { class: 'visually-hidden' }, 'Servizi prenotabili'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Servizio'), h('th', { scope: 'col' }, 'Codice'))),
          h('tbody', {}, ...services.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, h('code', {}, s.code))))))),
      h('section', { class: 'mt-5', 'aria-labelledby': 'sedi-title' },
        h('h2', { id: 'sedi-title' }, 'Sedi e Poli nazionali'),
        sedi.length === 0 ? h('p', {}, 'Non ci sono Sedi registrate.') : null,
        ...sedi.map((s) => sedeSection(s, serviceName, comuneName))),
      h('section', { class: 'mt-5', 'aria-labelledby': 'holidays-title' },
        h('h2', { id: 'holidays-title' }, 'Festività'),
        h('p', {}, 'Nei giorni festivi non si prenotano appuntamenti. In ogni Sede è festivo anche il giorno del santo patrono della città (indicato sopra); la Pasqua e il Lunedì dell’Angelo sono calcolati per ogni anno.'),
        h('div', { class: 'field admin-year' }, h('label', { for: 'holiday-year' }, 'Anno'), yearSelect),
        holidayBox),
      noticeSection(notice)));
}

function noticeSection(notice: PrivacyNotice): HTMLElement {
  return h('section', { class: 'mt-5', 'aria-labelledby': 'notice-title' },
    h('h2', { id: 'notice-title' }, 'Informativa privacy del modulo di richiesta'),
    h('p', {}, notice.configured
      ? 'Il testo è quello del file indicato nella configurazione del server (opzione privacy_notice_file).'
      : 'È in uso il testo predefinito. Per cambiarlo, indichi un file di testo nella configurazione del server (opzione privacy_notice_file).'),
    h('div', { class: 'notice-preview' },
      h('h3', {}, notice.title),
      ...notice.text.split(/\n\s*\n/).filter((t) => t.trim() !== '').map((t) => h('p', {}, t.trim()))));
}
