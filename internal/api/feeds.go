package api

import "github.com/vulndesk/vulndesk/internal/model"

type FeedInput struct {
	Name     *string `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -"`
	Kind     *string `json:"kind" doc:"what the source holds: osv, kev or epss"`
	URL      *string `json:"url" doc:"where to read the feed: an https:// URL (http:// only on loopback), a file:// URL or a local path, as the server's --feed-dir and --allow-private-feeds allow; at most 2000 characters. Credentials in it are stored but never shown; sending back the redacted URL keeps them"`
	Interval *int    `json:"interval_seconds" doc:"seconds between scheduled syncs, 60–604800; 3600 when created without one"`
	Enabled  *bool   `json:"enabled" doc:"whether the feed is synced on its schedule; true when created without one"`
}

func (in FeedInput) Apply(f *model.Feed) {
	if in.Name != nil {
		f.Name = *in.Name
	}
	if in.Kind != nil {
		f.Kind = *in.Kind
	}
	if in.URL != nil {
		f.URL = *in.URL
	}
	if in.Interval != nil {
		f.Interval = *in.Interval
		if f.Interval == 0 {
			f.Interval = -1
		}
	}
	if in.Enabled != nil {
		f.Enabled = *in.Enabled
	}
}
