// Italian texts shown to people. Plain words, formal "Lei", short sentences.

import type { ApiCode } from './apiCode';
import type { ErrorCode } from './generated/ErrorCode';
import type { LeaveReason } from './generated/LeaveReason';
import type { MeetingOutcome } from './generated/MeetingOutcome';
import type { OperatorStatus } from './generated/OperatorStatus';
import type { ReporterRole } from './generated/ReporterRole';
import type { ReportKind } from './generated/ReportKind';
import type { Role } from './generated/Role';

export const ROLE_LABEL: Record<Role, string> = {
  citizen: 'Cittadino/a',
  operator: 'Operatore del Comune',
  official: 'Funzionario INPS',
  load_tester: 'Test di carico',
};

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export const CONNECTION_LABEL: Record<ConnectionState, string> = {
  idle: 'Non collegato',
  connecting: 'Connessione in corso…',
  connected: 'Connesso',
  reconnecting: 'Connessione persa, riconnessione…',
  disconnected: 'Disconnesso',
};

/** Signalling errors after which retrying with the same token cannot help. */
export const FATAL_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'token_missing',
  'token_invalid',
  'token_expired',
  'room_full',
  'unsupported_version',
  'already_joined',
  'removed',
  'wrong_room',
  'ticket_used',
  'not_admitted',
]);

/** The generic text for a signalling error that has no text of its own. */
const CALL_PROBLEM = 'Si è verificato un problema con il collegamento. Riprovi tra qualche minuto.';

/**
 * Italian explanation of every signalling error code, for when it ends the meeting for this page.
 * Exhaustive over the generated `ErrorCode`: a new code fails the typecheck until it is here.
 */
const CALL_ERROR_TEXT: Record<ErrorCode, string> = {
  bad_json: CALL_PROBLEM,
  unknown_type: CALL_PROBLEM,
  bad_message: CALL_PROBLEM,
  message_too_large: CALL_PROBLEM,
  binary_not_supported: CALL_PROBLEM,
  rate_limited: CALL_PROBLEM,
  join_timeout: CALL_PROBLEM,
  not_joined: CALL_PROBLEM,
  already_joined: 'Questa videochiamata risulta già aperta in un’altra finestra.',
  unsupported_version: 'Questa pagina non è aggiornata. Ricarichi la pagina e riprovi.',
  token_missing: 'Il codice di accesso alla videochiamata non è valido. Chieda all’operatore del Comune un nuovo accesso.',
  token_invalid: 'Il codice di accesso alla videochiamata non è valido. Chieda all’operatore del Comune un nuovo accesso.',
  token_expired: 'Il codice di accesso alla videochiamata è scaduto. Chieda all’operatore del Comune un nuovo accesso.',
  room_full: 'La videochiamata ha già il numero massimo di partecipanti. Non è possibile entrare.',
  bad_sdp: CALL_PROBLEM,
  too_many_tracks: 'Sono state condivise troppe sorgenti audio o video. Chiuda le condivisioni non necessarie e riprovi.',
  bad_candidate: CALL_PROBLEM,
  no_pending_offer: CALL_PROBLEM,
  ping_timeout: CALL_PROBLEM,
  slow_consumer: CALL_PROBLEM,
  removed: 'La videochiamata è stata chiusa oppure l’accesso è stato revocato.',
  shutting_down: 'Il servizio si sta riavviando. Riprovo tra poco…',
  wrong_room: 'Il codice di accesso è di un’altra videochiamata. Ricarichi la pagina.',
  meeting_ended: 'La videochiamata è terminata. Grazie.',
  ticket_used: 'Questo codice di accesso alla videochiamata è già stato usato. Ricarichi la pagina per ottenerne uno nuovo.',
  not_admitted: 'Non è più possibile entrare in questa videochiamata con questo profilo: la sessione è terminata oppure la videochiamata è passata al cittadino.',
  internal: CALL_PROBLEM,
};

/** Why a call ended: a signalling error, or one of this page (`dev_token`, `connection_lost`). */
export type CallEndCode = ErrorCode | 'dev_token' | 'connection_lost';

