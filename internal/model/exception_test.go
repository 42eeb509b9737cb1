package model

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestExceptionInputExpiry(t *testing.T) {
	for _, c := range []struct {
		body string
		want time.Time
		err  bool
	}{
		{`{"reason": "r", "expires_at": "2027-03-01"}`, time.Date(2027, 3, 1, 23, 59, 59, 0, time.UTC), false},
		{`{"reason": "r", "expires_at": "2027-03-01T12:00:00+01:00"}`, time.Date(2027, 3, 1, 11, 0, 0, 0, time.UTC), false},
		{`{"reason": "r"}`, time.Time{}, false},
		{`{"reason": "r", "expires_at": "next week"}`, time.Time{}, true},
		{`{"reason": "r", "expires": "2027-03-01"}`, time.Time{}, true},
	} {
		var in ExceptionInput
		err := json.Unmarshal([]byte(c.body), &in)
		if (err != nil) != c.err || !in.ExpiresAt.Equal(c.want) {
			t.Errorf("%s: %v, %v; want %v (error %v)", c.body, in.ExpiresAt, err, c.want, c.err)
		}
		if err == nil && in.Reason != "r" {
			t.Errorf("%s: reason %q", c.body, in.Reason)
		}
	}
	var in ExceptionInput
	if err := json.Unmarshal([]byte(`{"expires_at": "soon"}`), &in); !errors.Is(err, ErrInvalid) {
		t.Errorf("a bad expiry is ErrInvalid: %v", err)
	}
}
