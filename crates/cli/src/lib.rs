//! The `spotcheck` command: one binary, a subcommand per role, and the one-process mode.
//!
//! A command flows one way: `main` parses [`args`] and sets up [`logging`]; [`commands`] (one
//! file per command family) acts on them through [`embedded`] (every role in this process) or
//! [`pool`] (the distributed roles, [`ops`] serving their metrics and health); both end in a
//! [`finished`] round whose reports [`output`] writes. [`error`] is the one error they share.
//! None of them imports a module that imports it back.

pub mod args;
pub mod commands;
pub mod embedded;
pub mod error;
pub mod finished;
pub mod logging;
pub mod ops;
pub mod output;
pub mod pool;