/** Italian explanation of the code that ends the meeting for this page. */
export function errorText(code: CallEndCode): string {
  switch (code) {
    case 'dev_token':
      return 'Non è stato possibile ottenere l’accesso alla videochiamata. Controlli i dati e riprovi.';
    case 'connection_lost':
      return CALL_PROBLEM;
    default:
      // A newer server may send a code this page does not know yet.
      return Object.hasOwn(CALL_ERROR_TEXT, code) ? CALL_ERROR_TEXT[code] : CALL_PROBLEM;
  }
}

/** Italian explanation of a getUserMedia failure. */
export function mediaErrorText(err: unknown): string {
  const name = err instanceof DOMException ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Il browser non permette di usare videocamera e microfono. Gli altri non potranno vederla né sentirla.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'Non è stata trovata una videocamera o un microfono. Gli altri non potranno vederla né sentirla.';
    case 'NotReadableError':
      return 'Videocamera o microfono sono usati da un altro programma. Lo chiuda e ricarichi la pagina.';
    default:
      return 'Non è stato possibile avviare videocamera e microfono.';
  }
}

/** Italian notice when only one of camera and microphone could be started. */
export function partialMediaText(stream: MediaStream): string {
  return stream.getVideoTracks().length === 0
    ? 'Videocamera non disponibile: gli altri la sentiranno, ma non la vedranno.'
    : 'Microfono non disponibile: gli altri la vedranno, ma non la sentiranno.';
}

export function joinedNotice(name: string): string {
  return `${name} ora partecipa alla videochiamata`;
}

export function leftNotice(name: string, reason: LeaveReason = 'left'): string {
  switch (reason) {
    case 'connection_lost':
      return `${name} ha perso la connessione`;
    case 'removed':
      return `${name} non è più nella videochiamata`;
    case 'left':
      return `${name} ha lasciato la videochiamata`;
  }
}

/** Italian notice when someone's role changes in place (handover, "Richiama operatore"). */
export function roleChangeNotice(before: Role, after: Role, name: string): string {
  if (before === 'operator' && after === 'citizen') return 'L’operatore ha passato la parola al cittadino';
  if (before === 'citizen' && after === 'operator') return 'L’operatore del Comune è tornato nella videochiamata';
  return `${name} ora partecipa come ${ROLE_LABEL[after]}`;
}

/** The outcomes the official records when closing a meeting, with their Italian labels. */
/** The five answers of the kiosk's "Com’è andata la videochiamata?", rating 1 to 5. */
export const RATING_LABEL: readonly string[] = ['Molto male', 'Male', 'Così così', 'Bene', 'Molto bene'];

/** The kinds of problem of "Segnala un problema". */
export const REPORT_KIND_LABEL: Record<ReportKind, string> = {
  audio: 'Audio: non si sente bene',
  video: 'Video: non si vede bene',
  connection: 'Collegamento: cade o non parte',
  other: 'Altro',
};

/** Who reported, for the referenti. */
export const REPORTER_ROLE_LABEL: Record<ReporterRole, string> = {
  operator: 'Operatore del Comune',
  official: 'Funzionario INPS',
};

export const OUTCOME_LABEL: Record<MeetingOutcome, string> = {
  resolved: 'Pratica risolta',
  call_back: 'Da richiamare',
  no_show: 'Cittadino non presente',
};

/** The texts of the meeting-day pages (handover, close, citizen session) that differ. */
const MEETING_ERROR_TEXT: Partial<Record<ApiCode, string>> = {
  meeting_closed: 'La videochiamata è già stata chiusa.',
  bad_outcome: 'Scelga l’esito dell’appuntamento.',
  notes_too_long: 'Le note sono troppo lunghe (al massimo 2000 caratteri).',
  unauthenticated: 'La sessione è scaduta o non è valida per questa postazione.',
};

/** Italian explanation of an error of the meeting-day API (handover, close, citizen session). */
export function meetingErrorText(code: string): string {
  return textOf(MEETING_ERROR_TEXT, code) ?? bookingErrorText(code);
}

// ——— Booking, login, agenda ———

export const STEP_TITLES = [
  'Richiedente',
  'Servizio',
  'Sede e sportello',
  'Data e ora',
  'Verifica dei dati',
  'Appuntamento confermato',
] as const;

// ——— HTTP API errors ———

/** The generic text for an HTTP API error that has no text of its own. */
const API_PROBLEM = 'Si è verificato un problema. Riprovi tra qualche minuto; se si ripete, avvisi l’assistenza.';

