package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a bar on a terminal's stderr while advisories load; it
// draws nothing when stderr is not a terminal (CI logs, pipes).
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, allowed bool) *progress {
	return &progress{w: w, on: allowed && isTerminal(w)}
}

// update is called with the files read and the total.
func (p *progress) update(done, total int64) {
	if p == nil || !p.on || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 50*time.Millisecond && done < total {
		return
	}
	p.last = time.Now()
	const width = 30
	n := int(done * width / total)
	fmt.Fprintf(p.w, "\rloading advisories [%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
	p.drawn = true
}

// done clears the bar.
func (p *progress) done() {
	if p == nil || !p.drawn {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}
