package main

// Advisory changes: the revised zip the re-match phase serves, and the
// findings expected after it.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/sbom"
)

type modification struct {
	eco   string
	zip   []byte
	ids   []string
	added int
	path  string // the modified zip on disk (for -verify)
}

// modifyCorpus picks -changes advisories of -change-eco that name a package
// the assets use, and changes them as an upstream revision would: a new
// `modified` time and a revised `details`; every second one also gets an
// affected version added (the version most assets use of its package), so
// the re-match has real new findings to store.
func modifyCorpus(c config, cp *corpus, wl *workload) (*modification, error) {
	data := cp.zips[c.changeEco]
	if data == nil {
		return nil, fmt.Errorf("-change-eco %q: not one of %v", c.changeEco, ecosystems)
	}
	files, err := zipEntries(data)
	if err != nil {
		return nil, err
	}
	var cand []string
	raws := map[string][]byte{}
	for _, f := range files {
		raw, err := readZipFile(f)
		if err != nil {
			return nil, err
		}
		var e osvEntry
		if json.Unmarshal(raw, &e) != nil || e.Withdrawn != "" {
			continue
		}
		for _, k := range e.keys(c.changeEco) {
			if len(wl.usage[k]) > 0 {
				cand = append(cand, f.Name)
				raws[f.Name] = raw
				break
			}
		}
	}
	rng := rand.New(rand.NewPCG(c.seed, 0x6368616e6765)) // "change"
	rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	if len(cand) > c.changes {
		cand = cand[:c.changes]
	}
	sort.Strings(cand)
	mod := &modification{eco: c.changeEco}
	changed := map[string][]byte{}
	for n, name := range cand {
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(raws[name]))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		v["modified"] = "2026-12-01T12:00:00Z"
		d, _ := v["details"].(string)
		v["details"] = d + "\n\n(Revised: affected versions re-checked by the maintainers.)"
		if n%2 == 0 {
			if addAffectedVersion(v, c.changeEco, wl) {
				mod.added++
			}
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		changed[name] = b
		id, _ := v["id"].(string)
		mod.ids = append(mod.ids, id)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		body := changed[f.Name]
		if body == nil {
			if body, err = readZipFile(f); err != nil {
				return nil, err
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	mod.zip = buf.Bytes()
	mod.path = filepath.Join(c.out, "corpus-changed", c.changeEco, "all.zip")
	if err := os.MkdirAll(filepath.Dir(mod.path), 0o755); err != nil {
		return nil, err
	}
	return mod, os.WriteFile(mod.path, mod.zip, 0o644)
}

// addAffectedVersion appends to the first affected entry whose package the
// assets use the version of it most assets have, unless listed already.
func addAffectedVersion(v map[string]any, eco string, wl *workload) bool {
	aff, _ := v["affected"].([]any)
	for _, a := range aff {
		am, _ := a.(map[string]any)
		pkg, _ := am["package"].(map[string]any)
		e, _ := pkg["ecosystem"].(string)
		name, _ := pkg["name"].(string)
		base, _, _ := strings.Cut(e, ":")
		if base != eco || name == "" {
			continue
		}
		use := wl.usage[advisorydb.Key(base, name)]
		if len(use) == 0 {
			continue
		}
		best, bestN := "", 0
		for ver, n := range use {
			if n > bestN || (n == bestN && ver < best) {
				best, bestN = ver, n
			}
		}
		vs, _ := am["versions"].([]any)
		for _, x := range vs {
			if x == best {
				return false
			}
		}
		am["versions"] = append(vs, best)
		return true
	}
	return false
}

// expectFindings works out what the server must report after the advisory
// change: the tuples' findings against the changed corpus, times their use.
// (Before the change it is the sum of the tuples' counts.) With -verify it
// also matches every SBOM in-process, as the server will.
func expectFindings(ctx context.Context, c config, cp *corpus, wl *workload, mod *modification) error {
	var after []string
	for i, eco := range ecosystems {
		p := cp.paths[i]
		if eco == mod.eco {
			p = mod.path
		}
		after = append(after, p)
	}
	n, err := cp.findingsPerPURL(ctx, after)
	if err != nil {
		return err
	}
	wl.expectedAfter = 0
	for pu, k := range wl.purlUse {
		wl.expectedAfter += n[pu] * k
	}
	if !c.verify {
		return nil
	}
	db, err := advisorydb.Load(ctx, cp.paths, osv.Options{})
	if err != nil {
		return err
	}
	total := 0
	for _, a := range wl.assets {
		doc, err := sbom.Parse(a.name, a.data, sbom.Options{})
		if err != nil {
			return fmt.Errorf("%s: %w", a.name, err)
		}
		out, err := match.Match(ctx, db, doc.Components)
		if err != nil {
			return err
		}
		total += len(out.Findings)
	}
	if total != wl.expected {
		return fmt.Errorf("-verify: the SBOMs have %d findings in-process, the tuple counts say %d", total, wl.expected)
	}
	return nil
}
