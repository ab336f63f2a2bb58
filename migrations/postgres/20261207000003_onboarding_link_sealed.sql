-- The live intake link, sealed with the token key (AES-256-GCM, bound to its agency and onboarding) so
-- "Copy link" and "Resend email" give the link already sent instead of replacing it (issue 20). The
-- digest stays the lookup key; links issued before this migration have none and must be reissued.
alter table onboarding_instance add column link_token_sealed text;
