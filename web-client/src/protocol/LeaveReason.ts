// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.

export type LeaveReason = "left" | "connection_lost" | "removed";