/**
 * Italian explanation of every code of the HTTP API, in the words of the booking pages; null
 * gives the generic text (codes that only the meeting-day, login or operator pages explain,
 * below). Exhaustive over `ApiCode`: a new code fails the typecheck until it is here.
 */
const API_ERROR_TEXT: Record<ApiCode, string | null> = {
  unauthenticated: 'La sessione è scaduta. Rientri con le sue credenziali.',
  forbidden: 'Il suo profilo non permette questa operazione.',
  invalid_codice_fiscale: 'Il codice fiscale del richiedente non è corretto. Lo controlli sulla tessera sanitaria.',
  invalid_delegate_codice_fiscale: 'Il codice fiscale del delegato non è corretto. Lo controlli sulla tessera sanitaria.',
  codice_fiscale_mismatch: 'Data di nascita, sesso o luogo di nascita non corrispondono al codice fiscale. Li controlli.',
  invalid_birth_date: 'La data di nascita non è plausibile. La controlli.',
  invalid_name: 'Nome e cognome devono essere scritti per intero (al massimo 100 caratteri).',
  invalid_email: 'L’indirizzo e-mail non è valido.',
  invalid_phone: 'Il numero di telefono non è valido: usi solo cifre, spazi e il segno +.',
  invalid_services: 'Uno dei servizi scelti non è disponibile. Torni al passo “Servizio”.',
  unknown_service: 'Uno dei servizi scelti non è disponibile. Torni al passo “Servizio”.',
  invalid_delegate: 'Il delegato non può essere la stessa persona del richiedente.',
  invalid_delegation_act: 'Il riferimento dell’atto di delega è troppo lungo (al massimo 200 caratteri).',
  delegation_missing: 'Per il delegato indichi il riferimento dell’atto di delega oppure che esiste già una delega digitale.',
  gdpr_notice_not_signed: 'Prima di prenotare il richiedente deve firmare l’informativa privacy.',
  data_processing_not_authorised: 'Prima di prenotare il richiedente deve firmare il modulo con l’autorizzazione al trattamento dei dati personali.',
  id_copy_missing: 'Prima di prenotare acquisisca la copia del documento d’identità del richiedente.',
  delegator_id_copy_missing: 'Con la delega su carta serve la copia del documento d’identità del delegante (il richiedente).',
  delegate_id_copy_missing: 'Acquisisca la copia del documento d’identità del delegato.',
  invalid_notes: 'Le note sono troppo lunghe (al massimo 1000 caratteri).',
  unknown_residence: 'Il comune di residenza non è tra quelli conosciuti dal sistema. Controlli il codice ISTAT.',
  unknown_comune: 'Il comune non è tra quelli conosciuti dal sistema.',
  unknown_sportello: 'Lo sportello scelto non esiste più. Torni al passo “Sede e sportello”.',
  service_not_handled: 'Lo sportello scelto non tratta questo servizio. Ne scelga un altro.',
  hold_expired: 'Il tempo per confermare è scaduto e l’orario è stato liberato. Scelga di nuovo data e ora.',
  slot_taken: 'Questo orario è appena stato prenotato da un altro operatore. Ne scelga un altro.',
  conflict: 'Questo orario è appena stato prenotato da un altro operatore. Ne scelga un altro.',
  hold_released: 'L’orario non è più riservato. Scelga di nuovo data e ora.',
  unknown_hold: 'L’orario non è più riservato. Scelga di nuovo data e ora.',
  hold_not_active: 'L’orario non è più riservato. Scelga di nuovo data e ora.',
  already_confirmed: 'Questo appuntamento risulta già confermato. Controlli l’elenco degli appuntamenti.',
  idempotency_key_reused: 'Questo appuntamento risulta già confermato. Controlli l’elenco degli appuntamenti.',
  slot_in_past: 'L’orario scelto è già passato. Ne scelga un altro.',
  holiday: 'In quel giorno la Sede è chiusa per festività. Scelga un altro giorno.',
  sede_closed: 'In quel giorno la Sede è chiusa. Scelga un altro giorno.',
  outside_opening_hours: 'L’orario scelto è fuori dall’orario di apertura dello sportello.',
  too_far_ahead: 'Si può prenotare al massimo un anno prima. Scelga una data più vicina.',
  bad_date_range: 'Le date indicate non sono valide.',
  date_range_too_long: 'Le date indicate non sono valide.',
  bad_query: 'Le date indicate non sono valide.',
  bad_path: 'L’indirizzo richiesto non è valido. Tornare alla pagina iniziale e riprovare.',
  outside_meeting_window: 'La videochiamata si può aprire solo nel giorno dell’appuntamento, da 30 minuti prima dell’inizio a 30 minuti dopo la fine.',
  meeting_not_open: 'L’operatore del Comune non ha ancora aperto la videochiamata. Riprovi tra qualche istante.',
  appointment_cancelled: 'L’appuntamento è stato annullato: non c’è una videochiamata da aprire.',
  unknown_appointment: 'L’appuntamento non esiste più. Ricarichi la pagina.',
  unknown_account: 'Questo profilo di prova non esiste più. Ricarichi la pagina.',
  csrf_failed: 'La sessione è cambiata, forse per un accesso fatto in un’altra finestra. Ricarichi la pagina e riprovi.',
  bad_origin: 'La richiesta è stata rifiutata per motivi di sicurezza. Ricarichi la pagina e riprovi.',
  bad_host: 'Il server non risponde a questo indirizzo. Apra la pagina dall’indirizzo ufficiale del servizio.',
  request_timeout: 'La richiesta è arrivata troppo lentamente, forse per un problema di rete. Riprovi.',
  meeting_closed: null,
  bad_outcome: null,
  notes_too_long: null,
  bad_credentials: null,
  account_revoked: null,
  account_not_yet_valid: null,
  account_expired: null,
  bad_json: null,
  oidc_failed: null,
  bad_account_id: null,
  weak_password: null,
  bad_dates: null,
  account_exists: null,
  too_many_attempts: null,
  login_busy: 'Il servizio di accesso è molto occupato in questo momento. Attenda qualche secondo e riprovi.',
  payload_too_large: 'I dati inviati sono troppo grandi. Ricarichi la pagina e riprovi.',
  internal: null,
  not_found: null,
  bad_request_body: null,
  bad_content_type: null,
  already_linked: null,
  appointment_started: null,
  bad_action: null,
  bad_appointment_id: null,
  bad_display_name: null,
  bad_idempotency_key: null,
  bad_limit: null,
  bad_notes: null,
  bad_room: null,
  bad_search: null,
  bad_subject: null,
  bad_year: null,
  bad_sede: 'La Sede indicata non è valida per questo ruolo: un funzionario ha una Sede o un Polo, gli altri ruoli no.',
  same_password: 'La nuova password è uguale a quella attuale: ne scelga una diversa.',
  wrong_password: 'La password attuale non è corretta.',
  bad_month: 'Il periodo indicato non è valido: scelga mese e anno di inizio e di fine.',
  account_not_enabled: null,
  bad_authorisation: null,
  authorisation_missing: null,
  password_login_disabled: null,
  bad_regions: 'Le regioni indicate non sono valide: scriva i nomi delle regioni separati da virgole (ad esempio Sardegna, Abruzzo), oppure * per tutta Italia.',
  invalid_reason: 'Scriva il motivo (al massimo 200 caratteri).',
  missing_comune: null,
  missing_idempotency_key: null,
  password_too_long: null,
  provider_unavailable: null,
  replay: null,
  shutting_down: null,
  too_many_holds: null,
  empty_document: 'Il file è vuoto. Scelga il documento giusto.',
  document_too_large: 'Il file è più grande di 4 MB (4.000.000 byte). Lo riduca o lo divida in più file.',
  not_a_document: 'Il file non è un PDF né un file firmato .p7m. Si possono inviare solo documenti PDF o .p7m.',
  corrupt_document: 'Il file è danneggiato o incompleto. Provi a salvarlo di nuovo e a rinviarlo.',
  encrypted_pdf: 'Il PDF è protetto da password o cifrato: salvi una copia senza protezione e la rinvii.',
  pdf_without_pages: 'Il PDF non contiene pagine.',
  unsupported_p7m: 'Il file .p7m non è un documento firmato.',
  p7m_without_content: 'Il file .p7m contiene solo la firma, senza il documento firmato.',
  p7m_content_not_pdf: 'Il documento dentro il file .p7m non è un PDF.',
  p7m_nesting_too_deep: 'Il file .p7m è firmato troppe volte, una dentro l’altra.',
  p7m_unsigned: 'Il file .p7m non contiene alcuna firma.',
  p7m_too_complex: 'Il file .p7m contiene troppe firme o troppi certificati.',
  signer_certificate_missing: 'Nel file .p7m manca il certificato di chi ha firmato.',
  signature_invalid: 'La firma non corrisponde al documento: il file potrebbe essere stato modificato dopo la firma.',
  unsupported_signature: 'La firma usa un algoritmo che non possiamo verificare.',
  bad_document_name: 'Il nome del file non è valido.',
  bad_document_id: null,
  unknown_document: 'Il documento non esiste più. Ricarichi la pagina.',
  too_many_documents: 'Per questa videochiamata sono già stati inviati 20 documenti: non se ne possono aggiungere altri.',
  print_not_pdf: 'Si possono mandare in stampa solo documenti PDF.',
  too_many_prints: 'Ci sono già 3 documenti in attesa di stampa: aspetti che il Comune li stampi.',
  prints_full: 'Il servizio di stampa è molto occupato. Riprovi tra qualche minuto.',
  uploads_busy: 'In questo momento si stanno inviando molti documenti. Riprovi tra qualche secondo.',
  too_many_waiting: 'Troppe pagine sono in attesa in questo momento. Riprovi tra qualche secondo.',
  unknown_provider: null,
  unknown_sede: null,
  bad_rating: 'Scelga una delle cinque risposte.',
  comment_too_long: 'Il commento è troppo lungo: al massimo 500 caratteri.',
  bad_comment: 'Il commento contiene caratteri non ammessi. Lo riscriva con parole semplici.',
  feedback_already_given: 'La sua risposta è già stata registrata. Grazie.',
  meeting_not_closed: 'Potrà dire com’è andata quando la videochiamata sarà finita.',
  bad_report_kind: 'Scelga il tipo di problema.',
  report_too_long: 'La descrizione è troppo lunga: al massimo 1000 caratteri.',
  bad_report_text: 'La descrizione contiene caratteri non ammessi. La riscriva senza simboli speciali.',
  too_many_reports: 'Per questo appuntamento sono già state inviate 20 segnalazioni: non se ne possono aggiungere altre.',
  bad_page: null,
  bad_service_code: 'Il codice del servizio può contenere solo lettere minuscole, cifre e trattini (al massimo 40 caratteri).',
  bad_catalogue_name: 'Il nome deve avere da 2 a 100 caratteri.',
  bad_istat: 'Il codice ISTAT del comune è formato da 6 cifre.',
  bad_province: 'La provincia si indica con la sigla di 2 lettere (ad esempio SS).',
  bad_region: 'Indichi il nome della regione.',
  bad_population: 'La popolazione è un numero intero, zero o più.',
  bad_belfiore: 'Il codice catastale (Belfiore) è formato da una lettera e 3 cifre (ad esempio L989).',
  belfiore_taken: 'Questo codice catastale appartiene già a un altro comune.',
  bad_sede_id: 'Il codice della Sede può contenere solo lettere minuscole, cifre e trattini (al massimo 40 caratteri).',
  bad_sede_kind: 'Scelga se si tratta di una Sede territoriale o di un Polo nazionale.',
  bad_patron_day: 'Il giorno del santo patrono non è una data valida: scelga giorno e mese.',
  wrong_sede_kind: 'Una Sede territoriale ha comuni di competenza, un Polo nazionale ha servizi: non si può cambiare il tipo finché ne ha.',
  comune_has_sede: 'Uno dei comuni scelti è già di competenza di un’altra Sede: lo tolga prima da quella.',
  bad_sportello_id: 'Il codice dello sportello può contenere solo lettere minuscole, cifre e trattini (al massimo 40 caratteri).',
  bad_slot_minutes: 'La durata di un appuntamento va da 5 a 240 minuti.',
  sportello_sede_fixed: 'Uno sportello non può passare a un’altra Sede: ne crei uno nuovo.',
  bad_opening_hours: 'Gli orari non sono validi: indichi ore e minuti (ad esempio 08:30) e una chiusura successiva all’apertura.',
  overlapping_hours: 'Due fasce orarie dello stesso giorno si sovrappongono. Le corregga.',
  bad_convention_dates: 'Le date di validità non sono valide: la fine non può precedere l’inizio.',
  unknown_convention: 'La convenzione non esiste più. Ricarichi la pagina.',
  too_many_items: 'Sono stati scelti troppi elementi in una volta.',
  bad_import_kind: 'Si possono importare solo comuni, Sedi o convenzioni.',
  bad_csv: 'Il file non è un CSV valido: deve essere testo UTF-8 con la riga di intestazione indicata.',
  csv_too_large: 'Il file è troppo grande: al massimo 2 MB. Lo divida in più file.',
};

