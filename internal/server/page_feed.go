package server

// The feed page: one feed's health and recent jobs; for admins the form
// that configures it (also the form of a new feed) and its deletion.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
)

// feedView is what feed.html draws. New is the form of a feed to create;
// otherwise Feed is the stored feed and Form its form, re-filled after an
// error.
type feedView struct {
	New   bool
	Feed  model.Feed
	Form  feedForm
	Jobs  []jobRow
	Kinds []string
	// CanSync and CanAdmin say which forms the caller gets.
	CanSync, CanAdmin bool
	// HasSecret says that the stored source holds credentials (shown
	// redacted, kept unless replaced).
	HasSecret bool
}

// feedForm is the feed form as sent. APIKey is never filled back in: a
// secret is not echoed into a page.
type feedForm struct {
	Name, Kind, URL, Interval, APIKey string
	Enabled                           bool
}

func feedFormOf(r *http.Request) feedForm {
	return feedForm{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), URL: strings.TrimSpace(r.PostFormValue("url")),
		Interval: strings.TrimSpace(r.PostFormValue("interval_seconds")), APIKey: strings.TrimSpace(r.PostFormValue("api_key")),
		Enabled: r.PostFormValue("enabled") != ""}
}

func formOfFeed(f model.Feed) feedForm {
	return feedForm{Name: f.Name, Kind: f.Kind, URL: f.URL, Interval: strconv.Itoa(f.Interval), Enabled: f.Enabled}
}

// refill is the form to show again after an error: the source redacted
// (it may hold credentials typed into it), the API key empty.
func (ff feedForm) refill() feedForm {
	ff.URL, _ = feed.Redact(ff.URL)
	ff.APIKey = ""
	return ff
}

// apply sets the form's fields on f. An API key, when given, becomes the
// source's apiKey query parameter (the NVD API's; the service stores it
// apart and never shows it); when empty, the source keeps what it has.
func (ff feedForm) apply(f *model.Feed) error {
	f.Name, f.Kind, f.URL, f.Enabled = strings.TrimSpace(ff.Name), ff.Kind, ff.URL, ff.Enabled
	f.Interval = 0 // the default
	if ff.Interval != "" {
		n, err := strconv.Atoi(ff.Interval)
		if err != nil || n <= 0 {
			return errStatus(http.StatusBadRequest, "interval %q: a whole number of seconds, 60–604800", ff.Interval)
		}
		f.Interval = n
	}
	if ff.APIKey == "" {
		return nil
	}
	u, err := url.Parse(ff.URL)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" {
		return errStatus(http.StatusBadRequest, "API key: only an http(s) source such as the NVD API takes one")
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "apiKey") {
			q.Del(k)
		}
	}
	q.Set("apiKey", ff.APIKey)
	u.RawQuery = q.Encode()
	f.URL = u.String()
	return nil
}

func (s *Server) newFeedPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v := &feedView{New: true, Form: feedForm{Kind: model.FeedOSV, Interval: "3600", Enabled: true}, Kinds: model.FeedKinds, CanAdmin: true}
	return s.render(w, http.StatusOK, "feed.html", pageData{Title: "New feed", User: who, Data: v})
}

// createFeedPage configures a feed through the service, as the API does.
func (s *Server) createFeedPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	ff := feedFormOf(r)
	v := &feedView{New: true, Form: ff.refill(), Kinds: model.FeedKinds, CanAdmin: true}
	d := pageData{Title: "New feed", User: who, Data: v}
	f := model.Feed{}
	err := ff.apply(&f)
	if err == nil {
		_, err = s.Svc.CreateFeed(r.Context(), f, who.Name)
	}
	if err != nil {
		return s.pageError(w, "feed.html", d, err)
	}
	http.Redirect(w, r, "/feeds", http.StatusSeeOther)
	return nil
}

// feedData reads the request's feed and its recent jobs as feed.html's
// data; a missing one is a 404 (for pageError).
func (s *Server) feedData(r *http.Request, who *principal) (pageData, *feedView, error) {
	d := pageData{Title: "Feed", User: who}
	v, err := s.readFeedView(r, who)
	if err == nil {
		d.Title, d.Data = "Feed "+v.Feed.Name, v
	}
	return d, v, err
}

func (s *Server) readFeedView(r *http.Request, who *principal) (*feedView, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	f, err := s.Store.Feed(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return nil, errStatus(http.StatusNotFound, "feed %d: there is no feed with this ID", id)
	}
	if err != nil {
		return nil, err
	}
	jobs, err := s.Store.Jobs(r.Context(), model.JobSyncFeed, 500)
	if err != nil {
		return nil, err
	}
	v := &feedView{Feed: f, Form: formOfFeed(f), Kinds: model.FeedKinds, HasSecret: f.SecretURL != "",
		CanSync: who.Perms.Has(auth.PermTriage), CanAdmin: who.Perms.Has(auth.PermAdmin)}
	v.Jobs = jobRows(jobs, []model.Feed{f}, f.ID)
	if len(v.Jobs) > 20 {
		v.Jobs = v.Jobs[:20]
	}
	return v, nil
}

func (s *Server) feedPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, _, err := s.feedData(r, who)
	if err != nil {
		return s.pageError(w, "error.html", d, err)
	}
	return s.render(w, http.StatusOK, "feed.html", d)
}

// updateFeedPage changes a feed through the service. The source field
// holds the URL as shown (redacted): sent back unchanged, the stored
// credentials are kept.
func (s *Server) updateFeedPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.feedData(r, who)
	if err != nil {
		return s.pageError(w, "error.html", d, err)
	}
	ff := feedFormOf(r)
	v.Form = ff.refill()
	// The form is checked on a scratch feed first: the change must not
	// half apply.
	if err := ff.apply(&model.Feed{}); err != nil {
		return s.pageError(w, "feed.html", d, err)
	}
	_, err = s.Svc.UpdateFeed(r.Context(), v.Feed.ID, func(f *model.Feed) { ff.apply(f) }, who.Name)
	if err != nil {
		return s.pageError(w, "feed.html", d, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/feeds/%d", v.Feed.ID), http.StatusSeeOther)
	return nil
}

// deleteFeedPage deletes a feed once the admin has confirmed that its
// advisories are withdrawn.
func (s *Server) deleteFeedPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.feedData(r, who)
	if err != nil {
		return s.pageError(w, "error.html", d, err)
	}
	if r.PostFormValue("confirm") == "" {
		return s.pageError(w, "feed.html", d, errStatus(http.StatusBadRequest,
			"the feed was not deleted: tick “I understand that its advisories are withdrawn” to delete it"))
	}
	if err := s.Svc.DeleteFeed(r.Context(), v.Feed.ID, who.Name); err != nil {
		return s.pageError(w, "feed.html", d, err)
	}
	http.Redirect(w, r, "/feeds", http.StatusSeeOther)
	return nil
}
