//! The demo clients the demo providers know (`audienceos-fakes --demo`, `audienceos_fakes::demo::CAST`):
//! their contacts are set to the people who write from the demo mailbox and Slack workspace, so messages
//! match their clients by exact address and the client panel names the person who wrote. A test keeps
//! this table and the fakes' one the same.

use super::generate::DataSet;

/// A demo client as the demo providers know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cast {
    pub client: &'static str,
    pub contact_name: &'static str,
    pub contact_email: &'static str,
    /// Its Slack channel id in the demo workspace.
    pub slack: Option<&'static str>,
    /// Its Google Ads customer id.
    pub google_ads: Option<&'static str>,
    /// Its Meta ad account id (digits).
    pub meta: Option<&'static str>,
}

const fn cast(
    client: &'static str,
    contact_name: &'static str,
    contact_email: &'static str,
    slack: Option<&'static str>,
    google_ads: Option<&'static str>,
    meta: Option<&'static str>,
) -> Cast {
    Cast {
        client,
        contact_name,
        contact_email,
        slack,
        google_ads,
        meta,
    }
}

pub const CAST: [Cast; 8] = [
    cast(
        "Acme Outdoor",
        "Olivia Bennett",
        "olivia@acmeoutdoor.example",
        Some("C0DEMO0001"),
        Some("3021000001"),
        Some("4100000001"),
    ),
    cast(
        "Bluebird Coffee",
        "Liam Carter",
        "liam@bluebirdcoffee.example",
        None,
        Some("3021000002"),
        Some("4100000002"),
    ),
    cast(
        "Cedar & Sage",
        "Emma Walsh",
        "emma@cedarsage.example",
        Some("C0DEMO0002"),
        None,
        Some("4100000003"),
    ),
    cast(
        "Driftwood Surf",
        "Noah Tanaka",
        "noah@driftwoodsurf.example",
        None,
        Some("3021000004"),
        Some("4100000004"),
    ),
    cast(
        "Evergreen Pets",
        "Ava Haddad",
        "ava@evergreenpets.example",
        Some("C0DEMO0003"),
        Some("3021000005"),
        None,
    ),
    cast(
        "Glow Skincare",
        "Sophia Rossi",
        "sophia@glowskincare.example",
        Some("C0DEMO0004"),
        None,
        Some("4100000006"),
    ),
    cast(
        "Harbor Wine",
        "Mateo Silva",
        "mateo@harborwine.example",
        None,
        Some("3021000007"),
        None,
    ),
    cast(
        "Ironclad Fitness",
        "Kenji Novak",
        "kenji@ironcladfitness.example",
        None,
        Some("3021000008"),
        Some("4100000008"),
    ),
];

/// Whether `client` is one of the cast (its conversations and ads come from the demo providers).
pub fn is_cast(client: &str) -> bool {
    CAST.iter().any(|c| c.client == client)
}

/// Give the cast's clients their contacts.
pub fn apply(data: &mut DataSet) {
    for c in &mut data.clients {
        if let Some(cast) = CAST.iter().find(|cast| cast.client == c.name) {
            c.contact_name = Some(cast.contact_name.to_owned());
            c.contact_email = Some(cast.contact_email.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fakes_demo_cast_is_this_one() {
        let fakes: Vec<Cast> = audienceos_fakes::demo::CAST
            .iter()
            .map(|c| Cast {
                client: c.client,
                contact_name: c.contact_name,
                contact_email: c.contact_email,
                slack: c.slack.map(|(_, id)| id),
                google_ads: c.google_ads,
                meta: c.meta,
            })
            .collect();
        assert_eq!(fakes, CAST.to_vec());
    }

    #[test]
    fn every_cast_client_is_a_demo_brand_on_its_own_domain() {
        for c in CAST {
            assert!(
                super::super::generate::BRANDS.contains(&c.client),
                "{} is not generated",
                c.client
            );
            let slug = audienceos_fakes::demo::slug(c.client);
            assert!(
                c.contact_email.ends_with(&format!("@{slug}.example")),
                "{} is not on {}'s domain",
                c.contact_email,
                c.client
            );
        }
    }
}
