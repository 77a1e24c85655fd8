// Wire types of the booking API: generated from the Rust types by ts-rs into `generated/`
// (`SPORTELLO_UPDATE_BINDINGS=1 cargo test -p sportello --test booking_ts_bindings`), never
// written here by hand.
export type { Applicant } from './generated/Applicant';
export type { Appointment } from './generated/Appointment';
export type { CitizenRequest } from './generated/CitizenRequest';
export type { Closure } from './generated/Closure';
export type { ClosureRequest } from './generated/ClosureRequest';
export type { Comune } from './generated/Comune';
export type { ComuneRef } from './generated/ComuneRef';
export type { Delegate } from './generated/Delegate';
export type { DemoAccount } from './generated/DemoAccount';
export type { Hold } from './generated/Hold';
export type { HoldRequest } from './generated/HoldRequest';
export type { Holiday } from './generated/Holiday';
export type { Holidays } from './generated/Holidays';
export type { MeetingTicket } from './generated/MeetingTicket';
export type { OpeningHours } from './generated/OpeningHours';
export type { Principal } from './generated/Principal';
export type { PrivacyNotice } from './generated/PrivacyNotice';
export type { Proposal } from './generated/Proposal';
export type { Proposals } from './generated/Proposals';
export type { RescheduleRequest } from './generated/RescheduleRequest';
export type { Role } from './generated/Role';
export type { SedeDetail } from './generated/SedeDetail';
export type { Service } from './generated/Service';
export type { SessionInfo } from './generated/SessionInfo';
export type { Sex } from './generated/Sex';
export type { Slot } from './generated/Slot';
export type { Slots } from './generated/Slots';
export type { SportelloDetail } from './generated/SportelloDetail';
export type { SportelloInfo } from './generated/SportelloInfo';
export type { SportelloName } from './generated/SportelloName';
export type { StaffRole } from './generated/StaffRole';
