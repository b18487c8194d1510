//! spotcheck-bus
