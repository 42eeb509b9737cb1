package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
)

// Error is an answer other than the success a call expects: the HTTP
// status and the server's message (the error field of its api.Error body,
// or the body's text when it is not one). Recognise it with errors.As.
type Error struct {
	Status  int
	Message string
	// Method and Path say which call was answered.
	Method, Path string
	// retryAfter is the Retry-After header in seconds, when the answer
	// carried one (busy and rate-limited answers do).
	retryAfter time.Duration
	hasRetry   bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// RetryAfter is how long the server asked the caller to wait before trying
// again (its Retry-After header, in seconds), and whether it asked.
func (e *Error) RetryAfter() (time.Duration, bool) { return e.retryAfter, e.hasRetry }

// readError builds the *Error of an unexpected answer.
func readError(method, path string, resp *http.Response) error {
	data, err := readBounded(resp.Body, maxErrorBody)
	if err != nil && data == nil {
		data = []byte(err.Error())
	}
	e := &Error{Status: resp.StatusCode, Method: method, Path: path}
	var body api.Error
	if json.Unmarshal(data, &body) == nil && body.Error != "" {
		e.Message = body.Error
	} else {
		e.Message = strings.TrimSpace(string(data))
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		e.retryAfter, e.hasRetry = time.Duration(s)*time.Second, true
	}
	return e
}
