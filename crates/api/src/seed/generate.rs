//! A believable agency's data, generated deterministically from a seed: clients spread over the stages
//! with their stage history, notes, tasks (some done, some overdue) and labels. Used by the demo agency
//! (about 40 clients) and the benchmark data set (10,000 clients, 100,000 notes and events).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::store::bulk::{ClientSeed, NoteSeed, StageEventSeed, TaskSeed};

/// SplitMix64: small, fast and good enough to spread demo data; not for anything secret.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The client names, in order (the demo agency has all 40).
pub(crate) const BRANDS: [&str; 40] = [
    "Acme Outdoor",
    "Bluebird Coffee",
    "Cedar & Sage",
    "Driftwood Surf",
    "Evergreen Pets",
    "Fable Books",
    "Glow Skincare",
    "Harbor Wine",
    "Ironclad Fitness",
    "Juniper Home",
    "Kindred Kids",
    "Lumen Lighting",
    "Maple Street Bakery",
    "Nomad Travel Gear",
    "Orchard Juice",
    "Peak Performance",
    "Quill Stationery",
    "Riverbend Dental",
    "Summit Roofing",
    "Tidal Swimwear",
    "Urban Sprout",
    "Velvet Candle Co",
    "Wildflower Tea",
    "Yonder Camping",
    "Zephyr Cycles",
    "Atlas Furniture",
    "Birch Botanicals",
    "Copper Kettle",
    "Dune Apparel",
    "Ember Grills",
    "Fern Yoga",
    "Granite Tools",
    "Hearth Ceramics",
    "Indigo Denim",
    "Jasper Jewelry",
    "Kestrel Optics",
    "Lark Audio",
    "Meadow Dairy",
    "North Shore Realty",
    "Oakline Flooring",
];

const FIRST: [&str; 16] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Lucas", "Mia", "Ethan", "Amara", "Kenji", "Leila",
    "Diego", "Hannah", "Omar",
];
const LAST: [&str; 16] = [
    "Nguyen", "Smith", "Garcia", "Johnson", "Okafor", "Müller", "Rossi", "Kim", "Silva", "Brown", "Haddad", "Tanaka",
    "Novak", "Dubois", "Walsh", "Ahmed",
];

const NOTES: [&str; 12] = [
    "Kickoff call went well; they want the Meta pixel live before the spring sale.",
    "Sent the access checklist for Google Ads and GA4.",
    "Client asked for a weekly report every Monday morning.",
    "Shopify theme uses a custom checkout; pixel install needs their developer.",
    "Audit draft shared: wasted spend on broad match keywords.",
    "Budget approved for Q2, +15% on prospecting.",
    "Waiting on brand assets for the new creatives.",
    "Follow up about the conversion API setup.",
    "They flagged a drop in ROAS last week; investigating attribution window change.",
    "Renewal conversation scheduled for next month.",
    "Walked the team through the dashboard; they loved the trend view.",
    "Tracking verified end to end with test purchases.",
];

const TASKS: [&str; 10] = [
    "Verify Meta pixel events",
    "Request Google Ads admin access",
    "Set up GA4 conversions",
    "Send onboarding questionnaire",
    "Prepare audit deck",
    "Schedule monthly review",
    "Install server-side tracking",
    "Refresh ad creatives",
    "Reconcile spend report",
    "Confirm billing contact",
];

/// The labels of the demo agency, with their colours.
pub const LABELS: [(&str, &str); 6] = [
    ("VIP", "#eb5757"),
    ("Shopify", "#0f9d58"),
    ("Retainer", "#5e6ad2"),
    ("Paid social", "#26b5ce"),
    ("Upsell", "#f2994a"),
    ("At renewal", "#bb87fc"),
];

/// Everything generated for one agency.
#[derive(Debug, Default)]
pub struct DataSet {
    pub clients: Vec<ClientSeed>,
    pub events: Vec<StageEventSeed>,
    pub notes: Vec<NoteSeed>,
    pub tasks: Vec<TaskSeed>,
    /// (client, index into LABELS)
    pub labels: Vec<(Uuid, usize)>,
}

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub clients: usize,
    /// Notes in all (spread over clients).
    pub notes: usize,
    /// Extra stage events beyond each client's own history.
    pub extra_events: usize,
    pub tasks_per_client: usize,
}

