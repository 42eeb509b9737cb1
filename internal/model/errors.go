package model

import (
	"errors"
	"fmt"
)

// The errors a use case answers with, whichever package finds them; the
// API maps them to HTTP statuses and the CLI to exit codes, each in one
// place.
var (
	// ErrInvalid: a field the caller gave is bad; the message names the
	// field and what it may be.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound: a row asked for by key does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique name is already taken.
	ErrConflict = errors.New("already exists")
	// ErrForbidden: the caller may not do this to this object.
	ErrForbidden = errors.New("forbidden")
	// ErrTooLarge: the input is larger, or holds more, than the limit
	// allows; nothing of it was stored.
	ErrTooLarge = errors.New("too large")
)

// fieldError is a message about a field, that is ErrInvalid.
type fieldError string

func (e fieldError) Error() string        { return string(e) }
func (e fieldError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns an ErrInvalid error with the message.
func Invalidf(format string, args ...any) error { return fieldError(fmt.Sprintf(format, args...)) }
