// JSON shapes of the booking API (src/booking/model.rs, src/booking/openapi.json).
// Written by hand for now: the booking types are not yet exported by ts-rs.

export interface Comune {
  istat: string;
  name: string;
  province: string;
  region: string;
  population: number;
  belfiore: string;
}

export interface Service {
  code: string;
  name: string;
}

export interface SportelloInfo {
  id: string;
  name: string;
  slot_minutes: number;
}

export interface Proposal {
  sede_id: string;
  sede_name: string;
  /** "sede" or "polo". */
  kind: string;
  /** "territorial" or "national". */
  reason: string;
  sportelli: SportelloInfo[];
}

export interface Proposals {
  comune: Comune;
  service: Service;
  options: Proposal[];
}

/** Instants are RFC 3339 with the Italian offset, e.g. `2026-11-24T08:30:00+01:00`. */
export interface Slot {
  starts_at: string;
  ends_at: string;
}

export interface Slots {
  sportello_id: string;
  from: string;
  to: string;
  slots: Slot[];
}

export interface HoldRequest {
  sportello_id: string;
  starts_at: string;
  service_code: string;
}

export interface Hold {
  id: string;
  /** held, expired, released, booked. */
  status: string;
  sportello_id: string;
  service_code: string;
  starts_at: string;
  ends_at: string;
  expires_at: string;
}

export type Sex = 'M' | 'F';

export interface Applicant {
  given_name: string;
  family_name: string;
  codice_fiscale: string;
  birth_date: string;
  /** Belfiore code of the birthplace (a comune, or a foreign country "Z…"). */
  birth_place: string;
  sex: Sex;
  residence_istat: string;
  email?: string | null;
  phone?: string | null;
}

export interface Delegate {
  given_name: string;
  family_name: string;
  codice_fiscale: string;
  delegation_act?: string | null;
  delegator_id_copy: boolean;
  digital_delegation: boolean;
}

export interface CitizenRequest {
  applicant: Applicant;
  services: string[];
  delegate?: Delegate | null;
  gdpr_notice_signed: boolean;
  id_copy_acquired: boolean;
  notes?: string | null;
}

export interface Appointment {
  id: string;
  /** booked or cancelled. */
  status: string;
  comune_istat: string;
  sede_id: string;
  sede_name: string;
  sportello_id: string;
  sportello_name: string;
  service_code: string;
  service_name: string;
  starts_at: string;
  ends_at: string;
  given_name: string;
  family_name: string;
  services: string[];
  has_delegate: boolean;
  /** Name of the comune that booked. */
  comune_name: string;
}

export type StaffRole = 'operator' | 'user_admin' | 'official' | 'inps_admin';

/** `GET /v1/session`. */
export interface Principal {
  subject: string;
  role: StaffRole;
  comune_istat: string | null;
  sede_id: string | null;
  sportello_ids: string[];
}

/** `GET /v1/session`: the principal with the names the interface shows. */
export interface SessionInfo extends Principal {
  comune_name: string | null;
  sede_name: string | null;
  sportelli: { id: string; name: string }[];
  /** E.g. "Operatore del Comune di Villanova Monteleone". */
  label: string;
}

/** A comune named in a catalogue record. */
export interface ComuneRef {
  istat: string;
  name: string;
  province: string;
}

export interface OpeningHours {
  /** ISO weekday, Monday = 1. */
  weekday: number;
  opens: string;
  closes: string;
}

export interface SportelloDetail {
  id: string;
  name: string;
  slot_minutes: number;
  services: string[];
  opening_hours: OpeningHours[];
}

export interface Closure {
  id: string;
  first_day: string;
  last_day: string;
  reason: string;
}

/** `GET /v1/booking/sedi`. */
export interface SedeDetail {
  id: string;
  kind: 'sede' | 'polo';
  name: string;
  comune_istat: string;
  comune_name: string;
  competent_comuni: ComuneRef[];
  patron_day: string | null;
  competent_for_comuni: string[];
  competent_for_services: string[];
  conventions: string[];
  sportelli: SportelloDetail[];
  closures: Closure[];
}

export interface Holiday {
  date: string;
  name: string;
  kind: 'national' | 'patron';
}

/** `GET /v1/booking/holidays`. */
export interface Holidays {
  year: number;
  sede_id: string | null;
  holidays: Holiday[];
}

/** `GET /v1/booking/privacy-notice`. */
export interface PrivacyNotice {
  title: string;
  /** Paragraphs separated by blank lines. */
  text: string;
  configured: boolean;
}

/** `GET /v1/demo/accounts`. */
export interface DemoAccount {
  account: string;
  role: StaffRole;
  comune_istat: string | null;
  sede_id: string | null;
  /** E.g. "Operatore del Comune di Villanova Monteleone". */
  label: string;
}
