-- An API token can be held to some assets: by name (a glob such as
-- billing-*) or by tag, JSON arrays of either; both empty means every
-- asset. create_assets says whether an upload with the token may create
-- the asset it names. Tokens made before this kept creating assets as
-- they did; new ones do only when made so. Keep the other dialect in step.

-- +goose Up
ALTER TABLE api_tokens ADD COLUMN asset_names TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_tokens ADD COLUMN asset_tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_tokens ADD COLUMN create_assets BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE api_tokens SET create_assets = TRUE;
