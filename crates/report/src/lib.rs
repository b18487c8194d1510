//! spotcheck-report
