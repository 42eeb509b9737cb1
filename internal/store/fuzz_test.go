package store

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/model"
)

// FuzzCursor: a client-supplied cursor never panics; one that parses is
// one this store could have written for that order, and no other order
// accepts it.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"5.10", "0.1", "junk", "", "5.", ".5", "6.1", "-1.2", "3.99999999999999999999",
		"score:9.8:5:10", "score:0:0:1", "score:NaN:1:1", "score:10.1:1:1", "score:1e1:2:3", "score:9.8:5", "score:-0:1:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		accepted := 0
		for _, o := range []listOrder{bySeverity, byScore} {
			k, err := o.parseCursor(c)
			if err != nil {
				if !errors.Is(err, ErrBadCursor) {
					t.Fatalf("%s refused %q with %v, not ErrBadCursor", o.name, c, err)
				}
				continue
			}
			accepted++
			if k.rank < 0 || k.rank > 5 || k.id <= 0 || !(k.score >= 0 && k.score <= 10) {
				t.Fatalf("%s accepted %q as %+v", o.name, c, k)
			}
			if k2, err := o.parseCursor(o.cursor(k)); err != nil || k2 != k {
				t.Fatalf("%s: round trip of %q failed: %+v, %v", o.name, c, k2, err)
			}
		}
		if accepted > 1 {
			t.Fatalf("%q is a cursor of more than one order", c)
		}
	})
}

// FuzzAssetNormalize: any client-supplied asset either fails with a
// message or comes out within the documented bounds.
func FuzzAssetNormalize(f *testing.F) {
	f.Add("pacs", "host", "internet-facing", "active", 1, "radiology", "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*")
	f.Add("", "", "", "", 0, "", "")
	f.Add("a b", "toaster", "public", "dead", 9, strings.Repeat("x", 70), "cpe:/o:x")
	f.Fuzz(func(t *testing.T, name, kind, exposure, lifecycle string, crit int, tag, cpe string) {
		a := model.Asset{Name: name, Kind: kind, Exposure: exposure, Lifecycle: lifecycle, Criticality: crit,
			Tags: []string{tag}, CPEs: []string{cpe}}
		if err := a.Normalize(); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if a.Criticality < 1 || a.Criticality > 4 || a.Name == "" || utf8.RuneCountInString(a.Name) > 200 || !model.ValidAssetName(a.Name) || len(a.Tags[0]) > 64 {
			t.Fatalf("accepted out-of-bounds asset %+v", a)
		}
	})
}
