package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/vulndesk/vulndesk/internal/pgpkey"
)

// loadOpenPGPKey reads serve's --openpgp-key file: an armored private key,
// decrypted with the passphrase when it is encrypted.
func loadOpenPGPKey(path, passphrase string) (*pgpkey.Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, pgpkey.MaxArmoredSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k, err := pgpkey.Parse(b, []byte(passphrase))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}
