package osv

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// Limits bound what Load reads. Zero fields take the defaults.
type Limits struct {
	// MaxRecordBytes bounds one JSON file or one archive entry (default 64 MiB).
	MaxRecordBytes int64
	// MaxArchiveBytes bounds one archive or download (default 4 GiB).
	MaxArchiveBytes int64
	// MaxTotalBytes bounds all uncompressed JSON read by one Load (default 32 GiB).
	MaxTotalBytes int64
	// MaxEntries bounds the entries of one archive (default 5,000,000).
	MaxEntries int
	// MaxRatio bounds the compression ratio of one archive entry (default
	// 200; OSV JSON deflates about 5:1); more is treated as a zip bomb.
	MaxRatio int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = 64 << 20
	}
	if l.MaxArchiveBytes <= 0 {
		l.MaxArchiveBytes = 4 << 30
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 32 << 30
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 5_000_000
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 200
	}
	return l
}

// Options configure Load.
type Options struct {
	Limits Limits
	// Progress, when set, is called now and then with the records read and
	// the total expected (0 when not known yet).
	Progress func(done, total int64)
	// Download fetches an https URL into a local file; nil uses the
	// package's default HTTP download.
	Download func(ctx context.Context, url string, limit int64) (path string, cleanup func(), err error)
	// Known, when set, is asked about each zip archive entry before it is
	// read; an entry it reports known is skipped (Stats.Skipped). A caller
	// that remembers the entries it read last time, by name, CRC-32 and
	// size, skips those that did not change.
	Known func(Entry) bool
	// From, when set, is called with the zip entry the records fn sees
	// next come from (the zero Entry for a plain JSON file).
	From func(Entry)
	// Other, when set, is handed each JSON document that is no OSV at all
	// (ErrNotOSV), with its name, instead of failing the load: scan --db
	// reads NVD records beside OSV so. It runs on the decoding
	// goroutines, several at once, within the same limits; an error it
	// returns stops the load. Without it such a document is an error
	// naming it.
	Other func(name string, data []byte) error
}

// Entry is a zip archive entry as its header declares it.
type Entry struct {
	Name  string
	CRC32 uint32
	Size  uint64
}

// Stats counts what one Load read.
type Stats struct {
	Files   int   // JSON files and archive entries read
	Records int   // OSV records decoded (including withdrawn ones)
	Bytes   int64 // uncompressed JSON bytes
	Skipped int   // archive entries Options.Known knew
}

// job is one JSON document to read and decode.
type job struct {
	name  string
	open  func() (io.ReadCloser, error)
	entry Entry // in a zip archive; zero otherwise
}

// Load reads every OSV record found at src — a JSON file (one record or an
// array), a zip archive (osv.dev's <Ecosystem>/all.zip layout), a directory
// tree holding either, or an https URL of a zip or JSON file — and calls fn
// for each, from one goroutine. Decoding runs on all cores. The first error
// stops the load; fn returning an error stops it too.
func Load(ctx context.Context, src string, opts Options, fn func(*Vulnerability) error) (Stats, error) {
	opts.Limits = opts.Limits.withDefaults()
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	local := src
	if isURL(src) {
		dl := opts.Download
		if dl == nil {
			dl = Download
		}
		p, cleanup, err := dl(ctx, src, opts.Limits.MaxArchiveBytes)
		if err != nil {
			return Stats{}, err
		}
		defer cleanup()
		local = p
	}
	jobs, err := enumerate(local, src, opts.Limits, &closers)
	if err != nil {
		return Stats{}, err
	}
	skipped := 0
	if opts.Known != nil {
		kept := jobs[:0]
		for _, j := range jobs {
			if j.entry.Name != "" && opts.Known(j.entry) {
				skipped++
				continue
			}
			kept = append(kept, j)
		}
		jobs = kept
	}
	st, err := run(ctx, jobs, opts, fn)
	st.Skipped = skipped
	return st, err
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// enumerate lists the documents at a local path. display is how errors name
// the source (the URL for a download).
func enumerate(p, display string, lim Limits, closers *[]io.Closer) ([]job, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, &Error{Name: display, Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
	}
	if !st.IsDir() {
		return enumerateFile(p, display, st, lim, closers)
	}
	var jobs []job
	err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{Name: fp, Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil // directories are walked; links and devices are not followed
		}
		ext := strings.ToLower(filepath.Ext(fp))
		if ext != ".json" && ext != ".zip" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return &Error{Name: fp, Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
		}
		js, err := enumerateFile(fp, fp, info, lim, closers)
		jobs = append(jobs, js...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, &Error{Name: display, Err: fmt.Errorf("%w: no .json or .zip files found", ErrUnsupported)}
	}
	return jobs, nil
}

func enumerateFile(p, display string, st fs.FileInfo, lim Limits, closers *[]io.Closer) ([]job, error) {
	if isZip(p) {
		if st.Size() > lim.MaxArchiveBytes {
			return nil, &Error{Name: display, Err: fmt.Errorf("%w: archive is %d bytes, limit %d", ErrTooLarge, st.Size(), lim.MaxArchiveBytes)}
		}
		return zipJobs(p, display, lim, closers)
	}
	if st.Size() > lim.MaxRecordBytes {
		return nil, &Error{Name: display, Err: fmt.Errorf("%w: file is %d bytes, limit %d", ErrTooLarge, st.Size(), lim.MaxRecordBytes)}
	}
	return []job{{name: display, open: func() (io.ReadCloser, error) { return os.Open(p) }}}, nil
}

// isZip tells a zip archive by its first bytes, whatever its name.
func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PK\x03\x04"
}

