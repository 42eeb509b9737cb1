package model_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// TestAssetNormalize: defaults are filled and each bad field is refused
// as invalid input, naming the field.
func TestAssetNormalize(t *testing.T) {
	a := model.Asset{Name: " pacs-gateway ", Kind: "network-device", Criticality: 1,
		Exposure: "internet-facing", CPEs: []string{"cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"}}
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	if a.Name != "pacs-gateway" || a.Lifecycle != "active" || a.Tags == nil {
		t.Errorf("defaults: %+v", a)
	}
	var b model.Asset
	b.Name = "x"
	if err := b.Normalize(); err != nil || b.Kind != "application" || b.Criticality != 3 || b.Exposure != "internal" {
		t.Errorf("defaults: %+v, %v", b, err)
	}
	for want, bad := range map[string]model.Asset{
		"name":        {Name: ""},
		"kind":        {Name: "x", Kind: "toaster"},
		"criticality": {Name: "x", Criticality: 5},
		"exposure":    {Name: "x", Exposure: "public"},
		"lifecycle":   {Name: "x", Lifecycle: "forever"},
		"cpe":         {Name: "x", CPEs: []string{"cpe:/o:vendor:product"}},
		"tag":         {Name: "x", Tags: []string{""}},
	} {
		err := bad.Normalize()
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want an invalid-input error naming %s", bad, err, want)
		}
	}
}

// TestFeedNormalize: a feed's kind, URL and interval are checked.
func TestFeedNormalize(t *testing.T) {
	f := model.Feed{Name: "osv-pypi", Kind: model.FeedOSV, URL: "https://example.org/PyPI/all.zip"}
	if err := f.Normalize(); err != nil || f.Interval != 3600 {
		t.Fatalf("%+v, %v", f, err)
	}
	for want, bad := range map[string]model.Feed{
		"kind":             {Name: "bad", Kind: "rss", URL: "x"},
		"name":             {Name: "", Kind: model.FeedOSV, URL: "x"},
		"url":              {Name: "a", Kind: model.FeedOSV},
		"interval_seconds": {Name: "a", Kind: model.FeedOSV, URL: "x", Interval: 5},
		"an https:// URL":  {Name: "a", Kind: model.FeedOSV, URL: "ftp://example.org/x"},
	} {
		err := bad.Normalize()
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want an invalid-input error naming %s", bad, err, want)
		}
	}
}
