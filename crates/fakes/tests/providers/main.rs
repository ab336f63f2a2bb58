//! The provider fakes (Google, Slack, Meta) over HTTP, one module per provider plus the shared faults.

mod binary;
mod demo;
mod faults;
mod google;
mod helpers;
mod meta;
mod slack;
