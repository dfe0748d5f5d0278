//! Reports of a plan for pull-request review and policy tools: one typed model
//! ([`model`]) built once from a plan or a plan file ([`build`]), written as a versioned
//! JSON document ([`json`]) or as a GitHub comment in Markdown ([`markdown`]) within
//! GitHub's size limit ([`budget`]). Errors and refusals are reports too
//! ([`diagnostic`]): a refused plan still tells the pull request what was refused and
//! why. The text a terminal shows is [`crate::render`]'s.
//!
//! The pieces are meant for any report of object changes (a drift report reuses
//! [`model::ObjectChangeEntry`], [`build::object_change_entry`], the Markdown helpers and
//! the budget).

pub mod budget;
pub mod build;
pub mod diagnostic;
pub mod json;
pub mod markdown;
pub mod model;

pub use build::{failed_document, plan_document};
pub use diagnostic::KeptDiagnostic;
pub use json::to_json;
pub use model::{Document, FORMAT_VERSION, Outcome};

#[cfg(test)]
mod tests;
