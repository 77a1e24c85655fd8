// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.

export type IceServer = { urls: Array<string>, username?: string, credential?: string, };
