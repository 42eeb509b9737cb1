package api

import "github.com/vulndesk/vulndesk/internal/model"

// NewChannel is a notification channel to create.
type NewChannel struct {
	Name    string `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -"`
	Kind    string `json:"kind" doc:"webhook (a signed HTTPS POST of JSON) or email (a message over the server's SMTP relay)"`
	URL     string `json:"url" doc:"for a webhook: where to POST, https:// (http:// only to a loopback host, and loopback or private addresses only when the server runs with --allow-private-feeds), at most 2000 characters, without credentials"`
	Address string `json:"address" doc:"for email: the recipient, one plain address such as security@example.com"`
}

// Channel is the channel the input describes.
func (in NewChannel) Channel() model.Channel {
	return model.Channel{Name: in.Name, Kind: in.Kind, URL: in.URL, Address: in.Address}
}

// CreatedChannel is a new channel with its signing secret, shown once.
type CreatedChannel struct {
	Channel model.Channel `json:"channel" doc:"the channel as listed"`
	Secret  string        `json:"secret,omitempty" doc:"a webhook's signing secret (whsec_…), shown this once: receivers verify X-Vulndesk-Signature with it; absent for email"`
	Note    string        `json:"note" doc:"how to verify the requests, or a reminder that email needs the server's SMTP relay"`
}

// NewRule is a notification rule to create.
type NewRule struct {
	ChannelID   int64    `json:"channel_id" doc:"the channel it notifies"`
	Events      []string `json:"events" doc:"the events it notifies, at least one: finding.new (a new finding of priority act or attend), finding.kev (an open finding's vulnerability entered CISA KEV), sla.due_soon, sla.breached, exception.expiring (within 7 days), scan.overdue, feed.failing"`
	Assets      []string `json:"assets" doc:"only events about these assets, by name (at most 100); with tags and owners empty, every asset"`
	Tags        []string `json:"tags" doc:"only events about assets with one of these tags (at most 100)"`
	Owners      []string `json:"owners" doc:"only events about assets of these owners (at most 100)"`
	MinPriority string   `json:"min_priority" doc:"only finding events of at least this SSVC priority: track, track*, attend or act; empty or absent for all"`
	Digest      bool     `json:"digest" doc:"true: one message a day (after midnight UTC) with the day's events, instead of each at once"`
}

// Rule is the rule the input describes.
func (in NewRule) Rule() model.NotifyRule {
	return model.NotifyRule{ChannelID: in.ChannelID, Events: in.Events, Assets: in.Assets, Tags: in.Tags, Owners: in.Owners,
		MinPriority: in.MinPriority, Digest: in.Digest}
}
