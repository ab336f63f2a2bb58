//! A radio list of team members (owner and escalation pickers), filtered by a search text, with an
//! optional "nobody" choice. Native radios: arrow keys move the choice, Tab leaves the group.

use audienceos_shared::team::TeamMember;
use leptos::prelude::*;
use uuid::Uuid;

use super::badges::Avatar;
use super::unique_id;

/// True when `member` matches `query` by name or email (case-insensitive).
pub fn matches(member: &TeamMember, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty() || member.name().to_lowercase().contains(&q) || member.email.to_lowercase().contains(&q)
}

/// The radio group.
#[component]
pub fn MemberList(
    members: Vec<TeamMember>,
    choice: RwSignal<Option<Uuid>>,
    #[prop(into)] filter: Signal<String>,
    /// The group's accessible name, e.g. "Owner".
    legend: &'static str,
    /// Label of the "nobody" choice, e.g. "Unassigned"; absent when a member must be chosen.
    #[prop(optional)]
    none_label: Option<&'static str>,
) -> impl IntoView {
    let group = unique_id("members");
    let visible = move || {
        let q = filter.get();
        members.iter().filter(|m| matches(m, &q)).cloned().collect::<Vec<_>>()
    };
    let none = none_label.map(|label| {
        let id = format!("{group}-none");
        let name = group.clone();
        view! {
            <li class="choice">
                <input
                    type="radio"
                    id=id.clone()
                    name=name
                    checked=move || choice.get().is_none()
                    on:change=move |_| choice.set(None)
                />
                <label for=id>{label}</label>
            </li>
        }
    });
    let name = group.clone();
    view! {
        <fieldset class="choices">
            <legend class="sr-only">{legend}</legend>
            <ul class="choice-list">
                {none}
                {move || {
                    let list = visible();
                    if list.is_empty() {
                        return view! { <li class="muted choice-empty">"No team member matches."</li> }.into_any();
                    }
                    list.into_iter()
                        .map(|m| {
                            let id = format!("{}-{}", name, m.id);
                            let member = m.id;
                            view! {
                                <li class="choice">
                                    <input
                                        type="radio"
                                        id=id.clone()
                                        name=name.clone()
                                        checked=move || choice.get() == Some(member)
                                        on:change=move |_| choice.set(Some(member))
                                    />
                                    <label for=id>
                                        <Avatar name=m.name()/>
                                        <span class="choice-name">{m.name()}</span>
                                        <span class="muted">{format!("{} · {}", m.role, m.email)}</span>
                                    </label>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
        </fieldset>
    }
}
