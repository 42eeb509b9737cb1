package feed

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Policy says which sources feeds may read. Local files: only inside the
// directories it was given, never inside the data directory (but for the
// directories vulndesk fills there itself), and never a protected file by
// whatever path, hard links included. Network: https, or plain http to a
// loopback host; never a loopback, link-local or private address unless
// AllowPrivate — checked on the URL, and again on every address dialled,
// redirects included, so that a name resolving to such an address is
// refused too. A nil *Policy is the strictest: no local file at all, no
// such address.
type Policy struct {
	dirs         []string // resolved directories local sources may be in
	dataDir      string   // resolved; never read, but for builtin
	builtin      []string // resolved directories inside dataDir that may be read
	protected    []string // files never opened
	allowPrivate bool

	// resolver and proxy replace the system's in tests; nil is the
	// default resolver and the environment's proxy settings.
	resolver *net.Resolver
	proxy    func(*http.Request) (*url.URL, error)
	once     sync.Once
	client   *http.Client // set by httpClient, or by tests before
}

// Rules configure a Policy.
type Rules struct {
	// Dirs are the directories local sources may be in (vulndesk serve
	// --feed-dir). Each must exist and lie outside DataDir.
	Dirs []string
	// DataDir is never read by a feed: not its database, not the
	// downloads of other feeds.
	DataDir string
	// Builtin are directories inside DataDir that vulndesk fills itself
	// and feeds may read (the example advisories); they need not exist yet.
	Builtin []string
	// Protected are files never opened, by whatever path: the database's.
	Protected []string
	// AllowPrivate permits loopback, link-local and private addresses, for
	// a local mirror (vulndesk serve --allow-private-feeds).
	AllowPrivate bool
}

// ErrForbidden: the source is one that feeds may not read.
var ErrForbidden = errors.New("feed source not allowed")

// strictest is what a nil *Policy means.
var strictest = &Policy{}

// NewPolicy checks the rules and resolves their directories.
func NewPolicy(r Rules) (*Policy, error) {
	p := &Policy{allowPrivate: r.AllowPrivate, protected: r.Protected}
	if r.DataDir != "" {
		abs, err := filepath.Abs(r.DataDir)
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		if p.dataDir, err = filepath.EvalSymlinks(abs); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		for _, b := range r.Builtin {
			bAbs, err := filepath.Abs(b)
			if err != nil {
				return nil, err
			}
			rel, err := filepath.Rel(abs, bAbs)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return nil, fmt.Errorf("built-in feed directory %s is not inside the data directory %s", b, r.DataDir)
			}
			p.builtin = append(p.builtin, filepath.Join(p.dataDir, rel))
		}
	}
	for _, d := range r.Dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("feed directory %s: %w", d, err)
		}
		res, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return nil, fmt.Errorf("feed directory %s: %w", d, err)
		}
		if st, err := os.Stat(res); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("feed directory %s: not a directory", d)
		}
		if p.dataDir != "" && within(p.dataDir, res) {
			return nil, fmt.Errorf("feed directory %s: it is inside the data directory %s, which feeds never read", d, r.DataDir)
		}
		p.dirs = append(p.dirs, res)
	}
	return p, nil
}

// Check tells whether src may be read, reading nothing: an error wrapping
// ErrForbidden names the rule src breaks, and ErrUnsupported a source
// that is not a feed source at all. It names src redacted (see Redact).
func (p *Policy) Check(src string) error {
	_, err := p.or().resolve(src)
	return err
}

func (p *Policy) or() *Policy {
	if p == nil {
		return strictest
	}
	return p
}

// target is a source resolved: a URL to download, or a local path (with
// symbolic links resolved) and what it is (nil when it does not exist).
type target struct {
	u    *url.URL
	path string
	info fs.FileInfo
}

func (p *Policy) resolve(src string) (target, error) {
	u, local, err := parseSource(src)
	if err != nil {
		return target{}, err
	}
	if u != nil {
		if why := p.urlRefusal(u); why != "" {
			return target{}, &Error{Name: shown(src), Err: fmt.Errorf("%w: %s", ErrForbidden, why)}
		}
		return target{u: u}, nil
	}
	t, err := p.local(local)
	if err != nil {
		return target{}, &Error{Name: shown(src), Err: err}
	}
	return t, nil
}

// local checks a local path: where it is, then (when it exists) that it is
// no protected file.
func (p *Policy) local(path string) (target, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return target{}, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	res, resErr := filepath.EvalSymlinks(abs)
	if resErr != nil {
		res = abs
	}
	if p.inDataDir(abs) || p.inDataDir(res) {
		return target{}, fmt.Errorf("%w: it is inside the data directory, which feeds never read", ErrForbidden)
	}
	if !p.inDirs(res) {
		if len(p.dirs) == 0 {
			return target{}, fmt.Errorf("%w: local sources must be inside a directory named at start with vulndesk serve --feed-dir, and none was named", ErrForbidden)
		}
		return target{}, fmt.Errorf("%w: local sources must be inside a directory named at start with --feed-dir (%s)", ErrForbidden, strings.Join(p.dirs, ", "))
	}
	if resErr != nil {
		if errors.Is(resErr, fs.ErrNotExist) {
			return target{path: res}, nil // checked again when read
		}
		return target{}, fmt.Errorf("%w: %v", ErrFetch, resErr)
	}
	info, err := os.Stat(res)
	if err != nil {
		return target{}, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if p.isProtected(info) {
		return target{}, fmt.Errorf("%w: it is one of the server's database files", ErrForbidden)
	}
	return target{path: res, info: info}, nil
}

// inDataDir: inside the data directory and not inside a directory of it
// that vulndesk fills for feeds.
func (p *Policy) inDataDir(path string) bool {
	if p.dataDir == "" || !within(p.dataDir, path) {
		return false
	}
	for _, b := range p.builtin {
		if within(b, path) {
			return false
		}
	}
	return true
}

func (p *Policy) inDirs(path string) bool {
	for _, d := range append(p.dirs[:len(p.dirs):len(p.dirs)], p.builtin...) {
		if within(d, path) {
			return true
		}
	}
	return false
}

// isProtected tells whether info is a protected file (the same file, not
// only the same name).
func (p *Policy) isProtected(info fs.FileInfo) bool {
	for _, f := range p.protected {
		if st, err := os.Stat(f); err == nil && os.SameFile(st, info) {
			return true
		}
	}
	return false
}

// checkTree refuses a directory holding a protected file (a hard link to
// the database): everything in it is read.
func (p *Policy) checkTree(dir string) error {
	if len(p.protected) == 0 {
		return nil
	}
	return filepath.WalkDir(dir, func(fp string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil // what cannot be walked is reported by the reader
		}
		info, err := d.Info()
		if err == nil && p.isProtected(info) {
			return &Error{Name: fp, Err: fmt.Errorf("%w: it is one of the server's database files", ErrForbidden)}
		}
		return nil
	})
}

// within reports whether path is dir or inside it; both are clean and
// absolute.
func within(dir, path string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}