/** Whether `code` (any string the server sent) is one of the codes of `ApiCode`. */
function isApiCode(code: string): code is ApiCode {
  return Object.hasOwn(API_ERROR_TEXT, code);
}

/** The text of `code` in `texts`, when it is an `ApiCode` that has one there. */
function textOf(texts: Partial<Record<ApiCode, string | null>>, code: string): string | null {
  return isApiCode(code) ? texts[code] ?? null : null;
}

/**
 * Italian explanation of a booking API error code (`{code, message}` from the server), or of
 * `network` (no answer: `ApiError` of `requestJson`).
 */
export function bookingErrorText(code: string): string {
  if (code === 'network') return 'Il server non risponde. Controlli la connessione a Internet e riprovi.';
  return textOf(API_ERROR_TEXT, code) ?? API_PROBLEM;
}

// ——— Login and operator enablement ———

/** "3 minuti", "1 minuto": a wait given in seconds, rounded up to whole minutes. */
function minutes(seconds: number): string {
  const n = Math.max(1, Math.ceil(seconds / 60));
  return n === 1 ? '1 minuto' : `${n} minuti`;
}

/** The codes of a failed login: the API's, and those of `/accesso?errore=` after an OIDC login. */
type LoginCode = ApiCode | 'oidc_state' | 'oidc_not_linked' | 'oidc_acr';

