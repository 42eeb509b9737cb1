package main

// The corpus server: serves the zips and the KEV catalogue over loopback,
// so no request leaves the host.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"
)

type corpusServer struct {
	base string
	srv  *http.Server
	mu   sync.Mutex
	docs map[string][]byte
}

func startCorpusServer(c config, cp *corpus) (*corpusServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cs := &corpusServer{base: "http://" + ln.Addr().String()}
	cs.reset(cp)
	cs.srv = &http.Server{Handler: http.HandlerFunc(cs.serve), ReadHeaderTimeout: 10 * time.Second}
	go cs.srv.Serve(ln)
	return cs, nil
}

func (cs *corpusServer) reset(cp *corpus) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.docs = map[string][]byte{}
	for eco, b := range cp.zips {
		cs.docs["/"+eco+"/all.zip"] = b
	}
	if cp.kev != nil {
		cs.docs["/kev.json"] = cp.kev
	}
}

func (cs *corpusServer) set(path string, b []byte) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.docs[path] = b
}

func (cs *corpusServer) serve(w http.ResponseWriter, r *http.Request) {
	cs.mu.Lock()
	b, ok := cs.docs[r.URL.Path]
	cs.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(b)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	http.ServeContent(w, r, filepath.Base(r.URL.Path), time.Time{}, bytes.NewReader(b))
}

func (cs *corpusServer) has(path string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.docs[path] != nil
}

func (cs *corpusServer) close() { cs.srv.Close() }
