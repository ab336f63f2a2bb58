//! Provider integrations. So far: encryption of provider tokens at rest ([`crypto`]).

pub mod crypto;
