package nvd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Stats counts what a Walk read.
type Stats struct {
	Files   int   // .json files decoded
	Records int   // records handed on
	Bytes   int64 // bytes read
}

// Walk reads the NVD data at p, a file or a directory of *.json files
// (searched recursively, in name order), each a bare CVE record or a CVE
// API response page, and calls fn with every record and the file it came
// from. Within a directory nothing outside it is read: symbolic links are
// not followed and files are opened through an os.Root. A JSON file that
// is neither kind is refused, naming the file; so is any file over lim.
// Other files than *.json are skipped.
func Walk(ctx context.Context, p string, lim Limits, fn func(file string, r *Record) error) (Stats, error) {
	lim = lim.withDefaults()
	st, err := os.Stat(p)
	if err != nil {
		return Stats{}, &Error{Name: p, Err: fmt.Errorf("%w: %v", ErrInvalid, cause(err))}
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			return Stats{}, &Error{Name: p, Err: fmt.Errorf("%w: not a regular file", ErrInvalid)}
		}
		root, err := os.OpenRoot(filepath.Dir(p))
		if err != nil {
			return Stats{}, &Error{Name: p, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
		}
		defer root.Close()
		w := walker{root: root, display: filepath.Dir(p), lim: lim, fn: fn}
		err = w.file(ctx, filepath.Base(p))
		return w.stats, err
	}
	root, err := os.OpenRoot(p)
	if err != nil {
		return Stats{}, &Error{Name: p, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	defer root.Close()
	w := walker{root: root, display: p, lim: lim, fn: fn}
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{Name: filepath.Join(p, name), Err: fmt.Errorf("%w: %v", ErrInvalid, cause(err))}
		}
		if d.IsDir() || !d.Type().IsRegular() || !strings.EqualFold(path.Ext(name), ".json") {
			return nil // directories are walked; links, devices and other files are not read
		}
		return w.file(ctx, name)
	})
	if err == nil && w.stats.Files == 0 {
		err = &Error{Name: p, Err: fmt.Errorf("%w: no .json files", ErrNotCVE)}
	}
	return w.stats, err
}

// walker reads files below one root within the limits.
type walker struct {
	root    *os.Root
	display string // how errors name the root
	lim     Limits
	fn      func(string, *Record) error
	stats   Stats
}

// file decodes one file (name is slash-separated, relative to the root)
// and hands its records on.
func (w *walker) file(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	display := filepath.Join(w.display, filepath.FromSlash(name))
	if w.stats.Files >= w.lim.MaxFiles {
		return &Error{Name: display, Err: fmt.Errorf("%w: more than %d files", ErrTooLarge, w.lim.MaxFiles)}
	}
	data, err := w.read(name)
	if err != nil {
		return &Error{Name: display, Err: err}
	}
	w.stats.Files++
	w.stats.Bytes += int64(len(data))
	records, err := Decode(data, w.lim)
	if err != nil {
		return &Error{Name: display, Err: err}
	}
	for i := range records {
		if err := w.fn(display, &records[i]); err != nil {
			return err
		}
		w.stats.Records++
	}
	return nil
}

// read reads one file, refusing it over the per-file or total limit.
func (w *walker) read(name string) ([]byte, error) {
	f, err := w.root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, cause(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, w.lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if int64(len(data)) > w.lim.MaxFileBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, w.lim.MaxFileBytes)
	}
	if w.stats.Bytes+int64(len(data)) > w.lim.MaxTotalBytes {
		return nil, fmt.Errorf("%w: more than %d bytes in all", ErrTooLarge, w.lim.MaxTotalBytes)
	}
	return data, nil
}

// Decode decodes a bare CVE record or a CVE API response page, whichever
// data is, and returns its records; anything else is ErrNotCVE.
func Decode(data []byte, lim Limits) ([]Record, error) {
	lim = lim.withDefaults()
	kind, why, err := Sniff(data, lim)
	switch {
	case err != nil:
		return nil, err
	case kind == KindPage:
		p, err := decodePage(data, lim)
		if err != nil {
			return nil, err
		}
		return p.Records, nil
	case kind == KindRecord:
		r, err := decodeRecord(data, lim)
		if err != nil {
			return nil, err
		}
		return []Record{*r}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNotCVE, why)
}

// ReadPath reads every record at p as Walk does and returns them by ID,
// keeping for an ID found more than once the copy modified last (a
// directory may hold a bare record and a newer page that both carry it).
func ReadPath(ctx context.Context, p string, lim Limits) ([]Record, error) {
	byID := map[string]Record{}
	_, err := Walk(ctx, p, lim, func(_ string, r *Record) error {
		if old, ok := byID[r.ID]; !ok || newer(r, &old) {
			byID[r.ID] = *r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// newer tells whether a was modified after b; the decoder has checked that
// both times parse.
func newer(a, b *Record) bool {
	ta, _ := a.LastModifiedTime()
	tb, _ := b.LastModifiedTime()
	return ta.After(tb)
}

// cause is the reason inside a *fs.PathError, without the path (which the
// *Error names already), or err itself.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
