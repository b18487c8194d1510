//! WeChat official accounts: reading menus through the API or from saved files.
//!
//! [`api`] talks to the Official Account API (token, then the menu) through the worker's one
//! polite HTTP path; [`token`] caches access tokens for the whole worker process, because
//! every token request counts against a small daily quota and a plain `/cgi-bin/token` call
//! invalidates the token every other worker holds; [`menu`] turns either menu answer (or a
//! saved copy of one) into buttons with their links; [`errcode`] says what each refusal means
//! for the operator; [`redact`] keeps the AppSecret and the tokens out of logs and results.

pub mod api;
pub mod errcode;
pub mod menu;
pub mod redact;
pub mod token;
