//! The words every part of wasmjob shares, each defined once.
//!
//! The server's API and tables, the worker, the wire protocol between
//! them, the CLI and the project templates all speak of the same things:
//! how an instance's work is spread ([`ExecuteType`]) and which WIT world
//! serves it ([`World`]), what runs a job ([`ProcessorType`]), where an
//! instance stands ([`InstanceStatus`]), how a job is triggered
//! ([`TimeExpressionType`]) and how severe a log line is ([`LogLevel`]).
//! Each enum spells its variants once, through serde (PowerJob's names:
//! `MAP_REDUCE`, `WAITING_DISPATCH`); [`Word::name`] and
//! [`Word::from_name`] read those spellings back for SQL, messages and
//! flags, so no hand-written name table can drift from the JSON.
#![deny(missing_docs)]

mod execute;
mod log;
mod processor;
mod status;
mod time;
mod word;

pub use execute::{ExecuteType, World};
pub use log::LogLevel;
pub use processor::ProcessorType;
pub use status::InstanceStatus;
pub use time::TimeExpressionType;
pub use word::{UnknownWord, Word};
