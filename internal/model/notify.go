package model

import (
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Notification events: what people are told about.
const (
	NotifyFindingNew        = "finding.new"        // a new finding of priority act or attend
	NotifyFindingKEV        = "finding.kev"        // an open finding's vulnerability entered CISA KEV
	NotifySLADueSoon        = "sla.due_soon"       // an open finding's remediation clock turned due soon
	NotifySLABreached       = "sla.breached"       // an open finding passed its deadline
	NotifyExceptionExpiring = "exception.expiring" // an approved exception ends within a week
	NotifyScanOverdue       = "scan.overdue"       // an asset was not scanned within its interval
	NotifyFeedFailing       = "feed.failing"       // a feed's last sync failed
)

// NotifyEvents lists the events a rule may name.
var NotifyEvents = []string{NotifyFindingNew, NotifyFindingKEV, NotifySLADueSoon, NotifySLABreached,
	NotifyExceptionExpiring, NotifyScanOverdue, NotifyFeedFailing}

// Channel kinds.
const (
	ChannelWebhook = "webhook" // an HTTPS POST of signed JSON
	ChannelEmail   = "email"   // a message over the server's SMTP relay
)

// ChannelKinds lists the kinds a channel may have.
var ChannelKinds = []string{ChannelWebhook, ChannelEmail}

// Channel is a recipient of notifications: a webhook URL or an email
// address.
type Channel struct {
	ID      int64  `json:"id" doc:"the channel's ID"`
	Name    string `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -"`
	Kind    string `json:"kind" doc:"webhook (a signed HTTPS POST of JSON) or email (a message over the server's SMTP relay)"`
	URL     string `json:"url,omitempty" doc:"a webhook's URL: https:// (http:// only to a loopback host), at most 2000 characters, without credentials; absent for email"`
	Address string `json:"address,omitempty" doc:"an email channel's recipient address, at most 254 characters; absent for a webhook"`
	// Secret signs a webhook's requests; it is shown once, when the
	// channel is created (CreatedChannel), and never again.
	Secret    string    `json:"-"`
	CreatedBy string    `json:"created_by" doc:"who created it"`
	CreatedAt time.Time `json:"created_at" doc:"when it was created (UTC, RFC 3339)"`
}

// Redacted is the channel as those who may not configure notifications
// see it: a webhook URL keeps its scheme and host, not its path or query,
// which some services (chat webhooks) make the secret.
func (c Channel) Redacted() Channel {
	if c.URL == "" {
		return c
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		c.URL = "(redacted)"
		return c
	}
	rest := ""
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		rest = "/…"
	}
	c.URL = u.Scheme + "://" + u.Host + rest
	return c
}

var channelName = regexp.MustCompile(`^[A-Za-z0-9._:/@+-]{1,200}$`)

// Normalize trims and checks a channel's fields: the name, the kind, and
// the URL or address the kind needs (and not the other).
func (c *Channel) Normalize() error {
	c.Name = strings.TrimSpace(c.Name)
	c.URL, c.Address = strings.TrimSpace(c.URL), strings.TrimSpace(c.Address)
	if !channelName.MatchString(c.Name) {
		return Invalidf("name %q: 1–200 characters of letters, digits and . _ : / @ + -", short(c.Name))
	}
	switch c.Kind {
	case ChannelWebhook:
		if c.Address != "" {
			return Invalidf("address: only an email channel has one")
		}
		return checkWebhookURL(c.URL)
	case ChannelEmail:
		if c.URL != "" {
			return Invalidf("url: only a webhook channel has one")
		}
		return checkAddress(c.Address)
	}
	return Invalidf("kind %q: one of %s", short(c.Kind), strings.Join(ChannelKinds, ", "))
}

func checkWebhookURL(s string) error {
	if s == "" || len(s) > 2000 {
		return Invalidf("url: required, at most 2000 characters")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return Invalidf("url %q: not an absolute URL", short(s))
	}
	if u.User != nil {
		return Invalidf("url: no credentials in a webhook URL; requests are signed with the channel's secret")
	}
	h := strings.ToLower(u.Hostname())
	loop := h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "::1" || strings.HasPrefix(h, "127.")
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loop:
	case u.Scheme == "http":
		return Invalidf("url: plain http only to a loopback host; use https")
	default:
		return Invalidf("url: scheme %q (want https)", short(u.Scheme))
	}
	return nil
}

