package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/notify"
	"github.com/vulndesk/vulndesk/internal/store"
)

// SMTP is the relay email notifications go through.
type SMTP struct {
	Host string
	Port int // 587 when 0
	// Username and Password authenticate (none when Username is "");
	// Auth is plain (the default) or login.
	Username, Password, Auth string
	From                     string
	// TLS configures STARTTLS (nil: verify Host against the system's
	// roots). STARTTLS is required unless Host is a loopback address.
	TLS *tls.Config
}

// Delivery defaults: how many attempts, and the wait before the second
// (doubling each time, at most an hour).
const (
	DefaultNotifyAttempts = 8
	DefaultNotifyBackoff  = 30 * time.Second
	notifyTimeout         = 30 * time.Second
)

// attempt is how one try at a delivery went.
type attempt struct {
	status    int
	err       error
	retryable bool
}

// Deliver makes the next attempt at a pending delivery and records it: a
// delivered or failed delivery is left alone, so a job run twice sends
// once. A failure worth retrying (a network error, a 5xx, 408 or 429, an
// SMTP 4xx) queues the next attempt after a growing wait, up to the
// attempts allowed; the delivery then fails. A delivery interrupted by
// shutdown is not recorded: its job runs again.
func (s *Service) Deliver(ctx context.Context, id int64) error {
	d, err := s.Store.Delivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its channel was deleted
	}
	if err != nil || d.State != model.DeliveryPending {
		return err
	}
	ch, err := s.Store.Channel(ctx, d.ChannelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var a attempt
	switch ch.Kind {
	case model.ChannelWebhook:
		a = s.postWebhook(ctx, ch, d)
	case model.ChannelEmail:
		a = s.sendMail(ctx, ch, d)
	default:
		a = attempt{err: fmt.Errorf("channel kind %q", ch.Kind)}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	n := d.Attempts + 1
	max, base := s.NotifyAttempts, s.NotifyBackoff
	if max <= 0 {
		max = DefaultNotifyAttempts
	}
	if base <= 0 {
		base = DefaultNotifyBackoff
	}
	errText := ""
	if a.err != nil {
		errText = a.err.Error()
	}
	var next time.Time
	if a.err != nil {
		next = notify.Retry(s.Store.Now(), n, max, a.retryable, base)
	}
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.DeliveryForUpdate(ctx, id)
		if err != nil || cur.State != model.DeliveryPending || cur.Attempts != d.Attempts {
			return err // recorded by another run
		}
		if err := tx.RecordAttempt(ctx, id, n, a.status, errText, a.err == nil, next); err != nil {
			return err
		}
		if next.IsZero() {
			return nil
		}
		_, _, err = tx.Enqueue(ctx, deliverJob(id, n+1, next))
		return err
	})
	log := s.Log.With("delivery", id, "channel", ch.Name, "event", d.Event, "attempt", n)
	switch {
	case err != nil:
	case a.err == nil:
		log.Info("notification delivered", "status", a.status)
	case next.IsZero():
		log.Warn("notification failed; giving up", "status", a.status, "error", a.err)
	default:
		log.Info("notification failed; will retry", "status", a.status, "error", a.err, "retry_at", next)
	}
	return err
}

// postWebhook POSTs the delivery's body, signed, to the channel's URL
// through the feeds' guarded client: the URL and every address dialled
// are checked as a feed's are. Redirects are not followed.
func (s *Service) postWebhook(ctx context.Context, ch model.Channel, d model.Delivery) attempt {
	client, err := s.Sources.Client(ch.URL)
	if err != nil {
		return attempt{err: err}
	}
	c := *client
	c.Timeout = notifyTimeout
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	body := []byte(d.Body)
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.URL, bytes.NewReader(body))
	if err != nil {
		return attempt{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vulndesk-webhook")
	req.Header.Set(notify.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(notify.HeaderSignature, notify.Sign(ch.Secret, ts, body))
	req.Header.Set(notify.HeaderDelivery, strconv.FormatInt(d.ID, 10))
	req.Header.Set(notify.HeaderEvent, d.Event)
	resp, err := c.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // the URL is the channel's, not news
		}
		return attempt{err: err, retryable: !errors.Is(err, feed.ErrForbidden)}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return attempt{status: resp.StatusCode}
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return attempt{status: resp.StatusCode, err: fmt.Errorf("the receiver answered %s; redirects are not followed: set the channel's URL to the final one", resp.Status)}
	}
	return attempt{status: resp.StatusCode, err: fmt.Errorf("the receiver answered %s", resp.Status), retryable: notify.RetryableHTTP(resp.StatusCode)}
}

// sendMail sends the delivery as a plain-text message through the SMTP
// relay: STARTTLS (required but on loopback), then AUTH when a user is
// configured.
func (s *Service) sendMail(ctx context.Context, ch model.Channel, d model.Delivery) attempt {
	cfg := s.SMTP
	if cfg.Host == "" || cfg.From == "" {
		return attempt{err: errors.New("no SMTP relay configured: set VULNDESK_SMTP_HOST and VULNDESK_SMTP_FROM")}
	}
	var b model.NotifyBody
	if err := json.Unmarshal([]byte(d.Body), &b); err != nil {
		return attempt{err: fmt.Errorf("delivery body: %w", err)}
	}
	msg := notify.Message(cfg.From, ch.Address, time.Now(), b)
	port := cfg.Port
	if port == 0 {
		port = 587
	}
	dialer := net.Dialer{Timeout: notifyTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(port)))
	if err != nil {
		return attempt{err: err, retryable: true}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	err = smtpSend(conn, cfg, ch.Address, msg)
	if err == nil {
		return attempt{status: 250}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return attempt{status: te.Code, err: err, retryable: te.Code < 500}
	}
	var ce *tls.CertificateVerificationError
	return attempt{err: err, retryable: !errors.As(err, &ce) && !errors.Is(err, errNoSTARTTLS)}
}

var errNoSTARTTLS = errors.New("the SMTP relay does not offer STARTTLS, which is required but on loopback")

func smtpSend(conn net.Conn, cfg SMTP, to string, msg []byte) error {
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("vulndesk"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
		if cfg.TLS != nil {
			tc = cfg.TLS.Clone()
			if tc.ServerName == "" {
				tc.ServerName = cfg.Host
			}
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if !loopbackHost(cfg.Host) {
		return errNoSTARTTLS
	}
	if cfg.Username != "" {
		var a smtp.Auth = smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)
		if strings.EqualFold(cfg.Auth, "login") {
			a = loginAuth{cfg.Username, cfg.Password}
		}
		if err := c.Auth(a); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(cfg.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// loginAuth is SMTP AUTH LOGIN, which net/smtp does not have; like its
// PlainAuth it sends the password only over TLS or to loopback.
type loginAuth struct{ user, pass string }

func (a loginAuth) Start(si *smtp.ServerInfo) (string, []byte, error) {
	if !si.TLS && !loopbackHost(si.Name) {
		return "", nil, errors.New("AUTH LOGIN refused on an unencrypted connection")
	}
	return "LOGIN", nil, nil
}

func (a loginAuth) Next(from []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(from))) {
	case "username:":
		return []byte(a.user), nil
	case "password:":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("AUTH LOGIN: unexpected challenge %q", from)
}