/** The texts of the login page that differ (`too_many_attempts` depends on the wait). */
const LOGIN_ERROR_TEXT: Partial<Record<LoginCode, string>> = {
  bad_credentials: 'Nome utente o password non corretti. Li controlli e riprovi.',
  account_revoked: 'Il suo accesso è stato revocato. Per riaverlo si rivolga all’Amministratore utenze del suo Comune.',
  account_not_yet_valid: 'Il suo accesso non è ancora attivo. Per sapere da quando potrà entrare si rivolga all’Amministratore utenze del suo Comune.',
  account_expired: 'Il suo accesso è scaduto. Per prolungarlo si rivolga all’Amministratore utenze del suo Comune.',
  account_not_enabled: 'Il suo profilo di operatore è stato creato dal Comune ma l’INPS non l’ha ancora abilitato al Punto Utente Evoluto. Potrà entrare dopo l’abilitazione: per informazioni si rivolga all’Amministratore utenze del suo Comune.',
  password_login_disabled: 'Gli operatori entrano solo con l’identità digitale (SPID o CIE): usi il pulsante dell’identità digitale qui sopra.',
  bad_json: 'Scriva il nome utente e la password, poi prema “Entra”.',
  oidc_failed: 'L’accesso con l’identità digitale non è riuscito. Riprovi; se il problema si ripete, entri con nome utente e password o avvisi l’assistenza.',
  oidc_state: 'Il tentativo di accesso è scaduto oppure era stato iniziato in un’altra finestra. Riprovi dall’inizio.',
  oidc_not_linked: 'Questa identità digitale non è abilitata per nessun profilo del servizio. Chieda all’Amministratore utenze del suo Comune di abilitarla.',
  oidc_acr: 'L’accesso è avvenuto con un livello di sicurezza troppo basso per questo servizio. Riprovi e, quando il gestore dell’identità digitale lo chiede, confermi l’accesso con il livello richiesto (SPID di livello 2 o superiore: ad esempio con il codice temporaneo o l’app).',
};

