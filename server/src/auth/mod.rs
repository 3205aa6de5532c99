//! Authentication: accounts and app secrets (hashed with argon2), bearer
//! tokens (stored as sha256), the [`Principal`] extractor every protected
//! handler takes, the login route with its throttle of failed attempts,
//! the administrators' view of lockouts and the first-start admin account.

mod address;
mod bootstrap;
mod lockouts;
pub mod passwords;
mod principal;
pub(crate) mod routes;
pub mod throttle;
pub mod tokens;

pub use address::ClientAddress;
pub use bootstrap::ensure_admin;
pub use principal::Principal;
pub(crate) use principal::bearer;
pub use routes::{LoginRequest, LoginResponse};
pub use throttle::LoginConfig;
