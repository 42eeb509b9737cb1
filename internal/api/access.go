package api

import "github.com/vulndesk/vulndesk/internal/model"

type NewToken struct {
	Name         string   `json:"name" doc:"a label for the token, 1–100 characters"`
	Role         string   `json:"role" doc:"what the token may do (any case)"`
	AssetNames   []string `json:"asset_names" doc:"uploader tokens only: asset names or globs (billing-*) it may upload to, at most 100"`
	AssetTags    []string `json:"asset_tags" doc:"uploader tokens only: it may upload to assets carrying one of these tags, at most 100 of 1–64 characters"`
	CreateAssets bool     `json:"create_assets" doc:"whether an upload with the token may create the asset it names (within asset_names)"`
}

// CreatedToken answers a new token: its secret is shown this once.
type CreatedToken struct {
	Token string      `json:"token" doc:"the token's secret (vdk_…), shown this once: only its hash is kept"`
	Info  model.Token `json:"info" doc:"the token as listed"`
	Note  string      `json:"note" doc:"a reminder that the secret is shown once"`
}

type NewUser struct {
	Username string `json:"username" doc:"the sign-in name: 1–64 letters, digits, . _ - or @"`
	Role     string `json:"role" doc:"what the user may do (any case)"`
	Password string `json:"password" doc:"the password, which must pass the password policy; empty or absent: one is generated and answered once"`
}

// CreatedUser answers a new user, with a generated password shown once.
type CreatedUser struct {
	User     model.User `json:"user" doc:"the new user"`
	Password string     `json:"password,omitempty" doc:"the generated password, shown this once; absent when one was given"`
	Note     string     `json:"note,omitempty" doc:"says that the password was generated; absent when one was given"`
}

type UserChange struct {
	Role     *string `json:"role" doc:"the user's new role (any case); absent: unchanged"`
	Disabled *bool   `json:"disabled" doc:"true disables the user (they cannot sign in), false enables them; absent: unchanged"`
}

type SetPassword struct {
	Password string `json:"password" doc:"the new password, which must pass the password policy; empty or absent: one is generated and answered once"`
}

// NewPassword answers a password set by an admin: a generated one is
// shown once.
type NewPassword struct {
	Password string `json:"password,omitempty" doc:"the generated password, shown this once; absent when one was given"`
	Note     string `json:"note" doc:"what was done: the user's sessions were ended"`
}

type OwnPassword struct {
	Current string `json:"current_password" doc:"your current password"`
	New     string `json:"new_password" doc:"your new password, which must pass the password policy"`
}
