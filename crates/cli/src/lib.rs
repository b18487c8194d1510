//! The `spotcheck` command: one binary, a subcommand per role, and the one-process mode.
//!
//! [`cli`] parses arguments and dispatches; [`embedded`] runs every role in one process on
//! the in-process queue and store (`run`, `demo`, `sim`); [`output`] writes the reports;
//! [`pool`] runs the distributed roles and [`ops`] serves their metrics and health.

pub mod cli;
pub mod console;
pub mod embedded;
pub mod ops;
pub mod output;
pub mod pool;
