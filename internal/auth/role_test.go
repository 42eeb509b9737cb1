package auth

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRole(t *testing.T) {
	good := map[string]Role{
		"admin": RoleAdmin, "ADMIN": RoleAdmin, "Admin": RoleAdmin,
		"analyst": RoleAnalyst, "AnAlYsT": RoleAnalyst,
		"uploader": RoleUploader, "UPLOADER": RoleUploader,
		"auditor": RoleAuditor, "Auditor": RoleAuditor,
	}
	for in, want := range good {
		if got, err := ParseRole(in); got != want || err != nil {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "root", "admins", " admin", "read", "uploader\n"} {
		got, err := ParseRole(in)
		if err == nil || got != "" {
			t.Errorf("ParseRole(%q) = %q, %v; want an error", in, got, err)
			continue
		}
		for _, r := range Roles {
			if !strings.Contains(err.Error(), string(r)) {
				t.Errorf("ParseRole(%q) error %q does not list %s", in, err, r)
			}
		}
	}
}

func TestRolesComplete(t *testing.T) {
	want := []Role{"admin", "analyst", "uploader", "auditor"}
	if !reflect.DeepEqual(Roles, want) {
		t.Errorf("Roles = %v, want %v", Roles, want)
	}
	if len(rolePerms) != len(Roles) {
		t.Errorf("rolePerms has %d roles, Roles %d", len(rolePerms), len(Roles))
	}
}

func TestPerms(t *testing.T) {
	tests := []struct {
		role   Role
		perm   Perm
		scopes []string
	}{
		{RoleAdmin, PermRead | PermUpload | PermTriage | PermAdmin | PermAudit, []string{"read", "upload", "triage", "admin", "audit"}},
		{RoleAnalyst, PermRead | PermUpload | PermTriage, []string{"read", "upload", "triage"}},
		{RoleUploader, PermUpload, []string{"upload"}},
		{RoleAuditor, PermRead | PermAudit, []string{"read", "audit"}},
		{"root", 0, []string{}},
		{"", 0, []string{}},
	}
	all := []Perm{PermRead, PermUpload, PermTriage, PermAdmin, PermAudit}
	for _, tt := range tests {
		p := tt.role.Perms()
		if p != tt.perm {
			t.Errorf("%q.Perms() = %04b, want %04b", tt.role, p, tt.perm)
		}
		if got := p.Scopes(); !reflect.DeepEqual(got, tt.scopes) {
			t.Errorf("%q scopes = %#v, want %#v", tt.role, got, tt.scopes)
		}
		for _, q := range all {
			if p.Has(q) != (tt.perm&q != 0) {
				t.Errorf("%q.Perms().Has(%04b) = %v", tt.role, q, p.Has(q))
			}
		}
	}
}

func TestPermBits(t *testing.T) {
	all := []Perm{PermRead, PermUpload, PermTriage, PermAdmin, PermAudit}
	var seen Perm
	for _, p := range all {
		if p == 0 || p&(p-1) != 0 || seen&p != 0 {
			t.Errorf("permission %04b is not a distinct single bit", p)
		}
		seen |= p
	}
	analyst := RoleAnalyst.Perms()
	if !analyst.Has(PermRead|PermTriage) || analyst.Has(PermRead|PermAdmin) {
		t.Error("Has must require every bit of its argument")
	}
	if !Perm(0).Has(0) || !analyst.Has(0) {
		t.Error("Has(0) must be true")
	}
	if got := Perm(0).Scopes(); got == nil || len(got) != 0 {
		t.Errorf("Perm(0).Scopes() = %#v, want an empty non-nil slice", got)
	}
}
