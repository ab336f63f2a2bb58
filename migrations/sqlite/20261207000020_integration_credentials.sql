-- An agency's own OAuth app (client id and secret) at a provider, for a provider the server has no OAuth
-- app for (issue 20). One per agency and provider settings name: `google` (Gmail and Google Ads), `slack`,
-- `meta`. When the server configures the provider, the server's app is used and this row is ignored.
-- client_secret_enc holds `v1:{key_id}:{base64url(nonce || ciphertext || tag)}` (AES-256-GCM under the
-- token key; associated data = agency id, this row's id and the field `oauth_client_secret`, so it opens
-- neither as a provider token nor in another row), never a secret in clear. An upsert replaces the id with
-- the one the new secret was sealed under. set_by: who last set it.
create table integration_credential (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    provider text not null,
    client_id text not null,
    client_secret_enc text not null,
    set_by blob references app_user (id) on delete set null,
    created_at text not null,
    updated_at text not null,
    constraint integration_credential_agency_provider_key unique (agency_id, provider),
    constraint integration_credential_provider_check check (provider in ('google', 'slack', 'meta'))
);
