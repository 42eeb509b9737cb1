//go:build !unix

package store

import "errors"

// freeBytes is not known here; Ready then relies on refused writes alone.
func freeBytes(string) (uint64, error) { return 0, errors.New("free space unknown on this system") }
