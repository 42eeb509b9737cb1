package advisorydb

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/osv"
)

const shared = "../../../shared/data"

func corpusDB(t testing.TB) *Memory {
	t.Helper()
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
	m, err := Load(context.Background(), []string{filepath.Join(shared, "osv-corpus")}, osv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestIndexRoundTrip builds an index of the real corpus and checks that
// every key and every advisory reads back exactly as held in memory.
func TestIndexRoundTrip(t *testing.T) {
	m := corpusDB(t)
	if st := m.Stats(); st.Advisories+st.Withdrawn != 8158 {
		t.Fatalf("advisories %d + withdrawn %d != 8158", st.Advisories, st.Withdrawn)
	}
	p := filepath.Join(t.TempDir(), "corpus.idx")
	if err := Build(p, m, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if !IsIndex(p) {
		t.Fatal("IsIndex = false for a built index")
	}
	ix, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !reflect.DeepEqual(ix.Stats(), m.Stats()) {
		t.Errorf("stats differ: %+v vs %+v", ix.Stats(), m.Stats())
	}
	n := 0
	m.Each(func(key string, want []*Record) error {
		got, err := ix.Records(key)
		if err != nil {
			t.Fatal(err)
		}
		// Compared as JSON: an empty list and no list are the same here.
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if string(a) != string(b) {
			t.Errorf("%q: records differ:\n%s\n%s", key, a, b)
		}
		n++
		return nil
	})
	if n < 1000 {
		t.Errorf("only %d keys", n)
	}
	for id, want := range m.infos {
		got, ok, err := ix.Advisory(id)
		if err != nil || !ok {
			t.Fatalf("%s: ok=%v err=%v", id, ok, err)
		}
		if !got.Published.Equal(want.Published) || got.Summary != want.Summary || !reflect.DeepEqual(got.Aliases, want.Aliases) {
			t.Errorf("%s: advisory differs", id)
		}
	}
	if rs, err := ix.Records(Key("PyPI", "no-such-package-anywhere")); err != nil || rs != nil {
		t.Errorf("missing key: %v, %v", rs, err)
	}
}

func TestMemoryKeepsNewestDuplicate(t *testing.T) {
	m := NewMemory()
	old, _ := osv.Decode("a", []byte(`{"id":"A-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}`))
	newer, _ := osv.Decode("b", []byte(`{"id":"A-1","modified":"2024-06-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"b"}}]}`))
	m.Add(&newer[0])
	m.Add(&old[0])
	if rs, _ := m.Records(Key("npm", "b")); len(rs) != 1 {
		t.Errorf("newer record lost")
	}
	if rs, _ := m.Records(Key("npm", "a")); len(rs) != 0 {
		t.Errorf("older record kept")
	}
	m2 := NewMemory()
	m2.Add(&old[0])
	m2.Add(&newer[0])
	var keys []string
	m2.Each(func(k string, _ []*Record) error { keys = append(keys, k); return nil })
	sort.Strings(keys)
	if len(keys) != 1 || keys[0] != Key("npm", "b") || m2.Stats().Advisories != 1 || m2.Stats().Records != 1 {
		t.Errorf("replace: keys %q stats %+v", keys, m2.Stats())
	}
}

func TestOpenRejectsDamagedFiles(t *testing.T) {
	m := NewMemory()
	vs, _ := osv.Decode("a", []byte(`{"id":"A-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`))
	m.Add(&vs[0])
	dir := t.TempDir()
	p := filepath.Join(dir, "ok.idx")
	if err := Build(p, m, time.Now()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	cases := map[string][]byte{
		"empty":       {},
		"foreign":     []byte("PK\x03\x04 this is a zip, not an index"),
		"truncated":   data[:len(data)-30],
		"header only": data[:headerLen],
	}
	for name, b := range cases {
		q := filepath.Join(dir, name)
		os.WriteFile(q, b, 0o644)
		ix, err := Open(q)
		if err == nil {
			// A truncated blob may only show on lookup; it must still be an error.
			_, err = ix.Records(Key("npm", "a"))
			ix.Close()
		}
		if !errors.Is(err, ErrIndex) {
			t.Errorf("%s: err = %v, want ErrIndex", name, err)
		}
	}
}

func FuzzOpenIndex(f *testing.F) {
	m := NewMemory()
	vs, _ := osv.Decode("a", []byte(`{"id":"A-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],"affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`))
	m.Add(&vs[0])
	p := filepath.Join(f.TempDir(), "seed.idx")
	if err := Build(p, m, time.Unix(0, 0)); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(p)
	f.Add(seed)
	f.Add([]byte(magic))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		q := filepath.Join(dir, "fuzz.idx")
		if err := os.WriteFile(q, data, 0o644); err != nil {
			t.Skip()
		}
		ix, err := Open(q)
		if err != nil {
			return
		}
		defer ix.Close()
		ix.Records(Key("npm", "a"))
		ix.Advisory("A-1")
		ix.Advisory("zzz")
	})
}