/// Generate `size` for stages `stages` (id, name in board order) and team `team` (user ids, owner first).
pub fn generate(seed: u64, size: Size, stages: &[(Uuid, String)], team: &[Uuid], now: DateTime<Utc>) -> DataSet {
    let mut rng = Rng::new(seed);
    let mut out = DataSet::default();
    if stages.is_empty() {
        return out;
    }
    // Most clients are Live; a few in each of the other stages, like a real book of business.
    let weights: Vec<usize> = stages
        .iter()
        .enumerate()
        .map(|(i, _)| match i {
            3 => 35,
            0 => 15,
            _ => 10,
        })
        .collect();
    let total_weight: usize = weights.iter().sum();
    for i in 0..size.clients {
        let brand = if size.clients <= BRANDS.len() {
            BRANDS[i].to_string()
        } else {
            format!("{} {}", BRANDS[i % BRANDS.len()], i / BRANDS.len() + 1)
        };
        let slug: String = brand
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let (first, last) = (rng.pick(&FIRST), rng.pick(&LAST));
        let mut w = rng.below(total_weight);
        let mut stage_index = 0;
        for (si, sw) in weights.iter().enumerate() {
            if w < *sw {
                stage_index = si;
                break;
            }
            w -= sw;
        }
        let created_at = now - Duration::days(20 + rng.below(300) as i64) - Duration::minutes(rng.below(1440) as i64);
        let days_in_stage = match rng.below(10) {
            0 => 15 + rng.below(20),
            1 | 2 => 7 + rng.below(7),
            _ => rng.below(7),
        } as i64;
        let stage_entered_at =
            (now - Duration::days(days_in_stage) - Duration::minutes(rng.below(600) as i64)).max(created_at);
        let id = Uuid::now_v7();
        let owner = if rng.chance(90) { Some(*rng.pick(team)) } else { None };
        // History: created in the first stage, then one move per stage up to the current one.
        let mut at = created_at;
        let span = (stage_entered_at - created_at).num_minutes().max(1);
        for s in 0..=stage_index {
            let moved_at = if s == stage_index {
                stage_entered_at
            } else if s == 0 {
                created_at
            } else {
                at + Duration::minutes(span / (stage_index as i64 + 1))
            };
            at = moved_at;
            out.events.push(StageEventSeed {
                id: Uuid::now_v7(),
                client_id: id,
                from: (s > 0).then(|| stages[s - 1].clone()),
                to: stages[s].clone(),
                moved_by: owner.or(team.first().copied()),
                moved_at,
            });
        }
        out.clients.push(ClientSeed {
            id,
            name: brand.clone(),
            contact_name: Some(format!("{first} {last}")),
            contact_email: Some(format!("{}.{}@{slug}.example", first.to_lowercase(), i)),
            website: Some(format!("https://{slug}.example")),
            stage_id: stages[stage_index].0,
            stage_entered_at,
            install_date: (stage_index >= 2)
                .then(|| (created_at + Duration::days(10 + rng.below(20) as i64)).date_naive()),
            total_spend_cents: (rng.below(60_000) as i64 + 1_000) * 100 + rng.below(100) as i64,
            lifetime_value_cents: (rng.below(250_000) as i64 + 5_000) * 100,
            due_date: rng
                .chance(40)
                .then(|| (now + Duration::days(rng.below(40) as i64 - 10)).date_naive()),
            owner_id: owner,
            last_activity_at: now - Duration::days(rng.below(25) as i64),
            created_at,
        });
        for l in 0..LABELS.len() {
            if rng.chance(if l == 2 { 45 } else { 18 }) {
                out.labels.push((id, l));
            }
        }
        for p in 0..size.tasks_per_client {
            let due = now + Duration::days(rng.below(24) as i64 - 3);
            let done = rng.chance(50);
            out.tasks.push(TaskSeed {
                id: Uuid::now_v7(),
                client_id: id,
                title: rng.pick(&TASKS).to_string(),
                assignee_id: Some(*rng.pick(team)),
                due_date: Some(due.date_naive()),
                done_at: done.then(|| (due - Duration::days(1)).min(now)),
                done_by: done.then(|| *rng.pick(team)),
                position: p as i32,
                created_at: created_at + Duration::days(1),
            });
        }
    }
    let n_clients = out.clients.len();
    for _ in 0..size.notes {
        let c = &out.clients[rng.below(n_clients)];
        let age = (now - c.created_at).num_minutes().max(1) as usize;
        out.notes.push(NoteSeed {
            id: Uuid::now_v7(),
            client_id: c.id,
            author_id: Some(*rng.pick(team)),
            body: rng.pick(&NOTES).to_string(),
            created_at: now - Duration::minutes(rng.below(age) as i64),
        });
    }
    // Extra history (re-opened clients moving back and forth) for the benchmark's event volume.
    for _ in 0..size.extra_events {
        let c = &out.clients[rng.below(n_clients)];
        let (a, b) = (rng.below(stages.len()), rng.below(stages.len()));
        let age = (c.stage_entered_at - c.created_at).num_minutes().max(1) as usize;
        out.events.push(StageEventSeed {
            id: Uuid::now_v7(),
            client_id: c.id,
            from: Some(stages[a].clone()),
            to: stages[b].clone(),
            moved_by: team.first().copied(),
            moved_at: c.created_at + Duration::minutes(rng.below(age) as i64),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_shape() {
        let stages: Vec<(Uuid, String)> = (0..6).map(|i| (Uuid::now_v7(), format!("S{i}"))).collect();
        let team = [Uuid::now_v7(), Uuid::now_v7()];
        let now = crate::clock::system_now();
        let size = Size {
            clients: 40,
            notes: 100,
            extra_events: 10,
            tasks_per_client: 3,
        };
        let a = generate(7, size, &stages, &team, now);
        let b = generate(7, size, &stages, &team, now);
        assert_eq!(a.clients.len(), 40);
        assert_eq!(a.notes.len(), 100);
        assert_eq!(a.tasks.len(), 120);
        assert_eq!(
            a.clients.iter().map(|c| c.stage_id).collect::<Vec<_>>(),
            b.clients.iter().map(|c| c.stage_id).collect::<Vec<_>>()
        );
        // Every client has its history, ending in its current stage.
        for c in &a.clients {
            let last = a
                .events
                .iter()
                .filter(|e| e.client_id == c.id)
                .max_by_key(|e| e.moved_at)
                .unwrap();
            assert_eq!(last.to.0, c.stage_id);
        }
        // Spread: more than one stage is used.
        let mut used: Vec<Uuid> = a.clients.iter().map(|c| c.stage_id).collect();
        used.sort();
        used.dedup();
        assert!(used.len() >= 4);
    }
}
