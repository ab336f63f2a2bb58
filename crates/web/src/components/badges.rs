//! Small status pieces shared by the pipeline, the client list and the detail panel: health (dot, icon
//! and word, so colour is never the only signal), labels (colour swatch and name) and avatars.

use audienceos_shared::clients::{Health, Label};
use leptos::prelude::*;

use super::icons::{Icon, IconName};

/// Health as a coloured dot, an icon and its word ("At risk").
#[component]
pub fn HealthBadge(health: Health, #[prop(optional)] compact: bool) -> impl IntoView {
    let (class, icon) = match health {
        Health::Green => ("health health-green", IconName::Check),
        Health::Yellow => ("health health-yellow", IconName::Alert),
        Health::Red => ("health health-red", IconName::Octagon),
    };
    view! {
        <span class=class title=health.label()>
            <span class="health-dot" aria-hidden="true"></span>
            <Icon name=icon/>
            <span class:sr-only=compact>{health.label()}</span>
        </span>
    }
}

/// A label: its colour as a swatch and its name.
#[component]
pub fn LabelChip(label: Label) -> impl IntoView {
    view! {
        <span class="label-chip">
            <span class="label-swatch" style=format!("background:{}", label.color) aria-hidden="true"></span>
            {label.name}
        </span>
    }
}

/// Initials of a person's name in a small circle, decorative (the name is next to it).
#[component]
pub fn Avatar(name: String) -> impl IntoView {
    view! { <span class="avatar avatar-sm" aria-hidden="true">{initials(&name)}</span> }
}

/// "Ada Lovelace" -> "AL".
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// A readable name for each label colour, for the colour choosers' accessible names.
pub fn color_name(hex: &str) -> &'static str {
    match hex {
        "#5e6ad2" => "Indigo",
        "#26b5ce" => "Teal",
        "#0f9d58" => "Green",
        "#f2c94c" => "Yellow",
        "#f2994a" => "Orange",
        "#eb5757" => "Red",
        "#bb87fc" => "Purple",
        "#4ea7fc" => "Blue",
        "#95a2b3" => "Grey",
        "#d9730d" => "Brown",
        _ => "Custom colour",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_two_words() {
        assert_eq!(initials("ada lovelace byron"), "AL");
        assert_eq!(initials("Grace"), "G");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn every_label_colour_has_a_name() {
        for c in audienceos_shared::clients::LABEL_COLORS {
            assert_ne!(color_name(c), "Custom colour", "{c}");
        }
    }
}