/** Italian explanation of a login error (`POST /v1/login`, also the codes of a failed OIDC login). */
export function loginErrorText(code: string, retryAfterSeconds: number | null = null): string {
  if (code === 'too_many_attempts') {
    return retryAfterSeconds !== null
      ? `Troppi tentativi non riusciti. Per sicurezza l’accesso è bloccato: attenda ${minutes(retryAfterSeconds)} e riprovi.`
      : 'Troppi tentativi non riusciti. Per sicurezza l’accesso è bloccato: attenda qualche minuto e riprovi.';
  }
  return (Object.hasOwn(LOGIN_ERROR_TEXT, code) ? LOGIN_ERROR_TEXT[code as LoginCode] : undefined) ?? bookingErrorText(code);
}

/** The codes the server puts in `/accesso?errore=CODE` after a failed OIDC login. */
const OIDC_ERRORS: ReadonlySet<string> = new Set<string>([
  'oidc_failed', 'oidc_state', 'oidc_not_linked', 'oidc_acr', 'account_revoked', 'account_not_yet_valid', 'account_expired',
  'account_not_enabled',
] satisfies LoginCode[]);

/** Italian explanation of the `errore` of the login page (any other value: a generic text). */
export function oidcErrorText(code: string): string {
  return OIDC_ERRORS.has(code)
    ? loginErrorText(code)
    : 'L’accesso non è riuscito. Riprovi; se il problema si ripete, avvisi l’assistenza.';
}

