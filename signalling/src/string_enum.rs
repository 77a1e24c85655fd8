//! [`string_enum!`](crate::string_enum): codes as types, each code's string written once.

/// Declares a fieldless enum whose variants each name their string once, as
/// `Variant = "string"`. Every variant gets `#[serde(rename = "string")]`, so serde and the ts-rs
/// string union use that string, and the enum gets `ALL`, `as_str` and `Display` from the same
/// list: a new variant cannot have a wire name that differs from its `as_str`.
///
/// The caller writes the derives (serde's `Serialize`/`Deserialize`, `ts_rs::TS`, ...) and any
/// other attributes on the enum; used for the signalling protocol's enums, the HTTP `ApiCode`
/// and the `AuditAction` of the server.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The string this value stands for (as serialized), for logs, metric labels and
            /// stored codes.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
