// Italian texts shown to people. Plain words, formal "Lei", short sentences.

import type { ErrorCode } from './generated/ErrorCode';
import type { LeaveReason } from './generated/LeaveReason';
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
]);

/** Italian explanation of a signalling error code that ends the meeting for this page. */
export function errorText(code: string): string {
  switch (code) {
    case 'token_expired':
      return 'Il codice di accesso alla riunione è scaduto. Chieda all’operatore del Comune un nuovo accesso.';
    case 'token_invalid':
    case 'token_missing':
      return 'Il codice di accesso alla riunione non è valido. Chieda all’operatore del Comune un nuovo accesso.';
    case 'room_full':
      return 'La riunione ha già il numero massimo di partecipanti. Non è possibile entrare.';
    case 'unsupported_version':
      return 'Questa pagina non è aggiornata. Ricarichi la pagina e riprovi.';
    case 'already_joined':
      return 'Questa riunione risulta già aperta in un’altra finestra.';
    case 'removed':
      return 'La riunione è stata chiusa oppure l’accesso è stato revocato.';
    case 'wrong_room':
      return 'Il codice di accesso è di un’altra riunione. Ricarichi la pagina.';
    case 'meeting_ended':
      return 'L’incontro è terminato. Grazie.';
    case 'shutting_down':
      return 'Il servizio si sta riavviando. Riprovo tra poco…';
    case 'dev_token':
      return 'Non è stato possibile ottenere l’accesso alla riunione. Controlli i dati e riprovi.';
    default:
      return 'Si è verificato un problema con il collegamento. Riprovi tra qualche minuto.';
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
  return `${name} ora partecipa alla riunione`;
}

export function leftNotice(name: string, reason: LeaveReason = 'left'): string {
  switch (reason) {
    case 'connection_lost':
      return `${name} ha perso la connessione`;
    case 'removed':
      return `${name} non è più nella riunione`;
    case 'left':
      return `${name} ha lasciato la riunione`;
  }
}

/** Italian notice when someone's role changes in place (handover, "Richiama operatore"). */
export function roleChangeNotice(before: Role, after: Role, name: string): string {
  if (before === 'operator' && after === 'citizen') return 'L’operatore ha passato la parola al cittadino';
  if (before === 'citizen' && after === 'operator') return 'L’operatore del Comune è tornato nella riunione';
  return `${name} ora partecipa come ${ROLE_LABEL[after]}`;
}

/** The outcomes the official records when closing a meeting, with their Italian labels. */
export const OUTCOME_LABEL = {
  resolved: 'Pratica risolta',
  call_back: 'Da richiamare',
  no_show: 'Cittadino non presente',
} as const;

/** Italian explanation of an error of the meeting-day API (handover, close, citizen session). */
export function meetingErrorText(code: string): string {
  switch (code) {
    case 'meeting_closed':
      return 'Il meeting è già stato chiuso.';
    case 'bad_outcome':
      return 'Scelga l’esito dell’incontro.';
    case 'notes_too_long':
      return 'Le note sono troppo lunghe (al massimo 2000 caratteri).';
    case 'unauthenticated':
      return 'La sessione è scaduta o non è valida per questa postazione.';
    default:
      return bookingErrorText(code);
  }
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

/** Italian explanation of a booking API error code (`{code, message}` from the server). */
export function bookingErrorText(code: string): string {
  switch (code) {
    case 'network':
      return 'Il server non risponde. Controlli la connessione a Internet e riprovi.';
    case 'unauthenticated':
      return 'La sessione è scaduta. Rientri con le sue credenziali.';
    case 'forbidden':
      return 'Il suo profilo non permette questa operazione.';
    case 'invalid_codice_fiscale':
      return 'Il codice fiscale del richiedente non è corretto. Lo controlli sulla tessera sanitaria.';
    case 'invalid_delegate_codice_fiscale':
      return 'Il codice fiscale del delegato non è corretto. Lo controlli sulla tessera sanitaria.';
    case 'codice_fiscale_mismatch':
      return 'Data di nascita, sesso o luogo di nascita non corrispondono al codice fiscale. Li controlli.';
    case 'invalid_birth_date':
      return 'La data di nascita non è plausibile. La controlli.';
    case 'invalid_name':
      return 'Nome e cognome devono essere scritti per intero (al massimo 100 caratteri).';
    case 'invalid_email':
      return 'L’indirizzo e-mail non è valido.';
    case 'invalid_phone':
      return 'Il numero di telefono non è valido: usi solo cifre, spazi e il segno +.';
    case 'invalid_services':
    case 'unknown_service':
      return 'Uno dei servizi scelti non è disponibile. Torni al passo “Servizio”.';
    case 'invalid_delegate':
      return 'Il delegato non può essere la stessa persona del richiedente.';
    case 'invalid_delegation_act':
      return 'Il riferimento dell’atto di delega è troppo lungo (al massimo 200 caratteri).';
    case 'delegation_missing':
      return 'Per il delegato indichi il riferimento dell’atto di delega oppure che esiste già una delega digitale.';
    case 'gdpr_notice_not_signed':
      return 'Prima di prenotare il richiedente deve firmare l’informativa privacy.';
    case 'invalid_notes':
      return 'Le note sono troppo lunghe (al massimo 1000 caratteri).';
    case 'unknown_residence':
      return 'Il comune di residenza non è tra quelli conosciuti dal sistema. Controlli il codice ISTAT.';
    case 'unknown_comune':
      return 'Il comune non è tra quelli conosciuti dal sistema.';
    case 'unknown_sportello':
      return 'Lo sportello scelto non esiste più. Torni al passo “Sede e sportello”.';
    case 'service_not_handled':
      return 'Lo sportello scelto non tratta questo servizio. Ne scelga un altro.';
    case 'hold_expired':
      return 'Il tempo per confermare è scaduto e l’orario è stato liberato. Scelga di nuovo data e ora.';
    case 'slot_taken':
    case 'conflict':
      return 'Questo orario è appena stato prenotato da un altro operatore. Ne scelga un altro.';
    case 'hold_released':
    case 'unknown_hold':
    case 'hold_not_active':
      return 'L’orario non è più riservato. Scelga di nuovo data e ora.';
    case 'already_confirmed':
    case 'idempotency_key_reused':
      return 'Questo appuntamento risulta già confermato. Controlli l’elenco degli appuntamenti.';
    case 'slot_in_past':
      return 'L’orario scelto è già passato. Ne scelga un altro.';
    case 'holiday':
      return 'In quel giorno la Sede è chiusa per festività. Scelga un altro giorno.';
    case 'sede_closed':
      return 'In quel giorno la Sede è chiusa. Scelga un altro giorno.';
    case 'outside_opening_hours':
      return 'L’orario scelto è fuori dall’orario di apertura dello sportello.';
    case 'too_far_ahead':
      return 'Si può prenotare al massimo un anno prima. Scelga una data più vicina.';
    case 'bad_date_range':
    case 'date_range_too_long':
    case 'bad_query':
      return 'Le date indicate non sono valide.';
    case 'outside_meeting_window':
      return 'Il meeting si può aprire solo nel giorno dell’appuntamento, da 30 minuti prima dell’inizio a 30 minuti dopo la fine.';
    case 'meeting_not_open':
      return 'L’operatore del Comune non ha ancora aperto il meeting. Riprovi tra qualche istante.';
    case 'appointment_cancelled':
      return 'L’appuntamento è stato annullato: non c’è un meeting da aprire.';
    case 'unknown_appointment':
      return 'L’appuntamento non esiste più. Ricarichi la pagina.';
    case 'unknown_account':
      return 'Questo profilo di prova non esiste più. Ricarichi la pagina.';
    case 'csrf_failed':
      return 'La sessione è cambiata, forse per un accesso fatto in un’altra finestra. Ricarichi la pagina e riprovi.';
    case 'bad_origin':
      return 'La richiesta è stata rifiutata per motivi di sicurezza. Ricarichi la pagina e riprovi.';
    default:
      return 'Si è verificato un problema. Riprovi tra qualche minuto; se si ripete, avvisi l’assistenza.';
  }
}

// ——— Login and operator enablement ———

/** "3 minuti", "1 minuto": a wait given in seconds, rounded up to whole minutes. */
function minutes(seconds: number): string {
  const n = Math.max(1, Math.ceil(seconds / 60));
  return n === 1 ? '1 minuto' : `${n} minuti`;
}

/** Italian explanation of a login error (`POST /v1/login`, also the codes of a failed OIDC login). */
export function loginErrorText(code: string, retryAfterSeconds: number | null = null): string {
  switch (code) {
    case 'bad_credentials':
      return 'Nome utente o password non corretti. Li controlli e riprovi.';
    case 'account_revoked':
      return 'Il suo accesso è stato revocato. Per riaverlo si rivolga all’Amministratore utenze del suo Comune.';
    case 'account_not_yet_valid':
      return 'Il suo accesso non è ancora attivo. Per sapere da quando potrà entrare si rivolga all’Amministratore utenze del suo Comune.';
    case 'account_expired':
      return 'Il suo accesso è scaduto. Per prolungarlo si rivolga all’Amministratore utenze del suo Comune.';
    case 'too_many_attempts':
      return retryAfterSeconds !== null
        ? `Troppi tentativi non riusciti. Per sicurezza l’accesso è bloccato: attenda ${minutes(retryAfterSeconds)} e riprovi.`
        : 'Troppi tentativi non riusciti. Per sicurezza l’accesso è bloccato: attenda qualche minuto e riprovi.';
    case 'bad_request':
    case 'bad_json':
      return 'Scriva il nome utente e la password, poi prema “Entra”.';
    case 'oidc_failed':
      return 'L’accesso con l’identità digitale non è riuscito. Riprovi; se il problema si ripete, entri con nome utente e password o avvisi l’assistenza.';
    case 'oidc_state':
      return 'Il tentativo di accesso è scaduto oppure era stato iniziato in un’altra finestra. Riprovi dall’inizio.';
    case 'oidc_not_linked':
      return 'Questa identità digitale non è abilitata per nessun profilo del servizio. Chieda all’Amministratore utenze del suo Comune di abilitarla.';
    default:
      return bookingErrorText(code);
  }
}

/** The codes the server puts in `/accesso?errore=CODE` after a failed OIDC login. */
const OIDC_ERRORS: ReadonlySet<string> = new Set([
  'oidc_failed', 'oidc_state', 'oidc_not_linked', 'account_revoked', 'account_not_yet_valid', 'account_expired',
]);

/** Italian explanation of the `errore` of the login page (any other value: a generic text). */
export function oidcErrorText(code: string): string {
  return OIDC_ERRORS.has(code)
    ? loginErrorText(code)
    : 'L’accesso non è riuscito. Riprovi; se il problema si ripete, avvisi l’assistenza.';
}

/** Italian names of the operator states on the "Utenze" page. */
export const OPERATOR_STATUS_LABEL = {
  active: 'Attivo',
  revoked: 'Revocato',
  not_yet_valid: 'Non ancora valido',
  expired: 'Scaduto',
} as const;

/** Italian explanation of an error of the operator enablement API. */
export function identityErrorText(code: string): string {
  switch (code) {
    case 'bad_account_id':
      return 'Il nome utente può contenere solo lettere minuscole senza accenti, numeri, punto (.), trattino (-) e trattino basso (_), al massimo 64 caratteri. Ad esempio: mario.rossi';
    case 'weak_password':
      return 'La password deve avere almeno 12 caratteri.';
    case 'bad_dates':
      return 'Le date non sono valide: la data di fine non può essere prima della data di inizio.';
    case 'account_exists':
      return 'Esiste già un operatore con questo nome utente. Ne scelga un altro.';
    case 'unknown_account':
      return 'Questo operatore non esiste più. Ricarichi la pagina.';
    case 'forbidden':
      return 'Il suo profilo non permette di gestire questo operatore.';
    case 'bad_request':
    case 'bad_json':
      return 'I dati inviati non sono validi. Li controlli e riprovi.';
    default:
      return bookingErrorText(code);
  }
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
