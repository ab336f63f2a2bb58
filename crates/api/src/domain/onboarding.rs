//! Onboarding rules without I/O: the stage state machine (what a transition changes), how start input,
//! journey stages and platform codes are normalised, and the public link's state. Intake value checks
//! are in `intake`, the welcome email's text in `welcome`.

pub mod intake;
pub mod welcome;

use audienceos_shared::onboarding::{
    CreateJourneyRequest, InstanceStatus, LinkState, NewOnboardingClient, PlatformState, StageAction, StageInput,
    StageState, UpdateJourneyRequest,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::text::{clean, normalise_website};

// ---- the stage state machine ----

/// One stage as a transition sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageSnapshot {
    pub id: Uuid,
    pub name: String,
    pub status: StageState,
    pub reason: Option<String>,
}

/// A requested transition.
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    pub from_stage_id: Uuid,
    pub action: StageAction,
    pub stage_id: Option<Uuid>,
    pub reason: Option<String>,
}

/// What a transition decided: the stages whose status changes, the new current stage and instance status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionPlan {
    pub target: Uuid,
    pub target_name: String,
    pub from_status: StageState,
    pub to_status: StageState,
    pub changes: Vec<StageSnapshot>,
    pub current_stage_id: Uuid,
    pub status: InstanceStatus,
}

impl TransitionPlan {
    /// This plan completes an onboarding that was `before` (not already completed).
    pub fn completes(&self, before: InstanceStatus) -> bool {
        self.status == InstanceStatus::Completed && before != InstanceStatus::Completed
    }
}

/// Decide a transition over the journey's stages in order (`stages` non-empty, `target` among them).
/// `None` when `target` is not one of `stages` or `action` is one the server records itself.
pub fn plan_transition(
    stages: &[StageSnapshot],
    current: Uuid,
    instance: InstanceStatus,
    action: StageAction,
    target: Uuid,
    reason: Option<&str>,
) -> Option<TransitionPlan> {
    let idx = stages.iter().position(|s| s.id == target)?;
    let mut next: Vec<StageSnapshot> = stages.to_vec();
    let mut current_stage_id = current;
    let mut status = match instance {
        InstanceStatus::Pending => InstanceStatus::InProgress,
        other => other,
    };
    let start = |s: &mut StageSnapshot| {
        if s.status == StageState::Pending {
            s.status = StageState::InProgress;
        }
    };
    match action {
        StageAction::SetCurrent => {
            current_stage_id = target;
            start(&mut next[idx]);
        }
        StageAction::Complete => {
            next[idx].status = StageState::Completed;
            next[idx].reason = None;
            if target == current {
                let after = (idx + 1..next.len()).chain(0..idx);
                if let Some(n) = after.into_iter().find(|i| next[*i].status != StageState::Completed) {
                    current_stage_id = next[n].id;
                    start(&mut next[n]);
                }
            }
        }
        StageAction::Block => {
            next[idx].status = StageState::Blocked;
            next[idx].reason = reason.map(str::to_string);
        }
        StageAction::Reopen => {
            next[idx].status = StageState::InProgress;
            next[idx].reason = None;
            current_stage_id = target;
            if status == InstanceStatus::Completed {
                status = InstanceStatus::InProgress;
            }
        }
        _ => return None,
    }
    if next.iter().all(|s| s.status == StageState::Completed) {
        status = InstanceStatus::Completed;
    }
    let changes = next
        .iter()
        .zip(stages)
        .filter(|(n, o)| n != o)
        .map(|(n, _)| n.clone())
        .collect();
    Some(TransitionPlan {
        target,
        target_name: stages[idx].name.clone(),
        from_status: stages[idx].status,
        to_status: next[idx].status,
        changes,
        current_stage_id,
        status,
    })
}

/// The stored status of a stage (`pending` when none is stored or it is unknown).
pub fn stage_state(stored: Option<&str>) -> StageState {
    stored.and_then(StageState::parse).unwrap_or(StageState::Pending)
}

// ---- stages and platforms ----

/// A platform code as stored: trimmed, upper case.
pub fn platform_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// The stored verification state of a platform (`pending` when none or unknown).
pub fn platform_state(stored: Option<&str>) -> PlatformState {
    match stored {
        Some("verified") => PlatformState::Verified,
        Some("failed") => PlatformState::Failed,
        _ => PlatformState::Pending,
    }
}

