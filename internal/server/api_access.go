package server

// The API of access: API tokens, users and passwords.

import (
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/service"
)

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.NewToken
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := s.Svc.CreateToken(r.Context(), service.NewToken{Name: in.Name, Role: in.Role,
		AssetNames: in.AssetNames, AssetTags: in.AssetTags, CreateAssets: in.CreateAssets}, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, api.CreatedToken{Token: secret, Info: t, Note: "shown once: store it now; only its hash is kept"})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.NewUser
	if err := decode(r, &in); err != nil {
		return err
	}
	u, generated, err := s.Svc.CreateUser(r.Context(), service.NewUser{Name: in.Username, Role: in.Role, Password: in.Password}, who.Name)
	if err != nil {
		return err
	}
	out := api.CreatedUser{User: u}
	if generated != "" {
		out.Password, out.Note = generated, "generated password, shown once"
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[api.UserChange](r)
	if err != nil {
		return err
	}
	u, err := s.Svc.UpdateUser(r.Context(), id, service.UserChange{Role: in.Role, Disabled: in.Disabled}, who.UserID, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) setUserPassword(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, in, err := idAndBody[api.SetPassword](r)
	if err != nil {
		return err
	}
	generated, err := s.Svc.SetPassword(r.Context(), id, in.Password, who.Name)
	if err != nil {
		return err
	}
	out := api.NewPassword{Password: generated, Note: "password set; the user's sessions were ended"}
	if generated != "" {
		out.Note = "generated password, shown once; the user's sessions were ended"
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.OwnPassword
	if err := decode(r, &in); err != nil {
		return err
	}
	if who.UserID == 0 {
		return errStatus(http.StatusBadRequest, "an API token has no password: sign in as a person to change yours")
	}
	if err := s.Svc.ChangeOwnPassword(r.Context(), who.UserID, in.Current, in.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