// zipJobs lists the JSON entries of an archive, refusing unsafe names and
// entries whose declared size or compression ratio looks like a zip bomb.
func zipJobs(p, display string, lim Limits, closers *[]io.Closer) ([]job, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, &Error{Name: display, Err: fmt.Errorf("%w: not a readable zip archive: %v", ErrInvalid, err)}
	}
	*closers = append(*closers, zr)
	if len(zr.File) > lim.MaxEntries {
		return nil, &Error{Name: display, Err: fmt.Errorf("%w: %d entries, limit %d", ErrTooLarge, len(zr.File), lim.MaxEntries)}
	}
	var jobs []job
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := display + ":" + f.Name
		if !safeEntryName(f.Name) {
			return nil, &Error{Name: name, Err: fmt.Errorf("%w: unsafe path in archive (absolute or containing ..)", ErrInvalid)}
		}
		if !strings.EqualFold(path.Ext(f.Name), ".json") {
			continue
		}
		if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > uint64(lim.MaxRatio) {
			return nil, &Error{Name: name, Err: fmt.Errorf("%w: compression ratio %d:1 is over %d:1 (zip bomb?)", ErrTooLarge, f.UncompressedSize64/f.CompressedSize64, lim.MaxRatio)}
		}
		if f.UncompressedSize64 > uint64(lim.MaxRecordBytes) {
			return nil, &Error{Name: name, Err: fmt.Errorf("%w: entry is %d bytes uncompressed, limit %d", ErrTooLarge, f.UncompressedSize64, lim.MaxRecordBytes)}
		}
		jobs = append(jobs, job{name: name, open: f.Open, entry: Entry{Name: f.Name, CRC32: f.CRC32, Size: f.UncompressedSize64}})
	}
	return jobs, nil
}

func safeEntryName(n string) bool {
	if strings.HasPrefix(n, "/") || strings.HasPrefix(n, `\`) || strings.Contains(n, `\`) || filepath.VolumeName(n) != "" {
		return false
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}

// run decodes the jobs on all cores and hands the records to fn in one
// goroutine.
func run(ctx context.Context, jobs []job, opts Options, fn func(*Vulnerability) error) (Stats, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var total atomic.Int64
	next := make(chan job)
	type result struct {
		vs    []Vulnerability
		entry Entry
	}
	results := make(chan result, 64)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var stats Stats
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				vs, n, err := read(j, opts)
				if err == nil && total.Add(n) > opts.Limits.MaxTotalBytes {
					err = &Error{Name: j.name, Err: fmt.Errorf("%w: more than %d bytes of JSON in all", ErrTooLarge, opts.Limits.MaxTotalBytes)}
				}
				if err != nil {
					cancel(err)
					return
				}
				select {
				case results <- result{vs, j.entry}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(next)
		for _, j := range jobs {
			select {
			case next <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	done := int64(0)
	for r := range results {
		if ctx.Err() != nil {
			continue // drain so the workers can exit
		}
		stats.Files++
		done++
		if opts.From != nil {
			opts.From(r.entry)
		}
		vs := r.vs
		for i := range vs {
			stats.Records++
			if err := fn(&vs[i]); err != nil {
				cancel(err)
				break
			}
		}
		if opts.Progress != nil && (done%256 == 0 || done == int64(len(jobs))) {
			opts.Progress(done, int64(len(jobs)))
		}
	}
	stats.Bytes = total.Load()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return stats, err
	}
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	return stats, nil
}

// read reads and decodes one job within the limits, handing a document
// that is no OSV to opts.Other when set.
func read(j job, opts Options) ([]Vulnerability, int64, error) {
	lim := opts.Limits
	rc, err := j.open()
	if err != nil {
		return nil, 0, &Error{Name: j.name, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, lim.MaxRecordBytes+1))
	if err != nil {
		return nil, 0, &Error{Name: j.name, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	if int64(len(data)) > lim.MaxRecordBytes {
		return nil, 0, &Error{Name: j.name, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.MaxRecordBytes)}
	}
	vs, err := Decode(j.name, data)
	if err != nil && opts.Other != nil && errors.Is(err, ErrNotOSV) {
		return nil, int64(len(data)), opts.Other(j.name, data)
	}
	return vs, int64(len(data)), err
}
