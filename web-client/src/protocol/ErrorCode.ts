// Hand-written mirror of signalling/src/protocol.rs until ts-rs generates this file. Do not edit once generated.

export type ErrorCode = "bad_json" | "unknown_type" | "bad_message" | "message_too_large" | "binary_not_supported" | "rate_limited" | "join_timeout" | "not_joined" | "already_joined" | "unsupported_version" | "token_missing" | "token_invalid" | "token_expired" | "room_full" | "bad_sdp" | "bad_candidate" | "no_pending_offer" | "ping_timeout" | "slow_consumer" | "removed" | "shutting_down" | "internal";
