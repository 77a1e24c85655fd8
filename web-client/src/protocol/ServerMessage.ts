// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.
import type { ErrorCode } from "./ErrorCode";
import type { IceCandidate } from "./IceCandidate";
import type { IceServer } from "./IceServer";
import type { LeaveReason } from "./LeaveReason";
import type { MediaKind } from "./MediaKind";
import type { ParticipantInfo } from "./ParticipantInfo";
import type { Role } from "./Role";

export type ServerMessage = { "type": "joined", version: number, participant_id: string, room: string, role: Role, participants: Array<ParticipantInfo>, ice_servers: Array<IceServer>, } | { "type": "offer", sdp: string, } | { "type": "answer", sdp: string, } | { "type": "candidate", candidate: IceCandidate, } | { "type": "participant_joined", participant: ParticipantInfo, } | { "type": "participant_left", participant_id: string, reason: LeaveReason, } | { "type": "track_state", participant_id: string, kind: MediaKind, muted: boolean, } | { "type": "left" } | { "type": "ping", nonce: number, } | { "type": "pong", nonce: number, } | { "type": "error", code: ErrorCode, message: string, };
