package store

import (
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// FuzzCursor: a client-supplied cursor never panics, and one that parses
// is one this store could have written.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"5.10", "0.1", "junk", "", "5.", ".5", "6.1", "-1.2", "3.99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		rank, id, ok := parseCursor(c)
		if !ok {
			return
		}
		if rank < 0 || rank > 5 || id <= 0 {
			t.Fatalf("accepted %q as rank %d id %d", c, rank, id)
		}
		if r2, id2, ok2 := parseCursor(cursor(rank, id)); !ok2 || r2 != rank || id2 != id {
			t.Fatalf("round trip of %q failed", c)
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
		if a.Criticality < 1 || a.Criticality > 4 || len(a.Name) == 0 || len(a.Name) > 200 || len(a.Tags[0]) > 64 {
			t.Fatalf("accepted out-of-bounds asset %+v", a)
		}
	})
}
