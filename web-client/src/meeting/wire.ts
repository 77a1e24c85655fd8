// Wire types of the meeting day (handover, citizen session, close): generated from the Rust
// types by ts-rs into `booking/generated/`, gathered here for the UI.

export type { CitizenSessionInfo as CitizenSession } from '../booking/generated/CitizenSessionInfo';
export type { CloseRequest } from '../booking/generated/CloseRequest';
export type { ExpectedParticipant } from '../booking/generated/ExpectedParticipant';
export type { HandoverTicket } from '../booking/generated/HandoverTicket';
export type { MeetingClosed } from '../booking/generated/MeetingClosed';
export type { MeetingOutcome as Outcome } from '../booking/generated/MeetingOutcome';
export type { MeetingTicket as DayTicket } from '../booking/generated/MeetingTicket';
