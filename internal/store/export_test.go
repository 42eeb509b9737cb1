package store

// SetTextTuning sets text search's bounds, so tests can force each of its
// ways: the candidate lookup (dense high), the walk in windows (dense 0),
// a walk cut short by walkRows and then the lookup, and, for terms past
// maxTerms, the walk of whole findings. It returns a func that restores
// them.
func SetTextTuning(maxTerms, dense, window, walkRows int) (restore func()) {
	t, a, p, s, w, r := maxTextTerms, denseAdvisories, densePackages, denseAssets, textWindow, textWalkRows
	maxTextTerms, denseAdvisories, densePackages, denseAssets, textWindow, textWalkRows = maxTerms, dense, dense, dense, window, walkRows
	return func() {
		maxTextTerms, denseAdvisories, densePackages, denseAssets, textWindow, textWalkRows = t, a, p, s, w, r
	}
}
