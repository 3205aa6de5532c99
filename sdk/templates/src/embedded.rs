//! The files `build.rs` embeds: `SDK_FILES`, the guest SDK's README and
//! `src/*.rs` (paths relative to the SDK crate), and `WIT_FILES`, the
//! processor contract (paths relative to `wit/`).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
