package auth

import (
	"fmt"
	"strings"
)

// Role is what a user may do, as a name stored with the user.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin    Role = "admin"    // everything, including users and tokens
	RoleAnalyst  Role = "analyst"  // reads, uploads and triages findings
	RoleUploader Role = "uploader" // uploads SBOMs only: for CI tokens
	RoleAuditor  Role = "auditor"  // reads everything, changes nothing
)

// Roles lists every role, in the order of the constants.
var Roles = []Role{RoleAdmin, RoleAnalyst, RoleUploader, RoleAuditor}

// Perm is a set of permissions, one bit each.
type Perm uint8

// The permissions. Each is a separate bit: PermAdmin does not imply the
// others, which is why admin's set lists them all.
const (
	PermRead   Perm = 1 << iota // see projects, findings and reports
	PermUpload                  // submit SBOMs for scanning
	PermTriage                  // change a finding's status, add notes
	PermAdmin                   // manage users, tokens and settings
	PermAudit                   // read the audit log (admins and auditors; analysts do not)
)

// scopeNames names each permission bit, in bit order.
var scopeNames = []struct {
	perm Perm
	name string
}{
	{PermRead, "read"},
	{PermUpload, "upload"},
	{PermTriage, "triage"},
	{PermAdmin, "admin"},
	{PermAudit, "audit"},
}

// rolePerms is the permission table.
var rolePerms = map[Role]Perm{
	RoleAdmin:    PermRead | PermUpload | PermTriage | PermAdmin | PermAudit,
	RoleAnalyst:  PermRead | PermUpload | PermTriage,
	RoleUploader: PermUpload,
	RoleAuditor:  PermRead | PermAudit,
}

// ParseRole returns the role named s, ignoring case.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if strings.EqualFold(s, string(r)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: valid roles are %s", s, roleList())
}

// roleList joins the role names for messages: "admin, analyst, ...".
func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Perms returns the permissions of the role; an unknown role has none.
func (r Role) Perms() Perm {
	return rolePerms[r]
}

// Has tells whether p holds every permission in q. Has(0) is true.
func (p Perm) Has(q Perm) bool {
	return p&q == q
}

// Scopes names the permissions in p, in the order read, upload, triage,
// admin; it is never nil, so it encodes as a JSON list.
func (p Perm) Scopes() []string {
	out := []string{}
	for _, s := range scopeNames {
		if p.Has(s.perm) {
			out = append(out, s.name)
		}
	}
	return out
}
