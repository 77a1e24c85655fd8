// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.
import type { IceCandidate } from "./IceCandidate";
import type { MediaKind } from "./MediaKind";

export type ClientMessage = { "type": "join", version: number, token: string, } | { "type": "offer", sdp: string, } | { "type": "answer", sdp: string, } | { "type": "candidate", candidate: IceCandidate, } | { "type": "track_state", kind: MediaKind, muted: boolean, } | { "type": "leave" } | { "type": "ping", nonce: number, } | { "type": "pong", nonce: number, };
