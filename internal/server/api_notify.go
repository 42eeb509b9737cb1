package server

// The API of notifications: channels, rules and the delivery log.

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// webhookNote says how a receiver verifies a webhook's requests.
const webhookNote = "shown once: store it now. Each request carries X-Vulndesk-Timestamp (Unix seconds) and " +
	"X-Vulndesk-Signature: sha256=<hex HMAC-SHA256 with this secret over \"<timestamp>.<body>\">; reject a request whose " +
	"signature differs or whose timestamp is more than 5 minutes old, and drop a repeated X-Vulndesk-Delivery"

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.NewChannel
	if err := decode(r, &in); err != nil {
		return err
	}
	c, secret, err := s.Svc.CreateChannel(r.Context(), in.Channel(), who.Name)
	if err != nil {
		return err
	}
	note := webhookNote
	if c.Kind == model.ChannelEmail {
		note = "messages go through the server's SMTP relay (--smtp-host); POST …/test sends one"
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/notifications/channels/%d", c.ID))
	return writeJSON(w, http.StatusCreated, api.CreatedChannel{Channel: c, Secret: secret, Note: note})
}

func (s *Server) createRule(w http.ResponseWriter, r *http.Request, who *principal) error {
	var in api.NewRule
	if err := decode(r, &in); err != nil {
		return err
	}
	rule, err := s.Svc.CreateRule(r.Context(), in.Rule(), who.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/notifications/rules/%d", rule.ID))
	return writeJSON(w, http.StatusCreated, rule)
}

func (s *Server) testChannel(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.Svc.TestChannel(r.Context(), id, who.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}

var deliveryParams = []param{
	{Name: "channel", Type: "integer", Desc: "only the deliveries to this channel, by ID"},
	{Name: "status", Type: "string", Desc: "only deliveries in this state", Enum: model.DeliveryStates},
	{Name: "limit", Type: "integer", Desc: "how many, newest first, 1–500 (default 50)"},
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var f store.DeliveryFilter
	var err error
	if c := r.URL.Query().Get("channel"); c != "" {
		if f.ChannelID, err = strconv.ParseInt(c, 10, 64); err != nil || f.ChannelID <= 0 {
			return errStatus(http.StatusBadRequest, "channel %q: a channel's ID, a positive integer", c)
		}
	}
	if f.Limit, err = queryLimit(r); err != nil {
		return err
	}
	if f.State = r.URL.Query().Get("status"); f.State != "" && !slices.Contains(model.DeliveryStates, f.State) {
		return errStatus(http.StatusBadRequest, "status %q: one of %s", f.State, strings.Join(model.DeliveryStates, ", "))
	}
	ds, err := s.Store.Deliveries(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Delivery]{Items: ds})
}
