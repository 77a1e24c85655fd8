// Italian texts shown to people. Plain words, formal "Lei", short sentences.

import type { ErrorCode } from './protocol/ErrorCode';
import type { LeaveReason } from './protocol/LeaveReason';
import type { Role } from './protocol/Role';

export const ROLE_LABEL: Record<Role, string> = {
  citizen: 'Cittadino',
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
