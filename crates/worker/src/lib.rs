//! spotcheck-worker
