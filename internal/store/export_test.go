package store

// SetTextLimits sets the candidate lookup's bounds, so tests can force the
// walk that common terms take.
func SetTextLimits(terms, candidates int) { maxTextTerms, maxTextCandidates = terms, candidates }
