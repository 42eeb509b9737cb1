package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// clientNotify: channels, rules, a test message and the delivery log
// through the client. The server has no SMTP relay, so the email test
// fails, saying so, without a retry.
//
// A reader who may not configure notifications sees a webhook's scheme and
// host, not its path: chat services put their secret there.
func clientNotify(ctx context.Context, t *testing.T, c, reader *client.Client) {
	hook := must(c.CreateChannel(ctx, api.NewChannel{Name: "client-hook", Kind: "webhook", URL: "https://hooks.example.invalid/x"}))(t)
	if !strings.HasPrefix(hook.Secret, "whsec_") || hook.Channel.ID == 0 || !strings.Contains(hook.Note, "X-Vulndesk-Signature") {
		t.Errorf("created webhook %+v", hook)
	}
	mail := must(c.CreateChannel(ctx, api.NewChannel{Name: "client-mail", Kind: "email", Address: "sec@example.com"}))(t)
	if mail.Secret != "" {
		t.Errorf("an email channel with a secret: %+v", mail)
	}
	_, err := c.CreateChannel(ctx, api.NewChannel{Name: "client-plain", Kind: "webhook", URL: "http://hooks.example.com/x"})
	wantClientError(t, "a plain-http webhook", err, 400, "plain http only to a loopback host")
	if g := must(c.Channel(ctx, hook.Channel.ID))(t); g.Name != "client-hook" || g.URL != "https://hooks.example.invalid/x" {
		t.Errorf("read channel %+v", g)
	}
	if g := must(reader.Channel(ctx, hook.Channel.ID))(t); g.URL != "https://hooks.example.invalid/…" {
		t.Errorf("a reader reads the webhook URL %q; want it redacted", g.URL)
	}
	for _, ch := range must(reader.Channels(ctx))(t) {
		if strings.HasSuffix(ch.URL, "/x") {
			t.Errorf("a reader lists the webhook URL %q", ch.URL)
		}
	}
	if cs := must(c.Channels(ctx))(t); len(cs) < 2 {
		t.Errorf("channels %+v", cs)
	}
	r := must(c.CreateRule(ctx, api.NewRule{ChannelID: mail.Channel.ID, Events: []string{"sla.breached", "finding.new"}, MinPriority: "act", Tags: []string{"pci"}}))(t)
	if r.ID == 0 || fmt.Sprint(r.Events) != "[finding.new sla.breached]" || r.CreatedBy != "token:test-admin" {
		t.Errorf("created rule %+v", r)
	}
	_, err = c.CreateRule(ctx, api.NewRule{ChannelID: mail.Channel.ID, Events: []string{"finding.old"}})
	wantClientError(t, "an unknown event", err, 400, `"finding.old" is not one of`)
	if rs := must(c.Rules(ctx))(t); len(rs) != 1 || rs[0].ID != r.ID {
		t.Errorf("rules %+v", rs)
	}
	d := must(c.TestChannel(ctx, mail.Channel.ID))(t)
	for deadline := time.Now().Add(20 * time.Second); d.State == model.DeliveryPending && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		d = must(c.Delivery(ctx, d.ID))(t)
	}
	if d.State != model.DeliveryFailed || d.Attempts != 1 || len(d.Log) != 1 || !strings.Contains(d.LastError, "no SMTP relay configured") {
		t.Errorf("test message without a relay: %+v", d)
	}
	if ds := must(c.Deliveries(ctx, mail.Channel.ID, model.DeliveryFailed, 10))(t); len(ds) != 1 || ds[0].ID != d.ID || ds[0].Event != "test" {
		t.Errorf("failed deliveries of the channel: %+v", ds)
	}
	if err := c.DeleteRule(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{hook.Channel.ID, mail.Channel.ID} {
		if err := c.DeleteChannel(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.Channel(ctx, mail.Channel.ID)
	wantClientError(t, "a deleted channel", err, 404, fmt.Sprintf("channel %d", mail.Channel.ID))
}
