//! spotcheck-scheduler
