//! The standing attack suite: every attack a security review performed
//! against a running installation, replayed against real `wasmjob`
//! server and worker processes with only what a hostile tenant (or a
//! stranger on the network) has. Each module is one boundary; each test
//! performs the attack and checks that it fails and changes nothing.
//! `docs/security.md` says what each boundary relies on.

#[allow(dead_code)]
mod support;

/// One module per boundary, in `tests/attacks/`.
mod attacks {
    mod builds;
    mod inspection;
    mod login;
    mod revocation;
    mod tenants;
    mod worker;
}
