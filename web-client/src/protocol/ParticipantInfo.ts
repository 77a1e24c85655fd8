// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.
import type { Role } from "./Role";

export type ParticipantInfo = { id: string, display_name: string, role: Role, audio_muted: boolean, video_muted: boolean, };
