package advisorydb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// The index file: a fixed header, a JSON metadata block, two sorted tables
// (package keys → record blobs, advisory IDs → description blobs) of fixed
// 24-byte rows, and the blobs. Scans map the file and decode only the blobs
// of the packages their SBOMs name, so opening costs the same whatever the
// number of advisories.
//
//	header: magic[12] version u32 | metaOff u64 metaLen u32 |
//	        keysOff u64 nKeys u32 | idsOff u64 nIDs u32
//	row:    nameOff u64 nameLen u32 blobOff u64 blobLen u32
const (
	magic       = "VULNDESKIDX\x00"
	fileVersion = 2
	headerLen   = 12 + 4 + 12 + 12 + 12
	rowLen      = 24
	// MaxBlob bounds one blob, so a damaged file cannot ask for a huge decode.
	maxBlob = 256 << 20
)

// ErrIndex is wrapped by errors about a damaged or foreign index file.
var ErrIndex = errors.New("invalid advisory index file")

// Meta describes how an index was built.
type Meta struct {
	Built  time.Time `json:"built"`
	Format int       `json:"format"`
	Stats  Stats     `json:"stats"`
}

// IsIndex reports whether the file at path starts like an index file.
func IsIndex(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [len(magic)]byte
	n, _ := f.Read(b[:])
	return n == len(magic) && string(b[:]) == magic
}

// Build writes db to path as an index file. It writes a temporary file
// beside path and renames it, so a failed build leaves any old index whole.
func Build(path string, db *Memory, built time.Time) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vulndesk-index-*")
	if err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := &indexWriter{w: bufio.NewWriterSize(tmp, 1<<20)}
	w.write(make([]byte, headerLen)) // the header is filled in last
	meta, err := json.Marshal(Meta{Built: built.UTC(), Format: fileVersion, Stats: db.Stats()})
	if err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	metaOff := w.write(meta)

	keys := make([]string, 0, len(db.byKey))
	for k, rs := range db.byKey {
		if len(rs) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	keyRows, err := w.blobs(keys, func(k string) ([]byte, error) { return json.Marshal(db.byKey[k]) })
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(db.infos))
	for id := range db.infos {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	idRows, err := w.blobs(ids, func(id string) ([]byte, error) { return json.Marshal(db.infos[id]) })
	if err != nil {
		return err
	}
	keysOff := w.write(keyRows)
	idsOff := w.write(idRows)
	if w.err != nil {
		return fmt.Errorf("build index: %w", w.err)
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("build index: %w", err)
	}

	h := make([]byte, 0, headerLen)
	h = append(h, magic...)
	h = binary.LittleEndian.AppendUint32(h, fileVersion)
	h = binary.LittleEndian.AppendUint64(h, metaOff)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(meta)))
	h = binary.LittleEndian.AppendUint64(h, keysOff)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(keys)))
	h = binary.LittleEndian.AppendUint64(h, idsOff)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(ids)))
	if _, err := tmp.WriteAt(h, 0); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	return nil
}

type indexWriter struct {
	w   *bufio.Writer
	off uint64
	err error
}

// write appends b and returns its offset.
func (w *indexWriter) write(b []byte) uint64 {
	at := w.off
	if w.err == nil {
		_, w.err = w.w.Write(b)
	}
	w.off += uint64(len(b))
	return at
}

// blobs writes each name and its blob and returns the table rows for them.
func (w *indexWriter) blobs(names []string, blob func(string) ([]byte, error)) ([]byte, error) {
	rows := make([]byte, 0, len(names)*rowLen)
	for _, n := range names {
		b, err := blob(n)
		if err != nil {
			return nil, fmt.Errorf("build index: %s: %w", n, err)
		}
		if len(b) > maxBlob {
			return nil, fmt.Errorf("build index: %s: blob of %d bytes is over %d", n, len(b), maxBlob)
		}
		nameOff := w.write([]byte(n))
		blobOff := w.write(b)
		rows = binary.LittleEndian.AppendUint64(rows, nameOff)
		rows = binary.LittleEndian.AppendUint32(rows, uint32(len(n)))
		rows = binary.LittleEndian.AppendUint64(rows, blobOff)
		rows = binary.LittleEndian.AppendUint32(rows, uint32(len(b)))
	}
	if w.err != nil {
		return nil, fmt.Errorf("build index: %w", w.err)
	}
	return rows, nil
}

