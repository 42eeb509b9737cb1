package service_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// smtpServer is a minimal SMTP server on loopback: EHLO, STARTTLS with
// a self-signed certificate, AUTH PLAIN and LOGIN (after STARTTLS only),
// MAIL, RCPT, DATA, QUIT. It refuses MAIL before AUTH, and RCPT to
// addresses in reject (550) or defer (451, once).
type smtpServer struct {
	ln         net.Listener
	pool       *x509.CertPool
	cert       tls.Certificate
	user, pass string

	mu        sync.Mutex
	deferOnce map[string]bool
	reject    map[string]bool
	msgs      []smtpMessage
	errs      []string
}

type smtpMessage struct {
	from, to, data string
	tls, authed    bool
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	// httptest's certificate is self-signed for 127.0.0.1.
	hs := httptest.NewTLSServer(nil)
	s := &smtpServer{cert: hs.TLS.Certificates[0], pool: x509.NewCertPool(), user: "notifier", pass: "s3cret-pass",
		deferOnce: map[string]bool{}, reject: map[string]bool{}}
	s.pool.AddCert(hs.Certificate())
	hs.Close()
	var err error
	if s.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.ln.Close() })
	go func() {
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) fail(msg string) {
	s.mu.Lock()
	s.errs = append(s.errs, msg)
	s.mu.Unlock()
}

func (s *smtpServer) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	var m smtpMessage
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			w.WriteString("250-test\r\n")
			if m.tls {
				say("250 AUTH PLAIN LOGIN")
			} else {
				say("250 STARTTLS")
			}
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if err := tc.Handshake(); err != nil {
				s.fail("handshake: " + err.Error())
				return
			}
			c, m.tls = tc, true
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
		case "AUTH":
			if !m.tls {
				say("538 encryption required")
				continue
			}
			mech, initial, _ := strings.Cut(arg, " ")
			switch strings.ToUpper(mech) {
			case "PLAIN":
				b, _ := base64.StdEncoding.DecodeString(initial)
				m.authed = string(b) == "\x00"+s.user+"\x00"+s.pass
			case "LOGIN":
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Username:")))
				u, _ := r.ReadString('\n')
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Password:")))
				p, _ := r.ReadString('\n')
				ub, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(u))
				pb, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(p))
				m.authed = string(ub) == s.user && string(pb) == s.pass
			}
			if m.authed {
				say("235 ok")
			} else {
				say("535 bad credentials")
			}
		case "MAIL":
			if !m.authed {
				say("530 authentication required")
				continue
			}
			m.from = strings.TrimPrefix(arg, "FROM:")
			say("250 ok")
		case "RCPT":
			to := strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>")
			s.mu.Lock()
			deferred, rejected := s.deferOnce[to], s.reject[to]
			delete(s.deferOnce, to)
			s.mu.Unlock()
			switch {
			case rejected:
				say("550 no such user")
			case deferred:
				say("451 try again later")
			default:
				m.to = to
				say("250 ok")
			}
		case "DATA":
			say("354 go on")
			var sb strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				sb.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = sb.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func (s *smtpServer) messages() ([]smtpMessage, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...), append([]string(nil), s.errs...)
}

// TestEmailNotification: a new finding of priority attend reaches an
// email channel through a loopback SMTP server, over STARTTLS with AUTH
// PLAIN and LOGIN; a 451 is retried, a 550 is not.
func TestEmailNotification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := newSMTPServer(t)
		svc := notifyService(t, st)
		svc.SMTP = service.SMTP{Host: "127.0.0.1", Port: srv.port(), Username: srv.user, Password: srv.pass,
			From: "vulndesk@example.com", TLS: &tls.Config{RootCAs: srv.pool}}
		srv.deferOnce["later@example.com"], srv.reject["nobody@example.com"] = true, true
		channels := map[string]int64{}
		for _, to := range []string{"sec@example.com", "later@example.com", "nobody@example.com"} {
			ch, secret, err := svc.CreateChannel(ctx, model.Channel{Name: "mail-" + strings.Split(to, "@")[0], Kind: model.ChannelEmail, Address: to}, "test")
			if err != nil || secret != "" {
				t.Fatalf("email channel: %+v, secret %q, %v", ch, secret, err)
			}
			channels[to] = ch.ID
			if _, err := svc.CreateRule(ctx, model.NotifyRule{ChannelID: ch.ID, Events: []string{model.NotifyFindingNew}}, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.DetectNotifications(ctx); err != nil {
			t.Fatal(err)
		}
		notifyFindings(t, svc, "shop")
		if n, err := svc.DetectNotifications(ctx); err != nil || n != 3 {
			t.Fatalf("detection: %d, %v; want 3 deliveries", n, err)
		}
		for range 30 {
			drain(t, svc)
			time.Sleep(10 * time.Millisecond)
		}
		waitDelivery(t, st, channels["sec@example.com"], model.DeliveryDelivered)
		later := waitDelivery(t, st, channels["later@example.com"], model.DeliveryDelivered)
		nobody := waitDelivery(t, st, channels["nobody@example.com"], model.DeliveryFailed)
		if later.Attempts != 2 || nobody.Attempts != 1 || nobody.LastStatus != 550 {
			t.Errorf("deferred: %+v; rejected: %+v", later, nobody)
		}
		msgs, errs := srv.messages()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if len(msgs) != 2 {
			t.Fatalf("%d messages; want 2", len(msgs))
		}
		for _, m := range msgs {
			if !m.tls || !m.authed || !strings.Contains(m.from, "vulndesk@example.com") ||
				!strings.Contains(m.data, "Subject: [vulndesk] new attend finding NTF-2026-0001 in alpha@1.0.0 on shop") ||
				!strings.Contains(m.data, "asset: shop") || !strings.Contains(m.data, "To: "+m.to) {
				t.Errorf("message to %s (tls %v, auth %v):\n%s", m.to, m.tls, m.authed, m.data)
			}
		}

		// AUTH LOGIN works too; a test message says the channel works.
		svc.SMTP.Auth = "login"
		if _, err := svc.TestChannel(ctx, channels["sec@example.com"], "test"); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		msgs, _ = srv.messages()
		if len(msgs) != 3 || !strings.Contains(msgs[2].data, "Subject: [vulndesk] test notification") {
			t.Fatalf("test message: %+v", msgs[len(msgs)-1])
		}
	})
}