func checkAddress(s string) error {
	if s == "" || len(s) > 254 {
		return Invalidf("address: required, at most 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || strings.ContainsFunc(s, unicode.IsSpace) {
		return Invalidf("address %q: one plain address such as security@example.com", short(s))
	}
	return nil
}

// short cuts what an error repeats of the input.
func short(s string) string {
	if len(s) <= 80 {
		return s
	}
	i := 80
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// NotifyRule says which events a channel is told about: of which assets
// (by name or tag) or owners, from which priority on, at once or in a
// daily digest.
type NotifyRule struct {
	ID        int64    `json:"id" doc:"the rule's ID"`
	ChannelID int64    `json:"channel_id" doc:"the channel it notifies"`
	Events    []string `json:"events" doc:"the events it notifies, at least one: finding.new, finding.kev, sla.due_soon, sla.breached, exception.expiring, scan.overdue, feed.failing"`
	// Assets, Tags and Owners narrow the events about assets: an event
	// passes when its asset is named, carries a tag, or has an owner
	// listed; with all three empty, every asset passes. Events about no
	// asset (a feed failing, an exception) always pass.
	Assets []string `json:"assets" doc:"only events about these assets, by name (at most 100); with tags and owners empty, every asset"`
	Tags   []string `json:"tags" doc:"only events about assets with one of these tags (at most 100)"`
	Owners []string `json:"owners" doc:"only events about assets of these owners (at most 100)"`
	// MinPriority drops finding events below an SSVC priority; "" keeps
	// all.
	MinPriority string    `json:"min_priority,omitempty" doc:"only finding events of at least this SSVC priority: track, track*, attend or act; absent for all"`
	Digest      bool      `json:"digest" doc:"true: the events go out once a day, in one message per channel, for the day before (UTC); false: each at once"`
	CreatedBy   string    `json:"created_by" doc:"who created it"`
	CreatedAt   time.Time `json:"created_at" doc:"when it was created (UTC, RFC 3339)"`
}

// priorityRanks ranks SSVC priorities as the ssvc package does.
var priorityRanks = map[string]int{"track": 1, "track*": 2, "attend": 3, "act": 4}

// PriorityRank is an SSVC priority's rank (track 1 … act 4); 0 for none.
func PriorityRank(p string) int { return priorityRanks[p] }

// Normalize checks a rule's fields, trims and sorts its lists and drops
// their duplicates.
func (r *NotifyRule) Normalize() error {
	if r.ChannelID <= 0 {
		return Invalidf("channel_id: required")
	}
	var err error
	if r.Events, err = cleanList("events", r.Events, 20, 64); err != nil {
		return err
	}
	if len(r.Events) == 0 {
		return Invalidf("events: at least one of %s", strings.Join(NotifyEvents, ", "))
	}
	for _, e := range r.Events {
		if !slices.Contains(NotifyEvents, e) {
			return Invalidf("events: %q is not one of %s", short(e), strings.Join(NotifyEvents, ", "))
		}
	}
	if r.Assets, err = cleanList("assets", r.Assets, 100, 200); err != nil {
		return err
	}
	if r.Tags, err = cleanList("tags", r.Tags, 100, 64); err != nil {
		return err
	}
	if r.Owners, err = cleanList("owners", r.Owners, 100, 200); err != nil {
		return err
	}
	if r.MinPriority != "" && PriorityRank(r.MinPriority) == 0 {
		return Invalidf("min_priority %q: one of track, track*, attend, act", short(r.MinPriority))
	}
	return nil
}

// cleanList trims the entries, refuses empty, overlong or control-bearing
// ones and more than max, and returns them sorted without duplicates
// (never nil).
func cleanList(field string, in []string, max, maxLen int) ([]string, error) {
	if len(in) > max {
		return nil, Invalidf("%s: at most %d, got %d", field, max, len(in))
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || len(s) > maxLen || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
			return nil, Invalidf("%s: %q: 1–%d characters without control characters", field, short(s), maxLen)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// NotifyItem is one event as it is sent: what happened, to what, and
// what rules filter on.
type NotifyItem struct {
	Kind string `json:"event" doc:"the event"`
	// Subject identifies what the event is about, for de-duplication:
	// finding:12, exception:3, feed:2@<last success>, asset:7@<due>.
	Subject  string    `json:"subject" doc:"what the event is about, as <type>:<id>; the same event about the same subject is sent once"`
	At       time.Time `json:"at" doc:"when it happened (UTC, RFC 3339)"`
	Title    string    `json:"title" doc:"one line saying what happened"`
	Asset    string    `json:"asset,omitempty" doc:"the asset's name; absent when the event is about none"`
	Priority string    `json:"priority,omitempty" doc:"the finding's SSVC priority; absent for other events"`
	Severity string    `json:"severity,omitempty" doc:"the finding's severity; absent for other events"`
	Vuln     string    `json:"vulnerability,omitempty" doc:"the finding's vulnerability ID; absent for other events"`
	Package  string    `json:"package,omitempty" doc:"the finding's package and version; absent for other events"`
	Due      time.Time `json:"due,omitzero" doc:"the deadline: of the finding's remediation, the exception's expiry or the asset's next scan; absent when none"`
	// Tags and Owner are the asset's, for the rules; not sent.
	Tags  []string `json:"-"`
	Owner string   `json:"-"`
}

// Delivery states.
const (
	DeliveryPending   = "pending"   // not sent yet, or waiting to retry
	DeliveryDelivered = "delivered" // the receiver took it
	DeliveryFailed    = "failed"    // given up: a refusal, or the last attempt failed
)

// DeliveryStates lists a delivery's states.
var DeliveryStates = []string{DeliveryPending, DeliveryDelivered, DeliveryFailed}

// Delivery is one message to a channel (an event, a digest or a test) and
// how sending it went.
type Delivery struct {
	ID          int64     `json:"id" doc:"the delivery's ID; webhooks send it as X-Vulndesk-Delivery, for receivers to drop a repeat"`
	ChannelID   int64     `json:"channel_id" doc:"the channel it goes to"`
	Event       string    `json:"event" doc:"the event, digest (a day's events) or test"`
	State       string    `json:"state" doc:"pending (waiting to be sent or retried), delivered, or failed (given up)"`
	Attempts    int       `json:"attempts" doc:"how many times it was tried"`
	LastStatus  int       `json:"last_status,omitempty" doc:"the HTTP or SMTP status of the last attempt; absent when it got none"`
	LastError   string    `json:"last_error,omitempty" doc:"what went wrong with the last attempt; absent when it worked"`
	CreatedAt   time.Time `json:"created_at" doc:"when it was queued (UTC, RFC 3339)"`
	NextAt      time.Time `json:"next_at,omitzero" doc:"when it is tried next (UTC, RFC 3339); absent once delivered or failed"`
	DeliveredAt time.Time `json:"delivered_at,omitzero" doc:"when the receiver took it (UTC, RFC 3339); absent before"`
	// Body is what is sent: the JSON document (NotifyBody).
	Body string `json:"-"`
	// Log is every attempt, oldest first (only when read one by one).
	Log []DeliveryAttempt `json:"log,omitempty" doc:"every attempt, oldest first; absent in lists"`
}

// DeliveryAttempt is one try at sending a delivery.
type DeliveryAttempt struct {
	Attempt int       `json:"attempt" doc:"1 for the first try"`
	At      time.Time `json:"at" doc:"when (UTC, RFC 3339)"`
	Status  int       `json:"status,omitempty" doc:"the HTTP or SMTP status it got; absent when none (a network error)"`
	Error   string    `json:"error,omitempty" doc:"what went wrong; absent when it worked"`
}

// NotifyBody is what a webhook receives (and an email says in words).
type NotifyBody struct {
	Event    string       `json:"event" doc:"the event, digest or test"`
	At       time.Time    `json:"at" doc:"when the message was made (UTC, RFC 3339)"`
	Delivery int64        `json:"delivery" doc:"the delivery's ID"`
	Items    []NotifyItem `json:"items" doc:"what happened, one entry per event"`
}

// JobNotify and JobDeliver are the notification jobs: the periodic
// detection of due events, and the sending of one delivery.
const (
	JobNotify  = "notify"         // payload {}
	JobDeliver = "notify-deliver" // payload DeliverPayload
)

// DeliverPayload is the payload of a JobDeliver job.
type DeliverPayload struct {
	DeliveryID int64 `json:"delivery_id"`
}
