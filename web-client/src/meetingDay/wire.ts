// Wire types of the meeting day (handover, citizen session, close): generated from the Rust
// types by ts-rs into `src/generated/`, gathered here for the UI.

export type { CitizenSessionInfo as CitizenSession } from '../generated/CitizenSessionInfo';
export type { CloseRequest } from '../generated/CloseRequest';
export type { ExpectedParticipant } from '../generated/ExpectedParticipant';
export type { HandoverTicket } from '../generated/HandoverTicket';
export type { MeetingClosed } from '../generated/MeetingClosed';
export type { MeetingOutcome as Outcome } from '../generated/MeetingOutcome';
export type { MeetingTicket as DayTicket } from '../generated/MeetingTicket';
