// Calls to the catalogue administration API (`/v1/catalogue/...`), INPS administrators only.

import { requestJson } from '../../api';
import type { Service } from '../../booking/types';
import type { ClosureRequest } from '../../generated/ClosureRequest';
import type { ComuneSave } from '../../generated/ComuneSave';
import type { ComuniPage } from '../../generated/ComuniPage';
import type { Convention } from '../../generated/Convention';
import type { ConventionSave } from '../../generated/ConventionSave';
import type { HoursInterval } from '../../generated/HoursInterval';
import type { ImportReport } from '../../generated/ImportReport';
import type { Saved } from '../../generated/Saved';
import type { SedeSave } from '../../generated/SedeSave';
import type { SportelloSave } from '../../generated/SportelloSave';

const enc = encodeURIComponent;

export async function services(): Promise<Service[]> {
  return (await requestJson<Service[]>('/v1/catalogue/services')).body;
}

export async function saveService(code: string, name: string): Promise<Saved> {
  return (await requestJson<Saved>(`/v1/catalogue/services/${enc(code)}`, { method: 'PUT', body: { name } })).body;
}

export async function comuni(q: string, page: number): Promise<ComuniPage> {
  return (await requestJson<ComuniPage>(`/v1/catalogue/comuni?q=${enc(q)}&page=${page}`)).body;
}

export async function saveComune(istat: string, c: ComuneSave): Promise<Saved> {
  return (await requestJson<Saved>(`/v1/catalogue/comuni/${enc(istat)}`, { method: 'PUT', body: c })).body;
}

export async function saveSede(id: string, s: SedeSave): Promise<Saved> {
  return (await requestJson<Saved>(`/v1/catalogue/sedi/${enc(id)}`, { method: 'PUT', body: s })).body;
}

export async function setSedeComuni(id: string, comuni: string[]): Promise<void> {
  await requestJson<null>(`/v1/catalogue/sedi/${enc(id)}/comuni`, { method: 'PUT', body: { comuni } });
}

export async function setPoloServices(id: string, services: string[]): Promise<void> {
  await requestJson<null>(`/v1/catalogue/sedi/${enc(id)}/services`, { method: 'PUT', body: { services } });
}

export async function saveSportello(id: string, s: SportelloSave): Promise<Saved> {
  return (await requestJson<Saved>(`/v1/catalogue/sportelli/${enc(id)}`, { method: 'PUT', body: s })).body;
}

export async function setHours(id: string, hours: HoursInterval[]): Promise<void> {
  await requestJson<null>(`/v1/catalogue/sportelli/${enc(id)}/hours`, { method: 'PUT', body: { hours } });
}

export async function conventions(): Promise<Convention[]> {
  return (await requestJson<Convention[]>('/v1/catalogue/conventions')).body;
}

export async function saveConvention(istat: string, sedeId: string, c: ConventionSave): Promise<Saved> {
  return (await requestJson<Saved>(`/v1/catalogue/conventions/${enc(istat)}/${enc(sedeId)}`, { method: 'PUT', body: c })).body;
}

export async function deleteConvention(istat: string, sedeId: string): Promise<void> {
  await requestJson<null>(`/v1/catalogue/conventions/${enc(istat)}/${enc(sedeId)}`, { method: 'DELETE' });
}

export type ImportKind = 'comuni' | 'sedi' | 'conventions';

export async function importCsv(kind: ImportKind, text: string, dryRun: boolean): Promise<ImportReport> {
  return (await requestJson<ImportReport>(`/v1/catalogue/import/${kind}?dry_run=${dryRun}`, {
    method: 'POST', raw: { type: 'text/csv; charset=utf-8', text },
  })).body;
}

/** Records an extraordinary closure of a Sede (`POST /v1/booking/sedi/{id}/closures`). */
export async function addClosure(sedeId: string, c: ClosureRequest): Promise<void> {
  await requestJson<{ id: string }>(`/v1/booking/sedi/${enc(sedeId)}/closures`, { method: 'POST', body: c });
}
