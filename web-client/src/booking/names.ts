// Names of comuni, Sedi and sportelli for the labels. The server does not send them with the
// session or the demo accounts yet (see the report for issue 4), so the names of the demo data
// (seed/demo.sql) are kept here as a fallback; anything else shows its code.

import { proposals, services } from './api';
import type { Comune } from './types';

const DEMO_COMUNI: Record<string, string> = {
  '090078': 'Villanova Monteleone',
  '090003': 'Alghero',
  '090064': 'Sassari',
  '066068': 'Pescasseroli',
  '066093': 'Scanno',
  '066049': 'L’Aquila',
  '004156': 'Ostana',
  '004083': 'Elva',
  '004078': 'Cuneo',
  '078041': 'Civita',
  '078045': 'Cosenza',
  '058091': 'Roma',
};

const DEMO_SEDI: Record<string, string> = {
  'sede-sassari': 'Sede provinciale di Sassari',
  'sede-laquila': 'Sede provinciale dell’Aquila',
  'sede-cuneo': 'Sede provinciale di Cuneo',
  'sede-cosenza': 'Sede provinciale di Cosenza',
  'polo-famiglia': 'Polo nazionale Assegno Unico e famiglia',
};

const DEMO_SPORTELLI: Record<string, string> = {
  'sassari-1': 'Sportello 1 - Pensioni e contributi',
  'sassari-2': 'Sportello 2 - Famiglia e lavoro',
  'laquila-1': 'Sportello unico',
  'cuneo-1': 'Sportello unico',
  'cosenza-1': 'Sportello unico',
  'polo-famiglia-1': 'Sportello nazionale Assegno Unico',
};

export function comuneName(istat: string | null): string {
  if (!istat) return '';
  return DEMO_COMUNI[istat] ?? `codice ISTAT ${istat}`;
}

export function sedeName(id: string | null): string {
  if (!id) return '';
  return DEMO_SEDI[id] ?? id;
}

export function sportelloName(id: string): string {
  return DEMO_SPORTELLI[id] ?? id;
}

let ownComune: Promise<Comune | null> | null = null;

/**
 * The operator's own comune as the server knows it (name, Belfiore code). There is no comuni
 * endpoint yet: the proposals answer carries the comune, so ask for the first service's proposals.
 */
export function operatorComune(istat: string): Promise<Comune | null> {
  ownComune ??= (async () => {
    try {
      const first = (await services())[0];
      return first ? (await proposals(istat, first.code)).comune : null;
    } catch {
      return null;
    }
  })();
  return ownComune;
}