/// Trimmed names and upper-cased, trimmed, de-duplicated platform codes.
pub fn normalise_stages(stages: Vec<StageInput>) -> Vec<StageInput> {
    stages
        .into_iter()
        .map(|s| {
            let mut platforms: Vec<String> = Vec::new();
            for p in s.platforms.iter().map(|p| platform_code(p)) {
                if !platforms.contains(&p) {
                    platforms.push(p);
                }
            }
            StageInput {
                id: s.id,
                name: s.name.trim().to_string(),
                platforms,
            }
        })
        .collect()
}

/// Trimmed name, blank intro and video absent, stages normalised.
pub fn normalise_create_journey(b: &mut CreateJourneyRequest) {
    b.name = b.name.trim().to_string();
    b.intro = clean(b.intro.take());
    b.welcome_video_url = clean(b.welcome_video_url.take());
    b.stages = normalise_stages(std::mem::take(&mut b.stages));
}

/// Trimmed name; a blank intro or video clears it.
pub fn normalise_update_journey(b: &mut UpdateJourneyRequest) {
    b.name = b.name.take().map(|n| n.trim().to_string());
    b.intro = b.intro.take().map(clean);
    b.welcome_video_url = b.welcome_video_url.take().map(clean);
}

// ---- starting ----

/// Trimmed name and email, blank contact name and website absent, bare domains given `https://`.
pub fn normalise_new_client(c: &mut NewOnboardingClient) {
    c.name = c.name.trim().to_string();
    c.contact_email = c.contact_email.trim().to_string();
    c.contact_name = clean(c.contact_name.take());
    c.website = clean(c.website.take()).map(|w| normalise_website(&w));
}

// ---- the public link ----

/// When a link made at `now` stops working, under the agency's expiry policy in days.
pub fn link_expires_at(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    now + chrono::Duration::days(days)
}

