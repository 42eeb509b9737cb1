package service

// The server's OpenPGP signing key (CSAF .asc files; security.txt's
// signature).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/pgpkey"
)

// SigningKey is where the signing key comes from: the operator's key file
// (File, set at start from --openpgp-key), else a key generated on first
// need and kept in the database, so that every replica signs with the
// same key. A key file is preferred in production: the database then
// holds no private key.
type SigningKey struct {
	File *pgpkey.Key

	mu   sync.Mutex
	kept *pgpkey.Key
}

// SigningKey returns the server's OpenPGP signing key, generating and
// keeping one when no key file is configured and none is kept yet.
func (s *Service) SigningKey(ctx context.Context) (*pgpkey.Key, error) {
	if s.Signing.File != nil {
		return s.Signing.File, nil
	}
	s.Signing.mu.Lock()
	defer s.Signing.mu.Unlock()
	if s.Signing.kept != nil {
		return s.Signing.kept, nil
	}
	_, armored, err := s.Store.OpenPGPKey(ctx)
	if errors.Is(err, model.ErrNotFound) {
		d, err := s.Disclosure(ctx)
		if err != nil {
			return nil, err
		}
		name := keyUserName(d.Organisation)
		k, priv, err := pgpkey.Generate(name, "", s.Store.Now())
		if err != nil {
			return nil, err
		}
		if armored, err = s.Store.KeepOpenPGPKey(ctx, k.Fingerprint(), string(priv)); err != nil {
			return nil, err
		}
		s.Log.Info("generated the OpenPGP signing key and kept it in the database; set --openpgp-key to use your own",
			"fingerprint", k.Fingerprint())
	} else if err != nil {
		return nil, fmt.Errorf("reading the OpenPGP key: %w", err)
	}
	k, err := pgpkey.Parse([]byte(armored), nil)
	if err != nil {
		return nil, fmt.Errorf("the OpenPGP key kept in the database: %w", err)
	}
	s.Signing.kept = k
	return k, nil
}

// keyUserName is the name of a generated key's user ID: the organisation
// without the characters an OpenPGP user ID cannot hold in its name
// ("(", ")", "<", ">", NUL), which go-crypto refuses; vulndesk when
// nothing is left.
func keyUserName(org string) string {
	name := strings.TrimSpace(strings.Map(func(r rune) rune {
		if strings.ContainsRune("()<>\x00", r) {
			return -1
		}
		return r
	}, org))
	if name == "" {
		return "vulndesk"
	}
	return name
}
