//! Authentication: accounts and app secrets (hashed with argon2), bearer
//! tokens (stored as sha256), the [`Principal`] extractor every protected
//! handler takes, the login route and the first-start admin account.

mod bootstrap;
pub mod passwords;
mod principal;
pub(crate) mod routes;
pub mod tokens;

pub use bootstrap::ensure_admin;
pub use principal::Principal;