// Index is an opened index file.
type Index struct {
	path  string
	data  []byte
	close func() error
	meta  Meta
	keys  table
	ids   table
}

type table struct {
	off uint64
	n   int
}

// Open maps an index file and checks its header and tables.
func Open(path string) (*Index, error) {
	data, closeFn, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	ix := &Index{path: path, data: data, close: closeFn}
	if err := ix.check(); err != nil {
		closeFn()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	return ix, nil
}

func (ix *Index) check() error {
	d := ix.data
	if len(d) < headerLen || string(d[:len(magic)]) != magic {
		return fmt.Errorf("%w: not a vulndesk index (bad magic)", ErrIndex)
	}
	le := binary.LittleEndian
	if v := le.Uint32(d[12:]); v != fileVersion {
		return fmt.Errorf("%w: format version %d, this vulndesk reads %d: rebuild it with `vulndesk db build`", ErrIndex, v, fileVersion)
	}
	meta, err := ix.slice(le.Uint64(d[16:]), le.Uint32(d[24:]))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(meta, &ix.meta); err != nil {
		return fmt.Errorf("%w: metadata: %v", ErrIndex, err)
	}
	ix.keys = table{off: le.Uint64(d[28:]), n: int(le.Uint32(d[36:]))}
	ix.ids = table{off: le.Uint64(d[40:]), n: int(le.Uint32(d[48:]))}
	for _, t := range []table{ix.keys, ix.ids} {
		if _, err := ix.slice(t.off, uint32(0)); err != nil {
			return err
		}
		if t.off+uint64(t.n)*rowLen > uint64(len(d)) {
			return fmt.Errorf("%w: table runs past the end of the file (truncated?)", ErrIndex)
		}
	}
	return nil
}

func (ix *Index) slice(off uint64, n uint32) ([]byte, error) {
	end := off + uint64(n)
	if end < off || end > uint64(len(ix.data)) || n > maxBlob {
		return nil, fmt.Errorf("%w: block at %d+%d is outside the file (truncated?)", ErrIndex, off, n)
	}
	return ix.data[off:end], nil
}

// row reads row i of t: its name and blob.
func (ix *Index) row(t table, i int) (name, blob []byte, err error) {
	r := ix.data[t.off+uint64(i)*rowLen:]
	le := binary.LittleEndian
	if name, err = ix.slice(le.Uint64(r), le.Uint32(r[8:])); err != nil {
		return nil, nil, err
	}
	blob, err = ix.slice(le.Uint64(r[12:]), le.Uint32(r[20:]))
	return name, blob, err
}

// find returns the blob stored under name in t, or nil.
func (ix *Index) find(t table, name string) ([]byte, error) {
	var ferr error
	i := sort.Search(t.n, func(i int) bool {
		n, _, err := ix.row(t, i)
		if err != nil {
			ferr = err
			return true
		}
		return bytes.Compare(n, []byte(name)) >= 0
	})
	if ferr != nil {
		return nil, ferr
	}
	if i == t.n {
		return nil, nil
	}
	n, blob, err := ix.row(t, i)
	if err != nil || string(n) != name {
		return nil, err
	}
	return blob, nil
}

// Records implements DB.
func (ix *Index) Records(key string) ([]*Record, error) {
	blob, err := ix.find(ix.keys, key)
	if err != nil || blob == nil {
		return nil, err
	}
	var rs []*Record
	if err := json.Unmarshal(blob, &rs); err != nil {
		return nil, fmt.Errorf("%w: records of %q: %v", ErrIndex, key, err)
	}
	return rs, nil
}

// Advisory implements DB.
func (ix *Index) Advisory(id string) (model.AdvisoryInfo, bool, error) {
	blob, err := ix.find(ix.ids, id)
	if err != nil || blob == nil {
		return model.AdvisoryInfo{}, false, err
	}
	var info model.AdvisoryInfo
	if err := json.Unmarshal(blob, &info); err != nil {
		return info, false, fmt.Errorf("%w: advisory %q: %v", ErrIndex, id, err)
	}
	return info, true, nil
}

// Stats implements DB.
func (ix *Index) Stats() Stats { return ix.meta.Stats }

// Meta returns how the index was built.
func (ix *Index) Meta() Meta { return ix.meta }

// Close unmaps the file.
func (ix *Index) Close() error { return ix.close() }
