// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.

export type IceCandidate = { candidate: string, sdp_mid: string | null, sdp_m_line_index: number | null, };
