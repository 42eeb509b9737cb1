package model

import "time"

// User is a person who signs in to the web interface.
type User struct {
	ID           int64     `json:"id" doc:"the user's ID"`
	Username     string    `json:"username" doc:"the sign-in name: 1–64 letters, digits, . _ - or @"`
	PasswordHash string    `json:"-"`
	Role         string    `json:"role" doc:"what the user may do"`
	Disabled     bool      `json:"disabled" doc:"a disabled user cannot sign in"`
	CreatedAt    time.Time `json:"created_at" doc:"when the user was created (UTC, RFC 3339)"`
}

// Token is an API token for machines. Only its hash is kept.
type Token struct {
	ID   int64  `json:"id" doc:"the token's ID"`
	Name string `json:"name" doc:"a label for the token, 1–100 characters"`
	Role string `json:"role" doc:"what the token may do"`
	// AssetNames (globs, as path.Match reads them) and AssetTags hold an
	// uploader token to the assets they name; both empty: every asset.
	AssetNames []string `json:"asset_names" doc:"asset names or globs (billing-*) an uploader token may upload to; with asset_tags both empty, every asset"`
	AssetTags  []string `json:"asset_tags" doc:"an uploader token may also upload to the assets that carry one of these tags"`
	// CreateAssets lets an upload with the token create the asset it
	// names (within AssetNames).
	CreateAssets bool      `json:"create_assets" doc:"whether an upload with the token may create the asset it names (within asset_names)"`
	CreatedBy    string    `json:"created_by" doc:"who created the token"`
	CreatedAt    time.Time `json:"created_at" doc:"when the token was created (UTC, RFC 3339)"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero" doc:"when the token was last used (UTC, RFC 3339); absent when never"`
	RevokedAt    time.Time `json:"revoked_at,omitzero" doc:"when the token was revoked (UTC, RFC 3339); absent while it works"`
}
