package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Uploads are held in memory while they are parsed and stored, and a
// parsed SBOM takes about two and a half times its size again. Without a
// bound, six concurrent 200 MiB uploads took the server to 2.6 GiB. The
// upload budget bounds the bytes of uploads being processed at once,
// server-wide: an upload waits for its share up to a while, and is then
// refused with 503 and Retry-After (vulndesk push retries). A body of
// unknown length is spooled to disk first, so that it is held in memory
// only once its size is known and reserved.

// DefaultUploadBudget is how many upload bytes are processed at once by
// default: one upload of the default largest size.
const DefaultUploadBudget = 256 << 20

// DefaultUploadWait is how long an upload waits for room in the budget.
const DefaultUploadWait = 20 * time.Second

// maxJSONBody bounds the JSON and form bodies of every other route.
const maxJSONBody = 1 << 20

// uploadBudget is the server-wide semaphore of upload bytes.
type uploadBudget struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration
}

func newUploadBudget(size int64, wait time.Duration) *uploadBudget {
	return &uploadBudget{sem: semaphore.NewWeighted(size), size: size, wait: wait}
}

// reserve waits for n bytes of the budget (all of it when n is larger)
// and returns their release, or an error that answers 503.
func (b *uploadBudget) reserve(ctx context.Context, n int64, m *metrics) (func(), error) {
	n = max(1, min(n, b.size))
	ctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	m.uploadsWaiting.Add(1)
	err := b.sem.Acquire(ctx, n)
	m.uploadsWaiting.Add(-1)
	if err != nil {
		m.uploadsRefused.Add(1)
		return nil, &busyError{retryAfter: 30 * time.Second,
			msg: fmt.Sprintf("the server is processing %d MiB of other uploads; nothing was stored: retry later", b.size>>20)}
	}
	m.uploadBytes.Add(n)
	return func() { b.sem.Release(n); m.uploadBytes.Add(-n) }, nil
}

// busyError answers 503 with Retry-After.
type busyError struct {
	retryAfter time.Duration
	msg        string
}

func (e *busyError) Error() string { return e.msg }

// sbomBody is an uploaded SBOM held in memory, with its budget share.
type sbomBody struct {
	data    []byte
	name    string // a multipart upload's file name
	release func()
	// fields are a multipart form's small fields before its file.
	fields url.Values
}

// readSBOM reads an upload's SBOM within the budget: the raw request body,
// or the first file of a multipart form (curl -F file=@bom.json). A body
// announced larger than the limit is refused before it is read.
func (s *Server) readSBOM(r *http.Request) (*sbomBody, error) {
	limit := s.MaxUploadBytes
	tooLarge := func() error {
		return errStatus(http.StatusRequestEntityTooLarge, "SBOM larger than %d bytes: refused, nothing stored", limit)
	}
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader = r.Body
	var name string
	var fields url.Values
	size := r.ContentLength
	if ct == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, errStatus(http.StatusBadRequest, "multipart body without a boundary")
		}
		part, fs, err := firstFile(r)
		if err != nil {
			return nil, err
		}
		defer part.Close()
		src, name, size, fields = part, part.FileName(), -1, fs
	}
	if size < 0 {
		// Unknown length: spool to disk, then reserve what it is.
		f, n, err := s.spool(src, limit)
		if err != nil {
			return nil, err
		}
		defer func() { f.Close(); os.Remove(f.Name()) }()
		src, size = f, n
	}
	if size == 0 {
		return nil, errStatus(http.StatusBadRequest, "empty body: send the SBOM document as the request body (or as a multipart file)")
	}
	release, err := s.uploads.reserve(r.Context(), size, s.metrics)
	if err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(src, data); err != nil {
		release()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, fmt.Errorf("reading the upload: %w", err)
	}
	return &sbomBody{data: data, name: name, release: release, fields: fields}, nil
}

// maxFormFields and maxFieldBytes bound the fields read before a
// multipart form's file: a page's form has a checkbox or two.
const maxFormFields, maxFieldBytes = 20, model.MaxNoteLen + 1

// firstFile returns the first part of a multipart form that is a file, and
// the form's fields before it (bounded in number and size).
func firstFile(r *http.Request) (filePart, url.Values, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errStatus(http.StatusBadRequest, "multipart body: %v", err)
	}
	fields := url.Values{}
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil, errStatus(http.StatusBadRequest, "multipart body without a file: send the SBOM as a file part (curl -F file=@bom.json)")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, nil, err
			}
			return nil, nil, errStatus(http.StatusBadRequest, "multipart body: %v", err)
		}
		if p.FileName() != "" {
			return p, fields, nil
		}
		if n < maxFormFields {
			v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes))
			if err == nil && textProblem(string(v)) == "" && textProblem(p.FormName()) == "" {
				fields.Add(p.FormName(), string(v))
			}
		}
		p.Close()
	}
}

// filePart is a multipart file part.
type filePart interface {
	io.ReadCloser
	FileName() string
}

// spool copies up to limit bytes of src to a new temporary file, rewound;
// more is 413.
func (s *Server) spool(src io.Reader, limit int64) (*os.File, int64, error) {
	dir := s.Svc.TempDir
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, 0, err
		}
	}
	f, err := os.CreateTemp(dir, "vulndesk-upload-*")
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (*os.File, int64, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(src, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || n > limit:
		return fail(errStatus(http.StatusRequestEntityTooLarge, "SBOM larger than %d bytes: refused, nothing stored", limit))
	case err != nil:
		return fail(fmt.Errorf("reading the upload: %w", err))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, n, nil
}

// retryAfter formats a wait for the Retry-After header.
func retryAfter(d time.Duration) string { return strconv.Itoa(int(d.Seconds() + 0.999)) }
