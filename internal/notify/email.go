package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Subject is an email's subject line for a delivery of event with items.
func Subject(event string, items []model.NotifyItem) string {
	switch {
	case event == "digest":
		return fmt.Sprintf("[vulndesk] daily digest: %d event(s)", len(items))
	case event == "test":
		return "[vulndesk] test notification"
	case len(items) == 1:
		return "[vulndesk] " + items[0].Title
	}
	return fmt.Sprintf("[vulndesk] %s: %d event(s)", event, len(items))
}

// Text is an email's plain-text body: one paragraph per item.
func Text(b model.NotifyBody) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "vulndesk: %s, %s\n\n", b.Event, b.At.UTC().Format(time.RFC3339))
	if len(b.Items) == 0 {
		sb.WriteString("A test message: this channel works.\n")
	}
	for _, it := range b.Items {
		fmt.Fprintf(&sb, "* %s\n  event: %s (%s)\n", it.Title, it.Kind, it.At.UTC().Format(time.RFC3339))
		for _, kv := range [][2]string{{"asset", it.Asset}, {"vulnerability", it.Vuln}, {"package", it.Package},
			{"priority", it.Priority}, {"severity", it.Severity}} {
			if kv[1] != "" {
				fmt.Fprintf(&sb, "  %s: %s\n", kv[0], kv[1])
			}
		}
		if !it.Due.IsZero() {
			fmt.Fprintf(&sb, "  due: %s\n", it.Due.UTC().Format(time.RFC3339))
		}
		sb.WriteString("\n")
	}
	fmt.Fprintf(&sb, "-- \ndelivery %d\n", b.Delivery)
	return sb.String()
}

// Message is the whole RFC 5322 message of an email: headers with the
// subject encoded as RFC 2047 asks when it is not ASCII, and the text
// body, its lines ending in CRLF.
func Message(from, to string, at time.Time, b model.NotifyBody) []byte {
	id := make([]byte, 12)
	rand.Read(id)
	domain := "vulndesk"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	var m bytes.Buffer
	fmt.Fprintf(&m, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		from, to, mime.QEncoding.Encode("utf-8", Subject(b.Event, b.Items)), at.Format(time.RFC1123Z), hex.EncodeToString(id), domain)
	m.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n")
	fmt.Fprintf(&m, "X-Vulndesk-Event: %s\r\nX-Vulndesk-Delivery: %d\r\n\r\n", b.Event, b.Delivery)
	for line := range strings.Lines(Text(b)) {
		m.WriteString(strings.TrimRight(line, "\r\n"))
		m.WriteString("\r\n")
	}
	return m.Bytes()
}
