// Package notify is what notifications say and to whom, apart from
// sending them: which rules an event passes, the signed JSON a webhook
// receives, the text an email carries, and when a failed delivery is
// tried again.
//
// # Verifying a webhook
//
// Each request carries X-Vulndesk-Timestamp (Unix seconds) and
// X-Vulndesk-Signature: sha256=<hex>, the HMAC-SHA256, keyed with the
// channel's secret (shown once, when the channel was created), of the
// timestamp, a dot and the raw body: "<timestamp>.<body>". A receiver
// computes the same HMAC over the body as received, compares it in
// constant time, and rejects the request when the timestamp is more than
// five minutes from its clock (a replay). X-Vulndesk-Delivery carries the
// delivery's ID: a delivery can arrive twice (the server stopped after
// sending it and before recording the answer), and a receiver that has
// seen the ID drops the repeat. Verify does all of this.
package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// The webhook headers.
const (
	HeaderTimestamp = "X-Vulndesk-Timestamp"
	HeaderSignature = "X-Vulndesk-Signature"
	HeaderDelivery  = "X-Vulndesk-Delivery"
	HeaderEvent     = "X-Vulndesk-Event"
)

// MaxAge is how old a signed request a receiver accepts.
const MaxAge = 5 * time.Minute

// Passes tells whether rule r notifies item it.
func Passes(r model.NotifyRule, it model.NotifyItem) bool {
	if !slices.Contains(r.Events, it.Kind) {
		return false
	}
	if it.Priority != "" && r.MinPriority != "" && model.PriorityRank(it.Priority) < model.PriorityRank(r.MinPriority) {
		return false
	}
	if it.Asset == "" || len(r.Assets)+len(r.Tags)+len(r.Owners) == 0 {
		return true
	}
	if slices.Contains(r.Assets, it.Asset) || it.Owner != "" && slices.Contains(r.Owners, it.Owner) {
		return true
	}
	for _, t := range it.Tags {
		if slices.Contains(r.Tags, t) {
			return true
		}
	}
	return false
}

// Body is the JSON document a delivery sends.
func Body(event string, at time.Time, delivery int64, items []model.NotifyItem) []byte {
	if items == nil {
		items = []model.NotifyItem{}
	}
	b, err := json.Marshal(model.NotifyBody{Event: event, At: at.UTC(), Delivery: delivery, Items: items})
	if err != nil {
		panic(err) // plain data
	}
	return b
}

// Sign is the X-Vulndesk-Signature value of body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature: a webhook request whose signature or timestamp does
// not verify.
var ErrBadSignature = errors.New("webhook signature does not verify")

// Verify checks a webhook request as a receiver should: the timestamp
// header within MaxAge of now, and the signature header the HMAC of it
// and body.
func Verify(secret, timestamp, signature string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not Unix seconds", ErrBadSignature, timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxAge || d < -MaxAge {
		return fmt.Errorf("%w: timestamp %d is %s from now, more than %s", ErrBadSignature, ts, d.Round(time.Second), MaxAge)
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return fmt.Errorf("%w: the HMAC differs", ErrBadSignature)
	}
	return nil
}

// Retry says when a delivery that failed on attempt (1 for the first)
// is tried again: after base·2^(attempt-1), at most an hour; zero when it
// is not, because the failure is permanent or attempt was the last of max.
func Retry(now time.Time, attempt, max int, retryable bool, base time.Duration) time.Time {
	if !retryable || attempt >= max {
		return time.Time{}
	}
	d := base << min(attempt-1, 20)
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	return now.Add(d)
}

// RetryableHTTP tells whether an HTTP status is worth trying again: a
// server error, 408 or 429; other client errors are the request's fault.
func RetryableHTTP(status int) bool {
	return status >= 500 || status == 408 || status == 429
}
