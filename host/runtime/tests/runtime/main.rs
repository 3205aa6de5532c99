//! End-to-end tests of the host runtime against real components built
//! from `guest-examples/` (run `guest-examples/build.sh` first; the test
//! script does).

mod contract_growth;
mod guests;
mod kinds;
mod sandbox;
mod support;
mod validation;
