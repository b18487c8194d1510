//! spotcheck-collector
