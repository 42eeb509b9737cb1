package service

import (
	"path/filepath"

	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/store"
)

// ExamplesDir is where first start copies the example advisories, inside
// the data directory; the examples feed reads them there.
func ExamplesDir(dataDir string) string { return filepath.Join(dataDir, "examples", "advisories") }

// ExamplesNVDDir is where first start copies the example NVD record, which
// the examples-nvd feed reads.
func ExamplesNVDDir(dataDir string) string { return filepath.Join(dataDir, "examples", "nvd") }

// NewSources is what the feeds of a server on st, with its data in
// dataDir, may read: local files only inside dirs and the example
// advisories, nothing else inside the data directory, never the SQLite
// database's files by any path (opening and closing one in the server's
// process would drop the locks SQLite holds on it); loopback, link-local
// and private addresses only when allowPrivate. dataDir must exist.
func NewSources(st *store.Store, dataDir string, dirs []string, allowPrivate bool) (*feed.Policy, error) {
	var protected []string
	if st.Dialect() == store.SQLite {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			protected = append(protected, st.Where+suffix)
		}
	}
	return feed.NewPolicy(feed.Rules{Dirs: dirs, DataDir: dataDir, Builtin: []string{ExamplesDir(dataDir), ExamplesNVDDir(dataDir)},
		Protected: protected, AllowPrivate: allowPrivate})
}
