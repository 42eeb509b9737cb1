package server

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// TestStatusOf: the error table decides by errors.Is and errors.As, through
// any wrapping, and never by an error's text: an invalid field whose
// message says "too large" is a 400, and an unknown error that says "not
// found" is a 500.
func TestStatusOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{model.Invalidf("name %q: too large", "x"), http.StatusBadRequest},
		{fmt.Errorf("asset: %w", model.ErrTooLarge), http.StatusRequestEntityTooLarge},
		{fmt.Errorf("ingest: %w", fmt.Errorf("%w: scope", model.ErrForbidden)), http.StatusForbidden},
		{service.ErrWrongPassword, http.StatusForbidden},
		{fmt.Errorf("asset 7: %w", store.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("feed %q: %w", "kev", model.ErrConflict), http.StatusConflict},
		{store.ErrBadCursor, http.StatusBadRequest},
		{&http.MaxBytesError{Limit: 10}, http.StatusRequestEntityTooLarge},
		{fmt.Errorf("reading: %w", &http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge},
		{errStatus(http.StatusTeapot, "short and stout"), http.StatusTeapot},
		{errors.New("asset not found"), 0},
		{errors.New("SBOM too large"), 0},
		{errors.New("UNIQUE constraint failed: assets.name"), 0},
	} {
		if got, msg := statusOf(c.err); got != c.want || (got != 0 && msg == "") {
			t.Errorf("%v: status %d (%q), want %d", c.err, got, msg, c.want)
		}
	}
}
