// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.

export type Role = "citizen" | "operator" | "official" | "load_tester";
