package server

// The notifications page: channels with their forms, rules, and the
// recent deliveries with how sending them went.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// notificationsView is what notifications.html draws.
type notificationsView struct {
	Channels   []model.Channel
	Rules      []ruleRow
	Deliveries []deliveryRow
	Events     []string
	Priorities []string
	CanAdmin   bool
	// Message says what the last action did; Secret is a new webhook's
	// secret, shown this once.
	Message, Secret string
}

type ruleRow struct {
	model.NotifyRule
	Channel string
}

type deliveryRow struct {
	model.Delivery
	Channel string
}

// StateClass colours a delivery's state as a job's.
func (d deliveryRow) StateClass() string {
	switch d.State {
	case model.DeliveryDelivered:
		return "state-ok"
	case model.DeliveryFailed:
		return "state-failing"
	}
	return "state-pending"
}

// notificationsView reads what the page shows.
func (s *Server) notificationsData(r *http.Request, who *principal) (pageData, *notificationsView, error) {
	v := &notificationsView{Events: model.NotifyEvents, Priorities: []string{"track", "track*", "attend", "act"},
		CanAdmin: who.Perms.Has(auth.PermAdmin)}
	d := pageData{Title: "Notifications", User: who, Data: v}
	var err error
	if v.Channels, err = s.channelsFor(r, who); err != nil {
		return d, v, err
	}
	names := map[int64]string{}
	for _, c := range v.Channels {
		names[c.ID] = c.Name
	}
	rules, err := s.Store.Rules(r.Context())
	if err != nil {
		return d, v, err
	}
	for _, rl := range rules {
		v.Rules = append(v.Rules, ruleRow{rl, names[rl.ChannelID]})
	}
	ds, err := s.Store.Deliveries(r.Context(), store.DeliveryFilter{Limit: 50})
	if err != nil {
		return d, v, err
	}
	for _, dl := range ds {
		v.Deliveries = append(v.Deliveries, deliveryRow{dl, names[dl.ChannelID]})
	}
	return d, v, nil
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.notificationsData(r, who)
	if err != nil {
		return err
	}
	if t := r.URL.Query().Get("tested"); t != "" {
		v.Message = "Test message queued (delivery " + t + "); its state shows below."
	}
	return s.render(w, http.StatusOK, "notifications.html", d)
}

// createChannelPage creates a channel and shows the page with its
// secret, once.
func (s *Server) createChannelPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	c := model.Channel{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		URL: r.PostFormValue("url"), Address: r.PostFormValue("address")}
	c, secret, err := s.Svc.CreateChannel(r.Context(), c, who.Name)
	d, v, rerr := s.notificationsData(r, who)
	if rerr != nil {
		return rerr
	}
	if err != nil {
		return s.pageError(w, "notifications.html", d, err)
	}
	v.Message = fmt.Sprintf("Channel %s created.", c.Name)
	if secret != "" {
		v.Message += " Its signing secret is shown this once: store it with the receiver, which verifies X-Vulndesk-Signature with it."
		v.Secret = secret
	}
	return s.render(w, http.StatusOK, "notifications.html", d)
}

func (s *Server) createRulePage(w http.ResponseWriter, r *http.Request, who *principal) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "form: %v", err)
	}
	ch, err := strconv.ParseInt(r.PostFormValue("channel_id"), 10, 64)
	if err != nil {
		ch = 0 // Normalize names it
	}
	rl := model.NotifyRule{ChannelID: ch, Events: r.PostForm["events"], Assets: splitList(r.PostFormValue("assets"), ","),
		Tags: splitList(r.PostFormValue("tags"), ","), Owners: splitList(r.PostFormValue("owners"), ","),
		MinPriority: r.PostFormValue("min_priority"), Digest: r.PostFormValue("digest") != ""}
	if _, err := s.Svc.CreateRule(r.Context(), rl, who.Name); err != nil {
		d, _, rerr := s.notificationsData(r, who)
		if rerr != nil {
			return rerr
		}
		return s.pageError(w, "notifications.html", d, err)
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	return nil
}

func (s *Server) testChannelPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	dl, err := s.Svc.TestChannel(r.Context(), id, who.Name)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/notifications?tested=%d", dl.ID), http.StatusSeeOther)
	return nil
}

// deleteOnPage deletes by the path's {id} and goes back to the page.
func deleteOnPage(del func(ctx context.Context, id int64, by string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := del(r.Context(), id, who.Name); err != nil {
			return err
		}
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		return nil
	}
}

// channelsFor lists the channels as who may see them: whole for admins,
// webhook URLs redacted for the others.
func (s *Server) channelsFor(r *http.Request, who *principal) ([]model.Channel, error) {
	cs, err := s.Store.Channels(r.Context())
	if err != nil || who.Perms.Has(auth.PermAdmin) {
		return cs, err
	}
	for i := range cs {
		cs[i] = cs[i].Redacted()
	}
	return cs, nil
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, who *principal) error {
	cs, err := s.channelsFor(r, who)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.Page[model.Channel]{Items: cs})
}

func (s *Server) readChannel(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Store.Channel(r.Context(), id)
	if err != nil {
		return fmt.Errorf("channel %d: %w", id, err)
	}
	if !who.Perms.Has(auth.PermAdmin) {
		c = c.Redacted()
	}
	return writeJSON(w, http.StatusOK, c)
}
