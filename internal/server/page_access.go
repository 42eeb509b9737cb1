package server

// The access page: everyone changes their own password there; admins
// also manage users and API tokens. A generated password or a new token
// is shown once, on the answer to the form that made it, never through a
// redirect (which would put it in a URL) and never stored in clear.

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

// accessView is what access.html draws.
type accessView struct {
	// Person is false for an API token, which has no password.
	Person bool
	// SignedOut: the password was changed and every session ended.
	SignedOut bool
	Message   string
	Admin     bool
	Users     []model.User
	Tokens    []model.Token
	Roles     []auth.Role
	// Shown once: a new token's secret, a generated password and whose.
	NewToken, NewPassword, NewPasswordFor string
	// TokenForm and UserForm re-fill the admin's forms after an error.
	TokenForm tokenForm
	UserForm  userForm
}

type tokenForm struct {
	Name, Role, AssetNames, AssetTags string
	CreateAssets                      bool
}

type userForm struct{ Username, Role string }

// accessMessages are the messages a redirect back to /access names with
// ?done=: fixed texts, so that a link cannot put words on the page.
var accessMessages = map[string]string{
	"user-created":  "User created.",
	"user-changed":  "User changed; their sessions were ended.",
	"password-set":  "Password set; the user's sessions were ended.",
	"token-revoked": "Token revoked: it no longer opens anything.",
}

// accessView reads what the page shows the caller.
func (s *Server) accessViewFor(r *http.Request, who *principal) (*accessView, error) {
	v := &accessView{Person: who.UserID != 0, Admin: who.Perms.Has(auth.PermAdmin), Roles: auth.Roles,
		TokenForm: tokenForm{Role: string(auth.RoleUploader)}, UserForm: userForm{Role: string(auth.RoleAuditor)},
		Message: accessMessages[r.URL.Query().Get("done")]}
	if !v.Admin {
		return v, nil
	}
	var err error
	if v.Users, err = s.Store.Users(r.Context()); err != nil {
		return nil, err
	}
	if v.Tokens, err = s.Store.Tokens(r.Context()); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) accessPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "access.html", pageData{Title: "Access", User: who, Data: v})
}

// accessAnswer shows the access page after a form: err in words with the
// status it answers with, or (nil) 200 with what v says once.
func (s *Server) accessAnswer(w http.ResponseWriter, who *principal, v *accessView, err error) error {
	d := pageData{Title: "Access", User: who, Data: v}
	if err != nil {
		return s.pageError(w, "access.html", d, err)
	}
	return s.render(w, http.StatusOK, "access.html", d)
}

// changePasswordPage changes the caller's own password, as the API does;
// every session of theirs ends, this one too, so the answer says to sign
// in again.
func (s *Server) changePasswordPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	cur, next, again := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("repeat_password")
	switch {
	case who.UserID == 0:
		err = errStatus(http.StatusBadRequest, "an API token has no password: sign in as a person to change yours")
	case next != again:
		err = errStatus(http.StatusBadRequest, "the new password and its repeat differ: type the same new password twice")
	default:
		err = s.Svc.ChangeOwnPassword(r.Context(), who.UserID, cur, next)
		if errors.Is(err, service.ErrWrongPassword) {
			err = errStatus(http.StatusBadRequest, "your current password is wrong; nothing was changed")
		}
	}
	if err != nil {
		return s.accessAnswer(w, who, v, err)
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.SecureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	return s.render(w, http.StatusOK, "access.html", pageData{Title: "Password changed", Data: &accessView{SignedOut: true}})
}

// createUserPage creates a user; a generated password is shown once.
func (s *Server) createUserPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	v.UserForm = userForm{Username: strings.TrimSpace(r.PostFormValue("username")), Role: r.PostFormValue("role")}
	u, generated, err := s.Svc.CreateUser(r.Context(), service.NewUser{Name: v.UserForm.Username, Role: v.UserForm.Role,
		Password: r.PostFormValue("password")}, who.Name)
	if err != nil || generated == "" {
		return s.doneOr(w, r, who, v, err, "user-created")
	}
	return s.showOnce(w, r, who, func(v *accessView) {
		v.NewPassword, v.NewPasswordFor, v.Message = generated, u.Username, "User "+u.Username+" created."
	})
}

// updateUserPage changes a user's role or disables them.
func (s *Server) updateUserPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err == nil {
		role, disabled := r.PostFormValue("role"), r.PostFormValue("disabled") != ""
		_, err = s.Svc.UpdateUser(r.Context(), id, service.UserChange{Role: &role, Disabled: &disabled}, who.UserID, who.Name)
	}
	return s.doneOr(w, r, who, v, err, "user-changed")
}

// setUserPasswordPage sets a user's password; a generated one is shown
// once.
func (s *Server) setUserPasswordPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	var generated string
	if err == nil {
		generated, err = s.Svc.SetPassword(r.Context(), id, r.PostFormValue("password"), who.Name)
	}
	if err != nil || generated == "" {
		return s.doneOr(w, r, who, v, err, "password-set")
	}
	name := ""
	for _, u := range v.Users {
		if u.ID == id {
			name = u.Username
		}
	}
	return s.showOnce(w, r, who, func(v *accessView) {
		v.NewPassword, v.NewPasswordFor, v.Message = generated, name, "Password of "+name+" set; their sessions were ended."
	})
}

// createTokenPage creates an API token and shows its secret once.
func (s *Server) createTokenPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	v.TokenForm = tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Role: r.PostFormValue("role"),
		AssetNames: r.PostFormValue("asset_names"), AssetTags: r.PostFormValue("asset_tags"), CreateAssets: r.PostFormValue("create_assets") != ""}
	t, secret, err := s.Svc.CreateToken(r.Context(), service.NewToken{Name: v.TokenForm.Name, Role: v.TokenForm.Role,
		AssetNames: lineField(v.TokenForm.AssetNames), AssetTags: listField(v.TokenForm.AssetTags), CreateAssets: v.TokenForm.CreateAssets}, who.Name)
	if err != nil {
		return s.accessAnswer(w, who, v, err)
	}
	return s.showOnce(w, r, who, func(v *accessView) {
		v.NewToken, v.Message = secret, "Token "+t.Name+" created."
	})
}

// revokeTokenPage revokes an API token.
func (s *Server) revokeTokenPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err == nil {
		err = s.Svc.RevokeToken(r.Context(), id, who.Name)
	}
	return s.doneOr(w, r, who, v, err, "token-revoked")
}

// doneOr answers a form that shows nothing once: its error on the page,
// or a redirect to /access that says it was done.
func (s *Server) doneOr(w http.ResponseWriter, r *http.Request, who *principal, v *accessView, err error, done string) error {
	if err != nil {
		return s.accessAnswer(w, who, v, err)
	}
	http.Redirect(w, r, "/access?done="+done, http.StatusSeeOther)
	return nil
}

// showOnce answers with the access page as it now is, showing what set
// puts in it this once; the answer is not stored (Cache-Control: no-store).
func (s *Server) showOnce(w http.ResponseWriter, r *http.Request, who *principal, set func(*accessView)) error {
	v, err := s.accessViewFor(r, who)
	if err != nil {
		return err
	}
	set(v)
	return s.accessAnswer(w, who, v, nil)
}

// lineField splits a form field of one value a line (asset names may hold
// spaces and commas), trimming each and dropping empty lines.
func lineField(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// listField splits a form field of tags separated by commas, spaces or
// lines.
func listField(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}
