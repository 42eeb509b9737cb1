package server

// Errors become responses in one place: the table below, read with
// errors.Is and errors.As — never by an error's text.

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// apiError is an error with the status it answers with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errStatus(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// errorStatus maps the errors use cases answer with to HTTP statuses, the
// first that matches winning. Their messages are shown: they name what
// was wrong and never hold a secret.
var errorStatus = []struct {
	err    error
	status int
}{
	{model.ErrTooLarge, http.StatusRequestEntityTooLarge},
	{model.ErrInvalid, http.StatusBadRequest},
	{store.ErrBadCursor, http.StatusBadRequest},
	{model.ErrForbidden, http.StatusForbidden},
	{service.ErrWrongPassword, http.StatusForbidden},
	{model.ErrNotFound, http.StatusNotFound},
	{model.ErrConflict, http.StatusConflict},
}

// statusOf is the status err answers with and the message shown; 0 for
// an error that is not the caller's (a 500, logged, its text not shown).
func statusOf(err error) (int, string) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.msg
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit)
	}
	for _, e := range errorStatus {
		if errors.Is(err, e.err) {
			return e.status, err.Error()
		}
	}
	return 0, ""
}

// handleError answers an error: the table's status with its message; 503
// with Retry-After for a busy server or 507 for a full disk; nothing for a
// client that went away; anything else is logged and answered 500 without
// detail.
func (s *Server) handleError(w http.ResponseWriter, r *http.Request, rt route, who *principal, err error) {
	var busy *busyError
	switch {
	case errors.As(err, &busy):
		w.Header().Set("Retry-After", retryAfter(busy.retryAfter))
		s.fail(w, r, rt, who, http.StatusServiceUnavailable, busy.msg)
		return
	case store.IsFull(err):
		s.Log.Error("request refused: storage full", "route", rt.Pattern, "method", r.Method, "error", err)
		w.Header().Set("Retry-After", "60")
		s.fail(w, r, rt, who, http.StatusInsufficientStorage, "storage full: nothing was stored; the database's disk has no room (free space and try again)")
		return
	}
	if status, msg := statusOf(err); status != 0 {
		s.fail(w, r, rt, who, status, msg)
		return
	}
	if errors.Is(err, context.Canceled) {
		return // the client went away
	}
	s.Log.Error("request failed", "route", rt.Pattern, "method", r.Method, "error", err)
	s.fail(w, r, rt, who, http.StatusInternalServerError, "internal error; the server log has the details")
}
