package service

import "github.com/vulndesk/vulndesk/internal/store"

// SetRematchBatches makes re-matches go by n assets a batch and calls
// applied after each pipelined batch is written; it returns a func that
// restores both.
func SetRematchBatches(n int, applied func(outdated bool)) (restore func()) {
	old, oldHook := rematchAssets, rematchApplied
	rematchAssets, rematchApplied = map[store.Dialect]int{store.SQLite: n, store.Postgres: n}, applied
	return func() { rematchAssets, rematchApplied = old, oldHook }
}
