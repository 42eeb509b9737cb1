// Package sbom reads software bills of materials — CycloneDX 1.2–1.7 (JSON
// and XML), SPDX 2.1–2.3 (JSON and tag-value) and SPDX 3.0 (JSON-LD) — into
// model.SBOM: one model.Component per package, with its OSV ecosystem and
// package name derived from its purl, or the reason it cannot be matched.
//
// The format is detected from the content, never from the file name. Input
// is bounded (Options.MaxBytes, at most maxComponents components nested at
// most maxNesting deep), XML with a DOCTYPE is refused, and every error wraps
// exactly one of ErrTooLarge, ErrUnknownFormat and ErrInvalid and names the
// file and, where it can, the line and column at fault.
package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/vulndesk/vulndesk/internal/model"
)

// DefaultMaxBytes is the size limit used when Options.MaxBytes is 0.
const DefaultMaxBytes = 256 << 20

// Limits on what one SBOM may hold, so that a hostile document cannot make
// decoding take unbounded memory or time.
const (
	// maxComponents bounds the components (CycloneDX) or packages (SPDX).
	maxComponents = 1_000_000
	// maxNesting bounds how deep CycloneDX components nest in one another.
	maxNesting = 64
)

// Options limit what Read accepts.
type Options struct {
	// MaxBytes is the largest SBOM accepted, in bytes; 0 (or less) means
	// DefaultMaxBytes.
	MaxBytes int64
}

// maxBytes returns the effective size limit.
func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// Read reads the SBOM file at path, checking its size before reading it.
// Errors opening or reading the file wrap ErrInvalid (and the *fs.PathError).
func Read(path string, opts Options) (model.SBOM, error) {
	limit := opts.maxBytes()
	f, err := os.Open(path)
	if err != nil {
		return model.SBOM{}, readError(path, "cannot open", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return model.SBOM{}, readError(path, "cannot stat", err)
	}
	if fi.IsDir() {
		return model.SBOM{}, newError(ErrInvalid, path, "is a directory, not an SBOM file")
	}
	size := fi.Size()
	if fi.Mode().IsRegular() && size > limit {
		return model.SBOM{}, tooLarge(path, size, limit)
	}
	// The size from Stat may be stale or meaningless (pipes, /proc): the
	// LimitReader makes sure no more than limit+1 bytes are ever read.
	var buf bytes.Buffer
	if fi.Mode().IsRegular() && size > 0 {
		// ReadFrom wants MinRead bytes free to see EOF; without them it
		// would copy the whole file into a buffer twice the size.
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return model.SBOM{}, readError(path, "cannot read", err)
	}
	if int64(buf.Len()) > limit {
		return model.SBOM{}, tooLarge(path, -1, limit)
	}
	return Parse(path, buf.Bytes(), opts)
}

// Parse parses one SBOM held in memory; name is used in errors and as
// model.SBOM.Path and model.Component.Source.
func Parse(name string, data []byte, opts Options) (model.SBOM, error) {
	if limit := opts.maxBytes(); int64(len(data)) > limit {
		return model.SBOM{}, tooLarge(name, int64(len(data)), limit)
	}
	return parseDetected(name, data)
}

// tooLarge reports an SBOM over the size limit; size < 0 when unknown.
func tooLarge(name string, size, limit int64) error {
	if size < 0 {
		return newError(ErrTooLarge, name, "more than the limit of %d bytes", limit)
	}
	return newError(ErrTooLarge, name, "%d bytes is more than the limit of %d bytes", size, limit)
}

// readError reports a file that cannot be opened or read.
func readError(path, what string, err error) error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is already in front of the message
	}
	e := newError(ErrInvalid, path, "%s: %s", what, msg)
	e.cause = err
	return e
}

// subjectName returns how an SBOM names its subject: "name@version" or "name".
func subjectName(name, version string) string {
	if name == "" || version == "" {
		return name
	}
	return fmt.Sprintf("%s@%s", name, version)
}
