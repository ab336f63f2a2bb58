//! Client rules without I/O: how create input is normalised, and which sort a list query means.

use audienceos_shared::clients::{ClientListQuery, ClientSort, CreateClientRequest, SortDir};

use crate::domain::text::{clean, normalise_website};
use crate::store::clients::list::default_dir;

/// Trim text fields, turn empty strings into absent values and bare domains into `https://` URLs.
pub fn normalise_create(b: &mut CreateClientRequest) {
    b.name = b.name.trim().to_string();
    b.contact_name = clean(b.contact_name.take());
    b.contact_email = clean(b.contact_email.take());
    b.website = clean(b.website.take()).map(|w| normalise_website(&w));
}

/// The effective sort and direction of a list query.
pub fn sort_of(q: &ClientListQuery) -> (ClientSort, SortDir) {
    let sort = q.sort.unwrap_or_default();
    (sort, q.dir.unwrap_or_else(|| default_dir(sort)))
}