/** Italian names of the operator states on the "Utenze" page. */
export const OPERATOR_STATUS_LABEL: Record<OperatorStatus, string> = {
  active: 'Attivo',
  revoked: 'Revocato',
  not_yet_valid: 'Non ancora valido',
  expired: 'Scaduto',
  awaiting_enablement: 'In attesa di abilitazione INPS',
};

/** The texts of the operator enablement page that differ. */
const IDENTITY_ERROR_TEXT: Partial<Record<ApiCode, string>> = {
  bad_authorisation: 'Indichi la data (non futura) e gli estremi dell’atto che autorizza l’operatore al trattamento dei dati (da 2 a 200 caratteri), oppure lasci vuoti entrambi.',
  authorisation_missing: 'Prima dell’abilitazione il Comune deve registrare l’atto che autorizza l’operatore al trattamento dei dati personali.',
  invalid_name: "Scriva il nome e il cognome dell’operatore (da 2 a 100 caratteri, con almeno una lettera).",
  bad_account_id: 'Il nome utente può contenere solo lettere minuscole senza accenti, numeri, punto (.), trattino (-) e trattino basso (_), al massimo 64 caratteri. Ad esempio: mario.rossi',
  weak_password: 'La password deve avere almeno 12 caratteri.',
  bad_dates: 'Le date non sono valide: la data di fine non può essere prima della data di inizio.',
  account_exists: 'Esiste già un operatore con questo nome utente. Ne scelga un altro.',
  unknown_account: 'Questo operatore non esiste più. Ricarichi la pagina.',
  forbidden: 'Il suo profilo non permette di gestire questo operatore.',
  bad_json: 'I dati inviati non sono validi. Li controlli e riprovi.',
};

/** Italian explanation of an error of the operator enablement API. */
export function identityErrorText(code: string): string {
  return textOf(IDENTITY_ERROR_TEXT, code) ?? bookingErrorText(code);
}

/** Italian explanation of a codice fiscale that fails the client-side check. */
export function codiceFiscaleText(problem: string, position?: number): string {
  switch (problem) {
    case 'empty':
      return 'Scriva il codice fiscale.';
    case 'length':
      return 'Il codice fiscale deve avere 16 caratteri, tra lettere e numeri.';
    case 'charset':
      return 'Il codice fiscale contiene solo lettere senza accenti e numeri, senza spazi o altri segni.';
    case 'position':
      return `Il codice fiscale non è corretto: controlli il ${position ?? 0}° carattere.`;
    case 'month':
      return 'Il codice fiscale non è corretto: la lettera del mese di nascita (9° carattere) non esiste.';
    case 'day':
      return 'Il codice fiscale non è corretto: il giorno di nascita (10° e 11° carattere) non esiste.';
    case 'place':
      return 'Il codice fiscale non è corretto: il codice del luogo di nascita (12°–15° carattere) non esiste.';
    case 'check':
      return 'Il codice fiscale non è corretto: l’ultimo carattere (carattere di controllo) non corrisponde. Controlli di averlo copiato bene dalla tessera sanitaria.';
    default:
      return 'Il codice fiscale non è corretto.';
  }
}