/// A link's state as the agency sees it.
pub fn link_state(revoked_at: Option<DateTime<Utc>>, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> LinkState {
    if revoked_at.is_some() {
        LinkState::Revoked
    } else if expires_at <= now {
        LinkState::Expired
    } else {
        LinkState::Active
    }
}

/// The public form opens only for a running onboarding (pending or in progress) whose link is neither
/// revoked nor expired.
pub fn link_is_open(
    status: Option<InstanceStatus>,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    matches!(status, Some(InstanceStatus::Pending | InstanceStatus::InProgress))
        && link_state(revoked_at, expires_at, now) == LinkState::Active
}

#[cfg(test)]
mod tests {
    use super::*;
    use StageState::*;

    fn stages(states: &[StageState]) -> Vec<StageSnapshot> {
        states
            .iter()
            .enumerate()
            .map(|(i, s)| StageSnapshot {
                id: Uuid::from_u128(i as u128 + 1),
                name: format!("S{i}"),
                status: *s,
                reason: None,
            })
            .collect()
    }

    fn plan(
        s: &[StageSnapshot],
        current: usize,
        instance: InstanceStatus,
        action: StageAction,
        target: usize,
    ) -> TransitionPlan {
        plan_transition(s, s[current].id, instance, action, s[target].id, None).unwrap()
    }

    #[test]
    fn completing_the_current_stage_moves_on_and_the_last_completes_the_onboarding() {
        let s = stages(&[InProgress, Pending]);
        let p = plan(&s, 0, InstanceStatus::Pending, StageAction::Complete, 0);
        assert_eq!(p.current_stage_id, s[1].id);
        assert_eq!(p.status, InstanceStatus::InProgress);
        assert_eq!(p.changes.len(), 2);
        let s = stages(&[Completed, InProgress]);
        let p = plan(&s, 1, InstanceStatus::InProgress, StageAction::Complete, 1);
        assert_eq!(p.status, InstanceStatus::Completed);
        assert_eq!(p.current_stage_id, s[1].id);
        assert!(p.completes(InstanceStatus::InProgress));
        assert!(!p.completes(InstanceStatus::Completed));
    }

    #[test]
    fn block_keeps_the_reason_and_reopen_reopens_a_completed_onboarding() {
        let s = stages(&[Completed, Completed]);
        let p = plan(&s, 1, InstanceStatus::Completed, StageAction::Reopen, 0);
        assert_eq!(p.status, InstanceStatus::InProgress);
        assert_eq!(p.current_stage_id, s[0].id);
        let p = plan_transition(
            &s,
            s[1].id,
            InstanceStatus::InProgress,
            StageAction::Block,
            s[1].id,
            Some("x"),
        )
        .unwrap();
        assert_eq!(p.to_status, Blocked);
        assert_eq!(p.changes[0].reason.as_deref(), Some("x"));
        assert!(plan_transition(
            &s,
            s[1].id,
            InstanceStatus::InProgress,
            StageAction::Block,
            Uuid::nil(),
            None
        )
        .is_none());
    }

    #[test]
    fn completing_the_current_stage_wraps_to_the_first_open_stage_before_it() {
        let s = stages(&[Pending, Completed, InProgress]);
        let p = plan(&s, 2, InstanceStatus::InProgress, StageAction::Complete, 2);
        assert_eq!(p.current_stage_id, s[0].id, "the search wraps past the end");
        assert_eq!(
            p.changes.iter().map(|c| (c.id, c.status)).collect::<Vec<_>>(),
            [(s[0].id, InProgress), (s[2].id, Completed)]
        );
        assert_eq!(p.status, InstanceStatus::InProgress);
    }

    #[test]
    fn completing_another_stage_keeps_the_current_one() {
        let s = stages(&[InProgress, Pending, Pending]);
        let p = plan(&s, 0, InstanceStatus::InProgress, StageAction::Complete, 2);
        assert_eq!(p.current_stage_id, s[0].id);
        assert_eq!(p.from_status, Pending);
        assert_eq!(p.to_status, Completed);
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.target_name, "S2");
    }

    #[test]
    fn set_current_starts_a_pending_stage_and_leaves_a_blocked_one_blocked() {
        let s = stages(&[InProgress, Pending, Blocked]);
        let p = plan(&s, 0, InstanceStatus::Pending, StageAction::SetCurrent, 1);
        assert_eq!(p.current_stage_id, s[1].id);
        assert_eq!(p.to_status, InProgress);
        assert_eq!(p.status, InstanceStatus::InProgress, "a pending onboarding starts");
        let p = plan(&s, 0, InstanceStatus::InProgress, StageAction::SetCurrent, 2);
        assert_eq!(p.to_status, Blocked);
        assert!(p.changes.is_empty());
    }

    #[test]
    fn completing_a_blocked_stage_clears_its_reason() {
        let mut s = stages(&[Blocked, Pending]);
        s[0].reason = Some("waiting for access".into());
        let p = plan(&s, 0, InstanceStatus::InProgress, StageAction::Complete, 0);
        assert_eq!(p.changes[0].status, Completed);
        assert_eq!(p.changes[0].reason, None);
    }

    #[test]
    fn the_server_recorded_actions_plan_nothing() {
        let s = stages(&[InProgress]);
        for action in [StageAction::Verify, StageAction::IntakeSubmitted, StageAction::Started] {
            assert!(plan_transition(&s, s[0].id, InstanceStatus::InProgress, action, s[0].id, None).is_none());
        }
    }

    #[test]
    fn stages_are_trimmed_and_platform_codes_upper_cased_once_each() {
        let out = normalise_stages(vec![StageInput {
            id: None,
            name: "  Access ".into(),
            platforms: vec![" meta".into(), "META".into(), "ga4 ".into()],
        }]);
        assert_eq!(out[0].name, "Access");
        assert_eq!(out[0].platforms, ["META", "GA4"]);
        assert_eq!(platform_state(Some("verified")), PlatformState::Verified);
        assert_eq!(platform_state(Some("other")), PlatformState::Pending);
        assert_eq!(stage_state(None), Pending);
    }

    #[test]
    fn a_link_is_open_only_while_running_unrevoked_and_unexpired() {
        let now = crate::clock::system_now();
        let later = now + chrono::Duration::days(1);
        assert_eq!(link_expires_at(now, 1), later);
        assert_eq!(link_state(None, later, now), LinkState::Active);
        assert_eq!(link_state(None, now, now), LinkState::Expired);
        assert_eq!(link_state(Some(now), later, now), LinkState::Revoked);
        assert!(link_is_open(Some(InstanceStatus::Pending), None, later, now));
        assert!(!link_is_open(Some(InstanceStatus::Completed), None, later, now));
        assert!(!link_is_open(None, None, later, now));
        assert!(!link_is_open(Some(InstanceStatus::InProgress), None, now, now));
    }
}
