package server

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// TLSConfig serves HTTPS from a certificate and key in PEM files, so a
// small deployment needs no proxy in front. The files are read at start
// (an error names what is wrong) and read again when either changes, at
// most once a minute, so a renewed certificate is picked up without a
// restart; a renewal that does not load keeps the certificate in use.
func TLSConfig(certFile, keyFile string) (*tls.Config, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := c.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.get}, nil
}

type certReloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // the files' sizes and modification times when loaded
	checked time.Time
}

func (c *certReloader) stampNow() (string, error) {
	var stamp string
	for _, p := range []string{c.certFile, c.keyFile} {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		stamp += fmt.Sprintf("%d/%d;", st.Size(), st.ModTime().UnixNano())
	}
	return stamp, nil
}

func (c *certReloader) load() error {
	stamp, err := c.stampNow()
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s with key %s: %w", c.certFile, c.keyFile, err)
	}
	c.cert, c.stamp, c.checked = &cert, stamp, time.Now()
	return nil
}

func (c *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) >= time.Minute {
		c.checked = time.Now()
		if stamp, err := c.stampNow(); err == nil && stamp != c.stamp {
			cur := c.cert
			if c.load() != nil {
				c.cert = cur // keep serving the one that worked
			}
		}
	}
	return c.cert, nil
}
